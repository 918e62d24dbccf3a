"""Markdown tables of evaluation results (for docs/results.md and the leaderboard page)."""
from __future__ import annotations

from collections import defaultdict


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
            cell = f"{r[metric]:.3f} ± {r.get(metric + '_ci95', float('nan')):.3f}"
            cells.append(f"**{cell}**" if r[metric] == best[k] else cell)
        lines.append(f"| {(titles or {}).get(m, m)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def real_results(folder=None) -> list[dict]:
    """Saved real-data evaluation results (``docs/results/*.json``), newest protocol names first.

    Each is the JSON ``python -m metarec evaluate --world amazon-toys|movielens-100k ... --out``
    wrote; an empty list when none has been run yet.
    """
    import json
    from pathlib import Path

    from . import paths
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


def real_headline(res: dict) -> dict | None:
    """The one metric a stakeholder chart shows for a saved real-data result, as bars.

    Each bar: ``method``, ``group`` (the shots on cold-start; on MovieLens the published split, or
    the mean over the 5 extra splits), ``value``, ``err`` (95 % half-width, None for published
    numbers) and ``published`` (a number from a paper, not measured here). Published rows only join
    the group measured under their protocol. None when the protocol has no headline metric.
    """
    metric = HEADLINE.get(res.get("protocol"))
    if metric is None:
        return None
    bars = []
    for r in res.get("results") or []:
        if not isinstance(r, dict) or metric not in r:
            continue
        if "shots" in r:
            bars.append(_bar(r["method"], f"k={r['shots']}", r[metric], r.get(f"{metric}_ci95")))
        elif "split" in r:
            bars.append(_bar(r["method"], "published split", r[metric], r.get(f"{metric}_ci95_users")))
            if f"{metric}_5splits" in r:
                bars.append(_bar(r["method"], "5 more splits (mean)", r[f"{metric}_5splits"],
                                 r.get(f"{metric}_5splits_ci95")))
        else:
            bars.append(_bar(r["method"], "", r[metric], r.get(f"{metric}_ci95")))
    group = "published split" if any(b["group"] == "published split" for b in bars) else ""
    for r in res.get("published") or []:
        if isinstance(r, dict) and metric in r:
            bars.append({**_bar(r["method"], group, r[metric], None), "published": True})
    return {"metric": metric, "bars": bars} if bars else None


def paired_rows(res: dict, metric: str) -> list[dict]:
    """The saved learner-minus-baseline comparisons of ``metric`` (MovieLens' ``paired``), as text
    cells: ``published`` "+0.010 ± 0.050", ``users`` "20 / 15", ``splits`` and ``above`` "4 / 5"
    when extra splits were run. Empty when the result has none."""
    out = []
    for r in res.get("paired") or []:
        if not isinstance(r, dict) or r.get("metric") != metric:
            continue
        row = {"method": r["method"], "baseline": r["baseline"],
               "published": f"{r['published_diff']:+.3f} ± {r['published_diff_ci95_users']:.3f}",
               "users": f"{r['published_users_better']} / {r['published_users_worse']}",
               "n_splits": r.get("n_splits")}
        if "splits_diff" in r:
            row["splits"] = f"{r['splits_diff']:+.3f} ± {r['splits_diff_ci95']:.3f}"
            row["above"] = f"{r['splits_above']} / {r['n_splits']}"
        out.append(row)
    return out


def _bar(method: str, group: str, value, err) -> dict:
    return {"method": method, "group": group, "value": float(value),
            "err": None if err is None else float(err), "published": False}
