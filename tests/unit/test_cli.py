"""The CLI contract: JSON shapes the app and outside scripts rely on, and one-line errors."""
import json
import subprocess
import sys

import pytest

from tests.support import ROOT


def run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "metarec", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def toys():
    p = run("catalog", "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_catalog_json(toys):
    assert len(toys) >= 300
    for key in ("id", "name", "category", "min_age_months", "max_age_months", "small_parts", "price"):
        assert all(key in t for t in toys)


def test_recommend_json_contract(toys):
    liked = [t["id"] for t in toys if t["min_age_months"] <= 48 <= t["max_age_months"]][:3]
    p = run("recommend", "--age", "4", "--liked", *liked, "--top", "5", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert {"device", "method", "age_years", "recommendations"} <= set(out)
    assert out["text_toys"] == []   # toys described in words (--liked-text): none here
    served = json.loads((ROOT / "assets/checkpoints/manifest.json").read_text())["metrics"]["served"]
    assert out["method"] == served["method"]   # the learner the checkpoint chose on validation
    assert out["age_years"] == 4 and len(out["recommendations"]) == 5
    for r in out["recommendations"]:
        assert {"id", "name", "category", "min_age_months", "max_age_months", "small_parts", "score",
                "reason"} <= set(r)
        assert r["min_age_months"] <= 48 <= r["max_age_months"] and r["id"] not in liked


def test_recommend_without_likes_says_it_falls_back():
    p = run("recommend", "--age", "1.5", "--json")
    out = json.loads(p.stdout)
    assert p.returncode == 0 and out["fallback"] and out["notice"]
    assert all(not r["small_parts"] and r["min_age_months"] <= 18 for r in out["recommendations"])


@pytest.mark.parametrize("args, needle", [
    (["--age", "15", "--liked", "bld-05"], "age"),
    (["--age", "-1", "--liked", "bld-05"], "age"),
    (["--age", "four", "--liked", "bld-05"], "number"),
    (["--age", "nan"], "age"),
    (["--age", "4", "--liked", "zzz-99"], "unknown toy"),
    (["--age", "4", "--liked", "bld-05", "--disliked", "bld-05"], "both liked and disliked"),
    (["--age", "4", "--top", "ten"], "--top"),
    (["--age", "4", "--method", "magic"], "unknown method"),
    (["--liked", "bld-05"], "--age"),
])
def test_bad_input_exits_2_with_one_line(args, needle):
    p = run("recommend", *args, "--json")
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_more_than_50_liked(toys):
    p = run("recommend", "--age", "9", "--liked", *[t["id"] for t in toys[:51]])
    assert p.returncode == 2 and "at most 50" in p.stderr


def test_evaluate_json_shape():
    p = run("evaluate", "--world", "toybox", "--shots", "1", "5", "--families", "15", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["world"] == "toybox"
    methods = {r["method"] for r in out["results"]}
    assert {"maml", "fomaml", "melu", "finetune", "knn", "popularity"} <= methods
    for r in out["results"]:
        assert {"method", "shots", "ndcg@10", "recall@10", "hr@10", "n_families"} <= set(r)
        assert r["n_families"] == 15 and 0 <= r["ndcg@10"] <= 1
