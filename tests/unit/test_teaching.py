"""What the learning pages compute, now in the library (metarec.teaching): the family an adaptation
runs on, the taste revealed from the records, the episode taken apart, the live curves, every
learner side by side, the map's colour groups."""
from __future__ import annotations

import numpy as np
import pytest

from metarec.core.episodes import IMPLICIT, LIKED
from metarec.teaching import adaptation, embedding_map
from metarec.teaching import episode_view as ev


# ---- adaptation --------------------------------------------------------------------------------

def test_family_setup_holds_out_the_liked_toys_it_did_not_tell(engine):
    setup = adaptation.family_setup(engine, 0, shots=3)
    fam = setup.family
    assert setup.kind == "sim" and len(setup.liked) == 3 and len(setup.disliked) == 1
    assert fam.id == engine.curves["demo"]["families"][0]["id"]   # the default demo family
    named = set(setup.liked) | set(setup.disliked)
    assert not named & set(setup.candidates.tolist())
    assert set(setup.candidates.tolist()) <= set(fam.eligible.tolist()) - named
    assert set(setup.relevant.tolist()) == set(fam.liked.tolist()) & set(setup.candidates.tolist())
    assert adaptation.family_setup(engine, 0, shots=3).key == setup.key   # same index: same family
    # the nested protocol: more shots, the same query
    assert (adaptation.family_setup(engine, 0, shots=5).candidates == setup.candidates).all()


def test_parents_setup_skips_unknown_toys_and_refuses_contradictions(engine):
    ids = [engine.catalog.ids[i] for i in engine.catalog.eligible(60)[:3]]
    setup = adaptation.parents_setup(engine, 60, ids + ["no-such-toy"], [])
    assert setup.kind == "parents" and setup.relevant is None and setup.family is None
    assert setup.liked == tuple(engine.catalog.index[t] for t in ids)
    assert adaptation.parents_setup(engine, 60, ids, ids[:1]) is None   # liked and disliked
    assert adaptation.parents_setup(engine, 60, ["no-such-toy"]) is None


def test_starts_and_trained_settings(engine):
    starts = adaptation.available_starts(engine, "fomaml")
    assert starts[0] == ("fomaml" if "fomaml" in engine.learners else "maml")
    assert starts[1:] == ["finetune", "random"]
    assert adaptation.trained_settings(engine) == (engine.learners["maml"].steps, engine.learners["maml"].lr)


def test_records_carry_the_taste_the_reveal_compares(engine):
    setup = adaptation.family_setup(engine, 1, shots=5)
    records = list(adaptation.adaptation_steps(engine, "maml", setup.support, setup.candidates,
                                               setup.relevant, steps=4))
    learner = adaptation.starting_learner(engine, "maml")
    states = list(learner.step_through(setup.support, 4))
    for record, state in zip(records, states):   # the same numbers a second run would give
        expected = adaptation.category_affinity(engine, learner, state, setup.age_months)
        np.testing.assert_allclose(record.affinity, expected, equal_nan=True)
    reveal = adaptation.taste_reveal(engine, setup, records)
    truth = reveal.true
    assert reveal.order and all(not np.isnan(truth[c]) for c in reveal.order)
    assert [truth[c] for c in reveal.order] == sorted((truth[c] for c in reveal.order), reverse=True)
    assert len(reveal.top_after) == adaptation.N_TOP_CATEGORIES
    assert reveal.hits_after == len(set(reveal.favourites) & set(reveal.top_after))
    parents = adaptation.parents_setup(engine, 60, [engine.catalog.ids[engine.catalog.eligible(60)[0]]])
    assert adaptation.taste_reveal(engine, parents, records) is None


def test_rank_paths_follow_each_toy_through_the_steps():
    rec = lambda step, top: adaptation.StepRecord("maml", step, 0.5, top)  # noqa: E731
    paths = adaptation.rank_paths([rec(0, [1, 2, 3]), rec(1, [3, 1, 4]), rec(2, [4, 3, 5])], k=3)
    assert paths == {1: [1, 2, 4], 2: [2, 4, 4], 3: [3, 1, 2], 4: [4, 3, 1], 5: [4, 4, 3]}


# ---- how meta-learning works -------------------------------------------------------------------

def test_episode_view_splits_the_support_and_query(engine):
    view = ev.episode_view(engine, 0)
    kinds = view.episode.support.kind.numpy()
    assert len(view.liked) == ev.SHOTS == int((kinds == LIKED).sum())
    assert len(view.implicit) == int((kinds == IMPLICIT).sum())
    assert len(view.liked) + len(view.disliked) + len(view.implicit) == len(kinds)
    assert set(view.hidden.tolist()) <= set(view.family.liked.tolist())
    assert view.n_candidates == len(view.episode.candidates) > len(view.hidden)
    assert view.n_query_pos + view.n_query_neg == len(view.episode.query_labels)
    assert ev.episode_view(engine, 0).family.id == view.family.id
    # implicit negatives the family secretly likes are marked, and never listed as hidden too
    assert set(view.implicit_liked.tolist()) <= set(view.implicit.tolist()) & set(view.family.liked.tolist())
    assert not set(view.hidden.tolist()) & set(view.implicit.tolist())


def test_loop_numbers_and_shipped_validation_come_from_the_manifest(engine):
    cfg = engine.manifest["config"]
    numbers = ev.loop_numbers(engine)
    assert (numbers["steps"], numbers["lr"], numbers["batch"], numbers["outer_lr"]) == (
        cfg["inner_steps"], cfg["inner_lr"], cfg["meta_batch"], cfg["outer_lr"])
    shipped = ev.shipped_validation(engine)
    assert shipped is None or 0 < shipped < 1

    class Bare:
        manifest, learners = {}, {}
    assert set(ev.loop_numbers(Bare).values()) == {"?"} and ev.shipped_validation(Bare) is None


def test_live_curve_keeps_the_starting_point_of_the_validation():
    curve = ev.LiveCurve(iters=4)
    assert np.isnan(curve.start) and curve.best == 0.0
    curve.add(0, None, 0.10)                  # iteration 0: the starting point, validation only
    for it, loss, val in ((1, 0.9, None), (2, 0.8, 0.30), (3, 0.7, None), (4, 0.6, 0.25)):
        curve.add(it, loss, val)
    assert curve.its == [1, 2, 3, 4] and curve.val_its == [0, 2, 4]
    assert (curve.start, curve.end, curve.best) == (0.10, 0.25, 0.30)
    assert ev.LiveBudget().eval_every(100) == 20 and ev.LiveBudget().eval_every(3) == 1


def test_side_by_side_gives_every_learner_the_same_family(engine, monkeypatch):
    view = ev.episode_view(engine, 0)
    results = ev.side_by_side(engine, view, top=5)
    assert list(results) == ev.learner_order(engine) and set(results) == set(engine.learners)
    secret = set(view.family.liked.tolist())
    for side in results.values():
        recs = side.result.recommendations
        assert len(recs) == 5 and len(side.liked) == 5
        assert side.hits == sum(engine.catalog.index[r.id] in secret for r in recs)
    import metarec.teaching.episode_view as module
    real = module.recommend
    monkeypatch.setattr(module, "recommend", lambda engine, req: (
        (_ for _ in ()).throw(RuntimeError("boom")) if req.method == "knn" else real(engine, req)))
    broken = ev.side_by_side(engine, view, top=2)
    assert broken["knn"] is None and all(v is not None for k, v in broken.items() if k != "knn")


# ---- the toy map -------------------------------------------------------------------------------

@pytest.mark.parametrize("by", embedding_map.GROUPINGS)
def test_toy_groups_cover_every_toy_once(engine, by):
    groups = embedding_map.toy_groups(engine.catalog, by)
    members = np.concatenate([m for _, m in groups])
    assert sorted(members.tolist()) == list(range(len(engine.catalog)))
    assert all(len(m) for _, m in groups)
    names = [name for name, _ in groups]
    if by == "age":
        assert set(names) <= {band for band, _, _ in embedding_map.AGE_BANDS}
    else:
        assert len(names) == 14
    with pytest.raises(ValueError):
        embedding_map.toy_groups(engine.catalog, "price")
