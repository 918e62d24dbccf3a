"""What app.py and every page share: the cached engine, the language, friendly errors.

Not a page itself (``app.py`` registers pages explicitly with ``st.Page``).
"""
from __future__ import annotations

import sys
import traceback

import streamlit as st

from metarec.engine import Engine
from metarec.i18n import LANGS, t

LANG_KEY = "lang"
LANG_NAMES = {"en": "English", "zh": "简体中文"}
# Session-state keys of one family's inputs (widget keys). app.py re-saves them at the top of each
# run so they survive a visit to another page (Streamlit drops the state of unrendered widgets).
FAMILY_KEYS = ("age", "cat_filter", "liked", "disliked", "budget", "demo", "demo_seed")
FLASH_KEY = "_flash_error"


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process, shared read-only by every session (a failure is not cached)."""
    engine = Engine.load()
    _warm_up(engine)
    return engine


def _warm_up(engine: Engine) -> None:
    """Adapt once for a made-up family so the first real family does not pay torch's warm-up."""
    from metarec.recommend import Request, recommend
    try:
        toy = engine.catalog.ids[int(engine.catalog.eligible(48)[0])]
        recommend(engine, Request(age_years=4, liked=(toy,), top=1))
    except Exception:  # only an optimisation: the first request will show any real problem
        log_exception("warming up the engine")


def lang() -> str:
    value = st.session_state.get(LANG_KEY, "en")
    return value if value in LANGS else "en"


def tr(key: str, **values) -> str:
    """A UI string in the session's language."""
    return t(key, lang(), **values)


def log_exception(where: str) -> None:
    """The full traceback goes to the server's stderr, never to the page."""
    print(f"[metarec app] unexpected error in {where}:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


def show_unexpected_error(where: str) -> None:
    log_exception(where)
    st.error(tr("ui.error.generic"), icon="😟")


def engine_or_stop() -> Engine:
    """The shared engine; if it cannot load, a friendly message and the end of this run."""
    try:
        return get_engine()
    except Exception:
        log_exception("loading the engine")
        st.error(tr("ui.error.engine"), icon="⏳")
        st.stop()


def safe_callback(fn):
    """Run a widget callback; an error becomes a friendly message shown on the next render."""
    def wrapper(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:
            log_exception(fn.__name__)
            st.session_state[FLASH_KEY] = "ui.error.generic"
    wrapper.__name__ = fn.__name__
    return wrapper


def show_flash() -> None:
    key = st.session_state.pop(FLASH_KEY, None)
    if key:
        st.error(tr(key), icon="😟")
