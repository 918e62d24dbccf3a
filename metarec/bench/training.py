"""Meta-training throughput: ``vmap``-batched ``torch.func`` MAML against a per-task loop and ``higher``.

The per-task loop is how common MAML libraries run it (learn2learn's ``clone()``/``adapt()``, or a
hand-written loop): for each task, clone the parameters, take the inner steps with
``torch.autograd.grad(create_graph=True)``, add the query loss; then one backward pass. ``higher``
(Grefenstette et al., 2019, "Generalized Inner Loop Meta-Learning") does the same through a
monkey-patched copy of an ``nn.Module`` and a differentiable SGD. All three run the same scorer, the
same tasks and second-order MAML, on one thread, and are checked to give the same meta-gradient
before they are timed. Reported in tasks per second.

``higher`` is not a dependency of the product: install it for the benchmark only
(``pip install -r benchmarks/requirements.txt``); without it its row says so.
"""
from __future__ import annotations

import importlib.util
import time

import torch
from torch.func import vmap

from ..core.episodes import EpisodeSampler
from ..learners import GRADIENT_METHODS
from ..learners.inner_loop import balanced_bce
from ..training.toybox import TrainConfig, training_problem


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


class ScorerModule(torch.nn.Module):
    """The functional scorer's parameters held by an ``nn.Module`` (``higher`` patches modules).

    ``forward`` is the support/query loss, :func:`~metarec.learners.inner_loop.balanced_bce`, under
    the module's current (possibly fast) parameters.
    """

    def __init__(self, params: dict, feats):
        super().__init__()
        self.names = list(params)
        for i, v in enumerate(params.values()):
            self.register_parameter(f"p{i}", torch.nn.Parameter(v.detach().clone()))
        self.feats = feats

    def param(self, name: str) -> torch.nn.Parameter:
        return getattr(self, f"p{self.names.index(name)}")

    def forward(self, age, items, labels, weights) -> torch.Tensor:
        params = {k: getattr(self, f"p{i}") for i, k in enumerate(self.names)}
        return balanced_bce(params, self.feats, age, items, labels, weights)


def higher_meta_loss(module: ScorerModule, batch, steps: int, lr: float, keys):
    """Second-order MAML over ``batch`` with ``higher.innerloop_ctx`` (query losses averaged)."""
    import higher

    inner_opt = torch.optim.SGD([module.param(k) for k in keys], lr=lr)
    total = 0.0
    for i in range(batch.age.shape[0]):
        with higher.innerloop_ctx(module, inner_opt, copy_initial_weights=False) as (fmodel, diffopt):
            for _ in range(steps):
                diffopt.step(fmodel(batch.age[i], batch.s_items[i], batch.s_labels[i], batch.s_weights[i]))
            total = total + fmodel(batch.age[i], batch.q_items[i], batch.q_labels[i], batch.q_weights[i])
    return total / batch.age.shape[0]


def _higher_available() -> bool:
    return importlib.util.find_spec("higher") is not None


def training_throughput(engine, seconds: float = 10.0, meta_batch: int = 32) -> dict:
    """Tasks per second of one outer step (forward, second-order backward), three ways."""
    torch.set_num_threads(1)
    cfg = TrainConfig(meta_batch=meta_batch)
    feats = engine.feats
    params0, task_loss, _ = training_problem("maml", engine.model_config, feats, cfg)
    sampler = EpisodeSampler(engine.world.families("train"), seed=0)
    batches = [sampler.batch(meta_batch).to(engine.device) for _ in range(8)]
    keys = GRADIENT_METHODS["maml"].adapt_keys
    batched = vmap(task_loss, in_dims=(None, 0))

    def fresh():
        return {k: v.detach().clone().to(engine.device).requires_grad_(True) for k, v in params0.items()}

    def vmapped(params, b):
        batched(params, b).mean().backward()

    def looped(params, b):
        _per_task_loss(params, feats, b, cfg.inner_steps, cfg.inner_lr, keys).backward()

    ways = {"vmap_torch_func": (fresh, vmapped, lambda p: p), "per_task_loop": (fresh, looped, lambda p: p)}
    if _higher_available():
        def module():
            return ScorerModule(params0, feats).to(engine.device)
        ways["higher"] = (module,
                          lambda m, b: higher_meta_loss(m, b, cfg.inner_steps, cfg.inner_lr, keys).backward(),
                          lambda m: {k: m.param(k) for k in m.names})

    grads = {}
    for name, (make, step, named) in ways.items():  # the same meta-gradient, or the race is unfair
        p = make()
        step(p, batches[0])
        grads[name] = {k: v.grad for k, v in named(p).items()}
    ref = grads["vmap_torch_func"]
    same = {name: all(torch.allclose(g[k], ref[k], rtol=1e-4, atol=1e-6) for k in ref)
            for name, g in grads.items()}

    def run(make, step) -> float:
        state = make()
        step(state, batches[0])  # warm-up
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step(state, batches[n % len(batches)])
            n += 1
        return n * meta_batch / (time.perf_counter() - t0)

    rate = {name: round(run(make, step), 1) for name, (make, step, _) in ways.items()}
    out = {"what": "second-order MAML outer step, tasks per second, one thread",
           "meta_batch": meta_batch, "inner_steps": cfg.inner_steps, **rate,
           "speedup": round(rate["vmap_torch_func"] / rate["per_task_loop"], 2),
           "same_meta_gradient": same}
    if "higher" in rate:
        out["speedup_vs_higher"] = round(rate["vmap_torch_func"] / rate["higher"], 2)
    else:
        out["higher"] = "not installed (pip install -r benchmarks/requirements.txt)"
    return out


def training_peak_memory(iters: int) -> dict:
    """Meta-train second-order MAML for ``iters`` outer steps in this process; its peak memory.

    Run in a fresh process by :func:`metarec.bench.run.training_memory`.
    """
    from ..serving.engine import Engine
    from .memory import peak_rss_mb
    from ..training.toybox import fit

    torch.set_num_threads(1)
    engine = Engine.load()
    cfg = TrainConfig(max_iters=iters, eval_every=iters)
    params, task_loss, settings = training_problem("maml", engine.model_config, engine.feats, cfg)
    fit("maml", params, task_loss, settings, engine.feats, engine.world, cfg, engine.device, show_bar=False)
    return {"what": f"second-order MAML, {iters} outer steps of {cfg.meta_batch} tasks",
            "peak_rss_mb": peak_rss_mb()}


__all__ = ["training_throughput", "ScorerModule", "higher_meta_loss", "training_peak_memory"]

if __name__ == "__main__":  # python -m metarec.bench.training --memory ITERS
    import json
    import sys

    print(json.dumps(training_peak_memory(int(sys.argv[sys.argv.index("--memory") + 1]))))
