"""Meta-training (and plain pretraining) of the gradient learners; writes the shipped checkpoint.

Every method trains the same network on the same random episodes of the training families, with
the same budget, validation on the validation families (nDCG@10 at 5 shots) and early stopping.
The outer loop batches tasks with ``torch.func.vmap`` over the pure inner loop, so second-order
MAML differentiates through the inner SGD steps of 32 families at once. Given a ``replica``
(:mod:`metarec.distributed`), the same loop runs data-parallel: each process meta-trains on its
share of every meta-batch and ``DistributedDataParallel`` averages the meta-gradients.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

import torch
from torch.func import vmap
from tqdm import tqdm

from . import paths
from .catalog import load_catalog
from .checkpoint import save_bundle
from .device import describe_device, pick_device
from .episodes import EpisodeSampler, evaluation_episodes
from .evaluate import evaluate_world, mean_ndcg
from .features import catalog_features
from .learners import METRIC_LEARNERS, build_learners, make_learner
from .learners.baselines import popularity_table
from .learners.gradient import GRADIENT_METHODS
from .learners.inner_loop import balanced_bce, inner_loop
from .model import ModelConfig, init_params
from .text_embedding import load_catalog_embeddings
from .world import ToyWorld, WorldConfig


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    methods: tuple[str, ...] = ("maml", "fomaml", "melu", "metasgd", "reptile", "protonet",
                                "matching", "relation", "finetune")
    meta_batch: int = 32         # families per outer step
    outer_lr: float = 3e-3       # Adam, outer loop
    inner_steps: int = 5         # SGD steps per family, in training and at test time
    inner_lr: float = 0.5        # inner SGD step size (MAML/MeLU use it as trained with)
    finetune_lrs: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)  # chosen on validation families
    max_iters: int = 1000        # outer steps per method at most
    eval_every: int = 100        # outer steps between validations
    patience: int = 4            # validations without improvement before stopping
    val_shots: int = 5
    hidden: int = 64
    embed: int = 32
    world: WorldConfig = field(default_factory=WorldConfig)


def training_problem(name: str, model_cfg: ModelConfig, feats, cfg: TrainConfig):
    """(initial parameters, vmap-able per-task loss, adaptation settings) for one method."""
    if name in METRIC_LEARNERS:
        module = METRIC_LEARNERS[name]
        return module.init(model_cfg, cfg.seed), module.task_loss, {}
    method = GRADIENT_METHODS[name]
    steps = cfg.inner_steps if method.meta else 0
    keys = method.adapt_keys
    params = init_params(model_cfg, cfg.seed)
    if method.learned_lr:
        params.update({f"lr.{k}": torch.full_like(params[k], math.log(cfg.inner_lr)) for k in keys})

    def task_loss(p, feats, age, s_items, s_labels, s_w, q_items, q_labels, q_w):
        if not method.meta or method.outer == "reptile":  # every labelled toy of the family is data
            items, labels, w = torch.cat([s_items, q_items]), torch.cat([s_labels, q_labels]), torch.cat([s_w, q_w])
        if method.outer == "reptile":
            # Reptile's update is params - adapted; as a loss: half the squared distance to the
            # (constant) adapted weights, whose gradient is exactly that difference.
            fast = inner_loop(p, feats, age, items, labels, w, steps, cfg.inner_lr, keys, True)
            return 0.5 * sum(((p[k] - fast[k].detach()) ** 2).sum() for k in keys)
        if not method.meta:
            return balanced_bce(p, feats, age, items, labels, w)
        lr = {k: p[f"lr.{k}"].exp() for k in keys} if method.learned_lr else cfg.inner_lr
        fast = inner_loop(p, feats, age, s_items, s_labels, s_w, steps, lr, keys, method.first_order)
        return balanced_bce(fast, feats, age, q_items, q_labels, q_w)

    return params, task_loss, {"steps": cfg.inner_steps, "lr": cfg.inner_lr}


def outer_loop(name: str, params: dict, task_loss, feats, sample_batch, validate,
               cfg: TrainConfig, device: torch.device, on_progress=None,
               show_bar: bool = True, replica=None) -> tuple[dict, dict]:
    """The outer loop shared by every method and every data set.

    Adam over the mean of ``task_loss`` on ``vmap``-batched tasks from ``sample_batch(size)``;
    ``validate(params) -> float`` every ``cfg.eval_every`` steps; early stopping after
    ``cfg.patience`` validations without improvement. Returns the best parameters and a log.
    ``on_progress(iteration, running_loss, val_or_None)`` is called after every outer step.
    With a ``replica`` (:class:`metarec.distributed.Replica`) this process computes the loss of
    its share of each meta-batch only and the replicas average their gradients (DDP).
    """
    params = {k: v.to(device).requires_grad_(True) for k, v in params.items()}
    batched = vmap(lambda p, *task: task_loss(p, feats, *task), in_dims=(None, 0, 0, 0, 0, 0, 0, 0))

    if replica is None:
        def meta_loss(b):  # the loss to backpropagate, and the meta-batch's mean loss for the log
            loss = batched(params, b.age, b.s_items, b.s_labels, b.s_weights, b.q_items,
                           b.q_labels, b.q_weights).mean()
            return loss, loss
    else:
        params, meta_loss, validate = replica.prepare(params, batched, validate)
    opt = torch.optim.Adam(params.values(), lr=cfg.outer_lr)

    def snapshot():
        return {k: v.detach().clone() for k, v in params.items()}

    log = {"iters": [], "train_loss": [], "val_ndcg@10": []}
    best = (validate(snapshot()), 0, snapshot())
    log["iters"].append(0); log["train_loss"].append(None); log["val_ndcg@10"].append(round(best[0], 4))
    bar = tqdm(range(1, cfg.max_iters + 1), desc=f"train {name}", file=sys.stderr,
               mininterval=1.0, dynamic_ncols=True, disable=not show_bar)
    running, stale, it, t0 = None, 0, 0, time.perf_counter()
    for it in bar:
        b = sample_batch(cfg.meta_batch).to(device)
        loss, value = meta_loss(b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        value = value.item()
        running = value if running is None else 0.9 * running + 0.1 * value
        val = validate(snapshot()) if it % cfg.eval_every == 0 else None
        if on_progress:
            on_progress(it, running, val)
        if val is not None:
            log["iters"].append(it); log["train_loss"].append(round(running, 4))
            log["val_ndcg@10"].append(round(val, 4))
            if val > best[0]:
                best, stale = (val, it, snapshot()), 0
            else:
                stale += 1
            bar.set_postfix(loss=f"{running:.3f}", val=f"{val:.3f}", best=f"{best[0]:.3f}")
            if stale >= cfg.patience:
                break
    bar.close()
    log.update(best_iter=best[1], best_val_ndcg=round(best[0], 4), iters_run=it,
               seconds=round(time.perf_counter() - t0, 1))
    return {k: v.detach().cpu() for k, v in best[2].items()}, log


def fit(name: str, params: dict, task_loss, settings: dict, feats, world: ToyWorld,
        cfg: TrainConfig, device: torch.device, on_progress=None,
        show_bar: bool = True, replica=None) -> tuple[dict, dict]:
    """:func:`outer_loop` on the toy world: random training episodes, validation families."""
    sampler = EpisodeSampler(world.families("train"), seed=cfg.seed)
    val_episodes = evaluation_episodes(world.families("val"), cfg.val_shots, seed=cfg.seed + 1)

    def validate(p) -> float:
        return mean_ndcg(make_learner(name, {"params": p, **settings}, feats), val_episodes)

    return outer_loop(name, params, task_loss, feats, sampler.batch, validate, cfg, device,
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

    Returns (name, checkpoint entry, log, training seconds, test rows). Runs in a worker process,
    or in every process of a data-parallel group (``replica``; only its rank 0 evaluates).
    """
    t0 = time.perf_counter()
    device = pick_device() if replica is None else replica.device
    if device.type == "cpu":
        torch.set_num_threads(1)  # one method per core: tiny ops lose far more to thread contention
    _, feats, world, model_cfg = _setup(cfg, device)
    params, task_loss, settings = training_problem(name, model_cfg, feats, cfg)
    main = replica is None or replica.is_main
    params, log = fit(name, params, task_loss, settings, feats, world, cfg, device,
                      show_bar=main, replica=replica)
    if not main:  # rank 0 holds the same parameters and does the rest
        return name, {"params": params, **settings}, log, round(time.perf_counter() - t0, 1), []
    if name in GRADIENT_METHODS and not GRADIENT_METHODS[name].meta:
        lr, log["lr_search"] = choose_lr(name, params, settings, feats, world, cfg)
        log["best_val_ndcg"] = log["lr_search"][str(lr)]
        settings = {**settings, "lr": lr}
    entry, seconds = {"params": params, **settings}, round(time.perf_counter() - t0, 1)
    rows = []
    if evaluate_test:  # nothing was chosen by looking at these families
        rows = evaluate_world({name: make_learner(name, entry, feats)}, world.families("test"))
    return name, entry, log, seconds, rows


def train(cfg: TrainConfig = TrainConfig(), out=None, evaluate_test: bool = True,
          workers: int | None = None, replica=None) -> dict | None:
    """Train every method in ``cfg.methods``, evaluate, and write the checkpoint and manifest.

    On the CPU, methods train in parallel, one process per core (``workers``); every method is
    seeded on its own, so the result does not depend on the number of workers. With a
    ``replica`` (:mod:`metarec.distributed`) the methods train one after another, each one
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
    seconds = {name: sec for name, _, _, sec, _ in done}
    wall = round(time.perf_counter() - t_start, 1)
    catalog, feats, world, model_cfg = _setup(cfg, device)
    popularity = torch.from_numpy(popularity_table(world.families("train"), len(catalog)))
    bundle = {"catalog_sha256": catalog.sha256, "model_config": model_cfg.to_dict(),
              "models": models, "popularity": popularity}
    metrics = {"validation_ndcg@10_5shots": {n: logs[n]["best_val_ndcg"] for n in models}}
    if evaluate_test:  # reported only: nothing above was chosen by looking at the test families
        baselines = {n: l for n, l in build_learners(bundle, feats).items() if n not in models}
        rows = [r for *_, method_rows in done for r in method_rows]
        rows += evaluate_world(baselines, world.families("test"))
        order = list(build_learners(bundle, feats))
        metrics["test"] = sorted(rows, key=lambda r: (r["shots"], order.index(r["method"])))
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
        "parameters": {n: sum(v.numel() for v in m["params"].values()) for n, m in models.items()},
        "config": _jsonable(asdict(cfg)),
        "logs": logs,
        "metrics": metrics,
        "catalog_sha256": catalog.sha256,
    }
    return save_bundle(bundle, info, out or paths.CHECKPOINT)


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
