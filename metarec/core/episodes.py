"""Tasks (episodes): one family = one task, split into a support set and a query set.

The same code builds the support set for training, evaluation, the app and the tests, so every
learner sees the same kind of input whatever calls it (as in learn2learn's task datasets).

A support set holds the family's ``k`` liked toys (the *shots*), the toys it disliked, and a few
*implicit negatives*: random toys suitable for the child's age that the family did not mention,
labelled 0 as in implicit-feedback recommenders (a parent who only names likes still gives the
learner something to contrast them with).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import torch

SHOTS = (1, 3, 5, 10)
N_IMPLICIT = 10   # implicit negatives per support set
N_QUERY_POS = 10  # liked toys in a training query set
N_QUERY_NEG = 20  # other suitable toys in a training query set

LIKED, DISLIKED, IMPLICIT = 1, -1, 0


class Family(Protocol):
    """What episodes need of a family (a simulated :class:`metarec.world.Family`, or any other)."""

    id: int
    age_months: int
    eligible: np.ndarray   # toy indices the child may be shown
    liked: np.ndarray      # toy indices it likes
    disliked: np.ndarray   # toy indices it dislikes


@dataclass(frozen=True)
class Support:
    """What a learner adapts on: the child's age and labelled toy indices."""

    age_months: float
    items: torch.Tensor  # [n] toy indices
    kind: torch.Tensor   # [n] LIKED, DISLIKED or IMPLICIT
    family_id: int | None = None  # a simulated family's id (only the oracle reads it)

    @property
    def labels(self) -> torch.Tensor:
        return (self.kind == LIKED).float()

    @property
    def liked(self) -> torch.Tensor:
        return self.items[self.kind == LIKED]

    @property
    def disliked(self) -> torch.Tensor:
        return self.items[self.kind == DISLIKED]

    def to(self, device: torch.device) -> "Support":
        return Support(self.age_months, self.items.to(device), self.kind.to(device), self.family_id)


@dataclass(frozen=True)
class Episode:
    """A support set plus what the learner is scored on for one family."""

    family_id: int
    shots: int
    support: Support
    candidates: np.ndarray  # toys to rank: suitable for the age, not named by the family
    relevant: np.ndarray    # liked toys among the candidates (the ranking ground truth)
    query_items: np.ndarray   # labelled query toys for a training loss
    query_labels: np.ndarray


def input_seed(age_months: float, liked, disliked) -> int:
    """A seed from the request itself, so equal input always gives equal implicit negatives."""
    key = f"{age_months:.3f}|{','.join(map(str, sorted(liked)))}|{','.join(map(str, sorted(disliked)))}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")


def make_support(age_months: float, liked, disliked, eligible: np.ndarray,
                 rng: np.random.Generator | None = None, n_implicit: int = N_IMPLICIT) -> Support:
    """Build a support set from liked and disliked toy indices plus implicit negatives."""
    liked = np.asarray(liked, dtype=np.int64)
    disliked = np.asarray(disliked, dtype=np.int64)
    if rng is None:
        rng = np.random.default_rng(input_seed(age_months, liked.tolist(), disliked.tolist()))
    pool = np.setdiff1d(eligible, np.concatenate([liked, disliked]))
    implicit = rng.choice(pool, size=min(n_implicit, len(pool)), replace=False)
    items = np.concatenate([liked, disliked, implicit]).astype(np.int64)
    kind = np.concatenate([np.full(len(liked), LIKED), np.full(len(disliked), DISLIKED),
                           np.full(len(implicit), IMPLICIT)])
    return Support(float(age_months), torch.from_numpy(items), torch.from_numpy(kind))


def sample_episode(family: Family, shots: int, rng: np.random.Generator,
                   n_disliked: int | None = None) -> Episode:
    """A ``shots``-shot episode of ``family``: ``shots`` liked toys, ``n_disliked`` disliked ones
    (default ``shots // 2``), implicit negatives; the rest of its suitable toys are the query."""
    n_disliked = shots // 2 if n_disliked is None else n_disliked
    liked = rng.choice(family.liked, size=min(shots, len(family.liked) - 1), replace=False)
    disliked = rng.choice(family.disliked, size=min(n_disliked, len(family.disliked)), replace=False)
    support = make_support(family.age_months, liked, disliked, family.eligible, rng)
    support = Support(support.age_months, support.items, support.kind, int(family.id))
    candidates = np.setdiff1d(family.eligible, np.concatenate([liked, disliked]))
    relevant = np.intersect1d(candidates, family.liked)
    others = np.setdiff1d(candidates, relevant)
    q_pos = rng.choice(relevant, size=min(N_QUERY_POS, len(relevant)), replace=False)
    q_neg = rng.choice(others, size=min(N_QUERY_NEG, len(others)), replace=False)
    return Episode(family.id, shots, support, candidates, relevant,
                   np.concatenate([q_pos, q_neg]),
                   np.concatenate([np.ones(len(q_pos)), np.zeros(len(q_neg))]).astype(np.float32))


def evaluation_episodes(families: list[Family], shots: int, seed: int = 0) -> list[Episode]:
    """The fixed evaluation episodes of a split: one per family, seeded by (seed, family, shots)."""
    return [sample_episode(f, shots, np.random.default_rng([seed, f.id, shots])) for f in families]


class Task(NamedTuple):
    """One episode as tensors: a pytree that ``torch.func.vmap`` batches with ``in_dims=(None, 0)``.

    Support and query sets are padded to one width within a batch; ``*_weights`` is 0 on padding.
    ``age`` is the child's age in months (the MovieLens rating tasks put the user id there).
    A batch of tasks is a ``Task`` whose tensors have a leading batch dimension.
    """

    age: torch.Tensor            # [] (a batch: [B])
    s_items: torch.Tensor        # [n_s] support toy indices
    s_labels: torch.Tensor       # [n_s] 1 = liked, 0 = not
    s_weights: torch.Tensor      # [n_s] 0 on padding
    q_items: torch.Tensor        # [n_q] query toy indices
    q_labels: torch.Tensor
    q_weights: torch.Tensor
    s_kind: torch.Tensor         # [n_s] LIKED / DISLIKED / IMPLICIT (learners that tell them apart)

    def to(self, device: torch.device) -> "Task":
        return Task(*(t.to(device) for t in self))


def pad_rows(rows, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Ragged rows padded with zeros to the longest: ``(values [B, L], mask [B, L])``."""
    width = max(len(r) for r in rows)
    out, mask = torch.zeros(len(rows), width, dtype=dtype), torch.zeros(len(rows), width)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.as_tensor(np.asarray(r), dtype=dtype)
        mask[i, :len(r)] = 1.0
    return out, mask


def padded_task(age, s_items, s_labels, q_items, q_labels, s_kind=None) -> Task:
    """One batched :class:`Task` from per-task ragged lists (``s_kind`` default: liked where the
    label is positive, else implicit)."""
    si, sw = pad_rows(s_items, torch.long)
    sl, _ = pad_rows(s_labels, torch.float32)
    qi, qw = pad_rows(q_items, torch.long)
    ql, _ = pad_rows(q_labels, torch.float32)
    kind = pad_rows(s_kind, torch.long)[0] if s_kind is not None else torch.where(
        sl > 0, LIKED, IMPLICIT).long()
    return Task(torch.as_tensor(age, dtype=torch.float32), si, sl, sw, qi, ql, qw, kind)


def collate(episodes: list[Episode], query: str = "sample") -> Task:
    """A batch of episodes as one padded :class:`Task`.

    Arguments:
        episodes: the episodes.
        query: ``"sample"``: each episode's labelled query sample (10 liked + 20 others);
            ``"all"``: every candidate toy, labelled liked or not (a lower-variance loss).
    """
    if query == "all":
        q_items = [e.candidates for e in episodes]
        q_labels = [np.isin(e.candidates, e.relevant).astype(np.float32) for e in episodes]
    else:
        q_items, q_labels = [e.query_items for e in episodes], [e.query_labels for e in episodes]
    return padded_task([e.support.age_months for e in episodes],
                       [e.support.items.numpy() for e in episodes],
                       [e.support.labels.numpy() for e in episodes], q_items, q_labels,
                       [e.support.kind.numpy() for e in episodes])


class EpisodeSampler:
    """Random training episodes from a list of families (shots drawn from ``shots``)."""

    def __init__(self, families: list[Family], shots=SHOTS, seed: int = 0):
        self.families = [f for f in families if len(f.liked) > 1]
        self.shots = tuple(shots)
        self.rng = np.random.default_rng(seed)

    def episode(self) -> Episode:
        family = self.families[self.rng.integers(len(self.families))]
        k = int(self.rng.choice(self.shots))
        return sample_episode(family, k, self.rng, n_disliked=int(self.rng.integers(0, k // 2 + 2)))

    def batch(self, size: int) -> Task:
        return collate([self.episode() for _ in range(size)])
