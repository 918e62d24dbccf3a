"""The per-process engine and the per-visitor state: language, texts, the family entered."""
from __future__ import annotations

import streamlit as st

from metarec.core.catalog import MAX_AGE_MONTHS
from metarec.i18n import LANGS, method_title, t
from metarec.serving.engine import Engine
from metarec.serving.recommend import warm_up

LANG_KEY = "lang"
LANG_NAMES = {"en": "English", "zh": "简体中文"}
# Session-state keys of one family's inputs (widget keys). app.py re-saves them at the top of each
# run so they survive a visit to another page (Streamlit drops the state of unrendered widgets).
FAMILY_KEYS = ("age", "cat_filter", "liked", "disliked", "budget", "demo", "demo_seed")
DEFAULT_AGE = 48   # months: what a family's unusable age falls back to


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process, shared read-only by every session (a failure is not cached)."""
    engine = Engine.load()
    warm_up(engine)   # the first family should not pay torch's warm-up
    return engine


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
