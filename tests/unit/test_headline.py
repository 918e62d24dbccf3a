"""The leaderboard's headline: meta-learning minus the strongest classical model, per benchmark."""
import pytest

from metarec.reporting.headline import headline, row_label, verdict_text


def _toy_metrics():
    pairs = [{"method": "tastenp", "shots": k, "against": "bayes", "metric": "ndcg@10", "mean": d,
              "ci95": 0.005, "n": 500} for k, d in ((1, 0.001), (3, 0.008), (5, -0.02))]
    test = [{"method": m, "shots": k, "ndcg@10": 0.7} for m in ("tastenp", "bayes") for k in (1, 3, 5)]
    return {"paired": pairs, "test": test, "served": {"method": "tastenp"}}


def _row(method, v, ci, meta, shots=None):
    r = {"method": method, "ndcg@10": v, "ndcg@10_ci95": ci, "meta_trained": meta}
    return r if shots is None else {**r, "shots": shots}


AMAZON = {"world": "amazon-toys", "protocol": "cold-start",
          "training": {"melu": {"best_val": 0.60}, "fomaml": {"best_val": 0.65}},
          "results": [_row("popularity", 0.010, 0.002, False, 1), _row("knn", 0.020, 0.003, False, 1),
                      _row("melu", 0.040, 0.004, True, 1), _row("fomaml", 0.030, 0.004, True, 1),
                      _row("seqmodel", 0.050, 0.004, False, 1)]}
MOVIELENS = {"world": "movielens-100k", "protocol": "published",
             "best_meta_learner": {"method": "melu-mf"},
             "results": [{"method": "melu", "ndcg@5": 0.70, "meta_trained": True, "n_test_users": 58},
                         {"method": "melu-mf", "ndcg@5": 0.66, "meta_trained": True, "n_test_users": 58},
                         {"method": "item-mean", "ndcg@5": 0.60, "ndcg@5_splits": 0.61, "meta_trained": False},
                         {"method": "mf-foldin", "ndcg@5": 0.62, "ndcg@5_splits": 0.64, "meta_trained": False}],
             "paired": [{"method": "melu-mf", "baseline": b, "metric": "ndcg@5", "published_diff": d,
                         "published_diff_ci95_users": 0.03, "splits_diff": d / 2, "splits_diff_ci95": 0.004,
                         "n_splits": 20} for b, d in (("item-mean", 0.06), ("mf-foldin", 0.04))]}


def test_toy_rows_are_the_paired_differences_with_their_verdicts():
    rows = headline(_toy_metrics(), [])["rows"]
    assert [(r["setting"]["k"], r["against"], r["status"], r["paired"]) for r in rows] == [
        (1, "bayes", "level", True), (3, "bayes", "above", True), (5, "bayes", "below", True)]
    assert row_label(rows[0]) == "Toy world (simulated) · 1 liked toy · nDCG@10"


def test_amazon_picks_the_meta_learner_on_validation_and_the_strongest_classical():
    (row,) = headline(None, [AMAZON])["rows"]
    # fomaml has the better validation score, although melu is better on test: no choice on test
    assert (row["method"], row["against"]) == ("fomaml", "knn")
    assert row["diff"] == pytest.approx(0.010) and row["ci"] == pytest.approx(0.007)   # unpaired: sum
    assert row["status"] == "above" and not row["paired"]
    assert row["leader"]["method"] == "seqmodel"   # not meta-trained, and ahead of it


def test_movielens_uses_the_chosen_learner_paired_against_the_strongest_classical_over_splits():
    rows = headline(None, [MOVIELENS])["rows"]
    assert [(r["method"], r["against"], r["setting"]["kind"]) for r in rows] == [
        ("melu-mf", "mf-foldin", "ml-published"), ("melu-mf", "mf-foldin", "ml-splits")]
    assert [r["diff"] for r in rows] == [0.04, 0.02] and [r["status"] for r in rows] == ["above", "above"]
    assert row_label(rows[1]) == "MovieLens-100K (real ratings) · 20 more splits · nDCG@5"


def test_verdicts_say_where_it_helps_and_where_it_does_not():
    head = headline(_toy_metrics(), [AMAZON, MOVIELENS])
    assert [v["benchmark"] for v in head["verdicts"]] == ["toy", "amazon", "movielens"]
    toy, amazon, _ = (verdict_text(v) for v in head["verdicts"])
    assert toy.startswith("**Toy world (simulated):** *TasteNP")
    assert "against the strongest classical model in each setting (*Empirical-Bayes" in toy
    assert "**ahead** in 3 liked toys (nDCG@10 +0.008 ± 0.005)" in toy
    assert "**level within the noise** in 1 liked toy (nDCG@10 +0.001 ± 0.005)" in toy
    assert "**behind** in 5 liked toys (nDCG@10 -0.020 ± 0.005)" in toy
    assert "is ahead of both in 1 of 1 settings (by up to +0.020)" in amazon
    assert "Unpaired intervals" in amazon and "Not yet compared with the collaborative" in amazon
    assert "的经典模型" in verdict_text(head["verdicts"][0], "zh")


def test_no_results_no_rows():
    assert headline(None, []) == {"rows": [], "verdicts": []}
    assert headline({"paired": []}, [{"world": "amazon-toys", "results": [_row("knn", 0.1, 0.01, False, 1)]}]) == {
        "rows": [], "verdicts": []}
