"""The real-data tables and verdicts the leaderboard shows (metarec.reporting.real), on hand-made results."""
from __future__ import annotations

import pytest

from metarec.reporting import real as real_report


def _pair(baseline, pub, pub_ci, splits, splits_ci, metric="ndcg@5", method="melu-bias"):
    return {"method": method, "baseline": baseline, "metric": metric, "published_diff": pub,
            "published_diff_ci95_users": pub_ci, "published_users_better": 1, "published_users_worse": 1,
            "splits_diff": splits, "splits_diff_ci95": splits_ci, "splits_above": 3, "n_splits": 20}


ML = {"world": "movielens-100k", "protocol": "published",
      "results": [
          {"method": "user-item-bias", "split": "s", "n_test_users": 58, "p@5": 0.58, "p@5_ci95_users": 0.04,
           "ndcg@5": 0.61, "ndcg@5_ci95_users": 0.045, "n_splits": 20, "ndcg@5_splits": 0.635,
           "ndcg@5_splits_ci95": 0.013},
          {"method": "melu", "split": "s", "n_test_users": 58, "ndcg@5": 0.62, "ndcg@5_ci95_users": 0.04,
           "n_splits": 20, "ndcg@5_splits": 0.60, "ndcg@5_splits_ci95": 0.02},
          {"method": "melu-bias", "split": "s", "n_test_users": 58, "p@5": 0.59, "p@5_ci95_users": 0.04,
           "ndcg@5": 0.607, "ndcg@5_ci95_users": 0.046, "n_splits": 20, "ndcg@5_splits": 0.642,
           "ndcg@5_splits_ci95": 0.01}],
      "published": [{"method": "MAMO, published", "p@5": 0.6103, "ndcg@5": 0.5929}],
      "paired": [_pair("user-item-bias", -0.002, 0.030, 0.007, 0.006),
                 _pair("item-mean", 0.040, 0.030, -0.020, 0.010),
                 _pair("popularity", 0.110, 0.062, 0.078, 0.023),
                 _pair("constant", -0.006, 0.065, 0.024, 0.029),        # not a simple baseline
                 _pair("user-item-bias", 0.5, 0.01, 0.5, 0.01, metric="p@5"),  # another metric
                 _pair("user-item-bias", 0.5, 0.01, 0.5, 0.01, method="melu")]}


def test_s3rec_results_become_two_views_one_per_candidate_set():
    res = {"world": "amazon-toys", "protocol": "s3rec", "results": [{"method": "a", "hr@10": 0.5}],
           "published": [{"method": "S3-Rec", "hr@10": 0.553}],
           "results_all_items": [{"method": "a", "hr@10": 0.09}], "published_all_items": [{"method": "S3-Rec", "hr@10": 0.07}]}
    sampled, full = real_report.real_views(res)
    assert (sampled["protocol"], sampled["results"][0]["hr@10"], sampled["published"][0]["hr@10"]) == ("s3rec", 0.5, 0.553)
    assert (full["protocol"], full["results"][0]["hr@10"], full["published"][0]["hr@10"]) == ("s3rec-full", 0.09, 0.07)
    assert real_report.real_headline(full)["metric"] == "hr@10"
    assert real_report.real_views(ML) == [ML]


def test_movielens_table_has_published_split_and_extra_split_columns():
    columns, rows = real_report.real_table(ML)
    assert [(c["key"], c["metric"], c["splits"]) for c in columns] == [
        ("method", None, False), ("p@5", "p@5", False), ("ndcg@5", "ndcg@5", False),
        ("ndcg@5_splits", "ndcg@5", True)]   # metrics in the rows' order; "split" is not a column
    assert columns[-1]["n_splits"] == 20
    assert rows[0] == {"method": "user-item-bias", "published": False, "p@5": "0.580 ± 0.040",
                       "ndcg@5": "0.610 ± 0.045", "ndcg@5_splits": "0.635 ± 0.013"}
    assert rows[1]["p@5"] is None                      # a metric the row lacks stays empty
    assert rows[-1] == {"method": "MAMO", "published": True, "p@5": "0.610", "ndcg@5": "0.593"}


def test_movielens_verdict_pairs_the_best_learner_with_the_simple_baselines_only():
    v = real_report.real_verdict(ML)
    # melu-bias has the best mean over the extra splits (0.642 > melu's 0.600), though melu is
    # higher on the published split; constant and the other metric/learner rows are left out.
    assert (v["kind"], v["method"], v["metric"], v["n_users"]) == ("paired", "melu-bias", "ndcg@5", 58)
    assert [(d["baseline"], d["status"]) for d in v["published"]] == [
        ("user-item-bias", "level"), ("item-mean", "above"), ("popularity", "above")]
    assert [(d["baseline"], d["status"]) for d in v["splits"]] == [
        ("user-item-bias", "above"), ("item-mean", "below"), ("popularity", "above")]
    text = real_report.real_verdict_text(v)
    assert text == (
        "**MeLU on ratings, from the bias model** against the simple baselines (nDCG@5, paired on the same "
        "users): on the published split (58 test users), above Item mean rating (+0.040 ± 0.030), Popularity "
        "(interaction count) (+0.110 ± 0.062); level within the noise with User + item bias (-0.002 ± 0.030); "
        "over 20 more splits, above User + item bias (+0.007 ± 0.006), Popularity (interaction count) "
        "(+0.078 ± 0.023); below Item mean rating (-0.020 ± 0.010).")
    assert "在已发表的划分上（58 名测试用户）" in real_report.real_verdict_text(v, "zh")


@pytest.mark.parametrize("diff, ci, status", [(0.01, 0.009, "above"), (0.01, 0.01, "level"),
                                              (-0.01, 0.02, "level"), (-0.03, 0.02, "below")])
def test_a_difference_counts_only_when_its_interval_excludes_zero(diff, ci, status):
    res = {**ML, "paired": [_pair("user-item-bias", diff, ci, diff, ci)]}
    v = real_report.real_verdict(res)
    assert v["published"][0]["status"] == v["splits"][0]["status"] == status


def test_published_verdict_names_the_papers_above_and_below():
    view = {"protocol": "s3rec", "results": [{"method": "seqmodel", "hr@10": 0.535, "hr@10_ci95": 0.007},
                                             {"method": "knn", "hr@10": 0.335, "hr@10_ci95": 0.007}],
            "published": [{"method": "SASRec", "hr@10": 0.4663}, {"method": "S3-Rec", "hr@10": 0.553}]}
    v = real_report.real_verdict(view)
    assert (v["method"], v["above"], v["below"]) == ("seqmodel", ["SASRec"], [{"method": "S3-Rec", "value": 0.553}])
    assert real_report.real_verdict_text(v) == ("**Best of ours: Sequence model over ID + text embeddings (history encoder; not meta-trained)**, HR@10 0.535 ± "
                                           "0.007. Above the published SASRec. Below S3-Rec (0.553).")


def test_cold_start_verdict_gives_the_best_method_per_k():
    rows = [{"method": m, "shots": k, "ndcg@10": v, "ndcg@10_ci95": 0.001}
            for m, k, v in (("knn", 1, 0.02), ("seqmodel", 1, 0.05), ("knn", 3, 0.07), ("seqmodel", 3, 0.06))]
    v = real_report.real_verdict({"protocol": "cold-start", "results": rows})
    assert [(b["shots"], b["method"]) for b in v["best"]] == [(1, "seqmodel"), (3, "knn")]
    assert real_report.real_verdict_text(v) == ("**Best nDCG@10 for each k:** k=1 Sequence model over ID + text embeddings (history encoder; not meta-trained) "
                                           "(0.050 ± 0.001), k=3 Content k-NN (0.070 ± 0.001).")


def test_every_shipped_real_result_has_a_table_and_a_verdict():
    views = [v for res in real_report.real_results() for v in real_report.real_views(res)]
    assert {(v["world"], v["protocol"]) for v in views} == {
        ("amazon-toys", "s3rec"), ("amazon-toys", "s3rec-full"), ("amazon-toys", "cold-start"),
        ("movielens-100k", "published")}
    for v in views:
        columns, rows = real_report.real_table(v)
        assert rows and all(r.get(c["key"]) for r in rows if not r["published"] for c in columns)
        assert real_report.real_verdict_text(real_report.real_verdict(v))


def test_real_data_headline_bars_keep_published_numbers_apart():
    s3 = {"protocol": "s3rec", "results": [{"method": "seqmodel", "hr@10": 0.53, "hr@10_ci95": 0.007}],
          "published": [{"method": "S3-Rec", "hr@10": 0.553}]}
    bars = real_report.real_headline(s3)["bars"]
    assert [(b["method"], b["value"], b["err"], b["published"]) for b in bars] == [
        ("seqmodel", 0.53, 0.007, False), ("S3-Rec", 0.553, None, True)]
    ml = {"protocol": "published", "results": [{"method": "melu-bias", "split": "x", "ndcg@5": 0.6,
                                                "ndcg@5_ci95_users": 0.05, "n_splits": 20, "ndcg@5_splits": 0.645,
                                                "ndcg@5_splits_ci95": 0.016}],
          "published": [{"method": "MAMO, published", "ndcg@5": 0.5929}]}
    headline = real_report.real_headline(ml)
    assert [(b["group"], b["value"]) for b in headline["bars"]] == [
        ("published split", 0.6), (real_report.SPLITS_GROUP, 0.645), ("published split", 0.5929)]
    assert headline["n_splits"] == 20
    assert real_report.real_headline({"protocol": "other", "results": []}) is None


def test_a_published_number_within_our_interval_is_level_not_above():
    """The same rule as every other verdict (metarec.reporting.verdicts.compare): our 95 % interval
    decides, a paper's number has none."""
    view = {"protocol": "s3rec", "results": [{"method": "seqmodel", "hr@10": 0.535, "hr@10_ci95": 0.007}],
            "published": [{"method": "SASRec", "hr@10": 0.4663}, {"method": "BERT4Rec", "hr@10": 0.530},
                          {"method": "S3-Rec", "hr@10": 0.553}]}
    v = real_report.real_verdict(view)
    assert (v["above"], v["level"], v["below"]) == (
        ["SASRec"], [{"method": "BERT4Rec", "value": 0.530}], [{"method": "S3-Rec", "value": 0.553}])
    assert real_report.real_verdict_text(v) == (
        "**Best of ours: Sequence model over ID + text embeddings (history encoder; not meta-trained)**, HR@10 0.535 ± 0.007. Above the published "
        "SASRec. Level with BERT4Rec (0.530) within our 95% interval. Below S3-Rec (0.553).")


def _ml_with_goal(met: bool, ablation_diff: float) -> dict:
    """ML with labelled rows, a validation-chosen best meta-learner and issue #16's goal block."""
    rows = [{**r, "meta_trained": r["method"] != "user-item-bias"} for r in ML["results"]]
    rows.append({"method": "melu-mf", "meta_trained": True, "split": "s", "n_test_users": 58, "ndcg@5": 0.5,
                 "ndcg@5_ci95_users": 0.05, "n_splits": 20, "ndcg@5_splits": 0.9, "ndcg@5_splits_ci95": 0.01})
    against = [{"baseline": b, "diff": 0.01, "ci95": 0.005, "splits_above": 15, "verdict": "above"}
               for b in ("user-item-bias", "item-mean")]
    against.append({"baseline": "mf-foldin", "diff": 0.01 if met else 0.001, "ci95": 0.005, "splits_above": 12,
                    "verdict": "above" if met else "level"})
    return {**ML, "results": rows,
            "best_meta_learner": {"method": "melu-bias", "chosen_on": "mean validation nDCG@5"},
            "goal": {"method": "melu-bias", "metric": "ndcg@5", "n_splits": 20, "against": against, "met": met,
                     "ablation": {"baseline": "melu-bias-untrained", "diff": ablation_diff, "ci95": 0.004,
                                  "splits_above": 11, "verdict": "level"}}}


def test_movielens_verdict_takes_the_learner_chosen_on_validation_and_says_when_the_goal_is_missed():
    """The best meta-learner is the one the result chose on validation users (melu-bias), not the one
    with the best test mean (melu-mf's 0.9); the goal and the ablation are said in plain words."""
    v = real_report.real_verdict(_ml_with_goal(met=False, ablation_diff=0.002))
    assert v["method"] == "melu-bias" and v["goal"]["short"] == ["mf-foldin"] and not v["goal"]["met"]
    text = real_report.real_verdict_text(v)
    assert text.endswith(
        "So the goal, an interval above 0 against each of User + item bias, Item mean rating, Matrix "
        "factorisation, new user folded in over the 20 splits, is not met: it does not beat Matrix "
        "factorisation, new user folded in. Meta-training adds nothing measurable: +0.002 ± 0.004 over MeLU "
        "on ratings, from the bias model, untrained (ablation: no meta-training) (20 splits), within the noise.")
    assert "没有达到" in real_report.real_verdict_text(v, "zh")
    met = real_report.real_verdict_text(real_report.real_verdict(_ml_with_goal(met=True, ablation_diff=0.01)))
    assert "Over the 20 splits its interval lies above 0 against each of" in met
    assert "Meta-training helps: +0.010 ± 0.004" in met


def test_a_row_not_meta_trained_is_never_the_verdicts_learner():
    res = _ml_with_goal(met=True, ablation_diff=0.0)
    res = {**res, "best_meta_learner": None,
           "results": [{**r, "meta_trained": False} if r["method"] == "melu-mf" else r for r in res["results"]]}
    assert real_report.real_verdict(res)["method"] == "melu-bias"   # melu-mf (0.9) is not meta-trained here


def test_published_rows_are_named_without_english_notes():
    """The page adds "(published)" in the reader's language; the files' own suffix and notes go."""
    assert [real_report.published_name(n) for n in (
        "MeLU (first-order), published", "MAMO, published", "TaNP (published)", "S3-Rec")] == [
        "MeLU", "MAMO", "TaNP", "S3-Rec"]
