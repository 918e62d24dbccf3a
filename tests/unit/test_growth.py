"""The growth strip: the same liked toys at the child's age and 6, 12, 24 months later."""
import pytest

from metarec.core.errors import InputError
from metarec.core.safety import SMALL_PARTS_MIN_MONTHS, is_safe
from metarec.i18n import t
from metarec.serving.growth import grow
from metarec.serving.recommend import Request


def _liked(engine, months, n=3):
    eligible = engine.catalog.eligible(months)
    return tuple(engine.catalog.ids[i] for i in eligible[:: max(len(eligible) // n, 1)][:n])


@pytest.mark.parametrize("age", [1.0, 2.5])
def test_picks_are_safe_at_every_age_and_small_parts_never_under_3(engine, age):
    g = grow(engine, Request(age, _liked(engine, age * 12), top=20))
    assert [s.after_months for s in g.steps] == [0, 6, 12, 24]
    for step in g.steps:
        assert step.age_months == age * 12 + step.after_months and step.picks
        for r in step.picks:
            assert is_safe(r.min_age_months, r.max_age_months, r.small_parts, step.age_months), r.id
            assert not (r.small_parts and step.age_months < SMALL_PARTS_MIN_MONTHS), r.id


def test_changes_say_why(engine):
    g = grow(engine, Request(2.5, _liked(engine, 30), top=20))
    outgrown = 0
    for before, after in zip(g.steps, g.steps[1:]):
        ids_before, ids_after = [r.id for r in before.picks], [r.id for r in after.picks]
        leaves = {c.id: c for c in after.changes if c.kind == "leaves"}
        arrives = {c.id: c for c in after.changes if c.kind == "arrives"}
        assert set(leaves) == set(ids_before) - set(ids_after)
        assert set(arrives) == set(ids_after) - set(ids_before)
        for r in before.picks:
            if r.id in leaves and leaves[r.id].key == "growth.outgrown":
                assert r.max_age_months < after.age_months   # its max age has passed
                outgrown += 1
            if r.max_age_months < after.age_months:            # a toy whose max age passed leaves
                assert leaves[r.id].key == "growth.outgrown"
        for r in after.picks:
            if r.id in arrives and arrives[r.id].key == "growth.from_age":
                assert before.age_months < r.min_age_months <= after.age_months
        for c in after.changes:
            assert c.text == t(c.key, "en", **c.values) and c.text.endswith(".")
    assert outgrown   # at 30 months, some of the top 20 are made for up to 3 years


def test_ages_are_capped_at_14_years_and_bad_input_is_refused(engine):
    g = grow(engine, Request(13.5, _liked(engine, 162), top=3, lang="zh"))
    assert [s.age_months for s in g.steps] == [162, 168] and g.steps[-1].age == "14岁"
    assert g.to_json()["steps"][0]["picks"][0]["id"] == g.steps[0].picks[0].id
    with pytest.raises(InputError):
        grow(engine, Request(15))
