"""What the MeLU network is meta-trained on top of, and how its meta-batches are drawn, decided
on VALIDATION users only (test users are never scored).

For each MovieLens split, the validation users are cut in two seeded halves: half A chooses (the
bias model's lambda, MF's rank, each member's early stopping), half B measures nDCG@5; then they
swap. Half B joins the test users while A chooses, so only its support ratings reach training
(as for any held-out user). Arms, each a ``--members``-member ensemble:

- ``melu-bias``           over the user+item bias, meta-batches drawn uniformly (as shipped before;
                          its numbers with 5 members on the published split and seeds 1-5 are in
                          ``docs/experiments/melu-bias-crossfit.json``, same halves, so it need not
                          be re-run: ``--arms`` leaves it out by default);
- ``melu-bias-buckets``   the same, meta-batches from one of 8 support-length groups (half the cost);
- ``melu-mf-buckets``     over MF fold-in (:class:`metarec.realdata.mf.MFBase`), 8 groups;

and, for reference, the two bases alone and each arm's untrained ensemble (0 meta-training steps).

    OMP_NUM_THREADS=1 python experiments/melu_base_crossfit.py --splits published,1,2 --out a.json
    OMP_NUM_THREADS=1 python experiments/melu_base_crossfit.py --splits 3,4,5 --out b.json
    python experiments/melu_base_crossfit.py --summarise a.json b.json
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from metarec.core.stats import paired
from metarec.realdata.loaders import load_movielens
from metarec.realdata.movielens import (SplitContext, build_mf_foldin, build_user_item_bias,
                                        bias_base, mf_base)
from metarec.realdata.melu_bias import train_melu_bias
from metarec.realdata.movielens_published import named_split
from metarec.realdata.protocols import published_metrics
from metarec.realdata.settings import MovieLensSettings

ARMS = {"melu-bias": ("bias", 1), "melu-bias-buckets": ("bias", 8), "melu-mf-buckets": ("mf", 8)}


def crossfit(split, R, ml, members: int, arms) -> dict[str, list[float]]:
    valid = sorted(split["valid"])
    np.random.default_rng(123).shuffle(valid)
    halves = [valid[: len(valid) // 2], valid[len(valid) // 2:]]
    out: dict[str, list[float]] = {}

    def measure(name, score, B):
        out.setdefault(name, []).extend(
            published_metrics(t["query_items"], score(u, t), [R[u][i] for i in t["query_items"]])["ndcg@5"]
            for u, t in B.items())

    for a in (0, 1):
        A = {u: split["valid"][u] for u in halves[a]}
        B = {u: split["valid"][u] for u in halves[1 - a]}
        inner = {"train": split["train"], "valid": A, "test": {**split["test"], **B}}
        ctx = SplitContext(inner, R, ml, MovieLensSettings(), 0, {})
        measure("user-item-bias", build_user_item_bias(ctx), B)
        measure("mf-foldin", build_mf_foldin(ctx), B)
        bases = {"bias": bias_base(ctx), "mf": mf_base(ctx)}
        for arm in arms:
            base, groups = ARMS[arm]
            preds = {"": [], "-untrained": []}
            for k in range(members):   # one member at a time: each one's own score, and their mean
                st = replace(ctx.settings.melu_bias, n_seeds=1, length_buckets=groups)
                score, info = train_melu_bias(inner, R, ml, bases[base], st, k)
                preds[""].append({u: score(u, t) for u, t in B.items()})
                measure(f"{arm} single{k}", lambda u, t: preds[""][-1][u], B)
                out.setdefault(arm + " best_iters", []).append(info["members"][0]["best_iter"])
                if groups == 8:   # untrained: the same member at step 0 (the batches do not matter)
                    score, _ = train_melu_bias(inner, R, ml, bases[base], replace(st, max_iters=0), k)
                    preds["-untrained"].append({u: score(u, t) for u, t in B.items()})
            for tag, p in preds.items():
                if p:
                    name = arm.replace("-buckets", "") + "-untrained" if tag else arm
                    measure(name, lambda u, t, p=p: np.mean([x[u] for x in p], 0), B)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", default="published,1,2,3,4,5")
    ap.add_argument("--members", type=int, default=2)
    ap.add_argument("--arms", default="melu-bias-buckets,melu-mf-buckets")
    ap.add_argument("--summarise", nargs="*", help="only summarise these --out files")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if args.summarise:
        summarise({k: v for f in args.summarise for k, v in json.loads(Path(f).read_text())["splits"].items()})
        return
    torch.set_num_threads(1)
    ml = load_movielens(args.data_dir)
    R = ml.rating_dict()
    result = {}
    for name in args.splits.split(","):
        split = named_split(name, R, args.data_dir)
        result[name] = crossfit(split, R, ml, args.members, args.arms.split(","))
        print(name, {k: round(float(np.mean(v)), 4) for k, v in result[name].items()}, flush=True)
        if args.out:
            Path(args.out).write_text(json.dumps({"what": "validation users only (cross-fit halves); "
                                                  "test users never scored", "splits": result}))
    summarise(result)


def summarise(result: dict) -> None:
    first = next(iter(result.values()))
    means = {k: [float(np.mean(r[k])) for r in result.values()] for k in first if " " not in k}
    for arm in {k.split(" ")[0] for k in first if " single" in k}:   # the mean of single members
        singles = sorted(k for k in first if k.startswith(arm + " single"))
        means[arm + " (single)"] = [float(np.mean([np.mean(r[k]) for k in singles])) for r in result.values()]
    uniform = Path(__file__).resolve().parent.parent / "docs" / "experiments" / "melu-bias-crossfit.json"
    if "melu-bias" not in means and uniform.is_file():   # the uniform arm's members, same halves
        old = json.loads(uniform.read_text())["splits"]
        n = len([k for k in first if k.startswith("melu-bias-buckets single")])
        if all(s in old for s in result) and n:
            means["melu-bias (single)"] = [float(np.mean(old[s]["singles"][:n])) for s in result]
    print("mean over splits of held-out validation nDCG@5:")
    for k, v in means.items():
        d = paired(v, means["user-item-bias"])
        print(f"  {k:22s} {np.mean(v):.4f}   minus bias {d.mean:+.4f} ± {d.half:.4f} ({d.better}/{d.n})")
    for a, b in (("melu-bias-buckets (single)", "melu-bias (single)"), ("melu-mf-buckets (single)", "melu-bias-buckets (single)"), ("melu-mf-buckets", "melu-bias-buckets"),
                 ("melu-mf-buckets", "mf-foldin"), ("melu-mf-buckets", "melu-mf-untrained"),
                 ("melu-bias-buckets", "melu-bias-untrained")):
        if a in means and b in means:
            d = paired(means[a], means[b])
            print(f"  {a} - {b}: {d.mean:+.4f} ± {d.half:.4f} ({d.better}/{d.n} splits)")


if __name__ == "__main__":
    main()
