"""Data-parallel meta-training over several processes or machines, with ``torchrun`` and DDP.

    torchrun --nproc_per_node=2 -m metarec.training.distributed --methods maml fomaml --out run/metarec.pt
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv-endpoint=HOST:29500 -m metarec.training.distributed ...

Each method is meta-trained by every process together (the methods train one after another).
Every process draws the whole meta-batch from the same seeded sampler and keeps its own
contiguous share of the tasks, so the shares together are exactly the meta-batch that one process
would train on. Each process computes the MAML meta-gradient (Finn, Abbeel & Levine, ICML 2017)
of its share through the same ``vmap``-batched inner loop as :func:`metarec.training.outer_loop.outer_loop`;
``torch.nn.parallel.DistributedDataParallel`` (Li et al., "PyTorch Distributed: Experiences on
Accelerating Data Parallel Training", VLDB 2020) all-reduces the gradients during ``backward``.
Its loss is the sum of its task losses times ``world_size / meta_batch``, so DDP's average over
processes is the mean over all tasks, whatever the share sizes. Every process then takes the same
Adam step from the same parameters, so the replicas stay equal; rank 0 validates (early
stopping), broadcasts the score, and writes the checkpoint. The result equals one-process
training up to floating-point rounding (``tests/test_distributed.py``).

DDP sees an ``nn.Module`` (:class:`MetaBatchLoss`) whose parameters are the functional params
dict and whose forward is the vmapped meta-loss of a task batch; ``torch.func`` transforms inside
the forward are ordinary autograd to DDP, so no hand-written all-reduce is needed.

Backend: NCCL when the process has a CUDA GPU (``cuda:LOCAL_RANK``), else gloo on the CPU (Apple
MPS tensors cannot travel over gloo, so MPS trains on the CPU here). Without ``torchrun`` the
module runs as a group of one. One-process training (``python -m metarec train``) never imports
this module and is unchanged.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from dataclasses import dataclass, fields, replace

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ..core.device import pick_device
from ..core.episodes import Task
from .toybox import TrainConfig, train
from ..world import WorldConfig


class MetaBatchLoss(nn.Module):
    """The functional parameters as an ``nn.Module`` whose forward is the summed task loss.

    Parameter names such as ``toy1.weight`` may not be module attribute names, so they are kept
    in a list beside a ``ParameterList`` (same order as the params dict).
    """

    def __init__(self, params: dict, batched):
        super().__init__()
        self.names = list(params)
        self.weights = nn.ParameterList(nn.Parameter(v.detach()) for v in params.values())
        self.batched = batched

    def params(self) -> dict:
        return dict(zip(self.names, self.weights))

    def forward(self, b: Task) -> torch.Tensor:
        return self.batched(self.params(), b).sum()


@dataclass(frozen=True)
class Replica:
    """This process's place in the data-parallel group (see :func:`init`)."""

    rank: int
    world_size: int
    device: torch.device
    backend: str
    how: str = "python -m metarec.training.distributed"

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def describe(self) -> str:
        n = self.world_size
        return f"{n} data-parallel training process{'es' if n > 1 else ''} (DDP, {self.backend})"

    def share(self, batch: Task) -> Task:
        """This rank's contiguous block of the meta-batch's tasks (block sizes differ by <= 1)."""
        n = batch.age.shape[0]
        if n < self.world_size:
            raise ValueError(f"meta_batch {n} is smaller than the {self.world_size} processes")
        lo, hi = self.rank * n // self.world_size, (self.rank + 1) * n // self.world_size
        return Task(*(t[lo:hi] for t in batch))

    def prepare(self, params: dict, batched, validate):
        """The hooks :func:`metarec.training.outer_loop.outer_loop` uses instead of its one-process ones:
        (parameters to optimise, ``meta_loss(batch) -> (loss, mean loss)``, ``validate``)."""
        module = MetaBatchLoss(params, batched).to(self.device)
        # static_graph: the same parameters are used every step (some learners leave a few unused)
        ddp = DistributedDataParallel(
            module, device_ids=[self.device.index] if self.device.type == "cuda" else None,
            static_graph=True)

        def meta_loss(batch: Task):
            total = ddp(self.share(batch))  # sum of this rank's task losses
            n = batch.age.shape[0]
            mean = total.detach().clone()
            dist.all_reduce(mean)  # the whole meta-batch's loss sum, for the log
            return total * (self.world_size / n), mean / n

        def validate_on_main(p) -> float:
            score = torch.zeros((), dtype=torch.float64, device=self.device)
            if self.is_main:
                score.fill_(validate(p))
            dist.broadcast(score, src=0)  # every rank takes the same early-stopping decision
            return float(score.item())

        return module.params(), meta_loss, validate_on_main


def init(backend: str | None = None, how: str | None = None) -> Replica:
    """Join the process group that ``torchrun`` describes in the environment (or a group of one)."""
    if "RANK" not in os.environ:  # not started by torchrun
        os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0")
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(_free_port()))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device()
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        device = torch.device("cpu")
    backend = backend or ("nccl" if device.type == "cuda" else "gloo")
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return Replica(dist.get_rank(), dist.get_world_size(), device, backend,
                   how or "python -m metarec.training.distributed")


def config_from_dict(data: dict) -> TrainConfig:
    """A :class:`TrainConfig` from JSON (e.g. the ``config`` of a checkpoint's manifest)."""
    data = dict(data)
    unknown = set(data) - {f.name for f in fields(TrainConfig)}
    unknown |= set(data.get("world", {})) - {f.name for f in fields(WorldConfig)}
    if unknown:
        raise ValueError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
    if "world" in data:
        data["world"] = WorldConfig(**data["world"])
    for key in ("methods", "finetune_lrs"):
        if key in data:
            data[key] = tuple(data[key])
    return TrainConfig(**data)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line and exit 2, like `python -m metarec`
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="torchrun --nproc_per_node=N -m metarec.training.distributed",
                description="Data-parallel meta-training (DDP); writes the checkpoint like "
                            "`python -m metarec train`.")
    p.add_argument("--config", default=None,
                   help="JSON file of TrainConfig settings (e.g. a manifest's \"config\")")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--methods", nargs="+", default=None)
    p.add_argument("--max-iters", type=int, default=None)
    p.add_argument("--eval-every", type=int, default=None)
    p.add_argument("--meta-batch", type=int, default=None, help="tasks per outer step, all processes")
    p.add_argument("--out", default=None, help="checkpoint path (default: the shipped one)")
    p.add_argument("--no-test", action="store_true", help="skip the test-family evaluation")
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    try:
        cfg = TrainConfig()
        if args.config:
            with open(args.config, encoding="utf-8") as f:
                cfg = config_from_dict(json.load(f))
        flags = {"seed": args.seed, "methods": tuple(args.methods) if args.methods else None,
                 "max_iters": args.max_iters, "eval_every": args.eval_every,
                 "meta_batch": args.meta_batch}
        cfg = replace(cfg, **{k: v for k, v in flags.items() if v is not None})
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if cfg.meta_batch < world_size:
        print(f"error: --meta-batch {cfg.meta_batch} is smaller than the {world_size} processes",
              file=sys.stderr)
        return 2
    replica = init(how=_how(argv))
    try:
        manifest = train(cfg, out=args.out, evaluate_test=not args.no_test, replica=replica)
    finally:
        dist.destroy_process_group()
    if manifest is not None:
        print(json.dumps({k: manifest[k] for k in ("checkpoint", "sha256", "training_seconds")},
                         indent=1))
    return 0


def _how(argv) -> str:
    """The command line that started this run, for the manifest."""
    if "LOCAL_WORLD_SIZE" not in os.environ:
        return " ".join(["python -m metarec.training.distributed", *argv])
    per_node = int(os.environ["LOCAL_WORLD_SIZE"])
    nodes = int(os.environ.get("WORLD_SIZE", per_node)) // per_node
    launcher = f"torchrun --nproc_per_node={per_node}" + (f" --nnodes={nodes}" if nodes > 1 else "")
    return " ".join([launcher, "-m metarec.training.distributed", *argv])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
