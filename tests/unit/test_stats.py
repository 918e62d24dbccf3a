"""The interval helpers against hand-computed cases."""
import math

import pytest

from metarec.core.stats import mean_ci, paired, t_quantile, verdict


def test_t_quantiles_match_the_table():
    assert t_quantile(4) == pytest.approx(2.776, abs=1e-3)     # 5 splits
    assert t_quantile(19) == pytest.approx(2.093, abs=1e-3)    # 20 splits
    assert t_quantile(499) == pytest.approx(1.965, abs=1e-3)   # 500 families


def test_mean_ci_by_hand():
    # values 1..5: mean 3, sd sqrt(2.5), n 5 -> half = 2.7764 * 1.5811 / 2.2361 = 1.9632
    mean, half = mean_ci([1, 2, 3, 4, 5])
    assert mean == 3.0 and half == pytest.approx(1.9632, abs=1e-4)
    assert math.isnan(mean_ci([1.0])[1])


def test_paired_difference_by_hand():
    a = [0.7, 0.8, 0.9, 0.6, 0.75]
    b = [0.6, 0.7, 0.7, 0.6, 0.70]
    # d = 0.1, 0.1, 0.2, 0, 0.05: mean 0.09, sd 0.0742, half = 2.7764 * 0.0742 / sqrt 5 = 0.0921
    d = paired(a, b)
    assert d.mean == pytest.approx(0.09) and d.half == pytest.approx(0.0921, abs=1e-4)
    assert (d.better, d.worse, d.n) == (4, 0, 5)
    assert d.verdict == "level"          # the interval [-0.002, 0.182] contains 0
    many = paired(a * 4, b * 4)          # the same differences, 20 pairs: now clearly above
    assert many.verdict == "above" and many.low > 0
    assert paired(b * 4, a * 4).verdict == "below"


def test_paired_needs_the_same_units():
    with pytest.raises(ValueError):
        paired([1, 2], [1, 2, 3])


def test_verdict_at_the_interval_boundary():
    assert verdict(0.010, 0.009) == "above" and verdict(0.010, 0.010) == "level"
    assert verdict(-0.03, 0.02) == "below" and verdict(0.5, float("nan")) == "level"
