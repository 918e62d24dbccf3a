"""The toybox evaluation as people read it: a Markdown table (for docs/results.md), the
leaderboard's verdict in plain words, and the best learner per number of shots.

Real data: :mod:`metarec.reporting.real`. Both format cells and decide "above / level / below"
with :mod:`metarec.reporting.verdicts`.
"""
from __future__ import annotations

from collections import defaultdict

from .verdicts import ABOVE, compare, mean_ci, signed_ci, unpaired_ci

VERDICT_SHOTS = 5          # the verdict speaks about 5 liked toys (or the nearest number measured)
REFERENCE = "popularity"   # the simple baseline every verdict is measured against
CLASSICAL = "bayes"        # the strongest classical alternative on the simulated world
NOT_META = ("bayes", "knn", "popularity", "finetune", "oracle")   # not meta-learned networks
METRIC_KEYS = {"ndcg@10": "ui.board.metric_ndcg", "recall@10": "ui.board.metric_recall",
               "hr@10": "ui.board.metric_hr"}


def toybox_table(results: list[dict], metric: str = "ndcg@10", titles: dict | None = None) -> str:
    """Methods x shots, ``mean ± 95% half-width``, best mean per column in bold."""
    by = defaultdict(dict)
    for r in results:
        by[r["method"]][r["shots"]] = r
    shots = sorted({r["shots"] for r in results})
    best = {k: max(by[m][k][metric] for m in by if k in by[m]) for k in shots}
    head = "| method | " + " | ".join(f"{k} shot{'s' if k > 1 else ''}" for k in shots) + " |"
    lines = [head, "| --- " * (len(shots) + 1) + "|"]
    for m, row in by.items():
        cells = []
        for k in shots:
            r = row.get(k)
            if r is None:
                cells.append("")
                continue
            cell = mean_ci(r[metric], r.get(metric + "_ci95", float("nan")))
            cells.append(f"**{cell}**" if r[metric] == best[k] else cell)
        lines.append(f"| {(titles or {}).get(m, m)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def metric_label(metric: str, lang: str = "en") -> str:
    """A toybox metric's name in ``lang`` (``"hr@10"`` -> ``"Hit rate@10"``; others as they are)."""
    from ..i18n import t
    return t(METRIC_KEYS.get(metric, "ui.board.metric_other"), lang, metric=metric)


def toy_verdict(rows: list[dict], metric: str, shots: int = VERDICT_SHOTS,
                reference: str = REFERENCE) -> dict | None:
    """What the toybox results say at one number of shots, as facts for a sentence.

    The rows are the manifest's ``metrics.test`` list (one per method and number of shots, with
    ``metric`` and ``f"{metric}_ci95"``). The rows carry no paired differences, so the best
    method is compared with the reference and with its runner-up by
    :func:`~metarec.reporting.verdicts.compare` on the difference of means with the sum of the two
    half-widths (:func:`~metarec.reporting.verdicts.unpaired_ci`: above only when the two 95 %
    intervals do not overlap).

    Arguments:
        rows: toybox results, any order.
        metric: ``"ndcg@10"``, ``"recall@10"`` or ``"hr@10"``.
        shots: the number of liked toys to speak about; the nearest measured one is used (the
            smaller on a tie).
        reference: the baseline to measure the best method against.

    Returns:
        None without rows; else ``{"shots", "metric", "best": {"method", "value", "ci"},
        "reference": {"method", "diff", "pct", "status"} or None (when the reference is the best,
        missing, or 0), "runner_up": {"method", "diff", "status"} or None}``.

    Example:
        >>> rows = [{"method": "protonet", "shots": 5, "ndcg@10": 0.70, "ndcg@10_ci95": 0.01},
        ...         {"method": "popularity", "shots": 5, "ndcg@10": 0.50, "ndcg@10_ci95": 0.02}]
        >>> toy_verdict(rows, "ndcg@10")["reference"]["status"]
        'above'
    """
    measured = sorted({int(r["shots"]) for r in rows})
    if not measured:
        return None
    k = min(measured, key=lambda s: (abs(s - shots), s))
    at_k = sorted((r for r in rows if int(r["shots"]) == k), key=lambda r: -r[metric])
    best = at_k[0]
    ci = lambda r: r.get(f"{metric}_ci95", 0)  # noqa: E731
    out = {"shots": k, "metric": metric, "reference": None, "runner_up": None,
           "best": {"method": best["method"], "value": best[metric], "ci": ci(best)}}
    ref = next((r for r in at_k if r["method"] == reference), None)
    if ref is not None and ref is not best and ref[metric] > 0:
        diff = best[metric] - ref[metric]
        out["reference"] = {"method": reference, "diff": diff, "pct": round(100 * diff / ref[metric]),
                            "status": compare(diff, unpaired_ci(ci(best), ci(ref)))}
    if len(at_k) > 1:
        second = at_k[1]
        diff = best[metric] - second[metric]
        out["runner_up"] = {"method": second["method"], "diff": diff,
                            "status": compare(diff, unpaired_ci(ci(best), ci(second)))}
    return out


def toy_verdict_text(verdict: dict, lang: str = "en") -> str:
    """:func:`toy_verdict`'s facts as one paragraph in ``lang`` (markdown)."""
    from ..i18n import method_title, t
    best, metric = verdict["best"], metric_label(verdict["metric"], lang)
    parts = [t("ui.board.verdict_best", lang, k=verdict["shots"], name=method_title(best["method"], lang),
               metric=metric, v=mean_ci(best["value"], best["ci"]))]
    ref = verdict["reference"]
    if ref is not None:
        key = "ui.board.verdict_ref" if ref["status"] == ABOVE else "ui.board.verdict_ref_level"
        parts.append(t(key, lang, name=method_title(ref["method"], lang), d=ref["diff"], pct=ref["pct"]))
    second = verdict["runner_up"]
    if second is not None:
        key = "ui.board.verdict_clear" if second["status"] == ABOVE else "ui.board.verdict_close"
        parts.append(t(key, lang, name=method_title(second["method"], lang), d=second["diff"]))
    return t("ui.sentence.sep", lang).join(parts)


def best_per_shots(rows: list[dict], metric: str = "ndcg@10") -> list[dict]:
    """The best method at each number of shots: ``[{"shots", "method", "value"}]``, fewest shots
    first (on a tie, the row listed first).

    Example:
        >>> best_per_shots([{"method": "a", "shots": 1, "ndcg@10": 0.4},
        ...                 {"method": "b", "shots": 1, "ndcg@10": 0.5}])
        [{'shots': 1, 'method': 'b', 'value': 0.5}]
    """
    best: dict[int, dict] = {}
    for r in rows:
        k = int(r["shots"])
        if k not in best or r[metric] > best[k][metric]:
            best[k] = r
    return [{"shots": k, "method": r["method"], "value": r[metric]} for k, r in sorted(best.items())]


def meta_learner(metrics: dict) -> str | None:
    """The meta-learner the verdict speaks for: the served learner if it is a meta-learned
    network, else the best such learner on validation (``metrics["served"]["validation"]``)."""
    served = metrics.get("served") or {}
    if served.get("method") and served["method"] not in NOT_META:
        return served["method"]
    scores = {m: v for m, v in (served.get("validation") or {}).items() if m not in NOT_META}
    return max(scores, key=scores.get) if scores else None


def meta_vs_classical(metrics: dict, metric: str = "ndcg@10") -> dict | None:
    """Where meta-learning beats the strongest classical alternative on the simulated world.

    Reads a checkpoint manifest's ``metrics`` (``test`` rows, ``paired`` differences against the
    empirical-Bayes reference, ``gap_closed``, ``served``). Returns None when the paired
    differences are missing; else ``{"method", "against", "per_k": [{"shots", "diff", "ci",
    "status", "value", "reference"}], "oracle": {k: value}, "share": {k: share of the
    popularity-to-oracle gap the method closes}}``. Every status is the paired interval's verdict
    (above / level / below): no ordering is claimed where the interval contains 0.
    """
    method = meta_learner(metrics)
    pairs = [p for p in metrics.get("paired") or []
             if p["method"] == method and p.get("against") == CLASSICAL and p.get("metric", metric) == metric]
    if not method or not pairs:
        return None
    by = {(r["method"], int(r["shots"])): r[metric] for r in metrics.get("test") or []}
    share = {int(g["shots"]): g["share"] for g in metrics.get("gap_closed") or [] if g["method"] == method}
    per_k = [{"shots": int(p["shots"]), "diff": p["mean"], "ci": p["ci95"],
              "status": compare(p["mean"], p["ci95"]), "value": by.get((method, int(p["shots"]))),
              "reference": by.get((CLASSICAL, int(p["shots"])))}
             for p in sorted(pairs, key=lambda p: p["shots"])]
    oracle = {k: v for (m, k), v in by.items() if m == "oracle"}
    return {"method": method, "against": CLASSICAL, "per_k": per_k, "oracle": oracle,
            "share": share}


def meta_vs_classical_text(facts: dict, lang: str = "en") -> str:
    """:func:`meta_vs_classical` as a short paragraph in ``lang`` (markdown)."""
    from ..i18n import method_title, t
    sep = t("ui.list.sep", lang)
    groups = {status: [p for p in facts["per_k"] if p["status"] == status]
              for status in ("above", "level", "below")}
    name, ref = method_title(facts["method"], lang), method_title(facts["against"], lang)
    parts = [t("ui.board.mvc_head", lang, name=name, ref=ref)]
    for status, items in groups.items():
        if items:
            cells = sep.join(t("ui.board.mvc_cell", lang, k=p["shots"],
                               d=signed_ci(p["diff"], p["ci"])) for p in items)
            parts.append(t(f"ui.board.mvc_{status}", lang, cells=cells))
    if facts["oracle"] and facts["share"]:
        ks = sorted(facts["share"])
        parts.append(t("ui.board.mvc_oracle", lang, name=name,
                       oracle=sep.join(f"{facts['oracle'][k]:.2f}" for k in ks if k in facts["oracle"]),
                       shares=sep.join(f"{round(100 * facts['share'][k])}%" for k in ks)))
    return t("ui.sentence.sep", lang).join(parts)
