"""Property-based fuzzing of the recommend path: its invariants hold for any valid input."""
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metarec.serving.recommend import InputError, Request, recommend
from metarec.core.safety import is_safe

FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ids(engine):
    return st.sampled_from(engine.catalog.ids)


@FAST
@given(data=st.data())
def test_invariants_hold_for_random_families(engine, data):
    age = data.draw(st.floats(min_value=0, max_value=14, allow_nan=False), label="age")
    liked = data.draw(st.lists(_ids(engine), max_size=8, unique=True), label="liked")
    disliked = data.draw(st.lists(_ids(engine).filter(lambda i: i not in liked), max_size=4,
                                  unique=True), label="disliked")
    method = data.draw(st.sampled_from(sorted(engine.learners)), label="method")
    req = Request(age, tuple(liked), tuple(disliked), top=12, method=method)
    res = recommend(engine, req)
    named = set(liked) | set(disliked)
    for r in res.recommendations:
        assert is_safe(r.min_age_months, r.max_age_months, r.small_parts, age * 12)
        assert r.id not in named and math.isfinite(r.score) and r.reason
    assert len({r.id for r in res.recommendations}) == len(res.recommendations)
    assert res.fallback == (not liked)
    assert recommend(engine, req) == res  # deterministic for equal input


@FAST
@given(age=st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda a: not (0 <= a <= 14)), st.text(max_size=5)))
def test_impossible_ages_are_refused_cleanly(engine, age):
    try:
        recommend(engine, Request(age))
    except InputError as exc:
        assert "age" in str(exc)
    else:  # a text that parses as a valid age ("4", " 3.5") is a valid request
        assert 0 <= float(age) <= 14
