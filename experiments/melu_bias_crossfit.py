"""How many seeds ``melu-bias`` averages, decided on VALIDATION users only (test users never scored).

For each MovieLens split (the published one, and split seeds 1-5), the validation users are cut in
two halves (seeded): the bias model's regularisation and each member's early stopping use half A,
half B measures nDCG@5; then the halves swap. Printed per split: the bias model, each single member
(seeds 0..K-1), their mean, and the K-member mean prediction ("ens"). The decision recorded in
``metarec.realdata.settings.MeluBiasSettings`` (``n_seeds``: 5) came from this script's output,
kept in ``docs/experiments/melu-bias-crossfit.json``.

    OMP_NUM_THREADS=1 python experiments/melu_bias_crossfit.py --splits published,1,2,3,4,5 --members 5

About 25 minutes on 2 cores when two processes each take three splits (``--splits published,2,4``
and ``--splits 1,3,5``).
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch


from metarec.realdata.loaders import load_movielens  # noqa: E402
from metarec.realdata.melu_bias import BiasBase, train_melu_bias  # noqa: E402
from metarec.realdata.movielens import BIAS_GRID, bias_scores, train_ratings  # noqa: E402
from metarec.realdata.movielens_published import named_split  # noqa: E402
from metarec.realdata.protocols import published_metrics  # noqa: E402
from metarec.realdata.settings import MeluBiasSettings  # noqa: E402


WHAT = ("nDCG@5 on the held-out half of each split's validation users (see "
        "experiments/melu_bias_crossfit.py); test users never scored")


def crossfit(split, R, ml, members: int) -> dict:
    rows = train_ratings(split, R)

    def ndcg(scores: dict, part: dict) -> list[float]:
        return [published_metrics(t["query_items"], scores[u], [R[u][i] for i in t["query_items"]])["ndcg@5"]
                for u, t in part.items()]

    valid = sorted(split["valid"])
    np.random.default_rng(123).shuffle(valid)
    halves = [valid[: len(valid) // 2], valid[len(valid) // 2:]]
    out = {"bias": [], "singles": [[] for _ in range(members)], "ens": []}
    fits = {lam: bias_scores(rows, ml.n_users, ml.n_items, lam) for lam in BIAS_GRID}  # same rows for both halves
    for a in (0, 1):
        A = {u: split["valid"][u] for u in halves[a]}
        B = {u: split["valid"][u] for u in halves[1 - a]}
        # half B joins the test users: only its support ratings reach training (ml_task_pool)
        inner = {"train": split["train"], "valid": A, "test": {**split["test"], **B}}
        lam = max(fits, key=lambda g: np.mean(ndcg({u: fits[g][t["query_items"]] for u, t in A.items()}, A)))
        out["bias"] += ndcg({u: fits[lam][t["query_items"]] for u, t in B.items()}, B)
        settings = replace(MeluBiasSettings(), n_seeds=1)
        base = BiasBase(rows, R, fits[lam], lam)
        preds = []
        for k in range(members):
            score, _ = train_melu_bias(inner, R, ml, base, settings, k)
            preds.append({u: score(u, t) for u, t in B.items()})
            out["singles"][k] += ndcg(preds[-1], B)
        out["ens"] += ndcg({u: np.mean([p[u] for p in preds], 0) for u in B}, B)
    singles = [float(np.mean(s)) for s in out["singles"]]
    return {"bias": float(np.mean(out["bias"])), "single_mean": float(np.mean(singles)),
            "singles": singles, "ens": float(np.mean(out["ens"]))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", default="published,1,2,3,4,5")
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ml = load_movielens(args.data_dir)
    R = ml.rating_dict()
    result = {}
    for name in args.splits.split(","):
        split = named_split(name, R, args.data_dir)
        result[name] = crossfit(split, R, ml, args.members)
        print(name, json.dumps(result[name]), flush=True)
    summary = {k: round(float(np.mean([v[k] for v in result.values()])), 4) for k in ("bias", "single_mean", "ens")}
    print("mean over splits", json.dumps(summary))
    if args.out:
        Path(args.out).write_text(json.dumps({
            "what": WHAT, "mean_over_splits": summary, "splits": result}, indent=1) + "\n")


if __name__ == "__main__":
    main()
