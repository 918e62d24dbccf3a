"""The app's latency: server-side render times (AppTest) and, in a real browser, each page's time
to its first chart on a fresh server.

1. Server side (Streamlit's AppTest, no browser): the rerun from a change of liked toys to rendered
   cards on the parents' page, and each learning page's render once its data is cached.
2. Time to first chart (:func:`first_chart`, Debian Chromium via Playwright, skipped without it):
   from the navigation to the first chart (``[data-testid="stPlotlyChart"]``; on the parents' page
   the first recommendation card) being visible, for every page, three ways:

   - ``cold_first_request_s``: the page's address as the very first request of a new
     ``streamlit run`` (one fresh server per page: the process imports torch and loads the model
     while the visitor waits; the app shows its menu and a "working…" sign meanwhile);
   - ``first_visit_s``: a new visitor's first visit of the page on a fresh server that has warmed
     itself up (the first request starts the warm-up; its end is a line in the server's log);
   - ``menu_click_s``: the same visitor moving to the page through the menu.

Prints one JSON object. Run from the repository as ``python -m benchmarks.app_latency``
(``--first-chart``: only the browser part); ``python -m metarec bench`` runs it so (the library
itself never imports Streamlit). The numbers are measurements for the bench file, never asserted
in tests.
"""
from __future__ import annotations

import json
import os
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
            "p95_ms": round(float(np.percentile(times, 95)), 1), "pages": page_renders(),
            "first_chart": first_chart()}


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


# ---- time to first chart, in a browser -----------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHART = '[data-testid="stPlotlyChart"]'
TARGET_S = 2.0          # every page's first chart, on a fresh server (issue #17)
WAIT_MS = 180_000
# The first chart of the page being shown: its <h1> has the page's title, and a chart (or card) is
# on screen that does not belong to the page before it (those are marked stale while it runs).
SHOWN_JS = """([title, sel]) => { const h = document.querySelector('h1');
    return !!h && h.textContent.includes(title) && Array.from(document.querySelectorAll(sel))
        .some(e => !e.closest('[data-stale="true"]') && e.getBoundingClientRect().height > 0); }"""


def _pages() -> list[tuple[str, str, str, str, str]]:
    """(name, url path, menu title, the page's <h1> text, its first chart's selector) for every
    page of the menu."""
    from app import PAGES
    from benchmarks.load_test import CARD
    from metarec.i18n import t

    return [(Path(path).stem, "" if default else url, t(key, "en"),
             t("ui.app.title" if key == "ui.nav.parents" else key, "en"),
             CARD if key == "ui.nav.parents" else CHART)
            for path, key, _, url, default in PAGES]


def _open_timed(browser, url: str, title: str, sel: str) -> float:
    """Seconds from the navigation to the page's first chart in a new browser session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(SHOWN_JS, arg=[title, sel], timeout=WAIT_MS, polling=20)
        return round(time.perf_counter() - started, 2)
    finally:
        context.close()


def _wait_for_log(path: Path, words: str, timeout_s: float = 300) -> float | None:
    """Seconds the warm-up reported in the server's log, once it is there (None: not in time)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in path.read_text(errors="replace").splitlines():
            if words in line:
                try:
                    return float(line.rsplit(" in ", 1)[1].split()[0])
                except (IndexError, ValueError):
                    return None
        time.sleep(0.2)
    return None


def first_chart() -> dict:
    """Every page's time to its first chart in Chromium (module docstring); ``skipped`` with the
    reason when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    from benchmarks.load_test import CHROMIUM_ARGS, streamlit_server
    from pages.ui.session import WARM_DONE

    pages, out = _pages(), {}
    logs = ROOT / "test-output" / "bench-servers"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, path, _, title, sel in pages:   # each page as a fresh server's first request
                with streamlit_server(logs / f"cold-{name}.log") as (url, _pid):
                    out[name] = {"cold_first_request_s": _open_timed(browser, f"{url}/{path}",
                                                                     title, sel)}
            log = logs / "warm.log"
            with streamlit_server(log) as (url, _pid):
                _open_timed(browser, url, pages[0][3], pages[0][4])   # the first visitor
                warm_s = _wait_for_log(log, WARM_DONE)
                for name, path, _, title, sel in pages:
                    out[name]["first_visit_s"] = _open_timed(browser, f"{url}/{path}", title, sel)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function(SHOWN_JS, arg=[pages[0][3], pages[0][4]], timeout=WAIT_MS)
                for name, path, menu, title, sel in pages[1:] + pages[:1]:
                    started = time.perf_counter()
                    page.locator(".st-key-nav a", has_text=menu).click()
                    page.wait_for_function(SHOWN_JS, arg=[title, sel], timeout=WAIT_MS, polling=20)
                    out[name]["menu_click_s"] = round(time.perf_counter() - started, 2)
                context.close()
        finally:
            browser.close()
    worst = {name: max(v.get("first_visit_s", 0), v.get("menu_click_s", 0)) for name, v in out.items()}
    return {"what": "navigation -> first chart visible (parents: first card), Chromium, fresh server",
            "target_s": TARGET_S, "warm_up_s": warm_s, "pages": out,
            "meets_target_once_warm": {name: s < TARGET_S for name, s in worst.items()},
            "cpu_cores": os.cpu_count()}


def _containers(at):
    stack = list(at.main.children.values()) if hasattr(at.main, "children") else []
    while stack:
        node = stack.pop()
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())


if __name__ == "__main__":
    import sys

    if "--first-chart" in sys.argv:   # only the browser part
        print(json.dumps(first_chart()))
        raise SystemExit(0)
    result = main()
    from metarec.bench.memory import peak_rss_mb

    # peak resident memory of this process: the whole app, every page visited
    print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
