"""Data-parallel meta-training (metarec.training.distributed): 2 processes under torchrun (gloo, CPU) give
the same checkpoint as 1 process, up to floating-point rounding."""
import json
import os
import subprocess
import sys

import pytest
import torch

from metarec.core.checkpoint import load_bundle
from metarec.training.distributed import Replica, config_from_dict
from metarec.core.episodes import EpisodeSampler
from metarec.training.toybox import _setup, train, training_problem

pytestmark = pytest.mark.slow

# second-order MAML, an odd meta-batch (shares of 2 and 3 tasks), validation at every step
CONFIG = {"methods": ["maml"], "meta_batch": 5, "max_iters": 8, "eval_every": 1, "patience": 20,
          "outer_lr": 0.01, "world": {"n_train": 40, "n_val": 8, "n_test": 8}}


def test_the_shares_of_the_ranks_make_up_the_meta_batch():
    cfg = config_from_dict(CONFIG)
    batch = EpisodeSampler(_setup(cfg, torch.device("cpu"))[2].families("train")).batch(5)
    shares = [Replica(r, 3, torch.device("cpu"), "gloo").share(batch) for r in range(3)]
    assert [s.age.shape[0] for s in shares] == [1, 2, 2]
    for field in ("age", "s_items", "s_weights", "q_items", "q_labels", "q_weights"):
        assert torch.equal(torch.cat([getattr(s, field) for s in shares]), getattr(batch, field))


def test_two_processes_under_torchrun_train_like_one(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "METAREC_DEVICE": "cpu"}
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "metarec.training.distributed", "--config", str(config), "--no-test",
         "--out", str(tmp_path / "two" / "metarec.pt")],
        capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr[-3000:]

    cfg = config_from_dict(CONFIG)
    train(cfg, out=tmp_path / "one" / "metarec.pt", workers=1, evaluate_test=False)
    one, two = (load_bundle(tmp_path / d / "metarec.pt")["models"]["maml"]["params"]
                for d in ("one", "two"))
    log1, log2 = (json.loads((tmp_path / d / "manifest.json").read_text())["logs"]["maml"]
                  for d in ("one", "two"))
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["how"].startswith("torchrun --nproc_per_node=2 -m metarec.training.distributed")
    assert "2 data-parallel training processes (DDP, gloo)" in manifest["machine"]

    # the same loss curve, validation curve and chosen step
    assert log2["best_iter"] == log1["best_iter"]
    for key in ("train_loss", "val_ndcg@10"):
        for a, b in zip(log1[key][1:], log2[key][1:], strict=True):
            assert abs(a - b) <= 2e-4, (key, log1[key], log2[key])
    # the same weights, within rounding (the meta-gradient is summed in another order) ...
    assert one.keys() == two.keys()
    diff = max((one[k] - two[k]).abs().max().item() for k in one)
    assert diff <= 1e-5, diff
    # ... and they are trained weights, not the initialisation
    _, feats, _, model_cfg = _setup(cfg, torch.device("cpu"))
    init = training_problem("maml", model_cfg, feats, cfg)[0]
    assert log1["best_iter"] > 0, "pick a CONFIG whose validation improves on the initialisation"
    assert max((two[k] - init[k]).abs().max().item() for k in init) > 1e-3
