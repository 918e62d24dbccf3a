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
