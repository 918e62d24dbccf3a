"""Server-side time from a change of liked toys to rendered cards on the parents' page.

Runs the real app with Streamlit's AppTest (no browser), changes the liked toys and times the rerun
that adapts the learner and renders the cards. Prints one JSON object. Called by
``python -m metarec bench`` (the library itself never imports Streamlit).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main(repeats: int = 15) -> dict:
    from streamlit.testing.v1 import AppTest

    from metarec.core.catalog import load_catalog

    catalog = load_catalog()
    age_months = 48
    pool = [catalog.ids[i] for i in catalog.eligible(age_months)]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.selectbox(key="age").set_value(age_months)
    at.run()
    rng = np.random.default_rng(0)
    times = []
    for i in range(repeats + 2):
        liked = list(rng.choice(pool, size=3, replace=False))
        at.multiselect(key="liked").set_value(liked)
        t0 = time.perf_counter()
        at.run()
        elapsed = 1000 * (time.perf_counter() - t0)
        if at.exception or not any(getattr(c, "key", "") and str(c.key).startswith("card-") for c in _containers(at)):
            raise SystemExit(f"the page did not render cards: {at.exception}")
        if i >= 2:  # the first reruns warm up caches and the learner
            times.append(elapsed)
    return {"what": "parents page: change of liked toys -> rendered cards (server side, AppTest)",
            "repeats": len(times), "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1), "pages": page_renders()}


PAGES = ("pages/adaptation.py", "pages/embeddings.py", "pages/leaderboard.py", "pages/how_it_works.py")


def page_renders(repeats: int = 3) -> dict:
    """Server-side render time (ms, median) of each learning page once its data is cached."""
    from streamlit.testing.v1 import AppTest

    out = {}
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(page).run()  # first visit: computes and caches
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            at.run()
            times.append(1000 * (time.perf_counter() - t0))
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception}")
        out[Path(page).stem] = round(float(np.median(times)), 1)
    return out


def _containers(at):
    stack = list(at.main.children.values()) if hasattr(at.main, "children") else []
    while stack:
        node = stack.pop()
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())


if __name__ == "__main__":
    result = main()
    from metarec.bench.memory import peak_rss_mb

    # peak resident memory of this process: the whole app, every page visited
    print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
