"""The outer loop shared by every meta-learner and every data set.

Adam over the mean of a method's ``task_loss(params, task)`` on a meta-batch of tasks, batched by
``torch.func.vmap(task_loss, in_dims=(None, 0))`` (the parameters are shared, the tasks are
stacked), with validation every few steps and early stopping. This is the loop of PyTorch's
functorch MAML example (``maml-omniglot-transforms.py``), generalised to any task loss.

References:
    Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks",
    ICML 2017 (Algorithm 1, the outer update).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import torch
from torch.func import vmap
from tqdm import tqdm


@dataclass(frozen=True)
class OuterLoop:
    """The outer loop's budget (every method and data set uses the same fields).

    Arguments:
        meta_batch: tasks per outer step.
        outer_lr: Adam's step size.
        max_iters: outer steps at most.
        eval_every: outer steps between validations.
        patience: validations without improvement before stopping.
        lr_schedule: "constant", or "cosine" (the step size decays to 0 at ``max_iters``).
    """

    meta_batch: int = 32
    outer_lr: float = 3e-3
    max_iters: int = 1000
    eval_every: int = 100
    patience: int = 4
    lr_schedule: str = "constant"


def outer_loop(name: str, params: dict, task_loss, sample_batch, validate, cfg,
               device: torch.device, on_progress=None, show_bar: bool = True,
               replica=None) -> tuple[dict, dict]:
    """Meta-train ``params`` and return the best parameters (on validation) and a log.

    Arguments:
        name: a label for the progress bar.
        params: the starting parameters (copied; not modified).
        task_loss: ``task_loss(params, task) -> scalar`` for one :class:`~metarec.core.episodes.Task`.
        sample_batch: ``sample_batch(size) -> Task`` with a leading batch dimension.
        validate: ``validate(params) -> float``, higher is better.
        cfg: anything with the fields of :class:`OuterLoop`.
        device: where to train.
        on_progress: ``on_progress(iteration, running_loss, val_or_None)`` after every outer
            step; validation at iteration 0 is reported as ``on_progress(0, None, val)``.
        replica: a :class:`metarec.training.distributed.Replica`: this process then computes the
            loss of its share of each meta-batch and the replicas average their gradients (DDP).

    Example:
        >>> params, log = outer_loop("maml", params, MAML.bind(feats, 5, 0.5), sampler.batch,
        ...                          validate, OuterLoop(), torch.device("cpu"))
    """
    params = {k: v.to(device).requires_grad_(True) for k, v in params.items()}
    batched = vmap(task_loss, in_dims=(None, 0))

    if replica is None:
        def meta_loss(b):  # the loss to backpropagate, and the meta-batch's mean loss for the log
            loss = batched(params, b).mean()
            return loss, loss
    else:
        params, meta_loss, validate = replica.prepare(params, batched, validate)
    opt = torch.optim.Adam(params.values(), lr=cfg.outer_lr)
    cosine = getattr(cfg, "lr_schedule", "constant") == "cosine"
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.max_iters) if cosine else None

    def snapshot():
        return {k: v.detach().clone() for k, v in params.items()}

    log = {"iters": [], "train_loss": [], "val_ndcg@10": []}
    best = (validate(snapshot()), 0, snapshot())
    log["iters"].append(0); log["train_loss"].append(None); log["val_ndcg@10"].append(round(best[0], 4))
    if on_progress:
        on_progress(0, None, best[0])
    bar = tqdm(range(1, cfg.max_iters + 1), desc=f"train {name}", file=sys.stderr,
               mininterval=1.0, dynamic_ncols=True, disable=not show_bar)
    running, stale, it, t0 = None, 0, 0, time.perf_counter()
    for it in bar:
        b = sample_batch(cfg.meta_batch).to(device)
        loss, value = meta_loss(b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
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
