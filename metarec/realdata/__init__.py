"""Real-data benchmarks: Amazon Toys (S3-Rec protocol, cold-start users) and MovieLens-100K
(the published RecBole-MetaRec cold-start protocol). Entry point: :func:`evaluate_real`."""
from __future__ import annotations

import platform
import time

import torch

from ..core.errors import InputError

PROTOCOLS = {"amazon-toys": ("s3rec", "s3rec-full", "cold-start"),
             "movielens-100k": ("published",)}


def evaluate_real(world: str, protocol: str | None = None, quick: bool = False,
                  data_dir: str | None = None, seed: int = 0, methods: list[str] | None = None) -> dict:
    """Run one protocol on one real data set; returns a JSON-able dict (``results``: one row per
    method, and per shot count for cold-start)."""
    torch.set_num_threads(1)   # the benchmark machines are small and shared
    if world not in PROTOCOLS:
        raise InputError(f"unknown world {world!r}; choose from {', '.join(PROTOCOLS)}")
    protocol = protocol or PROTOCOLS[world][0]
    if protocol not in PROTOCOLS[world]:
        raise InputError(f"unknown protocol {protocol!r} for {world}; choose from "
                         f"{', '.join(PROTOCOLS[world])}")
    t0 = time.perf_counter()
    if world == "amazon-toys":
        from .loaders import load_amazon_toys
        from .amazon import AMAZON_METHODS, evaluate_coldstart, evaluate_s3rec
        methods = _check(methods, AMAZON_METHODS)
        data = load_amazon_toys(data_dir)
        if protocol == "cold-start":
            out = evaluate_coldstart(data, quick, seed, methods)
        else:
            out = evaluate_s3rec(data, "99" if protocol == "s3rec" else "all", quick, seed, methods)
    else:
        from .movielens import ML_METHODS, evaluate_movielens
        methods = _check(methods, ML_METHODS)
        out = evaluate_movielens(data_dir, quick, seed, methods)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["machine"] = (f"{platform.machine()} {platform.processor() or ''}".strip()
                      + f", torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    out["command"] = ("python -m metarec evaluate --world " + world + " --protocol " + protocol
                      + (" --quick" if quick else "") + f" --seed {seed}"
                      + (" --methods " + " ".join(methods) if methods else "") + " --json")
    return out


def _check(methods, known):
    if not methods:
        return list(known)
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise InputError(f"unknown method(s) {unknown}; choose from {', '.join(known)}")
    return list(methods)
