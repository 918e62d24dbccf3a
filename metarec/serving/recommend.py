"""The recommendation pipeline shared by the CLI and the app: validate -> adapt -> safety filter ->
rank -> explain. Bad input raises :class:`InputError` with a message meant for the user."""
from __future__ import annotations

import difflib
import logging
import math
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ..core.catalog import CATEGORIES, MAX_AGE_MONTHS
from .engine import Engine
from ..core.episodes import make_support
from ..core.errors import InputError
from ..i18n import t
from .diversity import diverse_order
from .fit import calibration, fit_label
from .reasons import explain
from .text_toys import (TextToy, catalog_support, check_texts, name_text_toys, place,
                        with_text_toys)
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
    method: str | None = None   # None: the engine's validation-chosen learner
    budget: float | None = None
    lang: str = "en"
    category: str | None = None   # only toys of this category ("Browse a category")
    diverse: bool = True          # MMR re-rank (serving/diversity.py); False: plain ranking
    liked_text: tuple[TextToy | str, ...] = ()  # loved toys described in words (text_toys.py)


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
    p_like: float       # calibrated probability that the child likes it (serving/fit.py)
    fit: str            # "great" | "good" | "worth_a_try": the label's locale key is fit.<fit>
    reason: str
    reason_kind: str
    closest_liked: list  # [(liked id, similarity)] worth naming (reasons.closest_liked)
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
    text_toys: list[TextToy] = field(default_factory=list)  # each typed toy as placed

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
                         f"(e.g. 4 or 1.5), got {value!r}", key="input.age_not_a_number",
                         values={"max": MAX_AGE_YEARS, "got": str(value)}) from None
    if not math.isfinite(age) or not 0 <= age <= MAX_AGE_YEARS:
        raise InputError(f"age must be from 0 to {MAX_AGE_YEARS} years, got {value!r}",
                         key="input.age_out_of_range", values={"max": MAX_AGE_YEARS, "got": str(value)})
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
                         f"different toys{listed}; a handful of favourites is enough",
                         key=f"input.too_many_{role}", values={"n": len(counts), "max": MAX_LIKED})
    index, out = engine.catalog.index, []
    for toy_id in counts:
        if toy_id not in index:
            close = difflib.get_close_matches(toy_id, index.keys(), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(f"unknown toy id {toy_id!r} in {role} toys{hint}; "
                             "list the ids with `python -m metarec catalog`",
                             key="input.unknown_toy_close" if close else "input.unknown_toy",
                             values={"id": toy_id, **({"close": close[0]} if close else {})})
        out.append(index[toy_id])
    warnings = [f"{toy_id} was listed {'twice' if n == 2 else f'{n} times'} in {role} toys; "
                "counted once" for toy_id, n in counts.items() if n > 1]
    return out, warnings


def validate(engine: Engine, req: Request) -> tuple[float, list[int], list[int], list[str]]:
    """Check a request; return (age in months, liked indices, disliked indices, warnings).

    Arguments:
        engine: the loaded :class:`~metarec.serving.engine.Engine` (its catalog and learners).
        req: the family's :class:`Request`.

    Returns:
        ``(age_months, liked, disliked, warnings)``: catalog row indices in the order given, each
        toy once; ``warnings`` (English) name the toys listed more than once.

    Raises:
        InputError: with a locale ``key`` per problem (``input.age_out_of_range``,
            ``input.too_many_liked``, ``input.unknown_toy``, ``input.both``, ...) and the
            ``values`` its text needs, so a page shows it with ``t(exc.key, lang, **exc.values)``.
    """
    age_months = parse_age(req.age_years) * 12
    if not isinstance(req.top, int) or not 1 <= req.top <= MAX_TOP:
        raise InputError(f"top must be a whole number from 1 to {MAX_TOP}, got {req.top!r}",
                         key="input.top", values={"max": MAX_TOP, "got": str(req.top)})
    if req.method is not None and req.method not in engine.learners:
        methods = ", ".join(engine.learners)
        raise InputError(f"unknown method {req.method!r}; choose one of {methods}",
                         key="input.method", values={"method": str(req.method), "methods": methods})
    if req.budget is not None and not (isinstance(req.budget, (int, float))
                                       and math.isfinite(req.budget) and req.budget > 0):
        raise InputError(f"budget must be a positive amount, got {req.budget!r}",
                         key="input.budget", values={"got": str(req.budget)})
    if req.category is not None and req.category not in CATEGORIES:
        raise InputError(f"unknown category {req.category!r}; choose one of {', '.join(CATEGORIES)}",
                         key="input.category",
                         values={"category": str(req.category), "categories": ", ".join(CATEGORIES)})
    check_texts(req.liked_text)   # typed toys: checked before the encoder is loaded
    liked, w1 = _resolve(engine, req.liked, "liked")
    disliked, w2 = _resolve(engine, req.disliked, "disliked")
    both = sorted(set(liked) & set(disliked))
    if both:
        ids = ", ".join(engine.catalog.ids[i] for i in both)
        raise InputError(f"a toy cannot be both liked and disliked: {ids}", key="input.both",
                         values={"names": _toy_names(engine.catalog, both, req.lang)})
    return age_months, liked, disliked, w1 + w2


def _toy_names(catalog, indices, lang: str) -> str:
    """'🧱 Soft Fabric Stacking Blocks, 🚂 ...': toys as a person sees them, in ``lang``."""
    return t("ui.list.sep", lang).join(f"{catalog.frame.at[i, 'icon']} {catalog.name(i, lang)}"
                                       for i in indices)


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
    if req.category is not None:
        same = catalog.frame["category"].to_numpy()[candidates] == req.category
        filtered["other_category"] = int((~same).sum())
        candidates = candidates[same]
    placed = place(engine, req.liked_text)   # toys described in words: liked, never candidates
    feats, learners = with_text_toys(engine, placed) if placed else (engine.feats, engine.learners)
    fallback = not liked and not placed
    method = "popularity" if fallback else (req.method or engine.default_method)
    learner = learners[method]
    n = len(catalog)
    support = make_support(age_months, liked + list(range(n, n + len(placed))), disliked, eligible)
    recs: list[Recommendation] = []
    if len(candidates):
        state = learner.adapt(support)
        scores = learner.score(state, torch.from_numpy(candidates)).float().cpu().numpy()
        recs = _top(engine, req, catalog_support(support, n), candidates, scores, liked, method,
                    n_liked=len(liked) + len(placed))
        recs = name_text_toys(recs, placed, feats, catalog, liked, req.lang)
    # An empty list is a valid answer (every suitable toy already named, or none within budget),
    # but never a silent one.
    notice = (t("none_left.notice", req.lang) if not recs
              else t("fallback.notice", req.lang) if fallback else None)
    return Result(engine.device_name, method, float(req.age_years), recs, fallback, notice,
                  filtered, warnings, text_toys=[p.toy for p in placed])


def warm_up(engine: Engine) -> bool:
    """Serve one made-up family, so the first real family does not pay torch's warm-up.

    Best effort: it never raises; a failure is logged (with its traceback, on stderr) and the
    first real request shows the real problem.

    Arguments:
        engine: the loaded engine, shared read-only (nothing is mutated).

    Returns:
        True when the made-up request was served.

    Example:
        >>> engine = Engine.load()
        >>> warm_up(engine)
        True
    """
    try:
        toy = engine.catalog.ids[int(engine.catalog.eligible(48)[0])]
        recommend(engine, Request(age_years=4, liked=(toy,), top=1))
        return True
    except Exception:  # only an optimisation
        logging.getLogger(__name__).warning("warming up the engine failed", exc_info=True)
        return False


def _top(engine, req, support, candidates, scores, liked, method,
         n_liked: int | None = None) -> list[Recommendation]:
    """The top ``req.top`` cards: scores calibrated to p_like (``n_liked``: every liked toy, typed
    ones too; default ``len(liked)``), MMR re-ranked unless ``req.diverse`` is False, explained."""
    catalog, f = engine.catalog, engine.catalog.frame
    n_liked = len(liked) if n_liked is None else n_liked
    ranked = np.lexsort((candidates, -scores))  # ties broken by catalog order: deterministic
    p_like = calibration(engine, method)(scores, shots=n_liked)
    content = engine.feats.content.cpu().numpy()
    order = (diverse_order(candidates, p_like, liked, content, f["category"].to_numpy(), req.top)
             if req.diverse else ranked[: req.top])   # MMR over the calibrated probabilities
    age_months = support.age_months
    popularity = engine.learner("popularity")  # the reason "popular at 4" is that baseline's view
    pop = popularity.score(popularity.adapt(support), torch.from_numpy(candidates)).cpu().numpy()
    pop_rank = (-pop).argsort().argsort() / max(len(candidates) - 1, 1)
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
            score=round(float(scores[j]), 4), p_like=round(float(p_like[j]), 3),
            fit=fit_label(float(p_like[j]), personal=n_liked > 0),
            reason=why.reason, reason_kind=why.kind, closest_liked=why.closest, age_fit=why.age_fit))
    return recs


def _filtered_counts(catalog, age_months: float) -> dict:
    f = catalog.frame
    lo, hi, sp = f["min_age_months"], f["max_age_months"], f["small_parts"].astype(bool)
    choking = sp & (age_months < SMALL_PARTS_MIN_MONTHS)
    return {"small_parts": int(choking.sum()), "too_young": int(((age_months < lo) & ~choking).sum()),
            "outgrown": int((age_months > hi).sum())}
