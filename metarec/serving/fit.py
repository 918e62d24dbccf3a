"""How likely the child is to like a toy: each learner's score calibrated to a probability, and a
fit label that means something ("great", "good", "worth a try").

A learner's raw score has no unit (MAML's logits, a prototype distance, a like rate), and the old
card showed it min-max scaled within the list, so the top card always read 100% even when nothing
was known about the child. Here each learner's scores are mapped to the probability that the child
likes the toy by Platt scaling (Platt 1999): a logistic regression of "liked" on the score,

    p = sigmoid(a(k) * score + b(k)),   a(k) = a0 + a1 log k,   b(k) = b0 + b1 log k,

fitted on the *validation* families of the simulated world (never the test families): one
evaluation episode (:func:`metarec.core.episodes.evaluation_episodes`) per family, 1, 3 or 5 shots
in turn; the labels are the family's liked toys among the episode's candidates (base rate 0.23).
The slope and intercept depend on the number of liked toys ``k`` (clamped to 1..5) because a
learner's scores sharpen with more shots: MAML's per-shot Platt fits on the validation families
give ``a = 0.77, 1.00, 1.20`` and ``b = -0.76, -1.20, -1.32`` at 1, 3, 5 shots, and one pooled fit
overstated the top bin at 1 shot by 0.08 (0.67 predicted, 0.59 observed). Platt's smoothed
targets, ``(N+ + 1) / (N+ + 2)`` and ``1 / (N- + 2)``, keep the fit from over-trusting its data.

Nothing is stored in the checkpoint: the fit is computed on first use for each (checkpoint sha256,
learner) and kept in a module-level cache (the engine itself is shared and never mutated); it
adapts the learner on :data:`N_FAMILIES` families: about 0.7 s for MAML on one CPU core once torch
is warm (:func:`~metarec.serving.recommend.warm_up` pays it at start), under 0.1 s for the metric
learners and the baselines. With 150 families instead of 48 the calibrated probabilities move by
less than 0.01 in every bin.

References:
    Platt, "Probabilistic Outputs for Support Vector Machines and Comparisons to Regularized
    Likelihood Methods", Advances in Large Margin Classifiers, 1999.

On 200 validation families' top 10 at 3 shots with TasteNP, the served learner
(``experiments/reason_kinds.py``), the labels split 0.54 great / 0.39 good / 0.08 worth a try,
and the share of those cards the child really likes is 0.83 / 0.63 / 0.38 (mean calibrated
probabilities 0.83 / 0.62 / 0.38: the calibration holds; a random suitable toy: 0.23); at 1 shot
0.41 / 0.48 / 0.10 with 0.81 / 0.59 / 0.40 liked. With no liked toys no card reads "great"
(:func:`fit_label`).

Example:
    >>> cal = calibration(engine, "maml")
    >>> p = cal(scores, shots=3)                    # probabilities, same shape as scores
    >>> fit_label(0.75), fit_label(0.75, personal=False)
    ('great', 'good')
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..core.episodes import evaluation_episodes

CAL_SHOTS = (1, 3, 5)   # the numbers of liked toys the calibration sees, one per family in turn
N_FAMILIES = 48         # validation families adapted on (16 per number of shots)
CAL_SEED = 0            # the evaluation episodes' seed (the same episodes as the shots curve)

BASE_RATE = 0.25        # a random suitable toy is liked by a quarter of children (the world's
                        # like_fraction; 0.23 among the calibration episodes' candidates)
GREAT = 0.7   # at least 7 in 10 such picks are liked: nearly three times a random suitable toy
GOOD = 0.5    # better-than-even odds: twice a random suitable toy
FIT_LABELS = ("great", "good", "worth_a_try")   # locale keys fit.great, fit.good, fit.worth_a_try


@dataclass(frozen=True)
class Platt:
    """Platt scaling with a slope and an intercept linear in ``log k`` (``k``: liked toys).

    Arguments:
        a0, a1: the slope ``a(k) = a0 + a1 log k``.
        b0, b1: the intercept ``b(k) = b0 + b1 log k``.
        base_rate: the share of liked toys in the data it was fitted on.
        n: the number of (score, label) pairs it was fitted on.
    """

    a0: float
    a1: float = 0.0
    b0: float = 0.0
    b1: float = 0.0
    base_rate: float = BASE_RATE
    n: int = 0

    def __call__(self, scores, shots: int | np.ndarray = 3) -> np.ndarray:
        """Probabilities of being liked for ``scores`` (array-like) at ``shots`` liked toys."""
        s = np.asarray(scores, dtype=np.float64)
        logk = np.log(np.clip(np.asarray(shots, dtype=np.float64), CAL_SHOTS[0], CAL_SHOTS[-1]))
        z = (self.a0 + self.a1 * logk) * s + self.b0 + self.b1 * logk
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def platt_fit(scores, labels, shots=None, iterations: int = 50) -> Platt:
    """Fit :class:`Platt` by Newton's method on Platt's smoothed targets (Platt 1999).

    Arguments:
        scores: raw learner scores, ``[n]``.
        labels: 1 = liked, 0 = not, ``[n]``.
        shots: the number of liked toys each score was computed from, ``[n]``; when absent or
            all equal, only the slope and intercept are fitted (``a1 = b1 = 0``).
        iterations: Newton steps at most (it converges in a handful).

    Returns:
        The fitted :class:`Platt`.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> s = rng.normal(size=5000)
        >>> y = rng.random(5000) < 1 / (1 + np.exp(-(2 * s - 1)))
        >>> cal = platt_fit(s, y)
        >>> round(cal.a0, 1), round(cal.b0, 1)
        (2.0, -1.0)
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=np.float64).ravel()
    if s.shape != y.shape or not len(s):
        raise ValueError("scores and labels must be non-empty and of the same length")
    n_pos = y.sum()
    target = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (len(y) - n_pos + 2))
    cols = [s, np.ones_like(s)]
    varied = shots is not None and len(np.unique(np.asarray(shots))) > 1
    if varied:
        logk = np.log(np.clip(np.asarray(shots, dtype=np.float64).ravel(), CAL_SHOTS[0], CAL_SHOTS[-1]))
        cols += [s * logk, logk]
    x = np.stack(cols, 1)
    w = np.zeros(x.shape[1])
    ridge = 1e-6 * np.eye(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30.0, 30.0)))
        grad = x.T @ (p - target)
        hess = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    a1, b1 = (float(w[2]), float(w[3])) if varied else (0.0, 0.0)
    return Platt(float(w[0]), a1, float(w[1]), b1, float(y.mean()), len(y))


def calibration_data(engine, method: str, n_families: int = N_FAMILIES,
                     seed: int = CAL_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(scores, labels, shots)`` of ``method`` on validation episodes, one per family.

    The families are spread evenly over the validation split; family ``j`` gets
    ``CAL_SHOTS[j % 3]`` liked toys; every candidate of its episode is one (score, label) pair.
    """
    families = engine.world.families("val")
    step = max(len(families) // n_families, 1)
    learner = engine.learner(method)
    scores, labels, shots = [], [], []
    for j, family in enumerate(families[::step][:n_families]):
        k = CAL_SHOTS[j % len(CAL_SHOTS)]
        episode = evaluation_episodes([family], k, seed=seed)[0]
        state = learner.adapt(episode.support)
        s = learner.score(state, torch.from_numpy(episode.candidates)).float().cpu().numpy()
        scores.append(s)
        labels.append(np.isin(episode.candidates, episode.relevant))
        shots.append(np.full(len(s), len(episode.support.liked)))
    return np.concatenate(scores), np.concatenate(labels), np.concatenate(shots)


class _EngineKey:
    """An engine in a cache key: equal by checkpoint sha256 (its id when it has none); a weak
    reference, so the cache never keeps an engine alive."""

    __slots__ = ("key", "ref")

    def __init__(self, engine):
        version = engine.version
        self.key = (version if version != "?" else f"engine-{id(engine)}", engine.catalog.sha256)
        self.ref = weakref.ref(engine)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _EngineKey) and self.key == other.key


@lru_cache(maxsize=64)
def _fitted(key: _EngineKey, method: str) -> Platt:
    engine = key.ref()
    if engine is None:   # never: the caller holds the engine while this runs
        raise RuntimeError("the engine went away during calibration")
    return platt_fit(*calibration_data(engine, method))


def calibration(engine, method: str) -> Platt:
    """The :class:`Platt` calibration of ``method``'s scores for ``engine``'s checkpoint (fitted on
    first use, then cached by checkpoint sha256 and learner name)."""
    engine.learner(method)   # KeyError for an unknown learner, before any work
    return _fitted(_EngineKey(engine), method)


def fit_label(p: float, personal: bool = True, base_rate: float = BASE_RATE) -> str:
    """The card's fit label for a calibrated probability ``p`` (a locale key under ``fit.``).

    Against the base rate, the chance that a random toy suitable at the child's age is liked (a
    quarter):

    - ``"great"``: ``p >= 0.7`` (:data:`GREAT`): at least 7 in 10 such picks are liked;
    - ``"good"``: ``p >= 0.5`` (:data:`GOOD`): better-than-even odds, twice a random toy;
    - ``"worth_a_try"``: anything else the ranking still put forward.

    (With the served learner a 3-shot top 10 is mostly above 0.5: thresholds at 2x and 1.5x the
    base rate made nearly every card "great", a label that said nothing.)

    Arguments:
        p: the calibrated probability that the child likes the toy.
        personal: False when nothing is known about the child (no liked toys: the popularity
            fallback). A toy popular at this age can be liked by most children (calibrated
            popularity reaches 0.6-0.8 for the most popular toys), but "great fit" is a claim
            about *this* child, so without liked toys the label stops at ``"good"``.
        base_rate: the chance a random suitable toy is liked (the thresholds scale with it).

    Example:
        >>> fit_label(0.75), fit_label(0.6), fit_label(0.3), fit_label(0.75, personal=False)
        ('great', 'good', 'worth_a_try', 'good')
    """
    scale = base_rate / BASE_RATE
    if p >= GREAT * scale and personal:
        return "great"
    if p >= GOOD * scale:
        return "good"
    return "worth_a_try"
