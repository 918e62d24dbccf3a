"""The grid of ``mf-foldin`` (biased MF by ALS, new users folded in), on VALIDATION users only.

For each MovieLens split (the published one, and split seeds 1-20) every setting of the grid
(training rows x rank x lambda x ALS epochs) is fitted and its validation users are folded in on
their support ratings and scored on their query ratings (nDCG@5). Test users are never scored.

Printed / written: the mean over splits of each setting's validation nDCG@5, and a cross-fit of
"choose on validation" (each split's validation users cut in two seeded halves: one half chooses
the setting, the other measures, then they swap) for MF against the user+item bias model chosen
the same way. This decided the grid in ``metarec.realdata.settings.MFSettings``.

    OMP_NUM_THREADS=1 python experiments/mf_foldin_grid.py --splits published,1,2,...,20 --out grid.json
"""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from metarec.realdata.loaders import load_movielens
from metarec.realdata.mf import fit_als, foldin_scores
from metarec.realdata.movielens import BIAS_GRID, bias_scores, train_ratings
from metarec.realdata.movielens_published import named_split
from metarec.realdata.protocols import published_metrics

RANKS = (2, 5, 10, 20)
LAMS = (3.0, 10.0, 30.0)
EPOCHS = (5, 10, 20)
ROWS = ("all", "train-users")   # all = what every learner sees; train-users = training users only


def valid_ndcg(split, R, score) -> dict[int, float]:
    out = {}
    for u, t in split["valid"].items():
        q = t["query_items"]
        out[u] = published_metrics(q, score(u, t), [R[u][i] for i in q])["ndcg@5"]
    return out


def run_split(split, R, ml) -> dict:
    rows_all = train_ratings(split, R)
    train_users = set(split["train"])
    rows = {"all": rows_all, "train-users": [r for r in rows_all if r[0] in train_users]}
    per = {}   # setting -> {user: ndcg}
    for lam in BIAS_GRID:
        s = bias_scores(rows_all, ml.n_users, ml.n_items, lam)
        per[("bias", lam)] = valid_ndcg(split, R, lambda u, t: s[t["query_items"]])
    for src, rank, lam in itertools.product(ROWS, RANKS, LAMS):
        def on_epoch(ep, m, src=src, rank=rank, lam=lam):
            if ep in EPOCHS:
                per[("mf", src, rank, lam, ep)] = valid_ndcg(split, R, lambda u, t: foldin_scores(
                    m, t["support_items"], [R[u][i] for i in t["support_items"]], t["query_items"]))
        fit_als(rows[src], ml.n_users, ml.n_items, rank, lam, max(EPOCHS), seed=0, on_epoch=on_epoch)
    return {"per_user": {"|".join(map(str, k)): {str(u): v for u, v in d.items()} for k, d in per.items()}}


def crossfit(per_user: dict, grid: list[str], seed: int = 123) -> float:
    """Choose the setting of ``grid`` on one seeded half of the validation users, measure it on
    the other half, and swap; the mean nDCG@5 of the measured halves."""
    valid = sorted(next(iter(per_user.values())), key=int)
    np.random.default_rng(seed).shuffle(valid)
    halves = [valid[: len(valid) // 2], valid[len(valid) // 2:]]
    out = []
    for a in (0, 1):
        best = max(grid, key=lambda k: np.mean([per_user[k][u] for u in halves[a]]))
        out += [per_user[best][u] for u in halves[1 - a]]
    return float(np.mean(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", default="published," + ",".join(map(str, range(1, 21))))
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    ml = load_movielens(args.data_dir)
    R = ml.rating_dict()
    out = {}
    for name in args.splits.split(","):
        split = named_split(name, R, args.data_dir)
        out[name] = run_split(split, R, ml)
        print("split", name, "done", flush=True)
    keys = list(next(iter(out.values()))["per_user"])
    means = {k: float(np.mean([np.mean(list(o["per_user"][k].values())) for o in out.values()])) for k in keys}
    print("settings by mean validation nDCG@5 over splits (top 15, then the bias model):")
    for k, v in sorted(means.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {k}: {v:.4f}")
    for k in (k for k in keys if k.startswith("bias")):
        print(f"  {k}: {means[k]:.4f}")
    grids = {"bias": [k for k in keys if k.startswith("bias")],
             "mf-all-grid": [k for k in keys if k.startswith("mf")]}
    for src in ("all", "train-users"):
        for name, ranks, lams, eps in (("rank{5,10,20} lam10 ep20", (5, 10, 20), (10.0,), (20,)),
                                       ("rank{5,10,20} lam{3,10,30} ep20", (5, 10, 20), (3.0, 10.0, 30.0), (20,)),
                                       ("rank{2,5,10,20} lam{3,10,30} ep{5,10,20}", RANKS, LAMS, EPOCHS),
                                       ("rank5 lam{3,10,30} ep{10,20}", (5,), (3.0, 10.0, 30.0), (10, 20)),
                                       ("rank5 lam10 ep20", (5,), (10.0,), (20,))):
            grids[f"mf {src} {name}"] = [f"mf|{src}|{r}|{lam}|{e}" for r in ranks for lam in lams for e in eps]
    cf = {}
    for name, grid in grids.items():
        per = [crossfit(o["per_user"], grid) for o in out.values()]
        cf[name] = {"mean": float(np.mean(per)), "per_split": [round(x, 4) for x in per]}
    print("cross-fit (choose on one half of each split's validation users, measure on the other):")
    for name, v in cf.items():
        d = np.subtract(v["per_split"], cf["bias"]["per_split"])
        print(f"  {name}: {v['mean']:.4f}  (minus bias: {d.mean():+.4f}, above on {(d > 0).sum()}/{len(d)})")
    if args.out:
        Path(args.out).write_text(json.dumps({"what": "validation users only; test users never scored",
                                              "mean": means, "crossfit": cf, "splits": out}))


if __name__ == "__main__":
    main()
