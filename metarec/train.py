"""Meta-training (and plain pretraining) of the gradient learners; writes the shipped checkpoint.

Every method trains the same network on the same random episodes of the training families, with
the same budget, validation on the validation families (nDCG@10 at 5 shots) and early stopping.
The outer loop batches tasks with ``torch.func.vmap`` over the pure inner loop, so second-order
MAML differentiates through the inner SGD steps of 32 families at once.
"""
from __future__ import annotations

import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
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
from .learners import build_learners
from .learners.baselines import popularity_table
from .learners.gradient import GRADIENT_METHODS, GradientLearner, GradientMethod
from .learners.inner_loop import balanced_bce, inner_loop
from .model import ModelConfig, init_params
from .text_embedding import load_catalog_embeddings
from .world import ToyWorld, WorldConfig


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    methods: tuple[str, ...] = ("maml", "fomaml", "melu", "finetune")
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


def train_method(method: GradientMethod, model_cfg: ModelConfig, feats, world: ToyWorld,
                 cfg: TrainConfig, device: torch.device) -> tuple[dict, dict]:
    """Train one method's initial parameters; return them and a log (curves, best iteration)."""
    params = {k: v.to(device).requires_grad_(True)
              for k, v in init_params(model_cfg, cfg.seed).items()}
    opt = torch.optim.Adam(params.values(), lr=cfg.outer_lr)
    sampler = EpisodeSampler(world.families("train"), seed=cfg.seed)
    val_episodes = evaluation_episodes(world.families("val"), cfg.val_shots, seed=cfg.seed + 1)
    steps = cfg.inner_steps if method.meta else 0

    def task_loss(p, age, s_items, s_labels, s_w, q_items, q_labels, q_w):
        if not method.meta:  # plain training: every labelled toy of the family is data
            q_items, q_labels = torch.cat([s_items, q_items]), torch.cat([s_labels, q_labels])
            q_w = torch.cat([s_w, q_w])
        fast = inner_loop(p, feats, age, s_items, s_labels, s_w, steps, cfg.inner_lr,
                          method.adapt_keys, method.first_order)
        return balanced_bce(fast, feats, age, q_items, q_labels, q_w)

    batched = vmap(task_loss, in_dims=(None, 0, 0, 0, 0, 0, 0, 0))

    def validate() -> float:
        learner = GradientLearner(method, params, feats, cfg.inner_steps, cfg.inner_lr)
        return mean_ndcg(learner, val_episodes)

    log = {"iters": [], "train_loss": [], "val_ndcg@10": []}
    best = (validate(), 0, {k: v.detach().clone() for k, v in params.items()})
    log["iters"].append(0); log["train_loss"].append(None); log["val_ndcg@10"].append(best[0])
    bar = tqdm(range(1, cfg.max_iters + 1), desc=f"train {method.name}", file=sys.stderr,
               mininterval=1.0, dynamic_ncols=True)
    running, stale = None, 0
    for it in bar:
        b = sampler.batch(cfg.meta_batch).to(device)
        loss = batched(params, b.age, b.s_items, b.s_labels, b.s_weights, b.q_items, b.q_labels,
                       b.q_weights).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        if it % cfg.eval_every == 0:
            val = validate()
            log["iters"].append(it); log["train_loss"].append(round(running, 4))
            log["val_ndcg@10"].append(round(val, 4))
            if val > best[0]:
                best, stale = (val, it, {k: v.detach().clone() for k, v in params.items()}), 0
            else:
                stale += 1
            bar.set_postfix(loss=f"{running:.3f}", val_ndcg=f"{val:.3f}", best=f"{best[0]:.3f}")
            if stale >= cfg.patience:
                break
    bar.close()
    log.update(best_iter=best[1], best_val_ndcg=round(best[0], 4), iters_run=it)
    return {k: v.detach().cpu() for k, v in best[2].items()}, log


def choose_lr(method, params, feats, world, cfg) -> tuple[float, dict]:
    """Pick the fine-tuning step size on validation families (never on the test families)."""
    episodes = evaluation_episodes(world.families("val"), cfg.val_shots, seed=cfg.seed + 1)
    scores = {lr: mean_ndcg(GradientLearner(method, params, feats, cfg.inner_steps, lr),
                            episodes) for lr in cfg.finetune_lrs}
    return max(scores, key=scores.get), {str(k): round(v, 4) for k, v in scores.items()}


def train(cfg: TrainConfig = TrainConfig(), out=None, evaluate_test: bool = True) -> dict:
    """Train every method in ``cfg.methods``, evaluate, and write the checkpoint and manifest."""
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    device = pick_device()
    catalog = load_catalog()
    feats = catalog_features(catalog, load_catalog_embeddings(catalog)).to(device)
    world = ToyWorld(catalog, cfg.world)
    model_cfg = ModelConfig(toy_dim=feats.dim, n_items=len(catalog), hidden=cfg.hidden,
                            embed=cfg.embed)
    t_start = time.perf_counter()
    models, logs, seconds = {}, {}, {}
    for name in cfg.methods:
        method = GRADIENT_METHODS[name]
        t0 = time.perf_counter()
        params, logs[name] = train_method(method, model_cfg, feats, world, cfg, device)
        lr = cfg.inner_lr
        if not method.meta:
            lr, logs[name]["lr_search"] = choose_lr(method, params, feats, world, cfg)
            logs[name]["best_val_ndcg"] = logs[name]["lr_search"][str(lr)]
        models[name] = {"params": params, "steps": cfg.inner_steps, "lr": lr}
        seconds[name] = round(time.perf_counter() - t0, 1)
    popularity = torch.from_numpy(popularity_table(world.families("train"), len(catalog)))
    bundle = {"catalog_sha256": catalog.sha256, "model_config": model_cfg.to_dict(),
              "models": models, "popularity": popularity}
    metrics = {"validation_ndcg@10_5shots": {n: logs[n]["best_val_ndcg"] for n in models}}
    if evaluate_test:
        learners = build_learners(bundle, feats)
        metrics["test"] = evaluate_world(learners, world.families("test"))
    info = {
        "version": f"toybox-{time.strftime('%Y.%m.%d')}",
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "how": "python -m metarec train" + (f" --seed {cfg.seed}" if cfg.seed else ""),
        "git_commit": _git_commit(),
        "device": describe_device(device),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
                   + f", {torch.get_num_threads()} torch threads",
        "torch": torch.__version__,
        "training_seconds": {**seconds, "total": round(time.perf_counter() - t_start, 1)},
        "parameters": sum(v.numel() for v in next(iter(models.values()))["params"].values()),
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
