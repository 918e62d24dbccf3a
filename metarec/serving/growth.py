"""The child grows: the same liked toys, the picks at the current age and later, and what changes.

For one family, :func:`grow` runs the served pipeline (:func:`~metarec.serving.recommend.recommend`:
validation, the safety filter, calibration, the re-rank and reasons; so never a small-parts toy
under 3 at any of the ages) at the child's age and :data:`STEPS` months later (capped at 14 years),
and says for each step which toys leave and which arrive, and why:

- a toy *leaves* because the child outgrows it (its maximum age has passed: ``growth.outgrown``,
  "Outgrown: it is made for up to 4 years.") or because other toys now fit better
  (``growth.overtaken``);
- a toy *arrives* because it becomes suitable (its minimum age is reached: ``growth.from_age``,
  "suitable from 5 years"; or the child turns 3 and its small parts become safe:
  ``growth.small_parts``), or because it now fits better than before (``growth.climbs``).

Toys in both lists keep their card and may move; their new place is their position in ``picks``.

Example:
    >>> g = grow(engine, Request(age_years=2.5, liked=("bld-01", "puz-04", "pre-17"), top=6))
    >>> [(s.after_months, s.age) for s in g.steps]
    [(0, '30 months'), (6, '3 years'), (12, '3 years'), (24, '4 years')]
    >>> [(c.kind, c.id, c.text) for c in g.steps[2].changes]
    [('leaves', 'bld-02', 'Outgrown: it is made for up to 3 years.'), ('arrives', 'bld-05', ...)]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..core.catalog import MAX_AGE_MONTHS
from ..core.safety import SMALL_PARTS_MIN_MONTHS
from ..i18n import age_text, t
from .recommend import Recommendation, Request, parse_age, recommend

STEPS = (0, 6, 12, 24)   # months after today


@dataclass(frozen=True)
class Change:
    """One toy that leaves or arrives between two ages."""

    id: str
    name: str
    icon: str
    kind: str      # "leaves" | "arrives"
    key: str       # the locale key of its reason: growth.outgrown, growth.from_age, ...
    values: dict   # that text's placeholders, in the request's language
    text: str      # t(key, lang, **values)


@dataclass(frozen=True)
class GrowthStep:
    """The picks at one age, and what changed since the previous age (nothing at the first)."""

    age_months: float
    after_months: int        # months from today: 0, 6, 12, 24
    age: str                 # "30 months" / "4 years", in the request's language
    picks: list[Recommendation]
    changes: list[Change]


@dataclass(frozen=True)
class Growth:
    method: str
    fallback: bool           # no liked toys: popularity at each age
    steps: list[GrowthStep]

    def to_json(self) -> dict:
        d = asdict(self)
        for step in d["steps"]:
            for r in step["picks"]:
                r["closest_liked"] = [{"id": i, "similarity": s} for i, s in r["closest_liked"]]
        return d


def grow(engine, req: Request, steps: tuple[int, ...] = STEPS) -> Growth:
    """The picks for ``req``'s liked toys at its age and ``steps`` months later (capped at 14 years).

    Arguments:
        engine: the loaded engine (shared, read-only).
        req: the family's request; every field but the age is kept at every step.
        steps: months after the request's age; ages past 14 years are capped, and an age reached
            twice is shown once.

    Returns:
        A :class:`Growth`: one :class:`GrowthStep` per distinct age, each with its picks and the
        :class:`Change` list from the previous age (leaves first, then arrivals, in list order).

    Raises:
        InputError: as :func:`~metarec.serving.recommend.recommend` does, before any work.
    """
    start = parse_age(req.age_years) * 12
    ages: list[tuple[float, int]] = []
    for after in steps:
        months = min(start + after, float(MAX_AGE_MONTHS))
        if not ages or months > ages[-1][0]:
            ages.append((months, int(after)))
    out: list[GrowthStep] = []
    result = None
    for months, after in ages:
        result = recommend(engine, replace(req, age_years=months / 12))
        picks = result.recommendations
        changes = _changes(out[-1].age_months, out[-1].picks, months, picks, req.lang) if out else []
        out.append(GrowthStep(months, after, age_text(months, req.lang, long=True), picks, changes))
    return Growth(result.method, result.fallback, out)


def _changes(before_age: float, before: list[Recommendation], age: float,
             after: list[Recommendation], lang: str) -> list[Change]:
    kept_before, kept_after = {r.id for r in before}, {r.id for r in after}
    out = []
    for r in before:
        if r.id in kept_after:
            continue
        if age > r.max_age_months:
            key, values = "growth.outgrown", {"age": age_text(r.max_age_months, lang, long=True)}
        else:
            key, values = "growth.overtaken", {"age": age_text(age, lang, long=True)}
        out.append(Change(r.id, r.name, r.icon, "leaves", key, values, t(key, lang, **values)))
    for r in after:
        if r.id in kept_before:
            continue
        if before_age < r.min_age_months:
            key, values = "growth.from_age", {"age": age_text(r.min_age_months, lang, long=True)}
        elif r.small_parts and before_age < SMALL_PARTS_MIN_MONTHS:
            key, values = "growth.small_parts", {"age": age_text(SMALL_PARTS_MIN_MONTHS, lang, long=True)}
        else:
            key, values = "growth.climbs", {"age": age_text(age, lang, long=True)}
        out.append(Change(r.id, r.name, r.icon, "arrives", key, values, t(key, lang, **values)))
    return out
