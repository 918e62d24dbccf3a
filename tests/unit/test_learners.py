"""Every learner implements the interface and learns something from the support set."""
import numpy as np
import pytest
import torch

from metarec.core.episodes import evaluation_episodes
from metarec.evaluation.toybox import episode_metrics
from metarec.learners import Learner
from metarec.learners.gradient import GradientLearner
from metarec.world import ToyWorld, WorldConfig

# Families with a clear taste: strong favourite categories, little noise.
CLEAR = WorldConfig(seed=99, n_train=1, n_val=1, n_test=80, favourite_boost=3.0, noise=0.2,
                    pop_scale=0.2)


@pytest.fixture(scope="module")
def episodes(catalog):
    return evaluation_episodes(ToyWorld(catalog, CLEAR).families("test"), shots=5, seed=3)


def _ndcg(learner, episodes):
    return float(np.mean(episode_metrics(learner, episodes)["ndcg@10"]))


def test_every_learner_has_the_interface(engine):
    assert {"maml", "fomaml", "melu", "metasgd", "reptile", "protonet", "matching", "relation",
            "finetune", "knn", "popularity"} <= set(engine.learners)
    for name, learner in engine.learners.items():
        assert isinstance(learner, Learner) and learner.name == name and learner.paper


@pytest.mark.parametrize("name", ["maml", "fomaml", "melu", "metasgd", "reptile", "finetune"])
def test_gradient_learners_improve_by_adapting(engine, episodes, name):
    learner = engine.learners[name]
    frozen = GradientLearner(learner.method, learner.params, learner.feats, steps=0, lr=learner.lr)
    before, after = _ndcg(frozen, episodes), _ndcg(learner, episodes)
    assert after > before + 0.02, (before, after)


def _blind(episodes):
    """The same episodes with an empty support set: nothing to adapt on."""
    return [type(e)(e.family_id, e.shots, type(e.support)(e.support.age_months, e.support.items[:0],
                                                          e.support.kind[:0]),
                    e.candidates, e.relevant, e.query_items, e.query_labels) for e in episodes]


@pytest.mark.parametrize("name", ["protonet", "matching", "relation"])
def test_metric_learners_use_the_support_set(engine, episodes, name):
    learner = engine.learners[name]
    assert _ndcg(learner, episodes) > _ndcg(learner, _blind(episodes)) + 0.02


def test_knn_uses_the_liked_toys(engine, episodes):
    knn = engine.learners["knn"]
    assert _ndcg(knn, episodes) > _ndcg(knn, _blind(episodes)) + 0.05


def test_popularity_uses_the_age(engine, episodes):
    pop = engine.learners["popularity"]
    wrong_age = [type(e)(e.family_id, e.shots,
                         type(e.support)((e.support.age_months + 84) % 168, e.support.items, e.support.kind),
                         e.candidates, e.relevant, e.query_items, e.query_labels) for e in episodes]
    assert _ndcg(pop, episodes) > _ndcg(pop, wrong_age)


def test_second_order_differs_from_first_order(engine):
    """The meta-gradient really flows through the inner loop's gradients in MAML."""
    from metarec.learners.inner_loop import balanced_bce, inner_loop
    learner = engine.learners["maml"]
    items = torch.arange(12)
    labels = (items % 3 == 0).float()
    grads = {}
    for first_order in (False, True):
        p = {k: v.clone().requires_grad_(True) for k, v in learner.params.items()}
        fast = inner_loop(p, learner.feats, torch.tensor(48.0), items, labels,
                          torch.ones(12), 2, 0.5, learner.method.adapt_keys, first_order)
        loss = balanced_bce(fast, learner.feats, torch.tensor(48.0), items + 12,
                            labels, torch.ones(12))
        grads[first_order] = torch.autograd.grad(loss, p["toy1.weight"])[0]
    assert not torch.allclose(grads[False], grads[True])


def test_vmap_meta_gradient_equals_the_per_task_loop(engine):
    """The benchmark's per-task loop is a fair baseline: it computes the same meta-gradient."""
    from torch.func import vmap

    from metarec.bench.training import _per_task_loss
    from metarec.core.episodes import EpisodeSampler
    from metarec.training.toybox import TrainConfig, training_problem

    cfg = TrainConfig()
    params0, task_loss, _ = training_problem("maml", engine.model_config, engine.feats, cfg)
    b = EpisodeSampler(engine.world.families("train"), seed=0).batch(4)
    grads = []
    for way in ("vmap", "loop"):
        p = {k: v.clone().requires_grad_(True) for k, v in params0.items()}
        if way == "vmap":
            loss = vmap(task_loss, in_dims=(None, 0))(p, b).mean()
        else:
            loss = _per_task_loss(p, engine.feats, b, cfg.inner_steps, cfg.inner_lr,
                                  engine.learners["maml"].method.adapt_keys)
        loss.backward()
        grads.append(p["toy1.weight"].grad)
    assert torch.allclose(grads[0], grads[1], atol=1e-5, rtol=1e-4)
