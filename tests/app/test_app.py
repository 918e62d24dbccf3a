"""The Streamlit app, driven headless with ``streamlit.testing.v1.AppTest`` (no browser)."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metarec.core.catalog import load_catalog
from metarec.serving.recommend import MAX_LIKED
from tests.support import ROOT
from tests.support import assert_safe_cards

APP = str(ROOT / "app.py")
PARENTS = "pages/parents.py"
CARD_ID = re.compile(r"^(?:Catalog ID|目录编号) (\S+)$")


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception, app.exception
    return app


def card_ids(app) -> list[str]:
    return [m.group(1) for c in app.caption if (m := CARD_ID.match(str(c.value)))]


def card_titles(app) -> list[str]:
    return [str(m.value)[4:] for m in app.markdown if str(m.value).startswith("### ")]


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_renders_without_exception(at, cat):
    assert [t.value for t in at.title] == ["🧸 MetaRec Toys"]
    sidebar = texts(at.sidebar.markdown) + texts(at.sidebar.info)
    assert "Learner runs on" in sidebar and "Simulated families" in sidebar
    assert at.radio(key="lang").value == "en"
    # No liked toys yet: the popular-at-this-age notice and safe cards for the default age (4).
    assert "No liked toys yet" in texts(at.info)
    assert "never shows toys outside your child's age range" in texts(at.success)
    assert_safe_cards(cat, card_ids(at), at.selectbox(key="age").value)
    assert not at.error and not at.warning


def test_switch_page_runs(at):
    at.switch_page(PARENTS).run()
    assert not at.exception
    assert card_ids(at)
    assert at.radio(key="lang").value == "en"  # the shell (sidebar) still renders


def test_picking_a_toy_keeps_the_list_of_choices_and_counts_in_words(at, cat):
    """The drop-down's options do not change when a toy in it is picked (a new list would make the
    browser redraw it and wipe what the parent is typing next); one toy is "the toy", not "1 toys"."""
    before = list(at.multiselect(key="liked").options)
    at.multiselect(key="liked").set_value([cat.ids[cat.eligible(48)[5]]]).run()
    assert list(at.multiselect(key="liked").options) == before
    assert "Adapted to the toy you picked" in texts(at.caption)
    assert "1 toys" not in texts(at.caption)


def test_age_and_liked_toys_give_safe_personal_cards(at, cat):
    age = 36
    liked = [toy for toy in ("bld-04", "veh-01", "puz-03") if toy in cat.index]
    if len(liked) < 3:  # catalog changed: any three toys fit for 3-year-olds
        liked = [cat.ids[i] for i in cat.eligible(age)[:3]]
    at.selectbox(key="age").set_value(age)
    at.multiselect(key="liked").set_value(liked)
    at.run()
    assert not at.exception
    assert "Picked for your child" in texts(at.header)
    assert "Adapted to the 3 toys you picked" in texts(at.caption)
    ids = card_ids(at)
    assert 1 <= len(ids) <= 9
    assert_safe_cards(cat, ids, age, exclude=liked)
    names = set(cat.frame.set_index("id").loc[ids, "name_en"])
    assert {title.split(" ", 1)[1] for title in card_titles(at)} == names
    assert "never shows toys outside your child's age range" in texts(at.success)


def test_under_two_never_shows_small_parts(at, cat):
    at.selectbox(key="age").set_value(18)
    at.multiselect(key="liked").set_value([cat.ids[i] for i in cat.eligible(18)[:2]])
    at.run()
    assert not at.exception
    ids = card_ids(at)
    assert_safe_cards(cat, ids, 18)
    assert not cat.frame.set_index("id").loc[ids, "small_parts"].any()
    assert "small parts" in texts(at.success)


def test_language_switch_changes_text_and_toy_names(at, cat):
    at.multiselect(key="liked").set_value(["bld-04"] if "bld-04" in cat.index else [cat.ids[0]])
    at.run()
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["🧸 MetaRec 玩具推荐"]
    assert at.multiselect(key="liked").label == "孩子喜欢的玩具"
    assert at.multiselect(key="liked").value, "the liked toys survive a language switch"
    ids = card_ids(at)
    zh_names = set(cat.frame.set_index("id").loc[ids, "name_zh"])
    assert {title.split(" ", 1)[1] for title in card_titles(at)} == zh_names
    assert "为孩子精选" in texts(at.header)
    # and back
    at.radio(key="lang").set_value("en").run()
    assert [t.value for t in at.title] == ["🧸 MetaRec Toys"]


def test_every_toy_liked_is_a_friendly_message(at, cat):
    at.multiselect(key="liked").set_value(list(cat.ids)).run()
    assert not at.exception and not at.error
    assert f"keep it to {MAX_LIKED} or fewer" in texts(at.warning)
    assert not card_ids(at)


def test_too_many_liked_is_a_friendly_message(at, cat):
    at.multiselect(key="liked").set_value(list(cat.ids[: MAX_LIKED + 1])).run()
    assert not at.exception and not at.error
    assert f"You picked {MAX_LIKED + 1} toys" in texts(at.warning)


def test_liked_and_disliked_same_toy_is_a_friendly_message(at, cat):
    toy = cat.ids[0]
    at.multiselect(key="liked").set_value([toy, cat.ids[1]])
    at.multiselect(key="disliked").set_value([toy])
    at.run()
    assert not at.exception and not at.error
    assert "cannot be both liked and not enjoyed" in texts(at.warning)
    assert cat.frame.at[0, "name_en"] in texts(at.warning)
    # the library's InputError carries a key: the page tells it in the visitor's language
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception and not at.error
    assert "同一件玩具不能既喜欢又不喜欢" in texts(at.warning)
    assert cat.frame.at[0, "name_zh"] in texts(at.warning)


def test_budget_filters_and_is_counted(at, cat):
    at.number_input(key="budget").set_value(12.0).run()
    assert not at.exception
    ids = card_ids(at)
    assert_safe_cards(cat, ids, 48)
    assert (cat.frame.set_index("id").loc[ids, "price"] <= 12.0).all()
    assert "over your budget" in texts(at.success)


def test_family_to_try_fills_age_and_likes(at, cat, engine):
    from metarec.teaching.demo import random_family

    at.button(key="demo_button").click().run()
    assert not at.exception
    expected = random_family(engine, 1)
    assert at.selectbox(key="age").value == expected.family.age_months
    assert at.multiselect(key="liked").value == list(expected.liked)
    assert at.multiselect(key="disliked").value == list(expected.disliked)
    assert "simulated test family" in texts(at.info)
    assert_safe_cards(cat, card_ids(at), expected.family.age_months,
                    exclude=expected.liked + expected.disliked)
    # A second click loads another family (the seed is a session counter).
    at.button(key="demo_button").click().run()
    assert at.session_state["demo_seed"] == 2
    assert at.multiselect(key="liked").value == list(random_family(engine, 2).liked)
    # Once the parent edits the family, it is no longer called the simulated one.
    at.multiselect(key="liked").set_value(at.multiselect(key="liked").value[:1]).run()
    assert not at.exception
    assert "simulated test family" not in texts(at.info)


def test_start_over_resets_the_family(at):
    at.button(key="demo_button").click().run()
    at.number_input(key="budget").set_value(30.0).run()
    assert at.multiselect(key="liked").value
    at.button(key="reset_button").click().run()
    assert not at.exception
    assert at.multiselect(key="liked").value == []
    assert at.multiselect(key="disliked").value == []
    assert at.selectbox(key="age").value == 48
    assert at.number_input(key="budget").value is None
    assert "simulated test family" not in texts(at.info)
    assert "No liked toys yet" in texts(at.info)


def test_unexpected_error_is_friendly_not_a_traceback(at, monkeypatch):
    import metarec.serving.recommend

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(metarec.serving.recommend, "recommend", broken)
    at.selectbox(key="age").set_value(60).run()  # a new request: the session's last answer won't do
    assert not at.exception
    assert "Sorry, something went wrong" in texts(at.error)
    assert "boom" not in texts(at.error)


def _weights_digest(engine) -> str:
    """A hash of every tensor the engine's learners hold (parameters, buffers, tables)."""
    import hashlib

    import torch

    h = hashlib.sha256()

    def walk(name, value, depth=0):
        if isinstance(value, torch.Tensor):
            h.update(name.encode())
            h.update(value.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(value, torch.nn.Module):
            for k, v in sorted(value.state_dict().items()):
                walk(f"{name}.{k}", v, depth + 1)
        elif isinstance(value, dict) and depth < 3:
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0])):
                walk(f"{name}.{k}", v, depth + 1)

    for name, learner in sorted(engine.learners.items()):
        for attr, value in sorted(vars(learner).items()):
            walk(f"{name}.{attr}", value)
    return h.hexdigest()


def test_a_family_never_changes_the_shared_engine(at, cat):
    from pages.ui.session import get_engine

    shared = get_engine()  # the process-wide cached engine the app serves every session from
    before = _weights_digest(shared)
    at.button(key="demo_button").click().run()
    at.multiselect(key="liked").set_value([cat.ids[i] for i in cat.eligible(60)[:4]])
    at.selectbox(key="age").set_value(60).run()
    assert card_ids(at)
    assert get_engine() is shared
    assert _weights_digest(shared) == before


def test_model_not_loadable_is_a_friendly_message(monkeypatch):
    """Runs last: it empties the engine cache (the next app run loads the engine again)."""
    import metarec.serving.engine
    from metarec.core.checkpoint import CheckpointError
    from pages.ui.session import get_engine

    def missing(*args, **kwargs):
        raise CheckpointError("checkpoint manifest not found")

    get_engine.clear()
    monkeypatch.setattr(metarec.serving.engine.Engine, "load", classmethod(missing))
    try:
        app = AppTest.from_file(APP, default_timeout=30).run()
        assert not app.exception
        assert "not ready" in texts(app.error)
        assert "manifest" not in texts(app.error)
        assert app.radio(key="lang").value == "en"  # the shell still works
    finally:
        get_engine.clear()


def test_every_ui_string_is_translated_and_used_keys_exist():
    import string

    from metarec.i18n import strings

    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    en_texts, zh_texts = strings("en"), strings("zh")
    assert set(en_texts) == set(zh_texts)
    ui = {k: (en, zh_texts[k]) for k, en in en_texts.items() if k.startswith("ui.")}
    for key, (en, zh) in ui.items():
        assert en.strip() or key == "ui.sentence.sep", key
        assert zh.strip() or key == "ui.sentence.sep", key
        assert fields(en) == fields(zh), f"{key}: placeholders differ between English and Chinese"
    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "metarec").rglob("*.py"))]:
        used |= set(re.findall(r"""["'](ui\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no ui.* keys found in the app"
    assert used <= set(ui), f"missing from metarec/i18n/locales: {sorted(used - set(ui))}"


def test_bold_text_closes_in_both_languages():
    """Markdown only ends ``**bold**`` at a closing mark that is not punctuation-then-letter:
    "**得分：**这些" shows its asterisks. Chinese puts no space after "：" or "。", so such a
    string must move the mark ("**得分**：") or the text stays unbolded with ** on the page."""
    import unicodedata

    from metarec.i18n import LANGS, strings

    def punct(c: str) -> bool:   # "{" opens a placeholder, whose text may start with a letter
        return c != "{" and unicodedata.category(c)[0] in "PS"

    for key in strings("en"):
        texts = [strings(lang)[key] for lang in LANGS]
        for text in texts:
            marks = [i for i in range(len(text) - 1) if text.startswith("**", i)]
            for i in marks[1::2]:   # each closing mark
                before, after = text[i - 1], text[i + 2:i + 3] or " "
                assert not (punct(before) and not (after.isspace() or punct(after))), (key, text[max(0, i - 8):i + 6])

