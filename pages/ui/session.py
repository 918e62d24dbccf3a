"""The per-process engine and the per-visitor state: language, texts, the family entered.

Light to import (no torch, no pandas): ``app.py`` imports it before it draws anything, so a fresh
server's first visitor sees the menu at once; the engine's modules load on first use, or earlier in
the process's warm-up thread (:func:`warm_up_in_background`).
"""
from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

import streamlit as st

from metarec.i18n import LANGS, method_title, t

if TYPE_CHECKING:
    from metarec.serving.engine import Engine

LANG_KEY = "lang"
LANG_NAMES = {"en": "English", "zh": "简体中文"}
# Session-state keys of one family's inputs (widget keys). app.py re-saves them at the top of each
# run so they survive a visit to another page (Streamlit drops the state of unrendered widgets).
FAMILY_KEYS = ("age", "cat_filter", "liked", "disliked", "budget", "demo", "demo_seed")
DEFAULT_AGE = 48   # months: what a family's unusable age falls back to

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process, shared read-only by every session (a failure is not cached)."""
    from metarec.serving.engine import Engine
    from metarec.serving.recommend import warm_up

    engine = Engine.load()
    warm_up(engine)   # the first family should not pay torch's warm-up
    return engine


# ---- the process's warm-up ---------------------------------------------------------------------

_warm_lock = threading.Lock()
_warm: dict = {"thread": None, "engine": threading.Event(), "done": threading.Event(),
               "seconds": None}
_drawing = threading.Condition()   # how many script runs are drawing a page right now
_drawing_count = [0]
IDLE_WAIT_S = 30   # the text encoder waits at most this long for the pages being drawn
WARM_DONE = "warm-up done"   # the words of its log line


class drawing_page:  # noqa: N801 (a context manager, used like a function)
    """``with drawing_page(): page.run()`` (app.py): the warm-up's slow last step (the text
    encoder, seconds of CPU) waits until no page is being drawn, so it never slows a visitor's
    first page on a small machine."""

    def __enter__(self):
        with _drawing:
            _drawing_count[0] += 1
        return self

    def __exit__(self, *exc):
        with _drawing:
            _drawing_count[0] -= 1
            _drawing.notify_all()
        return False


def warm_up_in_background() -> None:
    """Once per process, in a daemon thread: load the engine (:func:`get_engine`, the same cache
    the pages read), build the simulated world, read the shipped views (t-SNE map, shots curve,
    demo families), import the chart and table modules, then load the MiniLM text encoder. Each
    step is what a first visitor would otherwise wait for. Best effort: a failure is logged and the
    page that needs it shows the real problem."""
    with _warm_lock:
        if _warm["thread"] is not None:
            return
        _warm["thread"] = threading.Thread(target=_warm_up, name="metarec-warm-up", daemon=True)
        _warm["thread"].start()


def engine_loading() -> bool:
    """True while the warm-up thread is still loading the engine (its first step)."""
    return _warm["thread"] is not None and not _warm["engine"].is_set()


def wait_for_warm_up(timeout: float | None = None) -> bool:
    """Block until the whole warm-up is over (scripts and tests; pages never wait)."""
    return _warm["done"].wait(timeout)


def _warm_up() -> None:
    try:   # a background job: below the visitors' script threads (Linux: per-thread niceness)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
    started = time.perf_counter()
    try:
        engine = get_engine()
        _warm["engine"].set()
        _warm_every_learner(engine)
        engine.world.families("test")
        engine.curves   # noqa: B018 (read and verified once; a failure is not cached)
        for module in ("pandas", "plotly.graph_objects", "plotly.subplots"):   # what pages draw with
            importlib.import_module(module)
        from metarec.core.text_embedding import encode
        with _drawing:
            _drawing.wait_for(lambda: _drawing_count[0] == 0, timeout=IDLE_WAIT_S)
        encode(["a soft cuddly teddy bear"])
    except Exception:
        log.warning("warming up the process failed", exc_info=True)
    finally:
        _warm["seconds"] = round(time.perf_counter() - started, 1)
        _warm["engine"].set()
        _warm["done"].set()
        # one line in the server's log (benchmarks/app_latency.py waits for it)
        print(f"[metarec app] {WARM_DONE} in {_warm['seconds']} s", file=sys.stderr, flush=True)


def _warm_every_learner(engine) -> None:
    """One made-up family through every learner: each pays its first-call cost (torch's function
    transforms, about half a second each, seconds for MAML) here, not on a teaching page."""
    from metarec.serving.recommend import Request, recommend

    toy = engine.catalog.ids[int(engine.catalog.eligible(48)[0])]
    for name in engine.learners:
        try:
            recommend(engine, Request(age_years=4, liked=(toy,), top=1, method=name))
        except Exception:   # the page that shows this learner reports the real problem
            log.warning("warming up learner %s failed", name, exc_info=True)


# ---- the visitor's language and family ---------------------------------------------------------

def lang() -> str:
    """The visitor's language (``"en"`` unless the session holds another known one)."""
    value = st.session_state.get(LANG_KEY, "en")
    return value if value in LANGS else "en"


def tr(key: str, **values) -> str:
    """A UI string in the session's language."""
    return t(key, lang(), **values)


def method_name(name: str, real_data: bool = False) -> str:
    """A learner's human title in the session's language (unknown names as they are)."""
    return method_title(name, lang(), real_data)


def toy_label(engine: Engine, index: int) -> str:
    """'🧱 Soft Fabric Stacking Blocks' for a catalog row index, in the session's language."""
    i = int(index)
    return f"{engine.catalog.frame.at[i, 'icon']} {engine.catalog.name(i, lang())}"


def parent_family() -> dict | None:
    """The family entered on the parents' page in this session (age in months and toy ids),
    or None when no liked toy was picked there."""
    from metarec.core.catalog import MAX_AGE_MONTHS

    liked = list(st.session_state.get("liked") or [])
    if not liked:
        return None
    try:
        age = int(float(st.session_state.get("age")))
    except (TypeError, ValueError, OverflowError):  # the parents' page repairs it on its next visit
        age = DEFAULT_AGE
    if not 0 <= age <= MAX_AGE_MONTHS:
        age = DEFAULT_AGE
    return {"age": age, "liked": liked,
            "disliked": list(st.session_state.get("disliked") or [])}
