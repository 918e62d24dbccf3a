"""The recommendation pipeline shared by the CLI and the app: validate -> adapt -> safety filter ->
rank -> explain. Bad input raises :class:`InputError` with a message meant for the user."""
from __future__ import annotations

import difflib
import math
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ..core.catalog import MAX_AGE_MONTHS
from .engine import Engine
from ..core.episodes import make_support
from ..core.errors import InputError
from ..i18n import t
from ..learners import DEFAULT_METHOD
from .reasons import explain
from ..core.safety import SMALL_PARTS_MIN_MONTHS, is_safe

MAX_AGE_YEARS = MAX_AGE_MONTHS // 12
MAX_LIKED = 50
MAX_TOP = 100


@dataclass(frozen=True)
class Request:
    age_years: float
    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    top: int = 10
    method: str = DEFAULT_METHOD
    budget: float | None = None
    lang: str = "en"


@dataclass(frozen=True)
class Recommendation:
    id: str
    name: str
    category: str
    min_age_months: int
    max_age_months: int
    small_parts: bool
    price: float
    icon: str
    score: float        # the learner's raw score
    match: float        # 0..1 within this list of candidates, for a score bar
    reason: str
    reason_kind: str
    closest_liked: list  # [(liked id, similarity)]
    age_fit: str


@dataclass(frozen=True)
class Result:
    device: str
    method: str
    age_years: float
    recommendations: list[Recommendation]
    fallback: bool = False            # no liked toys: popularity at this age instead
    notice: str | None = None
    filtered: dict = field(default_factory=dict)  # toys hidden by the safety filter, by rule
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d = asdict(self)
        for r in d["recommendations"]:
            r["closest_liked"] = [{"id": i, "similarity": s} for i, s in r["closest_liked"]]
        return d


def parse_age(value) -> float:
    """Years as a finite number in [0, 14]; anything else raises :class:`InputError`."""
    try:
        age = float(value)
    except (TypeError, ValueError):
        raise InputError(f"age must be a number of years from 0 to {MAX_AGE_YEARS} "
                         f"(e.g. 4 or 1.5), got {value!r}") from None
    if not math.isfinite(age) or not 0 <= age <= MAX_AGE_YEARS:
        raise InputError(f"age must be from 0 to {MAX_AGE_YEARS} years, got {value!r}")
    return age


def _resolve(engine: Engine, ids, role: str) -> tuple[list[int], list[str]]:
    """Catalog indices of ``ids`` in the order given; a toy listed more than once counts once
    (with one warning per toy). More than ``MAX_LIKED`` different toys is refused before any id
    is looked up, so a huge selection costs nothing."""
    wanted = [str(toy_id).strip() for toy_id in ids]
    counts = Counter(wanted)
    if len(counts) > MAX_LIKED:
        listed = f" ({len(wanted)} listed)" if len(wanted) != len(counts) else ""
        raise InputError(f"at most {MAX_LIKED} {role} toys are accepted, got {len(counts)} "
                         f"different toys{listed}; a handful of favourites is enough")
    index, out = engine.catalog.index, []
    for toy_id in counts:
        if toy_id not in index:
            close = difflib.get_close_matches(toy_id, index.keys(), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(f"unknown toy id {toy_id!r} in {role} toys{hint}; "
                             "list the ids with `python -m metarec catalog`")
        out.append(index[toy_id])
    warnings = [f"{toy_id} was listed {'twice' if n == 2 else f'{n} times'} in {role} toys; "
                "counted once" for toy_id, n in counts.items() if n > 1]
    return out, warnings


def validate(engine: Engine, req: Request) -> tuple[float, list[int], list[int], list[str]]:
    """Check a request; return (age in months, liked indices, disliked indices, warnings)."""
    age_months = parse_age(req.age_years) * 12
    if not isinstance(req.top, int) or not 1 <= req.top <= MAX_TOP:
        raise InputError(f"top must be a whole number from 1 to {MAX_TOP}, got {req.top!r}")
    if req.method not in engine.learners:
        raise InputError(f"unknown method {req.method!r}; choose one of {', '.join(engine.learners)}")
    if req.budget is not None and not (isinstance(req.budget, (int, float))
                                       and math.isfinite(req.budget) and req.budget > 0):
        raise InputError(f"budget must be a positive amount, got {req.budget!r}")
    liked, w1 = _resolve(engine, req.liked, "liked")
    disliked, w2 = _resolve(engine, req.disliked, "disliked")
    both = sorted(set(liked) & set(disliked))
    if both:
        names = ", ".join(engine.catalog.ids[i] for i in both)
        raise InputError(f"a toy cannot be both liked and disliked: {names}")
    return age_months, liked, disliked, w1 + w2


def recommend(engine: Engine, req: Request) -> Result:
    """Top toys for one family; never an unsafe toy, never one the family already named."""
    age_months, liked, disliked, warnings = validate(engine, req)
    catalog = engine.catalog
    eligible = catalog.eligible(age_months)
    filtered = _filtered_counts(catalog, age_months)
    named = set(liked) | set(disliked)
    candidates = np.array([i for i in eligible if i not in named], dtype=np.int64)
    if req.budget is not None:
        within = catalog.frame["price"].to_numpy()[candidates] <= req.budget
        filtered["over_budget"] = int((~within).sum())
        candidates = candidates[within]
    fallback = not liked
    method = "popularity" if fallback else req.method
    learner = engine.learner(method)
    support = make_support(age_months, liked, disliked, eligible)
    recs: list[Recommendation] = []
    if len(candidates):
        state = learner.adapt(support)
        scores = learner.score(state, torch.from_numpy(candidates)).float().cpu().numpy()
        recs = _top(engine, req, support, candidates, scores, liked)
    # An empty list is a valid answer (every suitable toy already named, or none within budget),
    # but never a silent one.
    notice = (t("none_left.notice", req.lang) if not recs
              else t("fallback.notice", req.lang) if fallback else None)
    return Result(engine.device_name, method, float(req.age_years), recs, fallback, notice,
                  filtered, warnings)


def _top(engine, req, support, candidates, scores, liked) -> list[Recommendation]:
    catalog, f = engine.catalog, engine.catalog.frame
    order = np.lexsort((candidates, -scores))[: req.top]  # ties broken by catalog order: deterministic
    lo, hi = scores.min(), scores.max()
    age_months = support.age_months
    popularity = engine.learner("popularity")  # the reason "popular at 4" is that baseline's view
    pop = popularity.score(popularity.adapt(support), torch.from_numpy(candidates)).cpu().numpy()
    pop_rank = (-pop).argsort().argsort() / max(len(candidates) - 1, 1)
    content = engine.feats.content.cpu().numpy()
    recs = []
    for j in order:
        i = int(candidates[j])
        row = f.iloc[i]
        if not is_safe(row.min_age_months, row.max_age_months, row.small_parts, age_months):
            raise AssertionError(f"safety filter let {row.id} through")  # never: filter is upstream
        why = explain(catalog, content, i, liked, age_months, float(pop_rank[j]), req.lang)
        recs.append(Recommendation(
            id=row.id, name=catalog.name(i, req.lang), category=row.category,
            min_age_months=int(row.min_age_months), max_age_months=int(row.max_age_months),
            small_parts=bool(row.small_parts), price=float(row.price), icon=row.icon,
            score=round(float(scores[j]), 4),
            match=round(float((scores[j] - lo) / (hi - lo)) if hi > lo else 1.0, 3),
            reason=why.reason, reason_kind=why.kind, closest_liked=why.closest, age_fit=why.age_fit))
    return recs


def _filtered_counts(catalog, age_months: float) -> dict:
    f = catalog.frame
    lo, hi, sp = f["min_age_months"], f["max_age_months"], f["small_parts"].astype(bool)
    choking = sp & (age_months < SMALL_PARTS_MIN_MONTHS)
    return {"small_parts": int(choking.sum()), "too_young": int(((age_months < lo) & ~choking).sum()),
            "outgrown": int((age_months > hi).sum())}
