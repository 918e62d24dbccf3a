import math

import pytest

from metarec.core.metrics import hit_at_k, mrr_at_k, ndcg_at_k, precision_at_k, recall_at_k


def test_ndcg_hand_computed():
    # hits at ranks 1 and 3 of 2 relevant: (1 + 1/log2(4)) / (1 + 1/log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, 10) == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], {"a"}, 10) == 0.0
    # truncation: the hit at rank 3 does not count at k=2
    assert ndcg_at_k(["x", "y", "a"], {"a"}, 2) == 0.0
    # single relevant at rank 2: 1/log2(3)
    assert ndcg_at_k(["x", "a"], {"a"}, 10) == pytest.approx(1 / math.log2(3))


def test_recall_hr_precision_mrr():
    ranked = ["x", "a", "y", "b"]
    assert recall_at_k(ranked, {"a", "b", "c"}, 2) == pytest.approx(1 / 2)  # 1 hit / min(2, 3)
    assert recall_at_k(ranked, {"a", "b", "c"}, 4) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, set(), 4) == 0.0
    assert hit_at_k(ranked, {"b"}, 3) == 0.0 and hit_at_k(ranked, {"b"}, 4) == 1.0
    assert precision_at_k(ranked, {"a", "b"}, 4) == 0.5
    assert mrr_at_k(ranked, {"y"}) == pytest.approx(1 / 3)
    assert mrr_at_k(ranked, {"y"}, 2) == 0.0
