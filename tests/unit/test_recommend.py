"""The recommendation pipeline: safety, exclusions, fallback, reasons, bad input."""
import math
import pickle

import pytest

from metarec.i18n import LANGS, t
from metarec.serving.recommend import InputError, Request, recommend
from metarec.core.safety import is_safe


def _pick(catalog, age_years, n, offset=0):
    return tuple(catalog.ids[i] for i in catalog.eligible(age_years * 12)[offset:offset + n])


@pytest.mark.parametrize("age", [0, 0.5, 1, 1.5, 2, 2.9, 3, 4, 6, 9, 12, 14])
@pytest.mark.parametrize("method", ["maml", "melu", "knn"])
def test_never_unsafe_never_named(engine, age, method):
    cat = engine.catalog
    liked, disliked = _pick(cat, age, 3), _pick(cat, age, 1, offset=5)
    res = recommend(engine, Request(age, liked, disliked, top=20, method=method))
    assert res.recommendations and not res.fallback
    for r in res.recommendations:
        assert is_safe(r.min_age_months, r.max_age_months, r.small_parts, age * 12), r.id
        assert r.min_age_months <= age * 12 <= r.max_age_months
        assert not (r.small_parts and age < 3)
        assert r.id not in liked and r.id not in disliked
        assert r.reason.endswith(".") and len(r.reason.split()) >= 3 and math.isfinite(r.score)
        assert 0 <= r.p_like <= 1 and r.fit in ("great", "good", "worth_a_try")
    p_like = [r.p_like for r in res.recommendations]
    assert p_like[0] == max(p_like)   # the re-rank keeps the most likely toy first
    plain = recommend(engine, Request(age, liked, disliked, top=20, method=method, diverse=False))
    scores = [r.score for r in plain.recommendations]
    assert scores == sorted(scores, reverse=True)


def test_safety_counts_are_reported(engine):
    res = recommend(engine, Request(2, _pick(engine.catalog, 2, 2)))
    assert res.filtered["small_parts"] > 0 and res.filtered["too_young"] > 0


def test_no_liked_falls_back_to_age_and_says_so(engine):
    res = recommend(engine, Request(4))
    assert res.fallback and res.method == "popularity" and "popular" in res.notice
    assert all(r.min_age_months <= 48 <= r.max_age_months for r in res.recommendations)


def test_likes_change_the_list(engine):
    cat = engine.catalog
    f = cat.frame
    music = tuple(f.loc[(f.category == "music") & (f.min_age_months <= 60) & (f.max_age_months >= 60), "id"][:3])
    vehicles = tuple(f.loc[(f.category == "vehicles") & (f.min_age_months <= 60) & (f.max_age_months >= 60), "id"][:3])
    a = recommend(engine, Request(5, music)).recommendations
    b = recommend(engine, Request(5, vehicles)).recommendations
    assert [r.id for r in a] != [r.id for r in b]
    assert sum(r.category == "music" for r in a) > sum(r.category == "music" for r in b)


def test_deterministic_for_equal_input(engine):
    req = Request(6, _pick(engine.catalog, 6, 4))
    assert recommend(engine, req) == recommend(engine, req)


def test_chinese_names_and_reasons(engine):
    res = recommend(engine, Request(5, _pick(engine.catalog, 5, 3), lang="zh"))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.name + r.reason) for r in res.recommendations)


def test_budget_filters(engine):
    res = recommend(engine, Request(7, _pick(engine.catalog, 7, 3), budget=15.0))
    assert res.recommendations and all(r.price <= 15.0 for r in res.recommendations)
    assert res.filtered["over_budget"] > 0


def test_every_suitable_toy_liked_gives_an_empty_list_not_a_crash(engine):
    ids = tuple(engine.catalog.ids[i] for i in engine.catalog.eligible(0))
    res = recommend(engine, Request(0, ids[:50]))
    assert res.recommendations == [] or all(r.id not in ids for r in res.recommendations)


@pytest.mark.parametrize("req, message, key", [
    (Request(-1), "from 0 to 14", "input.age_out_of_range"),
    (Request(15), "from 0 to 14", "input.age_out_of_range"),
    (Request(float("nan")), "from 0 to 14", "input.age_out_of_range"),
    (Request("four"), "must be a number", "input.age_not_a_number"),
    (Request(4, ("no-such-toy",)), "unknown toy id", "input.unknown_toy"),
    (Request(4, ("bld-1",)), "did you mean", "input.unknown_toy_close"),
    (Request(4, ("bld-05",), ("bld-05",)), "both liked and disliked", "input.both"),
    (Request(4, top=0), "top must be", "input.top"),
    (Request(4, method="magic"), "unknown method", "input.method"),
    (Request(4, budget=-3.0), "budget", "input.budget"),
    (Request(4, category="robots"), "unknown category", "input.category"),
])
def test_bad_input_is_explained(engine, req, message, key):
    with pytest.raises(InputError, match=message) as info:
        recommend(engine, req)
    # a machine-readable kind, and the same problem for a person in every language
    assert info.value.key == key
    for lang in LANGS:
        text = t(key, lang, **info.value.values)
        assert text.strip() and "{" not in text and "python -m" not in text


def test_too_many_liked(engine):
    with pytest.raises(InputError, match="at most 50") as info:
        recommend(engine, Request(8, tuple(engine.catalog.ids[:51])))
    assert (info.value.key, info.value.values) == ("input.too_many_liked", {"n": 51, "max": 50})
    with pytest.raises(InputError) as info:
        recommend(engine, Request(8, (), tuple(engine.catalog.ids[:60])))
    assert (info.value.key, info.value.values["n"]) == ("input.too_many_disliked", 60)


def test_a_toy_both_liked_and_disliked_is_named_in_the_request_language(engine):
    toy = engine.catalog.ids[0]
    for lang in LANGS:
        with pytest.raises(InputError) as info:
            recommend(engine, Request(4, (toy, engine.catalog.ids[1]), (toy,), lang=lang))
        assert engine.catalog.name(0, lang) in info.value.values["names"]
        assert toy in str(info.value)   # the English message keeps the id (command line)


def test_input_error_without_a_key_quotes_its_message():
    exc = InputError("--top must be a whole number")
    assert exc.key == InputError.GENERIC and t(exc.key, "en", **exc.values).endswith(
        "--top must be a whole number")
    again = pickle.loads(pickle.dumps(InputError("m", key="input.top", values={"max": 1, "got": "0"})))
    assert (str(again), again.key, again.values) == ("m", "input.top", {"max": 1, "got": "0"})


def test_closest_liked_toys_are_only_those_worth_naming(engine):
    from metarec.serving.reasons import ALIKE, FAINT, closest_liked
    assert closest_liked([("a", 0.31), ("b", 0.12), ("c", 0.2)]) == [("a", 0.31), ("c", 0.2)]
    assert closest_liked([("b", 0.12), ("c", 0.02)]) == [("b", 0.12)]   # the nearest, if not faint
    assert closest_liked([("c", FAINT)]) == []
    res = recommend(engine, Request(5, _pick(engine.catalog, 5, 4)))
    for r in res.recommendations:
        assert len(r.closest_liked) <= 3
        assert all(s >= ALIKE for _, s in r.closest_liked[1:])
        assert [s for _, s in r.closest_liked] == sorted((s for _, s in r.closest_liked), reverse=True)


def test_duplicates_are_counted_once(engine):
    liked = _pick(engine.catalog, 5, 2)
    res = recommend(engine, Request(5, liked + liked[:1]))
    assert res.warnings and "twice" in res.warnings[0]


def test_category_filter(engine):
    liked = _pick(engine.catalog, 5, 3)
    for req in (Request(5, liked, category="puzzles"), Request(5, category="puzzles", top=30)):
        res = recommend(engine, req)
        assert res.recommendations and {r.category for r in res.recommendations} == {"puzzles"}
        assert res.filtered["other_category"] > 0
    cat = engine.catalog
    puzzles = {cat.ids[i] for i in cat.eligible(60) if cat.frame.at[i, "category"] == "puzzles"}
    assert {r.id for r in recommend(engine, Request(5, liked, top=100, category="puzzles"))
            .recommendations} == puzzles - set(liked)   # every suitable puzzle, nothing else
