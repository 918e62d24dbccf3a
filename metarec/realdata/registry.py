"""The registry of real-data benchmarks and :func:`evaluate_real`, which looks one up and runs it.

Like learn2learn's ``_TASKSETS``: each benchmark lives in its own file and is one entry here, keyed
by ``(world, protocol)``; a world's first protocol is its default.
"""
from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..core.errors import InputError
from .amazon import AMAZON_METHODS
from .amazon_coldstart import run_coldstart
from .amazon_s3rec import run_s3rec, run_s3rec_full
from .movielens import ML_METHODS
from .labels import label_rows
from .movielens_published import evaluate_movielens
from .settings import AmazonSettings, MovieLensSettings


@dataclass(frozen=True)
class Benchmark:
    """One real-data benchmark.

    Arguments:
        run: ``run(data_dir, settings, seed, methods) -> dict``, the JSON answer.
        settings: its settings dataclass (``settings()`` full run, ``settings.quick()`` ``--quick``).
        methods: the methods it knows, in the default order.
    """

    run: Callable[..., dict]
    settings: type
    methods: tuple[str, ...]


BENCHMARKS: dict[tuple[str, str], Benchmark] = {
    ("amazon-toys", "s3rec"): Benchmark(run_s3rec, AmazonSettings, AMAZON_METHODS),
    ("amazon-toys", "s3rec-full"): Benchmark(run_s3rec_full, AmazonSettings, AMAZON_METHODS),
    ("amazon-toys", "cold-start"): Benchmark(run_coldstart, AmazonSettings, AMAZON_METHODS),
    ("movielens-100k", "published"): Benchmark(evaluate_movielens, MovieLensSettings, ML_METHODS),
}
# world -> its protocols, the default first (the order of BENCHMARKS)
PROTOCOLS: dict[str, tuple[str, ...]] = {
    world: tuple(p for w, p in BENCHMARKS if w == world) for world, _ in BENCHMARKS}


def evaluate_real(world: str, protocol: str | None = None, quick: bool = False,
                  data_dir: str | None = None, seed: int = 0, methods: list[str] | None = None,
                  settings=None) -> dict:
    """Run one benchmark of :data:`BENCHMARKS` and return its JSON-able answer.

    Arguments:
        world: ``"amazon-toys"`` or ``"movielens-100k"``.
        protocol: one of ``PROTOCOLS[world]`` (default: the first).
        quick: use the benchmark's ``quick()`` settings (minutes on 2 cores).
        data_dir: the real-data folder (default ``$METAREC_DATA_DIR`` or ``../shared/data``).
        seed: seeds samples, splits and training.
        methods: names the benchmark knows (default: all, in its order).
        settings: the benchmark's settings dataclass, replacing the preset ``quick`` picks.

    Returns:
        ``results`` (one row per method, and per shot count for cold start) and the benchmark's
        other fields, plus ``seconds``, ``machine`` and the ``command`` that reruns it; ``quick``
        is true when the settings are exactly the quick preset.

    Example:
        >>> out = evaluate_real("movielens-100k", quick=True, methods=["item-mean", "melu-bias"])
        >>> [(r["method"], r["ndcg@5"]) for r in out["results"]]
    """
    torch.set_num_threads(1)   # the benchmark machines are small and shared
    if world not in PROTOCOLS:
        raise InputError(f"unknown world {world!r}; choose from {', '.join(PROTOCOLS)}")
    protocol = protocol or PROTOCOLS[world][0]
    if protocol not in PROTOCOLS[world]:
        raise InputError(f"unknown protocol {protocol!r} for {world}; choose from "
                         f"{', '.join(PROTOCOLS[world])}")
    bench = BENCHMARKS[(world, protocol)]
    named = list(methods or [])   # the command line repeats only what the caller named
    methods = _check(methods, bench.methods)
    if settings is None:
        settings = bench.settings.quick() if quick else bench.settings()
    t0 = time.perf_counter()
    out = label_rows(bench.run(data_dir, settings, seed, methods))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["machine"] = (f"{platform.machine()} {platform.processor() or ''}".strip()
                      + f", torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    out["command"] = ("python -m metarec evaluate --world " + world + " --protocol " + protocol
                      + (" --quick" if settings.is_quick else "") + f" --seed {seed}"
                      + (" --methods " + " ".join(named) if named else "") + " --json")
    return out


def _check(methods, known) -> list[str]:
    """``methods`` (default: all of ``known``), or an :class:`InputError` naming the unknown ones."""
    if not methods:
        return list(known)
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise InputError(f"unknown method(s) {unknown}; choose from {', '.join(known)}")
    return list(methods)
