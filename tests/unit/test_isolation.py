"""Adapting for one family never changes the shared weights or another family's result."""
import hashlib
from concurrent.futures import ThreadPoolExecutor

import torch

from metarec.teaching.demo import random_family
from metarec.serving.recommend import Request, recommend


def _digest(engine):
    h = hashlib.sha256()
    for learner in engine.learners.values():
        for k, v in sorted(getattr(learner, "params", {}).items()):
            h.update(k.encode()); h.update(v.cpu().numpy().tobytes())
    return h.hexdigest()


def _requests(engine, n=12):
    out = []
    for seed in range(n):
        fam = random_family(engine, seed, shots=3)
        out.append(Request(fam.age_years, fam.liked, fam.disliked, top=8,
                           method=["maml", "fomaml", "melu", "finetune"][seed % 4]))
    return out


def _key(result):
    return [(r.id, r.score) for r in result.recommendations]


def test_adapting_leaves_shared_weights_untouched(engine):
    before = _digest(engine)
    for req in _requests(engine, 4):
        recommend(engine, req)
    assert _digest(engine) == before


def test_families_do_not_interfere_across_threads(engine):
    reqs = _requests(engine)
    sequential = [_key(recommend(engine, r)) for r in reqs]
    before = _digest(engine)
    with ThreadPoolExecutor(max_workers=6) as pool:
        concurrent = list(pool.map(lambda r: _key(recommend(engine, r)), reqs * 3))
    assert concurrent == sequential * 3
    assert _digest(engine) == before


def test_adapted_state_does_not_alias_shared_params(engine):
    learner = engine.learners["maml"]
    fam = random_family(engine, 1)
    from metarec.core.episodes import make_support
    idx = [engine.catalog.index[i] for i in fam.liked]
    state = learner.adapt(make_support(fam.age_years * 12, idx, [], engine.catalog.eligible(fam.age_years * 12)))
    for k in learner.method.adapt_keys:
        assert state.params[k].data_ptr() != learner.params[k].data_ptr()
        assert not torch.equal(state.params[k], learner.params[k])
