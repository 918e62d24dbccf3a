"""The MovieLens-100K benchmark (``python -m metarec evaluate --world movielens-100k``) with its
splits spread over several processes: the same numbers as the one-process command (every split and
member is seeded on its own; checked on quick settings), written the way the CLI writes ``--out``.
For a shared machine where one process gets a fraction of a core; ``cpu_seconds`` in the answer
sums the processes' CPU time (the one-core budget).

    OMP_NUM_THREADS=1 python experiments/movielens_parallel.py --workers 3 \\
        --out docs/results/movielens-100k-published.json
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from metarec.realdata import evaluate_real
from metarec.realdata.settings import MovieLensSettings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--methods", nargs="*", default=None)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    preset = MovieLensSettings.quick() if args.quick else MovieLensSettings()
    data = evaluate_real("movielens-100k", data_dir=args.data_dir, seed=args.seed, methods=args.methods,
                         settings=replace(preset, workers=args.workers))
    Path(args.out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {data['seconds']} s wall, {data['cpu_seconds']} s CPU")


if __name__ == "__main__":
    main()
