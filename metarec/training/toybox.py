"""Meta-training (and plain pretraining) of the gradient learners; writes the shipped checkpoint.

Every method trains the same network on the same random episodes of the training families, with
the same budget, validation on the validation families (nDCG@10 at 5 shots) and early stopping.
Each method brings its own task loss (``learners/<method>.py``); the shared outer loop
(:mod:`.outer_loop`) batches tasks with ``torch.func.vmap``, so second-order MAML differentiates
through the inner SGD steps of 32 families at once. Given a ``replica``
(:mod:`metarec.training.distributed`), the same loop runs data-parallel: each process meta-trains on its
share of every meta-batch and ``DistributedDataParallel`` averages the meta-gradients.
"""
from __future__ import annotations

import multiprocessing
import os
import platform
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from ..core import paths
from ..core.catalog import load_catalog
from ..core.checkpoint import save_bundle
from ..core.device import describe_device, pick_device
from ..core.episodes import EpisodeSampler, evaluation_episodes
from ..core.features import catalog_features
from ..core.model import ModelConfig
from ..core.text_embedding import load_catalog_embeddings
from ..evaluation.toybox import REFERENCE, evaluate_world, gap_closed, mean_ndcg, paired_rows
from ..learners import GRADIENT_METHODS, METRIC_LEARNERS, build_learners, make_learner
from ..learners.baselines import popularity_table
from ..world import ToyWorld, WorldConfig
from ..world.oracle import Oracle
from .bayes import train_bayes
from .outer_loop import outer_loop
from .tastenp import BUDGET as TASTENP_BUDGET
from .tastenp import train_tastenp


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a toy-world training run (recorded in the checkpoint's manifest);
    the outer-loop fields are those of :class:`~metarec.training.outer_loop.OuterLoop`."""

    seed: int = 0
    # the longest runs first: they start as soon as a worker is free
    methods: tuple[str, ...] = ("tastenp", "bayes", "maml", "fomaml", "melu", "metasgd",
                                "reptile", "protonet", "matching", "relation", "finetune")
    meta_batch: int = 32         # families per outer step
    outer_lr: float = 3e-3       # Adam, outer loop
    inner_steps: int = 5         # SGD steps per family, in training and at test time
    inner_lr: float = 0.5        # inner SGD step size (MAML/MeLU use it as trained with)
    finetune_lrs: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)  # chosen on validation families
    max_iters: int = 1000        # outer steps per method at most
    eval_every: int = 100        # outer steps between validations
    patience: int = 4            # validations without improvement before stopping
    val_shots: int = 5           # early stopping of the gradient and metric learners
    tastenp_iters: int = 3000    # TasteNP's outer steps at most (its own budget: training/tastenp.py)
    bayes_search: bool = True    # False: the empirical-Bayes settings chosen before (EB_SETTINGS)
    select_shots: tuple[int, ...] = (1, 3, 5)   # choosing the served learner (validation)
    select_seeds: tuple[int, ...] = (2, 3)      # episode seeds no early stopping has used
    hidden: int = 64
    embed: int = 32
    world: WorldConfig = field(default_factory=WorldConfig)


def training_problem(name: str, model_cfg: ModelConfig, feats, cfg: TrainConfig):
    """(initial parameters, the method's ``task_loss(params, task)``, adaptation settings)."""
    if name in METRIC_LEARNERS:
        method = METRIC_LEARNERS[name]
        return method.init(model_cfg, cfg.seed), method.bind(feats), {}
    method = GRADIENT_METHODS[name]
    return (method.init_params(model_cfg, cfg.seed, cfg.inner_lr),
            method.bind(feats, cfg.inner_steps, cfg.inner_lr),
            {"steps": cfg.inner_steps, "lr": cfg.inner_lr})


def fit(name: str, params: dict, task_loss, settings: dict, feats, world: ToyWorld,
        cfg: TrainConfig, device: torch.device, on_progress=None,
        show_bar: bool = True, replica=None) -> tuple[dict, dict]:
    """:func:`outer_loop` on the toy world: random training episodes, validation families."""
    sampler = EpisodeSampler(world.families("train"), seed=cfg.seed)
    val_episodes = evaluation_episodes(world.families("val"), cfg.val_shots, seed=cfg.seed + 1)

    def validate(p) -> float:
        return mean_ndcg(make_learner(name, {"params": p, **settings}, feats), val_episodes)

    return outer_loop(name, params, task_loss, sampler.batch, validate, cfg, device,
                      on_progress, show_bar, replica)


def choose_lr(name: str, params, settings, feats, world, cfg) -> tuple[float, dict]:
    """Pick the fine-tuning step size on validation families (never on the test families)."""
    episodes = evaluation_episodes(world.families("val"), cfg.val_shots, seed=cfg.seed + 1)
    scores = {lr: mean_ndcg(make_learner(name, {"params": params, **settings, "lr": lr}, feats),
                            episodes) for lr in cfg.finetune_lrs}
    return max(scores, key=scores.get), {str(k): round(v, 4) for k, v in scores.items()}


def _setup(cfg: TrainConfig, device: torch.device):
    catalog = load_catalog()
    feats = catalog_features(catalog, load_catalog_embeddings(catalog)).to(device)
    model_cfg = ModelConfig(toy_dim=feats.dim, n_items=len(catalog), hidden=cfg.hidden,
                            embed=cfg.embed)
    return catalog, feats, ToyWorld(catalog, cfg.world), model_cfg


def train_one(name: str, cfg: TrainConfig, evaluate_test: bool = True, replica=None):
    """Train one method from scratch, then (reported only) evaluate it on the test families.

    Returns (name, checkpoint entry, log, training seconds, test rows, per-family test nDCG@10
    ``{(name, k): [...]}``). Runs in a worker process,
    or in every process of a data-parallel group (``replica``; only its rank 0 evaluates).
    """
    t0 = time.perf_counter()
    device = pick_device() if replica is None else replica.device
    if device.type == "cpu":
        torch.set_num_threads(1)  # one method per core: tiny ops lose far more to thread contention
    catalog, feats, world, model_cfg = _setup(cfg, device)
    popularity = torch.from_numpy(popularity_table(world.families("train"), len(catalog)))
    main = replica is None or replica.is_main
    if name == "bayes":
        learner, log = train_bayes(world, feats, popularity, search=cfg.bayes_search)
        entry = learner.to_spec()
    elif name == "tastenp":
        budget = replace(TASTENP_BUDGET, max_iters=cfg.tastenp_iters,
                         eval_every=min(TASTENP_BUDGET.eval_every, cfg.tastenp_iters))
        params, log = train_tastenp(world, feats, popularity, seed=cfg.seed, budget=budget,
                                    device=device, show_bar=main)
        entry = {"params": params, "config": log["config"]}
    else:
        params, task_loss, settings = training_problem(name, model_cfg, feats, cfg)
        params, log = fit(name, params, task_loss, settings, feats, world, cfg, device,
                          show_bar=main, replica=replica)
        if not main:  # rank 0 holds the same parameters and does the rest
            return (name, {"params": params, **settings}, log, round(time.perf_counter() - t0, 1),
                    [], {})
        if name in GRADIENT_METHODS and not GRADIENT_METHODS[name].meta:
            lr, log["lr_search"] = choose_lr(name, params, settings, feats, world, cfg)
            log["best_val_ndcg"] = log["lr_search"][str(lr)]
            settings = {**settings, "lr": lr}
        entry = {"params": params, **settings}
    seconds = round(time.perf_counter() - t0, 1)
    rows, scores = [], {}
    if evaluate_test:  # nothing was chosen by looking at these families
        rows = evaluate_world({name: make_learner(name, entry, feats, popularity)},
                              world.families("test"), scores=scores)
    return name, entry, log, seconds, rows, scores


def choose_served(learners: dict, world: ToyWorld, cfg: TrainConfig) -> dict:
    """The learner the app serves: the best mean nDCG@10 over ``cfg.select_shots`` on the
    validation families (episode seeds no early stopping has seen), any kind of learner."""
    episodes = [evaluation_episodes(world.families("val"), k, seed=sd)
                for k in cfg.select_shots for sd in cfg.select_seeds]
    scores = {name: round(float(np.mean([mean_ndcg(learner, eps) for eps in episodes])), 4)
              for name, learner in learners.items()}
    best = max(scores, key=scores.get)
    return {"method": best, "validation": scores,
            "rule": f"best mean nDCG@10 over {list(cfg.select_shots)} shots x episode seeds "
                    f"{list(cfg.select_seeds)} of the validation families"}


def train(cfg: TrainConfig = TrainConfig(), out=None, evaluate_test: bool = True,
          workers: int | None = None, replica=None) -> dict | None:
    """Train every method in ``cfg.methods``, evaluate, and write the checkpoint and manifest.

    On the CPU, methods train in parallel, one process per core (``workers``); every method is
    seeded on its own, so the result does not depend on the number of workers. With a
    ``replica`` (:mod:`metarec.training.distributed`) the methods train one after another, each one
    data-parallel over the process group; rank 0 writes the checkpoint, the others return None.
    """
    device = pick_device() if replica is None else replica.device
    if device.type == "cpu":
        torch.set_num_threads(1)
    if replica is not None:
        workers = 1
    if workers is None:
        workers = min(len(cfg.methods), os.cpu_count() or 1) if device.type == "cpu" else 1
    t_start = time.perf_counter()
    if workers > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            done = list(pool.map(train_one, cfg.methods, [cfg] * len(cfg.methods),
                                 [evaluate_test] * len(cfg.methods)))
    else:
        done = [train_one(name, cfg, evaluate_test, replica) for name in cfg.methods]
    if replica is not None and not replica.is_main:
        return None
    models = {name: entry for name, entry, *_ in done}
    logs = {name: log for name, _, log, *_ in done}
    seconds = {name: sec for name, _, _, sec, *_ in done}
    wall = round(time.perf_counter() - t_start, 1)
    catalog, feats, world, model_cfg = _setup(cfg, device)
    popularity = torch.from_numpy(popularity_table(world.families("train"), len(catalog)))
    bundle = {"catalog_sha256": catalog.sha256, "model_config": model_cfg.to_dict(),
              "models": models, "popularity": popularity}
    learners = build_learners(bundle, feats)
    served = choose_served(learners, world, cfg)
    metrics = {"validation_ndcg@10_5shots": {n: logs[n]["best_val_ndcg"] for n in models},
               "served": served}
    if evaluate_test:  # reported only: nothing above was chosen by looking at the test families
        rest = {n: l for n, l in learners.items() if n not in models}
        rest["oracle"] = Oracle(world)
        rows = [r for *_, method_rows, _ in done for r in method_rows]
        scores = {key: v for *_, method_scores in done for key, v in method_scores.items()}
        rows += evaluate_world(rest, world.families("test"), scores=scores)
        order = [*learners, "oracle"]
        metrics["test"] = sorted(rows, key=lambda r: (r["shots"], order.index(r["method"])))
        metrics["paired"] = paired_rows(scores, REFERENCE)    # every learner minus the reference
        metrics["gap_closed"] = gap_closed(rows)              # popularity -> oracle, per k
    info = {
        "version": f"toybox-{time.strftime('%Y.%m.%d')}",
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "how": (replica.how if replica is not None
                else "python -m metarec train" + (f" --seed {cfg.seed}" if cfg.seed else "")),
        "git_commit": _git_commit(),
        "device": describe_device(device),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, " + (
            replica.describe() if replica is not None else f"{workers} training processes"),
        "torch": torch.__version__,
        "training_seconds": {**seconds, "wall_with_test_eval": wall,
                             "total_with_baselines": round(time.perf_counter() - t_start, 1)},
        "parameters": {n: _size(m) for n, m in models.items()},
        "config": _jsonable(asdict(cfg)),
        "logs": logs,
        "metrics": metrics,
        "catalog_sha256": catalog.sha256,
    }
    return save_bundle(bundle, info, out or paths.CHECKPOINT)


def _size(entry) -> int:
    """Learned numbers in a checkpoint entry: its tensors and the prior's numbers (nested), not
    its settings (inner steps, step size, configuration)."""
    if isinstance(entry, torch.Tensor):
        return entry.numel()
    if isinstance(entry, dict):
        return sum(_size(v) for k, v in entry.items()
                   if k not in ("config", "settings", "steps", "lr"))
    return 1 if isinstance(entry, (int, float)) else 0


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.REPO, capture_output=True,
                              text=True, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x
