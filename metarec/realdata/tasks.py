"""Real-data tasks in the library's shapes: ragged per-user lists padded into one
:class:`metarec.core.episodes.Task`, and item features in the toy-world layout.

Neither data set has a child's age: the scorer's child-age input is the constant ``NEUTRAL_AGE`` and
every item gets the same neutral age range, so the age terms carry no information.
"""
from __future__ import annotations

import torch

from ..core.episodes import Task, padded_task
from ..core.features import ToyFeatures

NEUTRAL_AGE = 60.0          # months; the child-age input of every real-data task
NEUTRAL_MAX_AGE = 168.0     # months (14 years): every item's upper age bound


def neutral_features(x, unit) -> ToyFeatures:
    """:class:`~metarec.core.features.ToyFeatures` of real items, with neutral age fields.

    Arguments:
        x: ``[n_items, d]`` float32 model input (text or attribute features), array or tensor.
        unit: ``[n_items, d']`` float32 unit-norm content vectors (k-NN, prototypes).

    Returns:
        Features with category 0, age range ``[0, NEUTRAL_MAX_AGE]`` for every item.
    """
    n = len(x)
    return ToyFeatures(torch.as_tensor(x), torch.as_tensor(unit), torch.zeros(n, dtype=torch.long),
                       torch.zeros(n), torch.full((n,), NEUTRAL_MAX_AGE))


def pad_tasks(s_items, s_labels, q_items, q_labels) -> Task:
    """One batched :class:`~metarec.core.episodes.Task` from ragged per-task lists.

    Each row is padded to the longest row of its list; padding has weight 0, so the library's
    losses ignore it.

    Arguments:
        s_items: per task, support item ids (sequences of ints).
        s_labels: per task, support labels (1 liked / 0 not, or ratings), same lengths.
        q_items: per task, query item ids.
        q_labels: per task, query labels, same lengths.

    Returns:
        A ``Task`` with ``age = NEUTRAL_AGE`` ``[B]``, items ``[B, L]`` (long), labels and weights
        ``[B, L]`` (float).

    Example:
        >>> b = pad_tasks([[1, 2], [3]], [[1.0, 0.0], [1.0]], [[4], [5]], [[1.0], [0.0]])
        >>> b.s_items.shape, b.s_weights[1].tolist()
        (torch.Size([2, 2]), [1.0, 0.0])
    """
    return padded_task(torch.full((len(s_items),), NEUTRAL_AGE), s_items, s_labels, q_items, q_labels)
