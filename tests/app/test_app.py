"""The Streamlit app, driven headless with ``streamlit.testing.v1.AppTest`` (no browser): the
parents' page (cards, the category filter, a toy described in words, the strip "as your child
grows"), the toy map's family and labels, and the page helpers behind them."""
from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from metarec.core.catalog import load_catalog
from metarec.i18n import t
from metarec.serving.recommend import MAX_LIKED
from tests.support import ROOT
from tests.support import assert_safe_cards

APP = str(ROOT / "app.py")
PARENTS = "pages/parents.py"
EMB = "pages/embeddings.py"
CARD_KEY = re.compile(r"-card-(\S+)$")   # a card's container key: card-<toy id>
TEDDY = "a soft cuddly teddy bear"
MARKUP = "**bold** <img src=x onerror=alert(1)> [link](http://x) :red[red] $x$ :material/home:"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception, app.exception
    return app


def blocks(node):
    """Every element and container under ``node``, depth first."""
    yield node
    for k in sorted(getattr(node, "children", None) or {}):
        yield from blocks(node.children[k])


def card_ids(app) -> list[str]:
    """The toy ids of the cards, in order (from their containers' keys: no ID is shown)."""
    return [m.group(1) for b in blocks(app.main)
            if (m := CARD_KEY.search(str(getattr(getattr(b, "proto", None), "id", "") or "")))]


def under(app, key: str) -> list:
    """The elements inside the container whose key is ``key``."""
    for b in blocks(app.main):
        if str(getattr(getattr(b, "proto", None), "id", "") or "").endswith(f"-{key}"):
            return list(blocks(b))[1:]
    return []


def values(elements) -> str:
    return "\n".join(str(e.value) for e in elements if getattr(e, "type", None) in
                     ("markdown", "caption", "badge") and hasattr(e, "value"))


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
    from metarec.teaching.demo import demo_family

    at.button(key="demo_button").click().run()
    assert not at.exception
    expected = demo_family(engine, 0)   # the n-th click: the n-th demo family
    assert at.selectbox(key="age").value == expected.family.age_months
    assert at.multiselect(key="liked").value == list(expected.liked)
    assert at.multiselect(key="disliked").value == list(expected.disliked)
    assert "simulated test family" in texts(at.info)
    assert_safe_cards(cat, card_ids(at), expected.family.age_months,
                    exclude=expected.liked + expected.disliked)
    # A second click loads another family (the seed is a session counter).
    at.button(key="demo_button").click().run()
    assert at.session_state["demo_seed"] == 2
    assert at.multiselect(key="liked").value == list(demo_family(engine, 1).liked)
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


# ---- the cards, the category filter --------------------------------------------------------------

def test_cards_are_plain_and_the_details_are_under_about_these_picks(at, cat, engine):
    from pages.ui.cards import plain_learner

    at.selectbox(key="age").set_value(18)
    at.multiselect(key="liked").set_value([cat.ids[i] for i in cat.eligible(18)[:3]]).run()
    assert not at.exception
    ids = card_ids(at)
    assert len(ids) == 9
    fits = {t(f"fit.{f}") for f in ("great", "good", "worth_a_try")}
    for toy in ids:
        card = under(at, f"card-{toy}")
        shown = values(card)
        assert toy not in shown                                   # no catalog ID
        assert engine.device_name not in shown and " ms" not in shown   # no device, no time
        badge = next(str(e.value) for e in card if str(getattr(e, "value", "")).startswith(":"))
        assert "%" not in badge and any(f in badge for f in fits)  # a fit label, never a percentage
        i = cat.index[toy]
        if cat.frame.at[i, "max_age_months"] <= 36:                # ages in months under 3
            assert f"{cat.frame.at[i, 'min_age_months']}–{cat.frame.at[i, 'max_age_months']} months" in shown
        assert any(str(e.value).startswith("Because") or "age" in str(e.value) for e in card
                   if getattr(e, "type", None) == "markdown")      # every card has its reason
    assert "Adapted to the 3 toys you picked." in [c.value for c in at.caption]
    about = values(blocks(next(e for e in at.expander if e.label == "About these picks")))
    assert plain_learner(engine.default_method) in about and "held out" in about
    assert engine.device_name in about and " ms" in about
    assert all(fit in about for fit in fits)


def test_a_category_choice_filters_the_recommendations(at, cat):
    options = list(at.multiselect(key="liked").options)
    at.selectbox(key="cat_filter").set_value("vehicles").run()
    assert not at.exception
    ids = card_ids(at)
    assert ids and set(cat.frame.set_index("id").loc[ids, "category"]) == {"vehicles"}
    assert "more are not Vehicles" in texts(at.success)
    # personal picks too, and the liked toys' list still holds every toy
    at.multiselect(key="liked").set_value(["bld-04", "puz-03"]).run()
    assert "Picked for your child" in texts(at.header)
    ids = card_ids(at)
    assert ids and set(cat.frame.set_index("id").loc[ids, "category"]) == {"vehicles"}
    assert list(at.multiselect(key="liked").options) == options and len(options) == len(cat)
    assert at.selectbox(key="cat_filter").label == "Show ideas from"


# ---- a toy described in words ----------------------------------------------------------------

def _typed(at):
    return at.session_state["text_toys"]


def test_a_toy_described_in_words_is_guessed_corrected_liked_and_mapped(at, cat):
    """The real MiniLM encoder (loaded once per process): the teddy bear reads as plush."""
    popular = card_ids(at)
    at.text_input(key="tt_input").input(TEDDY).run()
    assert not at.exception and not at.warning
    (entry,) = _typed(at)
    uid = entry["uid"]
    assert at.text_input(key="tt_input").value == ""              # ready for the next toy
    assert at.selectbox(key=f"tt_cat_{uid}").value == "plush"
    assert "Our guess from the words: Plush" in texts(at.caption)
    assert at.multiselect(key=f"tt_skills_{uid}").value and at.select_slider(key=f"tt_ages_{uid}").value
    assert "Picked for your child" in texts(at.header)            # it counts as a liked toy
    assert "Adapted to the toy you picked." in texts(at.caption)
    as_plush = card_ids(at)
    assert as_plush != popular
    assert f"“{TEDDY}”" in texts(at.markdown).replace("\\", "")   # a reason quotes it, as text

    at.selectbox(key=f"tt_cat_{uid}").set_value("vehicles").run()   # the parent corrects it
    assert not at.exception
    assert _typed(at)[0]["category"] == "vehicles"
    assert card_ids(at) != as_plush

    # on the toy map (the family from "For parents"): a gold square with its name
    at.switch_page(EMB).run()
    at.button_group(key="em_source").set_value("parents").run()
    assert not at.exception and not at.error
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "em_map" in c.proto.id)
    typed = next(d for d in spec["data"] if d.get("name") == "Toys described in words")
    assert len(typed["x"]) == 1 and TEDDY in typed["hovertext"][0]
    assert any(TEDDY in a["text"] for a in spec["layout"]["annotations"])
    assert "Gold squares" in texts(at.caption)
    # back on the parents' page the correction holds; then the toy can be removed
    at.switch_page(PARENTS).run()
    assert at.selectbox(key=f"tt_cat_{uid}").value == "vehicles"
    at.button(key=f"tt_remove_{uid}").click().run()
    assert not _typed(at) and "No liked toys yet" in texts(at.info)


def test_typed_markup_is_shown_as_plain_text(at):
    from pages.ui.plain_text import md

    at.text_input(key="tt_input").input(MARKUP).run()
    assert not at.exception
    shown = [str(m.value) for m in at.markdown]
    assert f"✏️ **“{md(MARKUP)}”**" in shown
    quoted = [text for text in shown if "onerror" in text]
    assert len(quoted) >= 2   # its own line, and a reason that quotes it (shortened)
    for text in quoted:       # wherever it is quoted, every markup character escaped
        inner = text[text.index("“") + 1:text.index("”")]
        assert inner.startswith("\\*\\*bold\\*\\* \\<img src")
        assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\.", "", inner)), text
    at.button(key="reset_button").click().run()
    assert not _typed(at)


@pytest.mark.parametrize("text", [MARKUP, "# heading", "1. list", "> quote", "`code`", "a_b_c",
                                  "<b>x</b>", "&lt;", "www.example.com", "a@b.co", ":smile:",
                                  "| a | b |", "~~x~~", "\\*", "多行\n文本  "])
def test_md_escapes_all_markup_and_keeps_the_characters(text):
    from pages.ui.plain_text import md, svg

    out = md(text)
    assert re.sub(r"\\(.)", r"\1", out) == " ".join(text.split())   # the same characters
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\.", "", out))   # each one escaped
    assert "<" not in svg(text) and ">" not in svg(text)


def test_browser_language_of_locales_and_headers():
    from pages.ui.browser_language import language_of

    assert language_of("zh-CN") == language_of("zh_TW") == language_of("ZH") == "zh"
    assert language_of("en-GB") == "en" and language_of("fr-FR") is None
    assert language_of(None, "fr-FR,fr;q=0.9,zh-CN;q=0.8,en;q=0.7") == "zh"
    assert language_of("", "de, en;q=0.5, zh;q=0.1") == "en"
    assert language_of(None, "zh;q=0, en;q=bad") is None and language_of(None, None) is None


def test_a_chinese_browser_gets_chinese_on_its_first_visit(monkeypatch):
    from types import SimpleNamespace

    import streamlit

    fake = SimpleNamespace(locale="zh-CN", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    monkeypatch.setattr(streamlit, "context", fake)
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert app.radio(key="lang").value == "zh"
    assert [t.value for t in app.title] == ["🧸 MetaRec 玩具推荐"]
    app.radio(key="lang").set_value("en").run()   # the visitor's choice wins from then on
    app.run()
    assert app.radio(key="lang").value == "en" and [t.value for t in app.title] == ["🧸 MetaRec Toys"]


# ---- as your child grows -----------------------------------------------------------------------

def test_the_growth_strip_explains_each_change(at, engine):
    from metarec.serving.growth import grow
    from metarec.serving.recommend import Request
    from pages.ui.growth import TOP

    liked = ["bld-01", "puz-01"]   # a toddler's toys: some picks are outgrown within two years
    at.selectbox(key="age").set_value(24)
    at.multiselect(key="liked").set_value(liked).run()
    assert not at.exception
    assert "As your child grows" in texts(at.header)
    strip = values(under(at, "growth"))
    for when in ("Now · 24 months", "In 6 months · ", "In 1 year · 3 years", "In 2 years · 4 years"):
        assert when in strip
    expected = grow(engine, Request(age_years=2, liked=tuple(liked), top=TOP))
    changes = [c for s in expected.steps for c in s.changes]
    assert any(c.key == "growth.outgrown" for c in changes)
    for c in changes:
        assert f"{c.name}: {c.text}" in strip.replace("\\", "")
    # the first picks of the strip are the first cards
    first = expected.steps[0].picks
    assert [r.id for r in first] == card_ids(at)[:TOP]


# ---- the toy map -------------------------------------------------------------------------------

def test_the_map_draws_the_star_under_the_liked_toys_and_labels_apart(engine):
    from metarec.teaching.embedding_map import View, text_size_px
    from pages.ui.toy_map import LABEL_FONT, MIN_PLOT_PX

    if "protonet" not in engine.learners:
        pytest.skip("this checkpoint has no prototypical network")
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page(EMB).run()
    for projection in ("pca", "tsne"):
        app.button_group(key="em_projection").set_value(projection).run()
        assert not app.exception and not app.error
        spec = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if "em_map" in c.proto.id)
        names = [d.get("name") for d in spec["data"]]
        assert names.index("The child's prototype") < names.index("Toys the child likes")
        layout = spec["layout"]
        view = View(tuple(layout["xaxis"]["range"]), tuple(layout["yaxis"]["range"]), *MIN_PLOT_PX)
        sx, sy = view.per_px()
        boxes = [((a["x"] - view.x[0]) / sx, (a["y"] - view.y[0]) / sy,
                  *text_size_px(a["text"], LABEL_FONT)) for a in layout["annotations"]]
        assert len(boxes) >= 14 + 3   # every category, and the three liked toys
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (abs(a[0] - b[0]) * 2 < a[2] + b[2] and abs(a[1] - b[1]) * 2 < a[3] + b[3])


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

