"""One rule for "A above / level with / below B" and one "mean ± ci" formatter
(metarec.reporting.verdicts), and the toy-world verdict built on them, on hand-made rows."""
from __future__ import annotations

import math

import pytest

from metarec.reporting.toybox import best_per_shots, toy_verdict, toy_verdict_text
from metarec.reporting.verdicts import compare, mean_ci, signed_ci, unpaired_ci


@pytest.mark.parametrize("diff, ci, status", [
    (0.010, 0.009, "above"), (0.010, 0.010, "level"),   # an interval touching 0 decides nothing
    (0.0, 0.0, "level"), (-0.010, 0.020, "level"), (-0.030, 0.020, "below"),
    (0.5, None, "level"), (0.5, math.nan, "level"), (math.nan, 0.1, "level"),
])
def test_an_interval_that_excludes_zero_decides(diff, ci, status):
    assert compare(diff, ci) == status


def test_unpaired_intervals_decide_only_when_they_do_not_overlap():
    assert unpaired_ci(0.01, 0.02) == pytest.approx(0.03) and unpaired_ci(None, 0.02) is None
    # 0.70 ± 0.01 against 0.66 ± 0.02: the intervals [0.69, 0.71] and [0.64, 0.68] are apart
    assert compare(0.70 - 0.66, unpaired_ci(0.01, 0.02)) == "above"
    # 0.70 ± 0.01 against 0.68 ± 0.02: [0.69, 0.71] and [0.66, 0.70] overlap
    assert compare(0.70 - 0.68, unpaired_ci(0.01, 0.02)) == "level"


def test_one_formatter_for_means_and_differences():
    assert mean_ci(0.5349, 0.0071) == "0.535 ± 0.007"
    assert mean_ci(0.4663) == "0.466"
    assert mean_ci(0.5, 0.01, digits=2) == "0.50 ± 0.01"
    assert signed_ci(0.0104, 0.0071) == "+0.010 ± 0.007"
    assert signed_ci(-0.009, 0.031) == "-0.009 ± 0.031"


def _row(method, shots, v, ci):
    return {"method": method, "shots": shots, "ndcg@10": v, "ndcg@10_ci95": ci}


ROWS = [_row("popularity", 3, 0.5, 0.02), _row("popularity", 6, 0.5, 0.02), _row("knn", 6, 0.55, 0.02),
        _row("protonet", 6, 0.70, 0.01), _row("protonet", 3, 0.6, 0.01)]


def test_toy_verdict_speaks_about_the_nearest_shots_to_five():
    v = toy_verdict(ROWS, "ndcg@10")
    assert v["shots"] == 6   # 6 is nearer to 5 than 3
    assert v["best"] == {"method": "protonet", "value": 0.70, "ci": 0.01}
    assert v["reference"] == {"method": "popularity", "diff": pytest.approx(0.2), "pct": 40,
                              "status": "above"}
    assert v["runner_up"]["method"] == "knn" and v["runner_up"]["status"] == "above"
    assert toy_verdict_text(v) == (
        "**At 6 liked toys, Prototypical network recommends best** (nDCG@10 0.700 ± 0.010). "
        "That is 0.200 (40%) above Popularity by age. "
        "The runner-up, Content k-NN, is 0.150 behind, outside the 95% intervals.")
    assert toy_verdict(ROWS, "ndcg@10", shots=4)["shots"] == 3   # a tie: the smaller one


def test_toy_verdict_calls_overlapping_intervals_level():
    rows = [_row("maml", 5, 0.52, 0.03), _row("knn", 5, 0.51, 0.02), _row("popularity", 5, 0.50, 0.02)]
    v = toy_verdict(rows, "ndcg@10")
    assert v["reference"]["status"] == v["runner_up"]["status"] == "level"
    text = toy_verdict_text(v)
    assert "within the 95% intervals: level within the noise" in text
    assert "too close to call" in text
    assert "在 95% 区间之内" in toy_verdict_text(v, "zh")


def test_toy_verdict_edges():
    assert toy_verdict([], "ndcg@10") is None
    alone = toy_verdict([_row("popularity", 5, 0.5, 0.02)], "ndcg@10")
    assert alone["reference"] is None and alone["runner_up"] is None   # the best is the reference
    assert toy_verdict_text(alone).startswith("**At 5 liked toys, Popularity by age")


def test_best_per_shots_keeps_the_first_of_equals():
    rows = ROWS + [_row("knn", 3, 0.6, 0.01)]
    assert best_per_shots(rows) == [{"shots": 3, "method": "protonet", "value": 0.6},
                                    {"shots": 6, "method": "protonet", "value": 0.70}]
