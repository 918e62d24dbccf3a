"""The classical collaborative baselines of the Amazon benchmark on a small world whose answer is known."""
import numpy as np
import torch

from metarec.realdata import classical
from metarec.realdata.amazon import METHODS
from metarec.realdata.labels import label

# two communities: items 0-4 are bought together, items 5-9 together; within a community the order
# is always 0 -> 1 -> 2 -> 3 -> 4 (and 5 -> ... -> 9)
SEQS = [np.arange(5) for _ in range(30)] + [np.arange(5, 10) for _ in range(30)]


def test_item_knn_and_ease_rank_the_own_community_first():
    for model in (classical.ItemKNN(SEQS, 10, k=0, shrink=0.0), classical.EASE(SEQS, 10, lam=1.0)):
        scores = model([np.array([0, 1]), np.array([7])])
        assert set(torch.topk(scores[0], 3).indices.tolist()) == {2, 3, 4}
        assert set(torch.topk(scores[1], 4).indices.tolist()) == {5, 6, 8, 9}
        cand = torch.tensor([[9, 3], [9, 3]])
        assert model([np.array([0]), np.array([5])], cand).argmax(1).tolist() == [1, 0]


def test_markov_chain_follows_the_last_item_and_gamma_adds_the_reverse():
    mc = classical.MarkovChain(SEQS, 10, beta=1e-4, gamma=0.0)
    assert mc([np.array([6, 2])]).argmax(1).tolist() == [3]      # the last item decides
    assert mc([np.array([2])])[0, 1] < mc([np.array([2])])[0, 3]
    mc.set(beta=1e-4, gamma=1.0)
    assert mc([np.array([2])])[0, 1] == mc([np.array([2])])[0, 3]


def test_choose_keeps_the_setting_best_on_validation_only():
    seen = []

    def validate(model):   # prefers more shrinkage, whatever the test would say
        seen.append(dict(model.settings))
        return model.settings["shrink"] - 0.001 * model.settings["k"]
    model, info = classical.choose("item-knn", SEQS, 10, validate, grid={"k": (0, 5), "shrink": (0.0, 10.0)})
    assert len(seen) == 4 and info["settings"] == {"k": 0, "shrink": 10.0} == model.settings
    assert [r["val"] for r in info["trace"]] == [0.0, 10.0, -0.005, 9.995]


def test_they_are_amazon_methods_labelled_classical():
    for name in ("item-knn", "ease", "markov"):
        assert name in METHODS and label(name)["meta_trained"] is False
