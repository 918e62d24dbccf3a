"""Every real-data method says whether it was meta-trained and how it adapts."""
import json
from pathlib import Path

import pytest

from metarec.realdata.amazon import AMAZON_METHODS
from metarec.realdata.labels import LABELS, label, label_rows
from metarec.realdata.movielens import ABLATIONS, ML_METHODS

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results"


@pytest.mark.parametrize("method", sorted(set(AMAZON_METHODS) | set(ML_METHODS)))
def test_every_method_has_labels(method):
    got = label(method)
    assert isinstance(got["meta_trained"], bool) and got["adapts"] in ("gradient", "encoder", "none")


def test_ablations_are_not_meta_trained_and_their_learners_are():
    for ablation, learner in ABLATIONS.items():
        assert LABELS[ablation] == (False, LABELS[learner][1]) and LABELS[learner][0] is True
    assert LABELS["seqmodel"] == (False, "encoder")   # trained like SASRec, not by an outer loop


def test_label_rows_renames_and_labels_every_row():
    res = label_rows({"results": [{"method": "metaemb", "hr@10": 0.5}, {"method": "melu", "hr@10": 0.4}],
                      "results_all_items": [{"method": "knn", "hr@10": 0.1}]})
    assert [(r["method"], r["meta_trained"], r["adapts"]) for r in res["results"] + res["results_all_items"]] == [
        ("seqmodel", False, "encoder"), ("melu", True, "gradient"), ("knn", False, "none")]
    assert res["results"][0]["hr@10"] == 0.5 and "meta_trained" in res["labels"]
    with pytest.raises(KeyError):
        label("a-method-nobody-labelled")


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.name)
def test_shipped_result_files_are_labelled(path):
    d = json.loads(path.read_text(encoding="utf-8"))
    rows = [r for k in ("results", "results_all_items") for r in d.get(k) or []]
    assert rows
    for r in rows:
        assert (r["meta_trained"], r["adapts"]) == LABELS[r["method"]], r["method"]
