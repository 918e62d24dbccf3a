"""``python -m metarec bench``: adapt-and-rank latency, memory, meta-training throughput, and the
app's latency (``benchmarks/app_latency.py``: server-side renders, and every page's time to its
first chart on a fresh server, in Chromium).

Latency is one family's full path on one CPU thread: build the support set, adapt, score every
toy that suits the age, take the top 10. It is measured for 1, 5 and 10 shots on the shipped
catalog, on the real 11,924-item Amazon Toys catalog (its text features, when the data folder is
present) and on synthetic catalogs (default 100,000 and 1,000,000 toys) with the same network.
Peak memory is measured in separate processes (the app under Streamlit's AppTest, a short
meta-training run), so one does not hide the other. With a CUDA GPU present, scoring is timed on
both devices and the catalog size where the GPU overtakes the CPU is reported.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ..core import paths
from .training import training_throughput
from ..core.device import describe_device
from ..serving.engine import Engine
from ..core.episodes import make_support
from ..core.features import ToyFeatures, synthetic_toy_features
from ..learners import DEFAULT_METHOD
from ..learners.gradient import GradientLearner
from .memory import peak_rss_mb
from ..serving.recommend import Request, recommend
from ..core.safety import eligible_mask

SHOTS = (1, 5, 10)
DEFAULT_SIZES = (100_000, 1_000_000)
AGE_MONTHS = 48.0


def _time_ms(fn, repeats: int, sync=lambda: None) -> list[float]:
    fn()  # warm-up
    sync()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def _row(catalog, size, shots, method, times, what, candidates) -> dict:
    return {"catalog": catalog, "catalog_size": size, "shots": shots, "method": method, "what": what,
            "candidates": int(candidates),
            "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2), "repeats": len(times)}


def adapt_and_rank(learner, support, candidates: torch.Tensor, k: int = 10) -> torch.Tensor:
    state = learner.adapt(support)
    scores = learner.score(state, candidates)
    return candidates[torch.topk(scores, min(k, len(candidates))).indices]


def _repeats_for(n: int, repeats: int) -> int:
    """Fewer repeats for bigger catalogs (one adapt-and-rank over 1M toys takes about a second)."""
    return max(5, min(repeats, repeats * 20_000 // max(n, 1)))


def _shipped_rows(engine: Engine, learner, method: str, repeats: int, rng) -> list[dict]:
    rows = []
    eligible = engine.catalog.eligible(AGE_MONTHS)
    for shots in SHOTS:
        liked = rng.choice(eligible, size=shots, replace=False)
        support = make_support(AGE_MONTHS, liked, [], eligible)
        cand = torch.from_numpy(np.setdiff1d(eligible, liked))
        rows.append(_row("shipped", len(engine.catalog), shots, method,
                         _time_ms(lambda: adapt_and_rank(learner, support, cand), repeats),
                         "adapt+rank", len(cand)))
        ids = tuple(engine.catalog.ids[i] for i in liked)
        req = Request(AGE_MONTHS / 12, ids, method=method)
        rows.append(_row("shipped", len(engine.catalog), shots, method,
                         _time_ms(lambda: recommend(engine, req), repeats), "recommend (with reasons)",
                         len(cand)))
    return rows


def _scaled_learner(learner: GradientLearner, feats: ToyFeatures, init_params: dict | None = None):
    """The shipped learner's network on another catalog (a fresh per-item bias for its items).

    ``init_params`` replaces the network when the catalog's features have another width (Amazon).
    Latency does not depend on the weights' values, only on their shapes.
    """
    device = feats.x.device
    params = {k: v.to(device) for k, v in (init_params or learner.params).items()}
    params["item_bias"] = torch.zeros(len(feats), device=device)
    return GradientLearner(learner.method, params, feats, learner.steps, learner.lr)


def _catalog_rows(name: str, big: GradientLearner, eligible: np.ndarray, age: float, method: str,
                  repeats: int, rng) -> list[dict]:
    """adapt+rank over the suitable toys, and over every toy when the age filter leaves some out."""
    n, rows = len(big.feats), []
    for shots in SHOTS:
        liked = rng.choice(eligible, size=shots, replace=False)
        support = make_support(age, liked, [], eligible)
        sets = [("adapt+rank", torch.from_numpy(np.setdiff1d(eligible, liked)))]
        if len(eligible) < n:
            sets.append(("adapt+rank, every toy scored", torch.from_numpy(np.setdiff1d(np.arange(n), liked))))
        for what, cand in sets:
            rows.append(_row(name, n, shots, method, _time_ms(lambda: adapt_and_rank(big, support, cand),
                                                              _repeats_for(n, repeats)), what, len(cand)))
    return rows


def _synthetic(learner, n: int, device) -> tuple[GradientLearner, np.ndarray]:
    feats = synthetic_toy_features(n, seed=1).to(device)
    mask = eligible_mask(feats.min_age.cpu().numpy(), feats.max_age.cpu().numpy(), np.zeros(n, bool),
                         AGE_MONTHS)
    return _scaled_learner(learner, feats), np.flatnonzero(mask)


def _amazon_rows(learner, method: str, repeats: int, rng, data_dir=None) -> list[dict] | dict:
    """The real Amazon Toys catalog: 11,924 items with the text features the real-data learners use."""
    from ..realdata.loaders import DataError, load_amazon_toys
    from ..core.model import ModelConfig
    from ..realdata.amazon import ItemText
    from ..realdata.tasks import NEUTRAL_AGE
    from ..training.toybox import TrainConfig, training_problem

    try:
        data = load_amazon_toys(data_dir)
    except DataError as e:
        return {"skipped": str(e)}
    text = ItemText.of(data)
    feats = text.toy_features(text.reduced[:, :32].copy())
    cfg = TrainConfig()
    init, _, _ = training_problem(learner.method.name, ModelConfig(feats.dim, len(feats), cfg.hidden,
                                                                   cfg.embed), feats, cfg)
    big = _scaled_learner(learner, feats, init)
    return _catalog_rows("amazon-toys", big, np.arange(len(feats)), NEUTRAL_AGE, method, repeats, rng)


def gpu_crossover(learner, sizes=(1_000, 10_000, 100_000, 1_000_000), gpu=None, repeats: int = 10):
    """5-shot adapt-and-rank (every toy scored) on the CPU and on ``gpu`` for each catalog size, and
    the smallest size at which the GPU is faster. ``None`` when no CUDA GPU is present."""
    if gpu is None:
        if not torch.cuda.is_available():
            return None
        gpu = torch.device("cuda")
    rng = np.random.default_rng(2)
    table = []
    for n in sizes:
        row = {"catalog_size": n}
        for name, dev in (("cpu", torch.device("cpu")), ("gpu", gpu)):
            big, eligible = _synthetic(learner, n, dev)
            liked = rng.choice(eligible, size=5, replace=False)
            support = make_support(AGE_MONTHS, liked, [], eligible)
            cand = torch.from_numpy(np.setdiff1d(np.arange(n), liked)).to(dev)
            sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
            times = _time_ms(lambda: adapt_and_rank(big, support, cand), _repeats_for(n, repeats), sync)
            row[f"{name}_p50_ms"] = round(float(np.percentile(times, 50)), 2)
        table.append(row)
    faster = [r["catalog_size"] for r in table if r["gpu_p50_ms"] < r["cpu_p50_ms"]]
    return {"gpu": describe_device(gpu), "table": table, "gpu_faster_from": faster[0] if faster else None}


def bench(engine: Engine, repeats: int = 50, sizes=DEFAULT_SIZES, method: str = DEFAULT_METHOD,
          data_dir=None) -> dict:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    learner = engine.learner(method)
    rows = _shipped_rows(engine, learner, method, repeats, rng)
    amazon = _amazon_rows(learner, method, repeats, rng, data_dir)
    rows += amazon if isinstance(amazon, list) else []
    for n in sizes:
        big, eligible = _synthetic(learner, n, engine.device)
        rows += _catalog_rows(f"synthetic {n:,}", big, eligible, AGE_MONTHS, method, repeats, rng)
        del big
    return {"device": engine.device_name, "threads": torch.get_num_threads(),
            "machine": machine(), "torch": torch.__version__, "latency": rows,
            "amazon": None if isinstance(amazon, list) else amazon,
            "peak_rss_mb_bench_process": peak_rss_mb(),
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"{platform.python_implementation()} {platform.python_version()}")


def _child_json(args: list[str], timeout: int = 900) -> dict:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                       cwd=paths.REPO)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def app_latency() -> dict | None:
    """Run ``benchmarks/app_latency.py`` (Streamlit AppTest) in its own process, if present."""
    script = paths.REPO / "benchmarks" / "app_latency.py"
    return _child_json(["-m", "benchmarks.app_latency"], timeout=1800) if script.exists() else None


def training_memory(iters: int = 200) -> dict:
    """Peak memory of a meta-training process (second-order MAML, ``iters`` outer steps)."""
    return _child_json(["-m", "metarec.bench.training", "--memory", str(iters)])


def _summary(result: dict) -> str:
    text = "\n".join(f"{r['catalog']:>18} {r['catalog_size']:>9,} toys  k={r['shots']:<2} {r['what']:28} "
                     f"p50 {r['p50_ms']:8.2f} ms  p95 {r['p95_ms']:8.2f} ms" for r in result["latency"])
    if result.get("amazon"):
        text += f"\namazon-toys catalog skipped: {result['amazon']['skipped']}"
    tr = result["training"]
    text += (f"\nmeta-training (second-order MAML, {tr['meta_batch']} tasks a step): vmap "
             f"{tr['vmap_torch_func']} tasks/s, per-task loop {tr['per_task_loop']} tasks/s "
             f"({tr['speedup']}x), higher {tr['higher']}"
             + (f" tasks/s ({tr['speedup_vs_higher']}x)" if "speedup_vs_higher" in tr else ""))
    mem = result["memory"]
    text += (f"\npeak memory: app (AppTest process) {mem['app_process_mb']} MB, meta-training "
             f"{mem['training_process_mb']} MB, this benchmark {result['peak_rss_mb_bench_process']} MB")
    app = result["app"] or {}
    if "p95_ms" in app:
        text += f"\napp: liked toys changed -> cards rendered  p50 {app['p50_ms']} ms  p95 {app['p95_ms']} ms"
        text += "".join(f"\napp: {page} page, cached data  {ms} ms" for page, ms in app.get("pages", {}).items())
    text += _first_chart_summary(app.get("first_chart") or {})
    gpu = result["gpu_crossover"]
    text += ("\nGPU: none present" if gpu is None else
             f"\nGPU ({gpu['gpu']}) scoring overtakes CPU from {gpu['gpu_faster_from']} toys")
    return text + f"\non {result['device']}, {result['machine']}"


def _first_chart_summary(first: dict) -> str:
    """Each page's time to its first chart in a browser (benchmarks/app_latency.first_chart)."""
    if "skipped" in first:
        return f"\napp: time to first chart skipped: {first['skipped']}"
    text = "".join(
        f"\napp: {page} first chart  fresh server's first request {v.get('cold_first_request_s')} s, "
        f"first visit once warm {v.get('first_visit_s')} s, from the menu {v.get('menu_click_s')} s"
        for page, v in (first.get("pages") or {}).items())
    if first.get("pages"):
        text += f" (target {first.get('target_s')} s; warm-up {first.get('warm_up_s')} s)"
    return text


def run_bench(args, emit) -> int:
    engine = Engine.load()
    result = bench(engine, repeats=args.repeats, sizes=tuple(args.sizes or DEFAULT_SIZES),
                   data_dir=args.data_dir)
    result["gpu_crossover"] = gpu_crossover(engine.learner(DEFAULT_METHOD))
    result["app"] = app_latency()
    result["training"] = training_throughput(engine, seconds=args.train_seconds)
    training_mem = training_memory()
    result["memory"] = {"app_process_mb": (result["app"] or {}).get("peak_rss_mb"),
                        "training_process_mb": training_mem.get("peak_rss_mb", training_mem)}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    emit(result, args.json, _summary(result) + (f"; written to {args.out}" if args.out else ""))
    return 0
