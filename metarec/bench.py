"""``python -m metarec bench``: adapt-and-rank latency and memory, written to a results file.

Latency is one family's full path on one CPU thread: build the support set, adapt, score every
toy that suits the age, take the top 10. It is measured on the shipped catalog and on synthetic
catalogs (default 100,000 toys) with the same network, for 1, 5 and 10 shots.
"""
from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from . import paths
from .bench_training import training_throughput
from .engine import Engine
from .episodes import make_support
from .features import synthetic_toy_features
from .learners import DEFAULT_METHOD
from .learners.gradient import GradientLearner
from .recommend import Request, recommend
from .safety import eligible_mask

SHOTS = (1, 5, 10)


def _time_ms(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def _row(size, shots, method, times, what, candidates) -> dict:
    return {"catalog_size": size, "shots": shots, "method": method, "what": what,
            "candidates": int(candidates),
            "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2), "repeats": len(times)}


def adapt_and_rank(learner, support, candidates: torch.Tensor, k: int = 10) -> torch.Tensor:
    state = learner.adapt(support)
    scores = learner.score(state, candidates)
    return candidates[torch.topk(scores, min(k, len(candidates))).indices]


def bench(engine: Engine, repeats: int = 50, sizes=(100_000,), method: str = DEFAULT_METHOD) -> dict:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    learner = engine.learner(method)
    rows = []
    age = 48.0
    eligible = engine.catalog.eligible(age)
    for shots in SHOTS:
        liked = rng.choice(eligible, size=shots, replace=False)
        support = make_support(age, liked, [], eligible)
        cand = torch.from_numpy(np.setdiff1d(eligible, liked))
        rows.append(_row(len(engine.catalog), shots, method,
                         _time_ms(lambda: adapt_and_rank(learner, support, cand), repeats), "adapt+rank",
                         len(cand)))
        ids = tuple(engine.catalog.ids[i] for i in liked)
        req = Request(age / 12, ids, method=method)
        rows.append(_row(len(engine.catalog), shots, method,
                         _time_ms(lambda: recommend(engine, req), repeats), "recommend (with reasons)",
                         len(cand)))
    for n in sizes:
        feats = synthetic_toy_features(n, seed=1).to(engine.device)
        params = dict(learner.params, item_bias=torch.zeros(n, device=engine.device))
        big = GradientLearner(learner.method, params, feats, learner.steps, learner.lr)
        mask = eligible_mask(feats.min_age.cpu().numpy(), feats.max_age.cpu().numpy(),
                             np.zeros(n, bool), age)
        big_eligible = np.flatnonzero(mask)
        for shots in SHOTS:
            liked = rng.choice(big_eligible, size=shots, replace=False)
            support = make_support(age, liked, [], big_eligible)
            suitable = torch.from_numpy(np.setdiff1d(big_eligible, liked))
            everything = torch.from_numpy(np.setdiff1d(np.arange(n), liked))
            for what, cand in (("adapt+rank", suitable), ("adapt+rank, every toy scored", everything)):
                rows.append(_row(n, shots, method, _time_ms(lambda: adapt_and_rank(big, support, cand),
                                                            max(5, repeats // 2)), what, len(cand)))
    return {"device": engine.device_name, "threads": torch.get_num_threads(),
            "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
            "torch": torch.__version__, "latency": rows,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def app_latency() -> dict | None:
    """Run ``benchmarks/app_latency.py`` (Streamlit AppTest) in its own process, if present."""
    script = paths.REPO / "benchmarks" / "app_latency.py"
    if not script.exists():
        return None
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def run_bench(args, emit) -> int:
    engine = Engine.load()
    result = bench(engine, repeats=args.repeats, sizes=tuple(args.sizes or (100_000,)))
    result["app"] = app_latency()
    result["training"] = training_throughput(engine, seconds=args.train_seconds)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    text = "\n".join(f"{r['catalog_size']:>8} toys  k={r['shots']:<2} {r['what']:24} "
                     f"p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms" for r in result["latency"])
    tr = result["training"]
    text += (f"\nmeta-training (second-order MAML, {tr['meta_batch']} tasks a step): vmap "
             f"{tr['vmap_torch_func']} tasks/s, per-task loop {tr['per_task_loop']} tasks/s "
             f"({tr['speedup']}x)")
    app = result["app"] or {}
    if "p95_ms" in app:
        text += f"\napp: liked toys changed -> cards rendered  p50 {app['p50_ms']} ms  p95 {app['p95_ms']} ms"
        text += "".join(f"\napp: {page} page, cached data  {ms} ms" for page, ms in app.get("pages", {}).items())
    emit(result, args.json, text + f"\npeak RSS {result['peak_rss_mb']} MB on {result['device']}"
                                   + (f"; written to {args.out}" if args.out else ""))
    return 0
