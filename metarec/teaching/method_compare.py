"""The meta-learning methods side by side on a 2-D toy world, small enough to draw.

Every toy is a point ``x`` in the plane (two made-up features); a family likes a toy with
probability ``sigmoid(w . x)``, and each family has its own taste ``w`` (drawn around a shared
mean: :data:`WORLD`). A task is one family: a support set (3 liked, 2 not-liked toys) and a query
set (10 other toys). Each method is meta-trained here, in NumPy, on :data:`N_TRAIN` such families
(exact gradients, fixed seeds: the same pictures on every machine), then adapts to one new
family. What the page draws for each method:

- *gradient methods* adapt the taste ``w`` itself, drawn in the plane of tastes: the meta-learned
  start, the inner loop's steps on the support set, and this family's contribution to the outer
  update:

  - MAML (Finn et al., ICML 2017): the gradient of the query loss *through* the inner steps
    (second order: ``J^T grad L_query(w')``, ``J = prod (I - a H_k)``);
  - first-order MAML (Finn et al. 2017; Nichol et al. 2018): the query gradient at ``w'`` only;
  - Reptile (Nichol, Achiam & Schulman, 2018): a step from the start towards ``w'``;
  - Meta-SGD (Li, Zhou, Chen & Li, 2017): like MAML, with one meta-learned step size per
    parameter, so the inner steps bend;
  - empirical Bayes (Robbins 1956; Efron & Morris 1973): a Gaussian prior over tastes estimated
    from the training families, and this family's MAP taste under it. MAML's few steps from its
    start act like such a prior centred on the start (Grant et al., ICLR 2018);

- *metric methods* adapt nothing by gradient: they compare a toy with the support set in an
  embedding space (here the plane itself), drawn as the score over the plane:

  - prototypical networks (Snell, Swersky & Zemel, NeurIPS 2017): the distance to the mean of
    the liked toys against the distance to the mean of the others;
  - matching networks (Vinyals et al., NeurIPS 2016): an attention-weighted vote of the support
    toys (softmax over cosine similarities);
  - relation networks (Sung et al., CVPR 2018): a small network, meta-trained here, scores the
    pair (toy, mean of the liked toys).

Example:
    >>> ill = illustrate("maml", seed=0)
    >>> ill.kind, len(ill.path) == INNER_STEPS + 1
    ('params', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

METHODS = ("maml", "fomaml", "reptile", "metasgd", "bayes", "protonet", "matching", "relation")
GRADIENT = ("maml", "fomaml", "reptile", "metasgd", "bayes")
WORLD = {"mean": (3.0, 1.0), "std": 1.5}   # tastes w ~ N(mean, std^2 I)
N_TRAIN, N_TOYS, N_LIKED, N_NOT, N_QUERY = 300, 40, 3, 2, 10
INNER_STEPS, INNER_LR, OUTER_STEPS, OUTER_LR, BATCH = 5, 1.5, 200, 0.5, 32
GRID = np.linspace(-3.0, 3.0, 61)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class Task:
    """One 2-D family: its taste, a support set and a query set."""

    w: np.ndarray           # [2] the family's true taste
    xs: np.ndarray          # [5, 2] support toys: 3 liked, then 2 not liked
    ys: np.ndarray          # [5] 1 liked / 0 not
    xq: np.ndarray          # [10, 2] query toys
    yq: np.ndarray          # [10]
    xa: np.ndarray          # [40, 2] every toy the family labelled (its history: the prior's fit)
    ya: np.ndarray          # [40]


def make_task(rng) -> Task:
    """A family drawn from :data:`WORLD` with a 3-liked / 2-not-liked support and 10 query toys."""
    while True:
        w = np.asarray(WORLD["mean"]) + WORLD["std"] * rng.standard_normal(2)
        x = rng.standard_normal((N_TOYS, 2))
        y = (rng.random(N_TOYS) < _sigmoid(x @ w)).astype(float)
        liked, other = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        if len(liked) > N_LIKED and len(other) > N_NOT:
            support = np.concatenate([liked[:N_LIKED], other[:N_NOT]])
            rest = np.setdiff1d(np.arange(N_TOYS), support)[:N_QUERY]
            return Task(w, x[support], y[support], x[rest], y[rest], x, y)


def loss_grad_hess(w, x, y):
    """Mean logistic loss of taste ``w`` on (x, y), its gradient and its Hessian; batched over
    leading dimensions (``w`` [..., 2], ``x`` [..., n, 2], ``y`` [..., n])."""
    p = _sigmoid(np.einsum("...nd,...d->...n", x, w))
    eps = 1e-9
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps), axis=-1)
    n = y.shape[-1]
    grad = np.einsum("...nd,...n->...d", x, p - y) / n
    hess = np.einsum("...nd,...n,...ne->...de", x, p * (1 - p), x) / n
    return loss, grad, hess


def inner_loop(start, xs, ys, lr=INNER_LR, steps: int = INNER_STEPS):
    """Gradient steps on the support loss from ``start`` (``lr``: a number or one per parameter),
    batched over tasks; returns the path [steps + 1, ..., 2], d(end)/d(start) and d(end)/d(lr)
    (forward mode, exact)."""
    lr = np.broadcast_to(np.asarray(lr, float), (2,))
    batch = ys.shape[:-1]
    w = np.broadcast_to(np.asarray(start, float), (*batch, 2)).copy()
    path, jac, d_lr = [w.copy()], np.broadcast_to(np.eye(2), (*batch, 2, 2)), np.zeros((*batch, 2, 2))
    for _ in range(steps):
        _, g, h = loss_grad_hess(w, xs, ys)
        step = np.eye(2) - lr[:, None] * h
        jac = step @ jac
        d_lr = step @ d_lr - g[..., :, None] * np.eye(2)
        w = w - lr * g
        path.append(w.copy())
    return np.stack(path), jac, d_lr


def outer_direction(method: str, start, xs, ys, xq, yq, lr=INNER_LR):
    """Each task's outer-update direction for ``start`` (minus its meta-gradient; Reptile: towards
    the adapted taste) and, for Meta-SGD, for the step sizes (batched over tasks)."""
    path, jac, d_lr = inner_loop(start, xs, ys, lr)
    _, gq, _ = loss_grad_hess(path[-1], xq, yq)
    if method == "reptile":
        return path[-1] - path[0], np.zeros_like(gq)
    if method == "fomaml":
        return -gq, np.zeros_like(gq)
    return (-np.einsum("...ji,...j->...i", jac, gq),        # maml, metasgd
            -np.einsum("...ji,...j->...i", d_lr, gq))


def _stack(tasks, *names):
    return [np.stack([getattr(t, n) for t in tasks]) for n in names]


@lru_cache(maxsize=None)
def training_tasks(seed: int = 0) -> tuple[Task, ...]:
    rng = np.random.default_rng([seed, 1])
    return tuple(make_task(rng) for _ in range(N_TRAIN))


@lru_cache(maxsize=None)
def meta_train(method: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Meta-train a gradient method's start (and Meta-SGD's step sizes) from (0, 0) on the training
    families: :data:`OUTER_STEPS` outer steps of :data:`BATCH` families each (plain SGD on the
    meta-gradient; Reptile: a step of 0.2 of the way towards the adapted tastes)."""
    data = _stack(training_tasks(seed), "xs", "ys", "xq", "yq")
    rng = np.random.default_rng([seed, 2])
    start, lr = np.zeros(2), np.full(2, INNER_LR)
    for _ in range(OUTER_STEPS):
        batch = rng.choice(N_TRAIN, BATCH, replace=False)
        d_start, d_lr = outer_direction(method, start, *(a[batch] for a in data), lr)
        start = start + (0.2 if method == "reptile" else OUTER_LR) * d_start.mean(0)
        if method == "metasgd":
            lr = np.clip(lr + OUTER_LR * d_lr.mean(0), 0.01, 3.0)
    return start, lr


@lru_cache(maxsize=None)
def empirical_prior(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The prior's mean and covariance, estimated from the training families: each family's taste
    fitted on its whole history (40 labelled toys, a little ridge), then pooled."""
    x, y = _stack(training_tasks(seed), "xa", "ya")
    w = np.zeros((len(y), 2))
    for _ in range(25):   # Newton steps, every family at once
        _, g, h = loss_grad_hess(w, x, y)
        w = w - np.linalg.solve(h + 0.01 * np.eye(2), (g + 0.01 * w)[..., None])[..., 0]
    return w.mean(0), np.cov(w.T) + 1e-3 * np.eye(2)


def map_taste(task: Task, mean, cov) -> np.ndarray:
    """The family's MAP taste: support log-likelihood plus the Gaussian prior (Newton steps)."""
    prec, w, n = np.linalg.inv(cov), np.array(mean, float), len(task.ys)
    for _ in range(25):
        _, g, h = loss_grad_hess(w, task.xs, task.ys)
        w = w - np.linalg.solve(n * h + prec, n * g + prec @ (w - mean))
    return w


# ---- metric methods ----------------------------------------------------------------------------

def _relation_forward(params, inp):
    w1, b1, w2, b2 = params
    hidden = np.tanh(inp @ w1 + b1)
    return hidden, _sigmoid(hidden @ w2 + b2)


@lru_cache(maxsize=None)
def relation_module(seed: int = 0, steps: int = 600, hidden: int = 16):
    """A relation module ``g([x, c]) -> [0, 1]`` (c: the mean of the liked support toys), trained
    on the training families with the paper's squared error to 1 (liked) / 0 (not liked)."""
    rng = np.random.default_rng([seed, 3])
    params = [rng.standard_normal((4, hidden)) * 0.5, np.zeros(hidden),
              rng.standard_normal(hidden) * 0.5, np.zeros(())]
    xs, xq, yq = _stack(training_tasks(seed), "xs", "xq", "yq")
    liked_mean = xs[:, :N_LIKED].mean(1)            # the support's liked toys come first
    pairs = np.concatenate([xq, np.repeat(liked_mean[:, None], N_QUERY, 1)], axis=2)
    for _ in range(steps):
        batch = rng.choice(N_TRAIN, BATCH, replace=False)
        inp, target = pairs[batch].reshape(-1, 4), yq[batch].ravel()
        hid, out = _relation_forward(params, inp)
        d_out = 2 * (out - target) * out * (1 - out) / len(target)
        d_hid = np.outer(d_out, params[2]) * (1 - hid ** 2)
        grads = [inp.T @ d_hid, d_hid.sum(0), hid.T @ d_out, d_out.sum()]
        params = [p - 0.5 * g for p, g in zip(params, grads)]
    return params


def metric_scores(method: str, task: Task, points: np.ndarray, seed: int = 0) -> np.ndarray:
    """P(like) of each point as the metric method reads this family's support set."""
    liked, other = task.xs[task.ys == 1], task.xs[task.ys == 0]
    if method == "protonet":
        d_like = ((points - liked.mean(0)) ** 2).sum(1)
        d_other = ((points - other.mean(0)) ** 2).sum(1)
        return _sigmoid(d_other - d_like)           # softmax over the two negative distances
    if method == "matching":
        return matching_attention(task, points) @ task.ys
    c = liked.mean(0)
    return _relation_forward(relation_module(seed), np.hstack(
        [points, np.repeat(c[None], len(points), 0)]))[1]


def matching_attention(task: Task, points: np.ndarray, sharpness: float = 5.0) -> np.ndarray:
    """Attention of each point over the support toys: softmax of cosine similarities of the
    embeddings ``f(x) = (x1, x2, 1)`` (the constant keeps the origin's neighbours apart)."""
    def embed(x):
        e = np.hstack([x, np.ones((len(x), 1))])
        return e / np.linalg.norm(e, axis=1, keepdims=True)
    logits = sharpness * embed(points) @ embed(task.xs).T
    logits -= logits.max(1, keepdims=True)
    a = np.exp(logits)
    return a / a.sum(1, keepdims=True)


# ---- what the page draws -----------------------------------------------------------------------

@dataclass
class Illustration:
    """One method on one family, ready to draw (``kind``: "params" or "features")."""

    method: str
    kind: str
    task: Task
    grid: np.ndarray = field(default_factory=lambda: GRID)   # offsets from ``centre``, both axes
    centre: np.ndarray = field(default_factory=lambda: np.zeros(2))
    surface: np.ndarray | None = None       # [len(grid), len(grid)]: support loss or P(like)
    start: np.ndarray | None = None         # gradient methods: the meta-learned start
    path: np.ndarray | None = None          # ... the inner loop's tastes, start first
    direction: np.ndarray | None = None     # ... this family's outer-update direction
    lr: np.ndarray | None = None            # ... the inner step sizes (Meta-SGD: learned)
    prior: tuple | None = None              # bayes: (mean, covariance)
    map_w: np.ndarray | None = None         # bayes: this family's MAP taste
    prototypes: np.ndarray | None = None    # protonet: [liked mean, others' mean]
    query_accuracy: float = 0.0             # share of the 10 query toys on the right side


def illustrate(method: str, seed: int = 0, train_seed: int = 0) -> Illustration:
    """``method`` (one of :data:`METHODS`) meta-trained on the toy world, adapting to the
    ``seed``-th new family."""
    if method not in METHODS:
        raise KeyError(method)
    task = make_task(np.random.default_rng([train_seed, 100, seed]))
    gx, gy = np.meshgrid(GRID, GRID)
    plane = np.column_stack([gx.ravel(), gy.ravel()])
    if method in GRADIENT:
        ill = Illustration(method, "params", task)
        ref = "maml" if method == "bayes" else method
        ill.start, lr = meta_train(ref, train_seed)
        ill.lr = np.broadcast_to(lr, (2,)).copy()
        ill.path = inner_loop(ill.start, task.xs, task.ys, lr)[0]
        ill.direction = outer_direction(ref, ill.start, task.xs, task.ys, task.xq, task.yq, lr)[0]
        taste = ill.path[-1]
        if method == "bayes":
            ill.prior = empirical_prior(train_seed)
            ill.map_w = taste = map_taste(task, *ill.prior)
        shown = np.vstack([ill.path, task.w[None], taste[None]])
        centre, half = (shown.max(0) + shown.min(0)) / 2, max(np.ptp(shown, 0).max() / 2 + 1.5, 3)
        ill.grid = np.linspace(-half, half, len(GRID))   # a square around what is drawn
        ill.centre = centre
        px, py = np.meshgrid(centre[0] + ill.grid, centre[1] + ill.grid)
        ill.surface = loss_grad_hess(np.column_stack([px.ravel(), py.ravel()]), task.xs,
                                     task.ys)[0].reshape(px.shape)
        ill.query_accuracy = float(np.mean((task.xq @ taste > 0) == (task.yq == 1)))
        return ill
    ill = Illustration(method, "features", task)
    ill.surface = metric_scores(method, task, plane, train_seed).reshape(gx.shape)
    if method == "protonet":
        ill.prototypes = np.array([task.xs[task.ys == 1].mean(0), task.xs[task.ys == 0].mean(0)])
    ill.query_accuracy = float(np.mean((metric_scores(method, task, task.xq, train_seed) > 0.5)
                                       == (task.yq == 1)))
    return ill
