"""Bring result files written before 2026-12-02 to the current shape, changing no number.

- every row of ``results`` / ``results_all_items`` gets ``meta_trained`` and ``adapts``
  (:func:`metarec.realdata.labels.label_rows`), and ``metaemb`` is renamed ``seqmodel`` (it was
  never meta-trained);
- MovieLens keys ``<metric>_5splits[_ci95]`` become ``<metric>_splits[_ci95]`` with ``n_splits``.

    python experiments/label_results.py docs/results/*.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from metarec.realdata.labels import label_rows


def migrate(result: dict) -> dict:
    """``result`` relabelled and with the split keys renamed (numbers untouched)."""
    for row in result.get("results") or []:
        for key in [k for k in row if "_5splits" in k]:
            row[key.replace("_5splits", "_splits")] = row.pop(key)
            row["n_splits"] = len(result.get("extra_split_seeds") or []) or 5
    for row in result.get("paired") or []:
        row["method"] = {"metaemb": "seqmodel"}.get(row.get("method"), row.get("method"))
    return label_rows(result)


def main(paths: list[str]) -> None:
    for p in map(Path, paths):
        p.write_text(json.dumps(migrate(json.loads(p.read_text(encoding="utf-8"))), indent=1) + "\n",
                     encoding="utf-8")
        print(f"{p}: labelled")


if __name__ == "__main__":
    main(sys.argv[1:])
