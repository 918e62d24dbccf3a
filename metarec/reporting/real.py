"""Saved real-data results (``docs/results/*.json``) as the leaderboard shows them: one table per
candidate set, a headline chart, the paired differences and a verdict in plain words.

Cells and verdicts use :mod:`metarec.reporting.verdicts` (one formatter, one "above / level /
below" rule), as the toy-world leaderboard does."""
from __future__ import annotations

from .verdicts import ABOVE, BELOW, LEVEL, compare, mean_ci, signed_ci


def real_results(folder=None) -> list[dict]:
    """Saved real-data evaluation results (``docs/results/*.json``), newest protocol names first.

    Each is the JSON ``python -m metarec evaluate --world amazon-toys|movielens-100k ... --out``
    wrote; an empty list when none has been run yet.
    """
    import json
    from pathlib import Path

    from ..core import paths
    folder = Path(folder or paths.REPO / "docs" / "results")
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and "results" in data and data.get("world") != "toybox":
            out.append({**data, "file": path.name})
    return out


HEADLINE = {"s3rec": "hr@10", "s3rec-full": "hr@10", "cold-start": "ndcg@10", "published": "ndcg@5"}
METRIC_LABELS = {"hr@1": "HR@1", "hr@5": "HR@5", "hr@10": "HR@10", "ndcg@5": "nDCG@5",
                 "ndcg@10": "nDCG@10", "mrr": "MRR", "mrr@5": "MRR@5", "p@5": "P@5",
                 "recall@10": "Recall@10"}
# The simple baselines the MovieLens README asks a meta-learner to beat (the constant predictor is
# there to show the published rows' level, not as a baseline to beat: see its caveat).
SIMPLE_BASELINES = ("user-item-bias", "item-mean", "mf-foldin", "popularity")
# meta-learners of files without per-row labels (newer MovieLens rows say ``meta_trained``)
LEARNERS = ("melu-bias", "melu-mf", "melu", "fomaml", "maml", "finetune")
SPLITS_GROUP = "more splits (mean)"   # real_headline's group of the extra splits' means


# Published rows as the result files name them -> the name shown in every language (the page adds
# "(published)" in the reader's language, so the files' English suffix and notes are dropped).
PUBLISHED_NAMES = {"MeLU (first-order)": "MeLU"}


def published_name(raw: str) -> str:
    """A published row's display name: ``"MeLU (first-order), published"`` -> ``"MeLU"``,
    ``"MAMO, published"`` -> ``"MAMO"`` (names without English words stay as they are)."""
    name = str(raw)
    for suffix in (", published", " (published)", " published"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return PUBLISHED_NAMES.get(name, name)


def metric_label(key: str) -> str:
    """``"ndcg@10"`` -> ``"nDCG@10"`` (unknown keys as they are)."""
    return METRIC_LABELS.get(key, key)


def real_views(res: dict) -> list[dict]:
    """A saved real-data result as the tables a reader sees, one per candidate set.

    The S3-Rec run saves both published variants in one file: the target against 99 sampled items
    (``results``) and against all items (``results_all_items``, protocol ``s3rec-full``); they
    become two views. Every other result is one view. A view is the result dict with ``results``
    and ``published`` set to that variant's rows."""
    views = [res]
    if res.get("results_all_items"):
        views.append({**res, "protocol": "s3rec-full", "results": res["results_all_items"],
                      "published": res.get("published_all_items") or []})
    return views


def _cell(value, ci=None) -> str | None:
    return mean_ci(value, ci) if isinstance(value, (int, float)) else None


def real_table(view: dict) -> tuple[list[dict], list[dict]]:
    """``(columns, rows)`` for one view, cells as text: ``"0.535 ± 0.007"`` (mean ± 95 % half-width)
    for measured rows, the paper's number for published rows (``"published": True``).

    A column is ``{"key", "metric", "splits"}``: ``metric`` None for the method and shots columns;
    metrics in the order the rows list them. MovieLens rows get one column per metric on the
    published split (interval over its test users) and, when run, one per metric over the extra
    splits (``splits`` True: mean of the split means, interval over splits; ``n_splits`` how
    many)."""
    rows = [r for r in view.get("results") or [] if isinstance(r, dict) and "method" in r]
    seen = dict.fromkeys(k for r in rows for k in r)
    metrics = [k for k in seen if k in METRIC_LABELS]
    extra = [k for k in metrics if f"{k}_splits" in seen]
    n_splits = next((r["n_splits"] for r in rows if r.get("n_splits")), None)
    columns = [{"key": "method", "metric": None, "splits": False}]
    if "shots" in seen:
        columns.append({"key": "shots", "metric": None, "splits": False})
    columns += [{"key": k, "metric": k, "splits": False} for k in metrics]
    columns += [{"key": f"{k}_splits", "metric": k, "splits": True, "n_splits": n_splits} for k in extra]
    out = []
    for r in rows:
        row = {"method": r["method"], "published": False}
        if "shots" in r:
            row["shots"] = str(r["shots"])
        for k in metrics:
            row[k] = _cell(r.get(k), r.get(f"{k}_ci95", r.get(f"{k}_ci95_users")))
        for k in extra:
            row[f"{k}_splits"] = _cell(r.get(f"{k}_splits"), r.get(f"{k}_splits_ci95"))
        out.append(row)
    for r in view.get("published") or []:
        if isinstance(r, dict) and "method" in r:
            out.append({"method": published_name(r["method"]), "published": True,
                        **{k: _cell(r.get(k)) for k in metrics}})
    return columns, out


def real_verdict(view: dict) -> dict | None:
    """What one view's headline metric says, as facts for a sentence (None when there is none).

    - ``kind="published"`` (a view with numbers from papers): our best method, its value and
      interval, and the published rows it is above / level with / below (a paper's number has no
      interval here, so ours decides: :func:`metarec.reporting.verdicts.compare` of the
      difference with our 95 % half-width).
    - ``kind="shots"`` (cold-start): the best method at each number of shots.
    - ``kind="paired"`` (MovieLens): for the best meta-trained learner (the result's
      ``best_meta_learner``, chosen on validation users; in older files the best mean over the
      extra splits), its paired difference from each simple baseline on the published split and
      over the extra splits, each with ``status`` "above" / "level" / "below"
      (:func:`metarec.reporting.verdicts.compare`: the 95 % interval excludes 0 or not), and the
      result's ``goal`` (above user+item bias, item mean and MF fold-in over the splits?) with
      the ablation (the same learner without meta-training).
    """
    metric = HEADLINE.get(view.get("protocol"))
    rows = [r for r in view.get("results") or [] if isinstance(r, dict) and metric in r]
    if not metric or not rows:
        return None
    if view.get("paired"):
        return _paired_verdict(view, metric, rows)
    if any("shots" in r for r in rows):
        best = {}
        for r in rows:
            k = int(r["shots"])
            if k not in best or r[metric] > best[k][metric]:
                best[k] = r
        return {"kind": "shots", "metric": metric,
                "best": [{"shots": k, "method": r["method"], "value": r[metric], "ci": r.get(f"{metric}_ci95")}
                         for k, r in sorted(best.items())]}
    best = max(rows, key=lambda r: r[metric])
    published = [r for r in view.get("published") or [] if isinstance(r, dict) and metric in r]
    ci = best.get(f"{metric}_ci95")
    by = {ABOVE: [], LEVEL: [], BELOW: []}   # a missing interval counts as exact (old rows)
    for r in published:
        by[compare(best[metric] - r[metric], ci or 0.0)].append({"method": published_name(r["method"]),
                                                                 "value": r[metric]})
    return {"kind": "published", "metric": metric, "method": best["method"], "value": best[metric], "ci": ci,
            "above": [r["method"] for r in by[ABOVE]], "level": by[LEVEL], "below": by[BELOW]}


def _paired_verdict(view: dict, metric: str, rows: list[dict]) -> dict | None:
    learners = [r for r in rows if r.get("meta_trained", r["method"] in LEARNERS)]
    if not learners:
        return None
    chosen = (view.get("best_meta_learner") or {}).get("method")
    split_key = f"{metric}_splits"
    best = next((r for r in learners if r["method"] == chosen), None) or max(
        learners, key=lambda r: r.get(split_key, r[metric]))
    pairs = {p["baseline"]: p for p in view["paired"] if isinstance(p, dict)
             and p.get("method") == best["method"] and p.get("metric") == metric
             and p.get("baseline") in SIMPLE_BASELINES}
    if not pairs:
        return None
    out = {"kind": "paired", "metric": metric, "method": best["method"], "n_users": best.get("n_test_users"),
           "published": [], "splits": []}
    for b in (x for x in SIMPLE_BASELINES if x in pairs):
        p = pairs[b]
        out["published"].append({"baseline": b, "diff": p["published_diff"], "ci": p["published_diff_ci95_users"],
                                 "status": compare(p["published_diff"], p["published_diff_ci95_users"])})
        if "splits_diff" in p:
            out["splits"].append({"baseline": b, "diff": p["splits_diff"], "ci": p["splits_diff_ci95"],
                                  "status": compare(p["splits_diff"], p["splits_diff_ci95"]),
                                  "n_splits": p.get("n_splits")})
    goal = view.get("goal")
    if isinstance(goal, dict) and goal.get("method") == best["method"] and goal.get("against"):
        out["goal"] = {"met": bool(goal.get("met")), "n_splits": goal.get("n_splits"),
                       "baselines": [a["baseline"] for a in goal["against"]],
                       "short": [a["baseline"] for a in goal["against"] if a.get("verdict") != ABOVE]}
        ab = goal.get("ablation")
        if ab:
            out["ablation"] = {"baseline": ab["baseline"], "diff": ab["diff"], "ci": ab["ci95"],
                               "status": compare(ab["diff"], ab["ci95"]), "n_splits": goal.get("n_splits")}
    return out


def real_headline(res: dict) -> dict | None:
    """The one metric a stakeholder chart shows for a saved real-data result, as bars.

    Each bar: ``method``, ``group`` (the shots on cold-start; on MovieLens "published split", or
    :data:`SPLITS_GROUP` for the mean over the extra splits, whose number is ``n_splits`` in the
    answer), ``value``, ``err`` (95 % half-width, None for published numbers) and ``published``
    (a number from a paper, not measured here). Published rows only join the group measured under
    their protocol. None when the protocol has no headline metric.
    """
    metric = HEADLINE.get(res.get("protocol"))
    if metric is None:
        return None
    bars, n_splits = [], None
    for r in res.get("results") or []:
        if not isinstance(r, dict) or metric not in r:
            continue
        if "shots" in r:
            bars.append(_bar(r["method"], f"k={r['shots']}", r[metric], r.get(f"{metric}_ci95")))
        elif "split" in r:
            bars.append(_bar(r["method"], "published split", r[metric], r.get(f"{metric}_ci95_users")))
            if f"{metric}_splits" in r:
                n_splits = r.get("n_splits")
                bars.append(_bar(r["method"], SPLITS_GROUP, r[f"{metric}_splits"],
                                 r.get(f"{metric}_splits_ci95")))
        else:
            bars.append(_bar(r["method"], "", r[metric], r.get(f"{metric}_ci95")))
    group = "published split" if any(b["group"] == "published split" for b in bars) else ""
    for r in res.get("published") or []:
        if isinstance(r, dict) and metric in r:
            bars.append({**_bar(published_name(r["method"]), group, r[metric], None), "published": True})
    return {"metric": metric, "bars": bars, "n_splits": n_splits} if bars else None


def paired_rows(res: dict, metric: str) -> list[dict]:
    """The saved learner-minus-baseline comparisons of ``metric`` (MovieLens' ``paired``), as text
    cells: ``published`` "+0.010 ± 0.050", ``users`` "20 / 15", ``splits`` and ``above`` "4 / 5"
    when extra splits were run. Empty when the result has none."""
    out = []
    for r in res.get("paired") or []:
        if not isinstance(r, dict) or r.get("metric") != metric:
            continue
        row = {"method": r["method"], "baseline": r["baseline"],
               "published": signed_ci(r["published_diff"], r["published_diff_ci95_users"]),
               "users": f"{r['published_users_better']} / {r['published_users_worse']}",
               "n_splits": r.get("n_splits")}
        if "splits_diff" in r:
            row["splits"] = signed_ci(r["splits_diff"], r["splits_diff_ci95"])
            row["above"] = f"{r['splits_above']} / {r['n_splits']}"
        out.append(row)
    return out


def real_verdict_text(verdict: dict, lang: str = "en") -> str:
    """:func:`real_verdict`'s facts as one paragraph in ``lang`` (markdown)."""
    text = {"published": _published_text, "shots": _shots_text, "paired": _paired_text}[verdict["kind"]]
    return text(verdict, lang)


def _name(method: str, lang: str) -> str:
    from ..i18n import method_title
    return method_title(method, lang, real_data=True)


def _published_text(v: dict, lang: str) -> str:
    from ..i18n import t
    sep = t("ui.list.sep", lang)
    parts = [t("ui.board.rv.best", lang, name=_name(v["method"], lang), metric=metric_label(v["metric"]),
               v=mean_ci(v["value"], v["ci"]))]
    level = v.get("level") or []
    if v["above"] and not v["below"] and not level:
        parts.append(t("ui.board.rv.above_all", lang))
    elif v["above"]:
        parts.append(t("ui.board.rv.above", lang, names=sep.join(_name(m, lang) for m in v["above"])))
    if level:
        parts.append(t("ui.board.rv.level", lang, items=sep.join(
            f"{_name(b['method'], lang)} ({mean_ci(b['value'])})" for b in level)))
    if v["below"]:
        parts.append(t("ui.board.rv.below", lang, items=sep.join(
            f"{_name(b['method'], lang)} ({mean_ci(b['value'])})" for b in v["below"])))
    return t("ui.sentence.sep", lang).join(parts)


def _shots_text(v: dict, lang: str) -> str:
    from ..i18n import t
    sep, best, metric = t("ui.list.sep", lang), v["best"], metric_label(v["metric"])
    if len({b["method"] for b in best}) == 1:
        return t("ui.board.rv.shots_one", lang, name=_name(best[0]["method"], lang), metric=metric,
                 items=sep.join(f"k={b['shots']} {mean_ci(b['value'], b['ci'])}" for b in best))
    return t("ui.board.rv.shots_each", lang, metric=metric, items=sep.join(
        f"k={b['shots']} {_name(b['method'], lang)} ({mean_ci(b['value'], b['ci'])})" for b in best))


def _paired_text(v: dict, lang: str) -> str:
    from ..i18n import t
    sep, space, clause_sep = t("ui.list.sep", lang), t("ui.sentence.sep", lang), t("ui.board.rv.clause_sep", lang)
    clauses = []
    for where in ("published", "splits"):
        diffs = v[where]
        if not diffs:
            continue
        groups = [t(f"ui.board.rv.status.{status}", lang, items=sep.join(
                      f"{_name(d['baseline'], lang)} ({signed_ci(d['diff'], d['ci'])})"
                      for d in diffs if d["status"] == status))
                  for status in (ABOVE, LEVEL, BELOW) if any(d["status"] == status for d in diffs)]
        if where == "splits":
            lead = t("ui.board.rv.on_splits", lang, n=diffs[0].get("n_splits") or len(diffs))
        elif v.get("n_users"):
            lead = t("ui.board.rv.on_published", lang, n=v["n_users"])
        else:
            lead = t("ui.board.rv.on_published_plain", lang)
        clauses.append(lead + space + clause_sep.join(groups))
    head = t("ui.board.rv.paired_head", lang, name=_name(v["method"], lang), metric=metric_label(v["metric"]))
    text = head + space + clause_sep.join(clauses) + t("ui.board.rv.end", lang)
    goal = v.get("goal")
    if goal:
        names = sep.join(_name(b, lang) for b in goal["baselines"])
        text += space + (t("ui.board.rv.goal_met", lang, n=goal["n_splits"], names=names) if goal["met"] else
                         t("ui.board.rv.goal_not_met", lang, n=goal["n_splits"], names=names,
                           short=sep.join(_name(b, lang) for b in goal["short"])))
    ab = v.get("ablation")
    if ab:
        text += space + t(f"ui.board.rv.ablation.{ab['status']}", lang, name=_name(ab["baseline"], lang),
                          n=ab["n_splits"], d=signed_ci(ab["diff"], ab["ci"]))
    return text


def _bar(method: str, group: str, value, err) -> dict:
    return {"method": method, "group": group, "value": float(value),
            "err": None if err is None else float(err), "published": False}
