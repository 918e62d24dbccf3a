"""The share of each reason kind on the parents' cards (``metarec.serving.reasons``).

200 validation families, each with one 3-shot evaluation episode: its 3 liked toys (no disliked
ones) and the child's age go through ``recommend`` (the served learner, top 10, the default
re-rank); the kinds of the 2,000 reasons are counted. Also at 1 and 5 shots, and for each fit
label: its share of the cards, the mean calibrated probability and the share actually liked. The numbers are in the docstring of
``metarec/serving/reasons.py``; before this change they were similar 0.638, popular 0.343,
taste 0.019 (the same protocol on the code of git commit 3b51b34).

    OMP_NUM_THREADS=1 python experiments/reason_kinds.py [--checkpoint PATH]
"""
from __future__ import annotations

import argparse
import json
from collections import Counter

from metarec.core.episodes import evaluation_episodes
from metarec.serving.engine import Engine
from metarec.serving.recommend import Request, recommend


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--families", type=int, default=200)
    args = ap.parse_args()
    engine = Engine.load(device="cpu", checkpoint=args.checkpoint)
    out = {"served": engine.default_method}
    for shots in (1, 3, 5):
        kinds, fits, hits, p_sum = Counter(), Counter(), Counter(), Counter()
        for ep in evaluation_episodes(engine.world.families("val")[: args.families], shots):
            liked = tuple(engine.catalog.ids[i] for i in ep.support.liked.tolist())
            res = recommend(engine, Request(ep.support.age_months / 12, liked, top=10))
            relevant = {engine.catalog.ids[i] for i in ep.relevant.tolist()}
            for r in res.recommendations:
                kinds[r.reason_kind] += 1
                fits[r.fit] += 1
                hits[r.fit] += r.id in relevant
                p_sum[r.fit] += r.p_like
        n = sum(kinds.values())
        out[f"{shots}_shots"] = {
            "n_cards": n, "reason_kinds": {k: round(v / n, 3) for k, v in kinds.most_common()},
            "fit_labels": {k: {"share": round(v / n, 3), "mean_p_like": round(p_sum[k] / v, 3),
                               "liked": round(hits[k] / v, 3)} for k, v in fits.most_common()}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
