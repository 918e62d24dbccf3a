"""A tiny training run: it writes a checkpoint that loads, verifies and is reproducible."""
import json

import pytest
import torch

from metarec.core.checkpoint import load_bundle
from metarec.serving.engine import Engine
from metarec.training.toybox import TrainConfig, train
from metarec.world import WorldConfig

pytestmark = pytest.mark.slow

TINY = TrainConfig(methods=("maml", "protonet", "finetune", "tastenp", "bayes"), max_iters=4,
                   eval_every=2, meta_batch=4, finetune_lrs=(0.1, 0.3), tastenp_iters=4,
                   bayes_search=False, world=WorldConfig(n_train=40, n_val=8, n_test=8))


def test_training_writes_a_verified_reproducible_checkpoint(tmp_path):
    manifest = train(TINY, out=tmp_path / "a" / "metarec.pt", workers=1)
    on_disk = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert on_disk["sha256"] == manifest["sha256"]
    for key in ("config", "git_commit", "training_seconds", "metrics", "logs", "how", "trained_at"):
        assert key in on_disk
    assert {r["method"] for r in on_disk["metrics"]["test"]} >= {
        "maml", "protonet", "finetune", "tastenp", "bayes", "knn", "popularity", "oracle"}
    served = on_disk["metrics"]["served"]   # the learner parents get: the best on validation
    assert served["method"] == max(served["validation"], key=served["validation"].get)
    assert on_disk["logs"]["finetune"]["lr_search"].keys() == {"0.1", "0.3"}
    bundle = load_bundle(tmp_path / "a" / "metarec.pt")
    assert set(bundle["models"]) == {"maml", "protonet", "finetune", "tastenp", "bayes"}
    # the same seed gives the same weights, whether trained in one process or in two
    train(TINY, out=tmp_path / "b" / "metarec.pt", workers=2, evaluate_test=False)
    again = load_bundle(tmp_path / "b" / "metarec.pt")
    for name in ("maml", "protonet", "finetune", "tastenp"):
        for k, v in bundle["models"][name]["params"].items():
            assert torch.equal(v, again["models"][name]["params"][k]), (name, k)
    engine = Engine.load(device="cpu", checkpoint=tmp_path / "a" / "metarec.pt")
    assert set(engine.learners) >= {"maml", "protonet", "finetune", "tastenp", "bayes", "knn",
                                    "popularity"}
    assert engine.default_method == served["method"]
