"""Calibrated probabilities (Platt scaling) and the fit labels on the parents' cards."""
import numpy as np
import pytest

from metarec.core.episodes import evaluation_episodes
from metarec.serving import fit
from metarec.serving.fit import FIT_LABELS, GOOD, GREAT, calibration, fit_label, platt_fit
from metarec.serving.recommend import Request, recommend


def test_platt_recovers_a_known_logistic_link():
    rng = np.random.default_rng(0)
    s = rng.normal(size=20000)
    y = rng.random(len(s)) < 1 / (1 + np.exp(-(2.0 * s - 1.0)))
    cal = platt_fit(s, y)
    assert cal.a0 == pytest.approx(2.0, abs=0.1) and cal.b0 == pytest.approx(-1.0, abs=0.1)
    assert (cal.a1, cal.b1) == (0.0, 0.0)   # one number of shots: no log k terms
    assert cal.base_rate == pytest.approx(y.mean())


def test_platt_follows_the_number_of_shots():
    rng = np.random.default_rng(1)
    shots = rng.choice([1, 3, 5], size=30000)
    s = rng.normal(size=len(shots))
    slope = 0.8 + 0.25 * np.log(shots)   # scores sharpen with more liked toys
    y = rng.random(len(s)) < 1 / (1 + np.exp(-(slope * s - 1.0)))
    cal = platt_fit(s, y, shots)
    assert cal.a0 == pytest.approx(0.8, abs=0.1) and cal.a1 == pytest.approx(0.25, abs=0.1)
    assert cal(1.0, shots=5) > cal(1.0, shots=1)
    assert cal(1.0, shots=50) == cal(1.0, shots=5)   # clamped to the shots it was fitted on


def test_platt_on_a_hand_made_separable_set_stays_finite_and_monotone():
    # perfectly separated: plain maximum likelihood would diverge; Platt's smoothed targets do not
    scores = np.array([-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    cal = platt_fit(scores, labels)
    p = cal(scores)
    assert np.isfinite([cal.a0, cal.b0]).all() and cal.a0 > 0
    assert np.all(np.diff(p) > 0) and 0 < p.min() < 0.5 < p.max() < 1
    assert p[:4].mean() < 0.25 and p[4:].mean() > 0.75   # targets 1/6 and 5/6, not 0 and 1
    with pytest.raises(ValueError):
        platt_fit([], [])


def test_fit_label_thresholds():
    assert GREAT == pytest.approx(0.7) and GOOD == pytest.approx(0.5)
    assert [fit_label(p) for p in (0.9, 0.7, 0.69, 0.5, 0.49, 0.05)] == [
        "great", "great", "good", "good", "worth_a_try", "worth_a_try"]
    assert fit_label(0.9, personal=False) == "good"   # without liked toys, never "great"
    assert set(FIT_LABELS) == {"great", "good", "worth_a_try"}


def test_calibration_is_cached_and_honest_on_validation(engine):
    cal = calibration(engine, "knn")
    assert calibration(engine, "knn") is cal   # computed once per (checkpoint, learner)
    s, y, k = fit.calibration_data(engine, "knn")
    assert len(s) == len(y) == len(k) == cal.n and set(np.unique(k)) == {1, 3, 5}
    assert cal(s, k).mean() == pytest.approx(y.mean(), abs=0.02)   # calibrated in the large
    with pytest.raises(KeyError):
        calibration(engine, "no-such-learner")


@pytest.mark.parametrize("age", [1, 2, 4, 6, 9])
def test_no_card_reads_great_without_liked_toys(engine, age):
    res = recommend(engine, Request(age))
    assert res.fallback and res.recommendations
    for r in res.recommendations:
        assert r.fit != "great" and r.fit in FIT_LABELS and 0 <= r.p_like <= 1


def test_fit_labels_differ_on_simulated_families(engine):
    families = engine.world.families("val")[:3]
    for ep in evaluation_episodes(families, 3):
        liked = tuple(engine.catalog.ids[i] for i in ep.support.liked.tolist())
        res = recommend(engine, Request(ep.support.age_months / 12, liked, top=20))
        labels = [r.fit for r in res.recommendations]
        assert len(set(labels)) >= 2, labels
        assert all(r.fit == fit_label(r.p_like) for r in res.recommendations)
        ps = [r.p_like for r in recommend(engine, Request(ep.support.age_months / 12, liked, top=20,
                                                          diverse=False)).recommendations]
        assert ps == sorted(ps, reverse=True)   # calibration keeps the learner's order
