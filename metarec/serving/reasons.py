"""Plain-language reasons for a recommendation: every personal pick says why, concretely.

When the family named liked toys, a pick's reason is, in this order of preference:

1. ``"similar"``: the liked toy it follows, when their content is at least :data:`SIMILAR` alike
   ("Because your child likes X: another puzzle" / "...: it also builds logic");
2. ``"category"``: a liked toy of the same category ("Because your child likes X: another puzzle");
3. ``"skill"``: the skill it shares with most of the liked toys, naming the closest liked toy with
   that skill ("Because your child likes X: it also builds fine motor skills");
4. ``"age_fit"``: what the child's age makes right ("Made for age 4: right in the middle of its
   3–6 years range"; also "near the start of its range: it will last");
5. ``"popular"`` ("Popular with children aged 4 years") only as a last resort, or for the
   no-likes fallback (with the age fit of toys outside the popular fifth).

Measured on 200 validation families with 3 liked toys (one evaluation episode each, top 10,
the served learner; ``experiments/reason_kinds.py``), the share of each reason kind among the
2,000 cards:

======================  =======  ========  =====  =======  =======  =====
code                    similar  category  skill  age_fit  popular  taste
======================  =======  ========  =====  =======  =======  =====
before (MAML served)    0.638    –         –      –        0.343    0.019
after (MAML served)     0.620    0.000     0.313  0.046    0.021    –
after (TasteNP served)  0.724    0.000     0.238  0.024    0.014    –
======================  =======  ========  =====  =======  =======  =====

("before": a liked toy was named only above :data:`SIMILAR`, else "popular at this age" for the
most popular fifth, else a vague "matches what your child likes". "category" stays at 0 with the
shipped content vectors, where two toys of one category are always at least :data:`SIMILAR`
alike; it is there for vectors where they are not.) With TasteNP and 1 liked toy: similar 0.450,
skill 0.315, age_fit 0.178, popular 0.058; with 5: 0.815, 0.177, 0.006, 0.002. Ages read in months under
3 years ("18 months", "30 months") and in years after (:func:`metarec.i18n.age_text`).
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
    kind: str                         # "similar" | "category" | "skill" | "age_fit" | "popular"
    closest: list[tuple[str, float]]  # (liked id, similarity) worth naming, closest first
    age_fit: str                      # where the child's age sits in the toy's range


def age_fit_key(age_months: float, lo: int, hi: int) -> str:
    """``"fit.early"`` / ``"fit.middle"`` / ``"fit.late"``: where the age sits in ``[lo, hi]``."""
    pos = (age_months - lo) / max(hi - lo, 1)
    return "fit.early" if pos < 0.3 else "fit.late" if pos > 0.7 else "fit.middle"


def explain(catalog: Catalog, content: np.ndarray, toy: int, liked: list[int], age_months: float,
            popular_rank: float, lang: str = "en") -> Explanation:
    """Explain why ``toy`` is recommended; ``popular_rank`` is its popularity percentile (0 = top).

    Arguments:
        catalog: the catalog (names, categories, skills, age ranges).
        content: ``[n_toys, d]`` unit content vectors (``engine.feats.content``).
        toy: the recommended toy's catalog index.
        liked: the family's liked toys (catalog indices); empty for the popularity fallback.
        age_months: the child's age.
        popular_rank: the toy's popularity percentile at this age among the candidates.
        lang: the language of the texts.

    Returns:
        An :class:`Explanation`: the most concrete true reason (see the module docstring for the
        order), the liked toys worth naming beside it (:func:`closest_liked`) and the age fit.
    """
    f = catalog.frame
    sims = content[liked] @ content[toy] if liked else np.zeros(0)
    order = np.argsort(-sims, kind="stable")
    closest = closest_liked([(catalog.ids[liked[i]], round(float(sims[i]), 3))
                             for i in order[:N_CLOSEST]])
    age = age_text(age_months, lang)
    lo, hi = int(f.at[toy, "min_age_months"]), int(f.at[toy, "max_age_months"])
    rng = range_text(lo, hi, lang)
    fit_key = age_fit_key(age_months, lo, hi)
    fit = t(fit_key, lang, range=rng)
    ranked = [liked[i] for i in order]   # liked toys, most similar first
    category, skills = f.at[toy, "category"], catalog.skills_of(toy)
    same_category = [b for b in ranked if f.at[b, "category"] == category]
    shared = _shared_skill(catalog, skills, ranked)
    if liked and sims[order[0]] >= SIMILAR:
        best = ranked[0]
        name = catalog.name(best, lang)
        if best in same_category:
            reason = t("reason.similar_category", lang, liked=name,
                       category=category_noun(category, lang))
        else:
            common = [s for s in skills if s in catalog.skills_of(best)]
            reason = (t("reason.similar_skill", lang, liked=name, skill=skill_name(common[0], lang))
                      if common else t("reason.similar", lang, liked=name))
        kind = "similar"
    elif same_category:
        reason, kind = t("reason.similar_category", lang, liked=catalog.name(same_category[0], lang),
                         category=category_noun(category, lang)), "category"
    elif shared is not None:
        skill, best = shared
        reason, kind = t("reason.similar_skill", lang, liked=catalog.name(best, lang),
                         skill=skill_name(skill, lang)), "skill"
    elif fit_key != "fit.late" and (liked or popular_rank > 0.2):
        reason = t("reason.at_age", lang, age=age_text(age_months, lang, long=True), fit=fit)
        kind = "age_fit"
    elif popular_rank <= 0.2:
        reason, kind = t("reason.popular", lang, age=age_text(age_months, lang, long=True)), "popular"
    else:
        reason, kind = t("reason.age_fit", lang, age=age, range=rng), "age_fit"
    return Explanation(reason, kind, closest, fit)


def _shared_skill(catalog: Catalog, skills: list[str], ranked: list[int]) -> tuple[str, int] | None:
    """The toy's skill shared with the most liked toys (ties: the toy's own skill order) and the
    most similar liked toy that has it; None when it shares no skill with any liked toy."""
    having = {s: [b for b in ranked if s in catalog.skills_of(b)] for s in skills}
    best = max(skills, key=lambda s: len(having[s]))   # first of the most shared
    return (best, having[best][0]) if having[best] else None


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
