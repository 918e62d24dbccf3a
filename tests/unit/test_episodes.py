import numpy as np
import torch

from metarec.core.episodes import (DISLIKED, IMPLICIT, LIKED, N_IMPLICIT, EpisodeSampler,
                              evaluation_episodes, make_support, sample_episode)
from metarec.world import ToyWorld, WorldConfig


def _world(catalog):
    return ToyWorld(catalog, WorldConfig(n_train=40, n_val=10, n_test=30))


def test_episode_composition(catalog):
    fam = _world(catalog).families("test")[0]
    for k in (1, 3, 5, 10):
        ep = sample_episode(fam, k, np.random.default_rng(0))
        s = ep.support
        liked, disliked = s.liked.numpy(), s.disliked.numpy()
        assert len(liked) == min(k, len(fam.liked) - 1) and len(disliked) == k // 2
        assert (s.kind == IMPLICIT).sum() == N_IMPLICIT
        assert set(liked) <= set(fam.liked) and set(disliked) <= set(fam.disliked)
        assert set(s.items.numpy()) <= set(fam.eligible)  # only toys the child may be shown
        named = set(liked) | set(disliked)
        assert not named & set(ep.candidates)            # never rank what the family named
        assert set(ep.relevant) <= set(ep.candidates) & set(fam.liked) and len(ep.relevant) > 0
        assert len(set(s.items.numpy())) == len(s.items)  # no toy twice


def test_fixed_test_episodes_are_reproducible(catalog):
    fams = _world(catalog).families("test")
    a, b = evaluation_episodes(fams, 5, seed=0), evaluation_episodes(fams, 5, seed=0)
    assert all(torch.equal(x.support.items, y.support.items) for x, y in zip(a, b))
    c = evaluation_episodes(fams, 5, seed=1)
    assert any(not torch.equal(x.support.items, y.support.items) for x, y in zip(a, c))


def test_make_support_is_deterministic_for_equal_input(catalog):
    eligible = catalog.eligible(48)
    s1 = make_support(48, [eligible[0], eligible[1]], [eligible[2]], eligible)
    s2 = make_support(48, [eligible[1], eligible[0]], [eligible[2]], eligible)
    assert set(s1.items.tolist()) == set(s2.items.tolist())
    assert s1.kind.tolist().count(LIKED) == 2 and s1.kind.tolist().count(DISLIKED) == 1


def test_collate_pads_with_zero_weight(catalog):
    sampler = EpisodeSampler(_world(catalog).families("train"), seed=0)
    batch = sampler.batch(8)
    assert batch.s_items.shape[0] == 8 and batch.s_items.shape == batch.s_weights.shape
    real = batch.s_weights.sum(1)
    assert (real >= 1 + N_IMPLICIT).all() and (batch.s_weights[batch.s_weights == 0] == 0).all()
    assert set(batch.s_labels.unique().tolist()) <= {0.0, 1.0}
