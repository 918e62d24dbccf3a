"""Markdown tables of the toybox evaluation (for docs/results.md); real data: :mod:`metarec.reporting.real`."""
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
