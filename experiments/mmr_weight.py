"""The MMR weight ``w`` of the served re-rank (``metarec.serving.diversity.MMR_WEIGHT``), chosen on the
VALIDATION families; its cost on the test families is measured once afterwards (reported, never
chosen on).

Rule, fixed before looking at any number: for the grid below, the mean nDCG@10 of the served
learner at 3 shots over the validation families (one evaluation episode each), with the re-rank at
``w``; choose the largest ``w`` whose cost ``nDCG(0) - nDCG(w)`` is at most 0.01. Also reported per
``w``: the mean number of distinct categories in the top 10, and the share of the top 10 in the
liked toys' category for the families whose 3 liked toys share one category ("the liked toys may
let one category dominate").

The re-rank is exactly the served one (calibrated probabilities, ``diverse_order``). Then, with the
chosen ``w``: its nDCG cost on the test families, and the issue's complaint at age 2: five sets of
3 liked toys (5 validation families re-aged to 24 months, 3 of their liked toys drawn with a fixed
seed), the mean pairwise overlap of their top 9 through ``recommend`` with and without the re-rank
(and, for scale, that of the five children's true top 9 by the world's noiseless utility).

    OMP_NUM_THREADS=1 python experiments/mmr_weight.py [--checkpoint PATH]

About a minute on one core; writes ``docs/experiments/mmr-weight.json``.
"""
from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from metarec.core.episodes import evaluation_episodes
from metarec.core.metrics import ndcg_at_k
from metarec.core.stats import mean_ci, paired
from metarec.serving import diversity
from metarec.serving.engine import Engine
from metarec.serving.fit import calibration
from metarec.serving.recommend import Request, recommend

GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
MAX_COST = 0.01
SHOTS, K = 3, 10
OUT = Path(__file__).resolve().parents[1] / "docs" / "experiments" / "mmr-weight.json"


def scored(engine, method: str, split: str) -> list[dict]:
    """One 3-shot evaluation episode per family of ``split``: candidates, calibrated p, liked."""
    learner, cal = engine.learner(method), calibration(engine, method)
    out = []
    for ep in evaluation_episodes(engine.world.families(split), SHOTS):
        s = learner.score(learner.adapt(ep.support), torch.from_numpy(ep.candidates)).float().cpu().numpy()
        liked = ep.support.liked.tolist()
        out.append({"candidates": ep.candidates, "p": cal(s, shots=len(liked)), "liked": liked,
                    "relevant": set(ep.relevant.tolist())})
    return out


def at_weight(engine, episodes: list[dict], w: float, damp: bool = True) -> dict:
    content = engine.feats.content.cpu().numpy()
    cats = engine.catalog.frame["category"].to_numpy()
    ndcg, distinct, dominated = [], [], []
    for e in episodes:
        liked = e["liked"] if damp else []
        top = e["candidates"][diversity.diverse_order(e["candidates"], e["p"], liked, content, cats, K, w)]
        ndcg.append(ndcg_at_k(top.tolist(), e["relevant"], K))
        distinct.append(len(set(cats[top])))
        liked_cats = set(cats[e["liked"]])
        if len(liked_cats) == 1:
            dominated.append(float(np.mean(cats[top] == liked_cats.pop())))
    return {"ndcg": ndcg, "distinct": distinct, "one_category_share": dominated}


def overlap_at_age_2(engine, n_sets: int = 5, top: int = 9, seed: int = 17) -> dict:
    rng = np.random.default_rng(seed)
    first = engine.world.size("train")   # the validation families' ids start after the training ones
    sets, truth = [], []
    for j in range(n_sets):
        family = engine.world.family(first + j, age_months=24)
        liked = rng.choice(family.liked, 3, replace=False)
        sets.append(tuple(engine.catalog.ids[i] for i in liked))
        utility = engine.world.noiseless_utility(family)   # hidden from every learner
        rest = np.setdiff1d(family.eligible, liked)
        truth.append(rest[np.argsort(-utility[rest], kind="stable")[:top]].tolist())
    out = {"liked_sets": sets, "true_top_overlap": round(float(np.mean(
        [len(set(a) & set(b)) / top for a, b in itertools.combinations(truth, 2)])), 3)}
    for name, diverse in (("plain", False), ("mmr", True)):
        tops = [[r.id for r in recommend(engine, Request(2, s, top=top, diverse=diverse)).recommendations]
                for s in sets]
        pairs = [len(set(a) & set(b)) / top for a, b in itertools.combinations(tops, 2)]
        out[name] = {"mean_pairwise_overlap": round(float(np.mean(pairs)), 3),
                     "in_every_list": sorted(t for t, n in Counter(itertools.chain(*tops)).items()
                                             if n == n_sets),
                     "most_repeated": Counter(itertools.chain(*tops)).most_common(4), "tops": tops}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    engine = Engine.load(device="cpu", checkpoint=args.checkpoint)
    method = engine.default_method
    val = scored(engine, method, "val")
    runs = {w: at_weight(engine, val, w) for w in GRID}
    base = runs[0.0]["ndcg"]
    table = []
    for w, r in runs.items():
        mean, half = mean_ci(r["ndcg"])
        cost = paired(base, r["ndcg"])
        table.append({"w": w, "ndcg@10": round(mean, 4), "ci95": round(half, 4),
                      "cost": round(cost.mean, 4), "cost_ci95": round(cost.half, 4),
                      "distinct_categories@10": round(float(np.mean(r["distinct"])), 2),
                      "one_category_share@10": round(float(np.mean(r["one_category_share"])), 3)})
        print(table[-1])
    chosen = max(row["w"] for row in table if row["cost"] <= MAX_COST)
    undamped = at_weight(engine, val, chosen, damp=False)
    test = scored(engine, method, "test")
    t0, tw = at_weight(engine, test, 0.0), at_weight(engine, test, chosen)
    test_cost = paired(t0["ndcg"], tw["ndcg"])
    result = {
        "what": __doc__.split("\n\n")[1].replace("\n", " "),
        "checkpoint_sha256": engine.version, "served": method, "shots": SHOTS,
        "n_val_families": len(val), "rule": f"largest w with validation nDCG@10 cost <= {MAX_COST}",
        "validation": table, "chosen_w": chosen,
        "shipped_w": diversity.MMR_WEIGHT,
        "no_damping_at_chosen": {
            "distinct_categories@10": round(float(np.mean(undamped["distinct"])), 2),
            "one_category_share@10": round(float(np.mean(undamped["one_category_share"])), 3),
            "n_one_category_families": len(undamped["one_category_share"])},
        "test": {"n_families": len(test), "ndcg@10_plain": round(float(np.mean(t0["ndcg"])), 4),
                 "ndcg@10_mmr": round(float(np.mean(tw["ndcg"])), 4),
                 "cost": round(test_cost.mean, 4), "cost_ci95": round(test_cost.half, 4),
                 "distinct_categories@10_plain": round(float(np.mean(t0["distinct"])), 2),
                 "distinct_categories@10_mmr": round(float(np.mean(tw["distinct"])), 2)},
        "age_2_overlap_top9": overlap_at_age_2(engine),
    }
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("chosen_w", "shipped_w", "no_damping_at_chosen", "test")}, indent=1))
    overlap = result["age_2_overlap_top9"]
    print({k: v["mean_pairwise_overlap"] for k, v in overlap.items() if isinstance(v, dict)},
          "true:", overlap["true_top_overlap"])


if __name__ == "__main__":
    main()
