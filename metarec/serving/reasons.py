"""Plain-language reasons for a recommendation ("because your child likes X", "popular at 4").

A reason is chosen from what the toy shares with the liked toys (content similarity, the same
vectors the k-NN baseline uses), how popular it is at the child's age, and how the age fits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.catalog import Catalog
from ..i18n import age_text, category_noun, range_text, skill_name, t

SIMILAR = 0.55  # cosine similarity above which a liked toy is named as the reason
ALIKE = 0.2     # ... above which a liked toy is listed among a toy's closest ones (its details)
FAINT = 0.05    # the closest liked toy is listed down to this, never below ("3% similar")
N_CLOSEST = 3   # liked toys listed at most


@dataclass(frozen=True)
class Explanation:
    reason: str                       # one plain sentence
    kind: str                         # "similar" | "popular" | "taste" | "age_fit"
    closest: list[tuple[str, float]]  # (liked toy id, similarity) worth naming, closest first
    age_fit: str                      # where the child's age sits in the toy's range


def explain(catalog: Catalog, content: np.ndarray, toy: int, liked: list[int], age_months: float,
            popular_rank: float, lang: str = "en") -> Explanation:
    """Explain why ``toy`` is recommended; ``popular_rank`` is its popularity percentile (0 = top).

    The reason names the closest liked toy when it is at least :data:`SIMILAR` alike, else says
    the toy is popular at this age, fits the family's taste, or fits the age. ``closest`` lists
    the liked toys worth naming beside it (:func:`closest_liked`).
    """
    f = catalog.frame
    sims = content[liked] @ content[toy] if liked else np.zeros(0)
    order = np.argsort(-sims)[:N_CLOSEST]
    closest = closest_liked([(catalog.ids[liked[i]], round(float(sims[i]), 3)) for i in order])
    age = age_text(age_months, lang)
    lo, hi = int(f.at[toy, "min_age_months"]), int(f.at[toy, "max_age_months"])
    rng = range_text(lo, hi, lang)
    if liked and sims[order[0]] >= SIMILAR:
        best = liked[order[0]]
        name = catalog.name(best, lang)
        if f.at[best, "category"] == f.at[toy, "category"]:
            reason = t("reason.similar_category", lang, liked=name,
                       category=category_noun(f.at[toy, "category"], lang))
        else:
            shared = [s for s in catalog.skills_of(toy) if s in catalog.skills_of(best)]
            reason = (t("reason.similar_skill", lang, liked=name, skill=skill_name(shared[0], lang))
                      if shared else t("reason.similar", lang, liked=name))
        kind = "similar"
    elif popular_rank <= 0.2:
        reason, kind = t("reason.popular", lang, age=age_text(age_months, lang, long=True)), "popular"
    elif liked:
        reason, kind = t("reason.taste", lang, age=age), "taste"
    else:
        reason, kind = t("reason.age_fit", lang, age=age, range=rng), "age_fit"
    pos = (age_months - lo) / max(hi - lo, 1)
    fit = "fit.early" if pos < 0.3 else "fit.late" if pos > 0.7 else "fit.middle"
    return Explanation(reason, kind, closest, t(fit, lang, range=rng))


def closest_liked(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The liked toys worth naming as "alike" beside a recommendation.

    Arguments:
        ranked: ``(liked toy id, cosine similarity)``, most similar first.

    Returns:
        Those at least :data:`ALIKE` similar, and the closest one whenever it is above
        :data:`FAINT` (a card names its nearest liked toy, but not as "3% similar").

    Example:
        >>> closest_liked([("bld-04", 0.31), ("veh-01", 0.12), ("puz-03", 0.02)])
        [('bld-04', 0.31)]
        >>> closest_liked([("veh-01", 0.12), ("puz-03", 0.02)])
        [('veh-01', 0.12)]
    """
    return [(toy, sim) for k, (toy, sim) in enumerate(ranked)
            if sim >= ALIKE or (k == 0 and sim > FAINT)]
