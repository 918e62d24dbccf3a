"""Friendly errors: never a traceback on a page (it goes to the server's stderr), a message the
visitor can act on instead, in the visitor's language."""
from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING

import streamlit as st

from metarec.core.errors import InputError

from .session import get_engine, tr

if TYPE_CHECKING:
    from metarec.serving.engine import Engine

FLASH_KEY = "_flash_error"


def log_exception(where: str) -> None:
    """The full traceback goes to the server's stderr, never to the page."""
    print(f"[metarec app] unexpected error in {where}:", file=sys.stderr)
    traceback.print_exc(file=sys.stderr)


def show_unexpected_error(where: str) -> None:
    """Log the exception being handled and show the generic apology."""
    log_exception(where)
    st.error(tr("ui.error.generic"), icon="😟")


def input_problem(exc: InputError) -> str:
    """An :class:`~metarec.core.errors.InputError` told in the session's language."""
    return tr(exc.key, **exc.values)


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
    """Show (once) the message a callback left for this render."""
    key = st.session_state.pop(FLASH_KEY, None)
    if key:
        st.error(tr(key), icon="😟")
