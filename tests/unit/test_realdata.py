"""Real-data protocols: splits without leakage, sampled negatives, hand-computed metric cases,
the published MovieLens protocol, and the shape of a --quick JSON answer."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from metarec.core.paths import REPO, data_dir
from metarec.realdata import protocols as P
from metarec.realdata.seqmodel import training_pairs

pytestmark = pytest.mark.realdata

HAVE_DATA = (data_dir() / "amazon-toys" / "sequences.txt").is_file()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="real data not present")


@pytest.fixture(scope="module")
def amazon():
    from metarec.realdata.loaders import load_amazon_toys
    return load_amazon_toys(max_users=2000)


@needs_data
def test_s3rec_split_never_leaks_targets_or_validation(amazon):
    split = P.leave_one_out(amazon.sequences)
    for u, seq in enumerate(amazon.sequences):
        assert split.test_target[u] == seq[-1] and split.val_target[u] == seq[-2]
        train = set(split.train[u].tolist())
        assert split.test_target[u] not in train and split.val_target[u] not in train
        assert split.test_target[u] not in set(split.test_support[u].tolist())
        assert split.val_target[u] not in set(split.val_support[u].tolist())
    # what meta-training sees: every (support, query) pair comes from the history alone
    for u, t in training_pairs(split.train):
        support, query = split.train[u][:t], split.train[u][t]
        assert query in set(amazon.sequences[u][:-2].tolist())
        assert query not in (split.val_target[u], split.test_target[u])
        assert not {split.val_target[u], split.test_target[u]} & set(support.tolist())


@needs_data
def test_sampled_negatives_exclude_the_users_items(amazon):
    seqs = amazon.sequences[:300]
    neg = P.sample_negatives(seqs, amazon.n_items, seed=0)
    assert neg.shape == (300, 99)
    for u, s in enumerate(seqs):
        assert len(set(neg[u].tolist())) == 99
        assert not set(neg[u].tolist()) & set(s.tolist())      # never the user's own items
    assert np.array_equal(neg, P.sample_negatives(seqs, amazon.n_items, seed=0))
    assert not np.array_equal(neg, P.sample_negatives(seqs, amazon.n_items, seed=1))
    # a user's draw does not depend on who else is in the list
    assert np.array_equal(P.sample_negatives(seqs[:10], amazon.n_items, seed=0), neg[:10])


def test_sampled_negatives_tiny_catalog():
    neg = P.sample_negatives([np.array([0, 1, 2])], n_items=8, n=5, seed=3)
    assert sorted(neg[0].tolist()) == [3, 4, 5, 6, 7]


def test_target_rank_and_metrics_by_hand():
    rng = np.random.default_rng(0)
    assert P.target_rank(0.5, np.array([0.9, 0.1, 0.2]), rng) == 2
    assert P.target_rank(1.0, np.array([0.1, 0.2]), rng) == 1
    ranks = {P.target_rank(0.5, np.array([0.5, 0.5, 0.1]), rng) for _ in range(200)}
    assert ranks == {1, 2, 3}                                   # ties broken at random
    m = P.target_metrics(3)
    assert m["hr@1"] == 0 and m["hr@5"] == 1 and m["hr@10"] == 1
    assert m["ndcg@5"] == pytest.approx(1 / math.log2(4)) and m["mrr"] == pytest.approx(1 / 3)
    m = P.target_metrics(7)
    assert m["hr@5"] == 0 and m["ndcg@5"] == 0 and m["ndcg@10"] == pytest.approx(1 / 3)
    assert P.target_metrics(1)["ndcg@10"] == 1.0


def test_rank_targets_sampled_and_all_items():
    from metarec.realdata.ranking import rank_targets
    table = torch.tensor([0.0, 5.0, 4.0, 3.0, 2.0, 1.0])     # 6 items: item 1 best, then 2, 3, ...

    def score(supports, candidates):
        return table[candidates] if candidates is not None else table.expand(len(supports), -1)
    supports = [np.array([1]), np.array([0])]
    targets = np.array([3, 3])
    negs = np.array([[2, 4], [1, 5]])
    m = rank_targets(score, supports, targets, negs)
    assert m["hr@1"] == [0.0, 0.0] and m["mrr"] == [0.5, 0.5]  # behind item 2 / item 1
    m = rank_targets(score, supports, targets, None)            # all items, own support excluded
    assert m["mrr"] == [0.5, 1 / 3]   # user 0: item 1 seen -> only 2 beats 3; user 1: 1 and 2 do


def test_coldstart_split_and_metrics():
    train, test = P.coldstart_users(100, 0.2, seed=0)
    assert len(test) == 20 and not set(train) & set(test) and len(train) + len(test) == 100
    assert np.array_equal(test, P.coldstart_users(100, 0.2, seed=0)[1])
    m = P.coldstart_metrics([5, 9, 2] + list(range(20, 27)), {9, 2, 40})
    assert m["hr@10"] == 1 and m["recall@10"] == pytest.approx(2 / 3)
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 0.5))


def test_published_protocol_by_hand():
    q = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    true = [5, 1, 4, 2, 5, 3, 1, 4, 2, 1]
    assert P.published_relevant(q, true) == {10, 14, 12, 17, 15}
    m = P.published_metrics(q, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], true)   # query order
    assert m["p@5"] == pytest.approx(3 / 5)                             # 10, 12, 14 in the top 5
    assert m["mrr@5"] == 1.0
    ideal = sum(1 / math.log2(r + 1) for r in range(1, 6))
    assert m["ndcg@5"] == pytest.approx((1 + 1 / math.log2(4) + 1 / math.log2(6)) / ideal)
    # ties in true ratings: earlier query items count as the relevant ones
    assert P.published_relevant([1, 2, 3, 4, 5, 6], [3, 3, 3, 3, 3, 3]) == {1, 2, 3, 4, 5}


@needs_data
def test_published_split_constant_predictor_reproduces_published_p5():
    from metarec.realdata.loaders import load_movielens, load_published_split
    R = load_movielens().rating_dict()
    test = load_published_split()["test"]
    p5 = np.mean([P.published_metrics(t["query_items"], np.zeros(10), [R[u][i] for i in t["query_items"]])["p@5"]
                  for u, t in test.items()])
    assert round(p5, 4) == 0.6103                                       # the MAMO row


@needs_data
def test_random_ml_split_is_drawn_like_the_published_one():
    from metarec.realdata.loaders import load_movielens
    R = load_movielens().rating_dict()
    split = P.draw_ml_split({u: list(r) for u, r in R.items()}, seed=1)
    assert [len(split[p]) for p in ("train", "valid", "test")] == [466, 58, 58]
    for part in split.values():
        for u, t in part.items():
            assert len(t["query_items"]) == 10 and not set(t["query_items"]) & set(t["support_items"])
            assert sorted(t["query_items"] + t["support_items"]) == sorted(R[u])
    assert split != P.draw_ml_split({u: list(r) for u, r in R.items()}, seed=2)
    from metarec.realdata.loaders import load_published_split
    from metarec.realdata.movielens_published import named_split
    assert named_split("seed1", R) == named_split("1", R) == split   # the benchmark's and scripts' names
    assert named_split("published", R) == load_published_split()


@needs_data
def test_quick_json_shapes():
    """The CLI contract: the dict the CLI prints (methods limited here so the test stays fast;
    ../shared/tools/contract-check --full runs the real commands with every method)."""
    from metarec.realdata import evaluate_real
    threads = torch.get_num_threads()
    try:
        d = json.loads(json.dumps(evaluate_real("movielens-100k", quick=True, methods=[
            "constant", "item-mean", "user-item-bias", "popularity"])))
        assert d["world"] == "movielens-100k" and d["protocol"] == "published" and d["published"]
        assert all({"method", "p@5", "ndcg@5", "mrr@5"} <= set(r) for r in d["results"])
        assert d["paired"] == []  # no learner among these methods: nothing to pair
        d = json.loads(json.dumps(evaluate_real("amazon-toys", protocol="s3rec", quick=True,
                                                methods=["popularity"])))
    finally:
        torch.set_num_threads(threads)
    assert d["protocol"] == "s3rec" and d["results"][0]["method"] == "popularity"
    assert {"hr@1", "hr@5", "hr@10", "ndcg@5", "ndcg@10", "mrr"} <= set(d["results"][0])
    assert d["results_all_items"][0]["hr@10"] <= d["results"][0]["hr@10"]
    assert d["results"][0]["n_users"] == 3000 and d["seed"] == 0


def test_cli_prints_one_error_line_for_missing_data():
    p = subprocess.run([sys.executable, "-m", "metarec", "evaluate", "--world", "amazon-toys",
                        "--quick", "--data-dir", "/nonexistent", "--json"],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert p.returncode != 0 and p.stderr.startswith("error:") and "Traceback" not in p.stderr
    assert "/nonexistent/amazon-toys/sequences.txt" in p.stderr

def test_seqmodel_learns_next_item_on_a_toy_sequence_world():
    """The episodic trainer on synthetic data: item i is always followed by item i+1."""
    from metarec.realdata.seqmodel import SeqConfig, train_seqmodel
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # tiny matrices: threads only add contention on shared CI cores
    n_items = 40
    rng = np.random.default_rng(0)
    starts = rng.integers(0, n_items - 8, 200)
    seqs = [np.arange(s, s + 6) for s in starts]
    text = rng.normal(size=(n_items, 8)).astype(np.float32)
    val = [np.arange(s, s + 5) for s in (3, 10, 20)]
    targets = np.array([8, 15, 25])

    def validate(learner):
        return float((learner.score_batch(val, None).argmax(1).numpy() == targets).mean())
    try:
        learner, log = train_seqmodel(seqs, n_items, text, validate,
                                     SeqConfig(dim=16, max_epochs=6, patience=1, dropout=0.0, lr=1e-2,
                                               batch=32))
    finally:
        torch.set_num_threads(threads)
    assert log["best_val"] == 1.0
    s = learner.score_batch([np.array([4, 5, 6]), np.array([30])], torch.tensor([[7, 2], [31, 0]]))
    assert s.shape == (2, 2) and (s[:, 0] > s[:, 1]).all()


@needs_data
def test_movielens_training_never_sees_valid_or_test_query_ratings():
    """What the MovieLens learners may see: every rating of the training users and the *support*
    ratings of validation/test users. The bias baselines' rows and melu-bias's task pool hold no
    query rating of a validation/test user, and melu-bias trains and scores with the test users'
    query ratings replaced by NaN (any that reached training would make the parameters NaN)."""
    from metarec.realdata.loaders import load_movielens, load_published_split
    from metarec.realdata.melu_bias import BiasBase, ml_task_pool, train_melu_bias
    from metarec.realdata.movielens import bias_scores, train_ratings
    from metarec.realdata.settings import MeluBiasSettings
    ml = load_movielens()
    R = ml.rating_dict()
    split = load_published_split()
    held = {(u, i) for part in ("valid", "test") for u, t in split[part].items() for i in t["query_items"]}
    rows = train_ratings(split, R)
    assert not held & {(u, i) for u, i, _ in rows}
    for support_tasks in (False, True):
        pool = ml_task_pool(split, R, support_tasks)
        assert not held & {(u, int(i)) for u, (items, _) in pool.items() for i in items}
        assert set(split["train"]) <= set(pool)
    masked = {u: dict(r) for u, r in R.items()}
    for u, t in split["test"].items():
        for i in t["query_items"]:
            masked[u][i] = float("nan")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        settings = MeluBiasSettings(max_iters=4, eval_every=2, support_tasks=True, n_seeds=2)
        base = BiasBase(rows, masked, bias_scores(rows, ml.n_users, ml.n_items, 10.0), 10.0)
        score, info = train_melu_bias(split, masked, ml, base, settings, 0)
    finally:
        torch.set_num_threads(threads)
    assert [m["seed"] for m in info["members"]] == [0, 1]   # every member trains on the same pool
    for m in info["members"]:
        assert m["iters_run"] == 4 and len(m["train_loss"]) == 2
        assert np.isfinite(m["train_loss"]).all()
    for u, t in split["test"].items():
        assert np.isfinite(score(u, t)).all()


def test_paired_comparisons_by_hand():
    """Learner minus baseline on the same users (published split) and the same splits (extra)."""
    from metarec.realdata.movielens_published import paired_comparisons
    m = {"p@5": [0.6, 0.4, 0.8], "ndcg@5": [0.5, 0.5, 0.9], "mrr@5": [1.0, 0.5, 1.0]}
    b = {"p@5": [0.4, 0.4, 0.6], "ndcg@5": [0.7, 0.5, 0.6], "mrr@5": [1.0, 1.0, 1.0]}
    per_split = {"published": {"melu-bias": m, "item-mean": b},
                 "seed1": {"melu-bias": {k: [0.7] for k in m}, "item-mean": {k: [0.6] for k in m}},
                 "seed2": {"melu-bias": {k: [0.5] for k in m}, "item-mean": {k: [0.6] for k in m}}}
    rows = {r["metric"]: r for r in paired_comparisons(per_split, ["item-mean", "melu-bias", "knn"])}
    assert set(rows) == {"p@5", "ndcg@5", "mrr@5"}
    nd = rows["ndcg@5"]
    assert (nd["method"], nd["baseline"], nd["kind"]) == ("melu-bias", "item-mean", "baseline")
    assert nd["published_diff"] == pytest.approx((-0.2 + 0.0 + 0.3) / 3, abs=1e-4)
    assert (nd["published_users_better"], nd["published_users_worse"]) == (1, 1)
    # differences -0.2, 0, 0.3: sample sd 0.2517, half-width t(2 df) * 0.2517 / sqrt(3), t = 4.303
    assert nd["published_diff_ci95_users"] == pytest.approx(4.3027 * 0.251661 / 3 ** 0.5, abs=1e-4)
    assert nd["published_verdict"] == "level"
    assert nd["splits_diff"] == pytest.approx(0.0, abs=1e-9)
    assert (nd["splits_above"], nd["splits_below"], nd["splits_verdict"]) == (1, 1, "level")
    # split means 0.7 - 0.6 and 0.5 - 0.6: sd 0.1414, t(1 df) = 12.706
    assert nd["n_splits"] == 2 and nd["splits_diff_ci95"] == pytest.approx(12.7062 * 0.141421 / 2 ** 0.5, abs=1e-3)
    assert rows["mrr@5"]["published_diff"] == pytest.approx(-0.1667, abs=1e-4)
    # without extra splits (--quick) there is no split-level block
    assert "splits_diff" not in paired_comparisons({"published": per_split["published"]},
                                                   ["melu-bias", "item-mean"])[0]


def test_realdata_imports_have_no_cycle_and_point_down():
    """Every import in metarec/realdata, function-level ones included: no cycle among its modules,
    no function-level import, and nothing below realdata (core ... reporting) imports it."""
    import ast
    pkg = REPO / "metarec"
    name = {p: ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            for p in pkg.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for path, mod in name.items():
        base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
        edges[mod] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            if mod.startswith("metarec.realdata"):
                assert not [n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))], \
                    f"function-level import in {mod}.{fn.name}"
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                target = ".".join(base[:len(base) - n.level + 1] + [n.module or ""]).strip(".") if n.level else n.module
                for a in n.names:
                    edges[mod].add(f"{target}.{a.name}" if f"{target}.{a.name}" in name.values() else target)
            elif isinstance(n, ast.Import):
                edges[mod].update(a.name for a in n.names)
    above = ("metarec.realdata", "metarec.bench", "metarec.cli", "metarec.__main__")
    for mod, targets in edges.items():
        if not mod.startswith(above):
            assert not [t for t in targets if t.startswith("metarec.realdata")], f"{mod} imports realdata"

    def reach(start):
        seen, todo = set(), [t for t in edges[start] if t in edges and t != start]
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo += [t for t in edges[m] if t in edges and t != m]
        return seen
    for mod in (m for m in edges if m.startswith("metarec.realdata")):
        assert mod not in reach(mod), f"import cycle through {mod}"
