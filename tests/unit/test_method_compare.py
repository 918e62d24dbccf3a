"""The 2-D toy world of the teachers' page (metarec.teaching.method_compare): its meta-gradients
are the true ones (finite differences), and each method's picture is what its paper describes."""
from __future__ import annotations

import numpy as np
import pytest

from metarec.teaching import method_compare as mc


@pytest.fixture(scope="module")
def task():
    return mc.make_task(np.random.default_rng(7))


def _query_loss_after(start, task, lr):
    path = mc.inner_loop(start, task.xs, task.ys, lr)[0]
    return mc.loss_grad_hess(path[-1], task.xq, task.yq)[0]


def test_a_task_has_three_liked_and_two_other_support_toys(task):
    assert task.ys.tolist() == [1, 1, 1, 0, 0] and task.xq.shape == (mc.N_QUERY, 2)


@pytest.mark.parametrize("method", ["maml", "metasgd"])
def test_the_second_order_meta_gradient_is_the_true_one(task, method):
    """MAML's direction is minus the gradient of the query loss through the inner steps; Meta-SGD's
    also for its step sizes: both match finite differences."""
    start, lr, eps = np.array([1.0, -0.5]), np.array([1.2, 0.7]), 1e-5
    d_start, d_lr = mc.outer_direction(method, start, task.xs, task.ys, task.xq, task.yq, lr)
    for i in range(2):
        e = np.eye(2)[i] * eps
        numeric = (_query_loss_after(start + e, task, lr) - _query_loss_after(start - e, task, lr)) / (2 * eps)
        assert -d_start[i] == pytest.approx(numeric, rel=1e-4, abs=1e-7)
        numeric_lr = (_query_loss_after(start, task, lr + e) - _query_loss_after(start, task, lr - e)) / (2 * eps)
        assert -d_lr[i] == pytest.approx(numeric_lr, rel=1e-4, abs=1e-7)


def test_first_order_and_reptile_directions(task):
    start = np.array([1.0, -0.5])
    path = mc.inner_loop(start, task.xs, task.ys)[0]
    first, _ = mc.outer_direction("fomaml", start, task.xs, task.ys, task.xq, task.yq)
    assert first == pytest.approx(-mc.loss_grad_hess(path[-1], task.xq, task.yq)[1])
    reptile, _ = mc.outer_direction("reptile", start, task.xs, task.ys, task.xq, task.yq)
    assert reptile == pytest.approx(path[-1] - start)


def test_batched_inner_loop_equals_one_task_at_a_time():
    tasks = mc.training_tasks()[:4]
    xs, ys = np.stack([t.xs for t in tasks]), np.stack([t.ys for t in tasks])
    batched = mc.inner_loop(np.zeros(2), xs, ys)[0]
    for i, t in enumerate(tasks):
        assert batched[:, i] == pytest.approx(mc.inner_loop(np.zeros(2), t.xs, t.ys)[0])


def test_empirical_bayes_map_sits_between_the_prior_and_the_support(task):
    mean, cov = mc.empirical_prior()
    w = mc.map_taste(task, mean, cov)
    _, g, h = mc.loss_grad_hess(w, task.xs, task.ys)
    # the MAP's optimality condition: n * grad(support loss) + prior precision (w - mean) = 0
    assert len(task.ys) * g + np.linalg.inv(cov) @ (w - mean) == pytest.approx(np.zeros(2), abs=1e-6)


def test_metric_methods_read_the_support_set(task):
    """Prototypical: nearer the liked mean than the other mean means P(like) > 0.5; matching: the
    attention over the support sums to one; a support toy scores towards its own label."""
    liked, other = task.xs[:3].mean(0), task.xs[3:].mean(0)
    p = mc.metric_scores("protonet", task, np.vstack([liked, other]))
    assert p[0] > 0.5 > p[1]
    attention = mc.matching_attention(task, task.xq)
    assert attention.sum(1) == pytest.approx(np.ones(len(task.xq)))
    for method in ("protonet", "matching", "relation"):
        scores = mc.metric_scores(method, task, task.xs)
        assert scores[:3].mean() > scores[3:].mean(), method


@pytest.mark.parametrize("method", mc.METHODS)
def test_every_method_is_drawn_the_same_way_twice(method):
    a, b = mc.illustrate(method, seed=3), mc.illustrate(method, seed=3)
    assert a.kind == ("params" if method in mc.GRADIENT else "features")
    assert np.array_equal(a.surface, b.surface) and a.query_accuracy == b.query_accuracy
    assert a.surface.shape == (len(a.grid), len(a.grid))
    if a.kind == "params":
        assert a.path.shape == (mc.INNER_STEPS + 1, 2) and np.all(np.isfinite(a.direction))
    assert 0.5 <= np.mean([mc.illustrate(method, seed=s).query_accuracy for s in range(20)]) <= 1
