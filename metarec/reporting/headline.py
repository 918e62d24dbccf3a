"""The leaderboard's first screen: where meta-learning helps, and where it does not, in numbers.

For each benchmark (the simulated toy world, Amazon Toys, MovieLens-100K) and each of its settings
(shots, candidate set, split), one *row*: the meta-trained learner (chosen on validation, never on
test) minus the strongest classical model (the classical row with the highest mean in that
setting: the hardest opponent), with a 95 % interval and its verdict (:func:`~metarec.core.stats.verdict`:
above / level / below 0). The differences are paired where the results carry pairs (toy world:
the same test families; MovieLens: the same users and splits); on Amazon the rows hold only each
method's own interval, so the difference gets the conservative unpaired half-width
(:func:`~metarec.reporting.verdicts.unpaired_ci`) and says so.

:func:`headline` gathers the rows and one verdict per benchmark; :func:`verdict_text` words a
verdict in the reader's language. The page draws the rows as a forest plot.
"""
from __future__ import annotations

from .real import HEADLINE, real_views
from .toybox import meta_vs_classical
from .verdicts import ABOVE, BELOW, LEVEL, compare, signed_ci, unpaired_ci

BENCHMARKS = ("toy", "amazon", "movielens")
WORLDS = {"amazon-toys": "amazon", "movielens-100k": "movielens"}
# the classical models of the real-data runs (not neural, not meta-trained)
CLASSICAL = ("popularity", "knn", "item-knn", "ease", "markov", "item-mean", "user-item-bias", "mf-foldin")
# the collaborative classical models an interaction benchmark should be held against
CF_CLASSICAL = ("item-knn", "ease", "markov")
TOY_METRIC = "ndcg@10"


def _row(benchmark: str, setting: dict, metric: str, method: str, against: str, diff: float,
         ci: float, paired: bool) -> dict:
    return {"benchmark": benchmark, "setting": setting, "metric": metric, "method": method,
            "against": against, "diff": float(diff), "ci": float(ci), "paired": paired,
            "status": compare(diff, ci)}


def toy_rows(metrics: dict) -> list[dict]:
    """The served meta-learner minus the empirical-Bayes regression at each number of shots,
    paired over the test families (the checkpoint manifest's ``metrics``)."""
    facts = meta_vs_classical(metrics, TOY_METRIC)
    if not facts:
        return []
    return [_row("toy", {"kind": "shots", "k": p["shots"]}, TOY_METRIC, facts["method"], facts["against"],
                 p["diff"], p["ci"], True) for p in facts["per_k"]]


def _meta_choice(rows: list[dict], training: dict) -> dict | None:
    """The meta-trained row whose training ended with the best validation score (the file order
    when none says)."""
    meta = [r for r in rows if r.get("meta_trained")]
    if not meta:
        return None
    return max(meta, key=lambda r: ((training.get(r["method"]) or {}).get("best_val", float("-inf")),
                                    -meta.index(r)))


def amazon_rows(result: dict) -> list[dict]:
    """Per view (candidate set) and number of shots: the meta-trained learner with the best
    validation score minus the strongest classical row, unpaired (the file has no pairs)."""
    out = []
    training = result.get("training") or {}
    for view in real_views(result):
        metric = HEADLINE.get(view.get("protocol"))
        rows = [r for r in view.get("results") or [] if isinstance(r, dict) and metric in r]
        for k in sorted({r.get("shots") for r in rows}, key=lambda k: k or 0):
            here = [r for r in rows if r.get("shots") == k]
            meta = _meta_choice(here, training)
            classical = [r for r in here if r["method"] in CLASSICAL and not r.get("meta_trained")]
            if not meta or not classical:
                continue
            best = max(classical, key=lambda r: r[metric])
            ci = unpaired_ci(meta.get(f"{metric}_ci95"), best.get(f"{metric}_ci95"))
            setting = {"kind": view["protocol"], "k": k}
            out.append(_row("amazon", setting, metric, meta["method"], best["method"],
                            meta[metric] - best[metric], ci or 0.0, False))
            top = max(here, key=lambda r: r[metric])
            if top is not meta and not top.get("meta_trained") and top["method"] not in CLASSICAL:
                # a model ahead of both that is neither meta-trained nor classical (seqmodel)
                out[-1]["leader"] = {"method": top["method"], "value": top[metric],
                                     "diff": round(top[metric] - meta[metric], 4)}
    return out


def movielens_rows(result: dict) -> list[dict]:
    """The best meta-learner (chosen on validation users) minus the strongest classical model
    (highest mean over the extra splits), paired: over the published split's test users, and
    over the extra splits' means."""
    metric = HEADLINE["published"]
    rows = [r for r in result.get("results") or [] if isinstance(r, dict) and metric in r]
    chosen = (result.get("best_meta_learner") or {}).get("method")
    meta = [r for r in rows if r.get("meta_trained")]
    best = next((r for r in meta if r["method"] == chosen), None) or (
        max(meta, key=lambda r: r.get("valid_ndcg@5_splits", r.get("valid_ndcg@5", 0.0))) if meta else None)
    classical = [r for r in rows if r["method"] in CLASSICAL]
    if best is None or not classical:
        return []
    strongest = max(classical, key=lambda r: r.get(f"{metric}_splits", r[metric]))
    pair = next((p for p in result.get("paired") or [] if p.get("method") == best["method"]
                 and p.get("baseline") == strongest["method"] and p.get("metric") == metric), None)
    if pair is None:
        return []
    out = [_row("movielens", {"kind": "ml-published", "n": best.get("n_test_users")}, metric, best["method"],
                strongest["method"], pair["published_diff"], pair["published_diff_ci95_users"], True)]
    if "splits_diff" in pair:
        out.append(_row("movielens", {"kind": "ml-splits", "n": pair.get("n_splits")}, metric, best["method"],
                        strongest["method"], pair["splits_diff"], pair["splits_diff_ci95"], True))
    return out


def headline(metrics: dict | None, results: list[dict]) -> dict:
    """Every row (toy world first, then Amazon, then MovieLens) and one verdict per benchmark.

    Arguments:
        metrics: the shipped checkpoint manifest's ``metrics`` (None: no toy-world rows).
        results: :func:`metarec.reporting.real.real_results`.

    Returns:
        ``{"rows": [...], "verdicts": [{"benchmark", "groups", "methods", "against", "unpaired",
        "leaders", "missing_classical"}, ...]}``, a verdict for each benchmark that has rows.
        ``groups`` holds the benchmark's rows by ``status`` (``"above"``, ``"level"``,
        ``"below"``); ``leaders`` the models neither meta-trained nor classical that were ahead of
        the meta-learner; ``missing_classical`` the collaborative classical models an interaction
        benchmark was not run against.
    """
    rows = toy_rows(metrics or {})
    for res in results:
        world = WORLDS.get(res.get("world"))
        rows += amazon_rows(res) if world == "amazon" else movielens_rows(res) if world == "movielens" else []
    verdicts = []
    for bench in BENCHMARKS:
        mine = [r for r in rows if r["benchmark"] == bench]
        if not mine:
            continue
        ran = {r["method"] for res in results if WORLDS.get(res.get("world")) == bench
               for r in res.get("results") or [] if isinstance(r, dict)}
        verdicts.append({
            "benchmark": bench,
            "groups": {s: [r for r in mine if r["status"] == s] for s in (ABOVE, LEVEL, BELOW)},
            "methods": list(dict.fromkeys(r["method"] for r in mine)),
            "against": list(dict.fromkeys(r["against"] for r in mine)),
            "unpaired": not all(r["paired"] for r in mine),
            "leaders": _leaders(mine),
            "missing_classical": [m for m in CF_CLASSICAL if m not in ran] if bench == "amazon" else []})
    return {"rows": rows, "verdicts": verdicts}


def _leaders(rows: list[dict]) -> list[dict]:
    """Models (neither meta-trained nor classical) ahead of the meta-learner: in how many of the
    ``rows`` and by how much at most (a difference of means, no interval claimed)."""
    out: dict[str, dict] = {}
    for r in rows:
        if "leader" in r:
            lead = out.setdefault(r["leader"]["method"], {"method": r["leader"]["method"], "n": 0,
                                                          "of": len(rows), "diff": float("-inf")})
            lead["n"] += 1
            lead["diff"] = max(lead["diff"], r["leader"]["diff"])
    return list(out.values())


def setting_text(row: dict, lang: str = "en") -> str:
    """A row's setting in words: ``"3 liked toys"``, ``"new users, k = 3"``, ``"20 more splits"``."""
    from ..i18n import t
    s = row["setting"]
    key = {"shots": "toy_k_one" if s.get("k") == 1 else "toy_k", "cold-start": "cold_k"}.get(s["kind"], s["kind"])
    return t(f"ui.board.head.setting.{key}", lang, k=s.get("k"), n=s.get("n"))


def row_label(row: dict, lang: str = "en") -> str:
    """A forest-plot row's label: benchmark, setting and metric."""
    from ..i18n import t
    from .real import metric_label
    return t("ui.board.head.row", lang, bench=t(f"ui.board.head.bench.{row['benchmark']}", lang),
             setting=setting_text(row, lang), metric=metric_label(row["metric"]))


def verdict_text(v: dict, lang: str = "en") -> str:
    """One benchmark's verdict as a short paragraph (markdown): who against whom, where above,
    level and below (each setting with its difference), and what the comparison lacks."""
    from ..i18n import method_title, t
    from .real import metric_label
    sep, space = t("ui.list.sep", lang), t("ui.sentence.sep", lang)
    real = v["benchmark"] != "toy"
    names = sep.join(f"*{method_title(m, lang, real_data=real)}*" for m in v["methods"])
    refs = sep.join(f"*{method_title(m, lang, real_data=real)}*" for m in v["against"])
    parts = [t("ui.board.head.verdict", lang, bench=t(f"ui.board.head.bench.{v['benchmark']}", lang),
               name=names, ref=refs)]
    clauses = []
    for status, rows in v["groups"].items():
        if rows:
            cells = sep.join(t("ui.board.head.cell", lang, setting=setting_text(r, lang),
                               metric=metric_label(r["metric"]), d=signed_ci(r["diff"], r["ci"]))
                             for r in rows)
            clauses.append(t(f"ui.board.head.status.{status}", lang, cells=cells))
    parts.append(t("ui.board.head.clause_sep", lang).join(clauses) + t("ui.board.rv.end", lang))
    for lead in v["leaders"]:
        parts.append(t("ui.board.head.leader", lang, name=method_title(lead["method"], lang, real_data=real),
                       n=lead["n"], m=lead["of"], d=f"{lead['diff']:+.3f}"))
    if v["unpaired"]:
        parts.append(t("ui.board.head.unpaired", lang))
    if v["missing_classical"]:
        parts.append(t("ui.board.head.missing", lang, names=sep.join(
            method_title(m, lang, real_data=True) for m in v["missing_classical"])))
    return space.join(parts)
