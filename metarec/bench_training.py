"""Meta-training throughput: ``vmap``-batched ``torch.func`` MAML against a per-task loop.

The per-task loop is how common MAML libraries run it (learn2learn's ``clone()``/``adapt()``, or a
hand-written loop): for each task, clone the parameters, take the inner steps with
``torch.autograd.grad(create_graph=True)``, add the query loss; then one backward pass. Both run the
same model, the same tasks and second-order MAML, on one thread. Reported in tasks per second.
"""
from __future__ import annotations

import time

import torch
from torch.func import vmap

from .episodes import EpisodeSampler
from .learners.gradient import GRADIENT_METHODS
from .learners.inner_loop import balanced_bce
from .train import TrainConfig, training_problem


def _per_task_loss(params, feats, batch, steps: int, lr: float, keys) -> torch.Tensor:
    total = 0.0
    for i in range(batch.age.shape[0]):
        fast = {k: v.clone() for k, v in params.items()}  # the "clone the model" step
        s = (batch.s_items[i], batch.s_labels[i], batch.s_weights[i])
        for _ in range(steps):
            loss = balanced_bce(fast, feats, batch.age[i], *s)
            grads = torch.autograd.grad(loss, [fast[k] for k in keys], create_graph=True)
            fast.update({k: fast[k] - lr * g for k, g in zip(keys, grads)})
        total = total + balanced_bce(fast, feats, batch.age[i], batch.q_items[i], batch.q_labels[i],
                                     batch.q_weights[i])
    return total / batch.age.shape[0]


def training_throughput(engine, seconds: float = 10.0, meta_batch: int = 32) -> dict:
    """Tasks per second of one outer step (forward, second-order backward), both ways."""
    torch.set_num_threads(1)
    cfg = TrainConfig(meta_batch=meta_batch)
    feats = engine.feats
    params0, task_loss, _ = training_problem("maml", engine.model_config, feats, cfg)
    sampler = EpisodeSampler(engine.world.families("train"), seed=0)
    batches = [sampler.batch(meta_batch).to(engine.device) for _ in range(8)]
    keys = GRADIENT_METHODS["maml"].adapt_keys
    batched = vmap(lambda p, *t: task_loss(p, feats, *t), in_dims=(None, 0, 0, 0, 0, 0, 0, 0))

    def run(step) -> float:
        params = {k: v.to(engine.device).requires_grad_(True) for k, v in params0.items()}
        step(params, batches[0])  # warm-up
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step(params, batches[n % len(batches)])
            n += 1
        return n * meta_batch / (time.perf_counter() - t0)

    def vmapped(params, b):
        batched(params, b.age, b.s_items, b.s_labels, b.s_weights, b.q_items, b.q_labels,
                b.q_weights).mean().backward()

    def looped(params, b):
        _per_task_loss(params, feats, b, cfg.inner_steps, cfg.inner_lr, keys).backward()

    fast, slow = run(vmapped), run(looped)
    return {"what": "second-order MAML outer step, tasks per second, one thread",
            "meta_batch": meta_batch, "inner_steps": cfg.inner_steps,
            "vmap_torch_func": round(fast, 1), "per_task_loop": round(slow, 1),
            "speedup": round(fast / slow, 2)}


__all__ = ["training_throughput"]
