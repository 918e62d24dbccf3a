"""The browser's language picks English or Chinese on a visitor's first visit.

:func:`use_browser_language` runs once per session: when the visitor has not chosen a language
(the sidebar's switch, :data:`pages.ui.session.LANG_KEY`, still holds its default), the browser's
``navigator.language`` (``st.context.locale``), else its ``Accept-Language`` header, decides.
Called before the language switch is drawn (``app.py``) it only sets the language; called after
it (``pages/parents.py``: the switch is drawn by the shell first), it reruns the script once so the
switch shows the new language.
"""
from __future__ import annotations

import streamlit as st

from metarec.i18n import DEFAULT_LANG, LANGS

from .session import LANG_KEY

DONE_KEY = "_browser_language_done"   # set on a session's first visit: never decide twice


def language_of(locale: str | None, accept_language: str | None = None) -> str | None:
    """The app language for a browser locale (``"zh-CN"``) or an ``Accept-Language`` header
    (``"zh-TW,zh;q=0.9,en;q=0.8"``, by preference); None when neither names a language of the app.

    Example:
        >>> language_of("zh-CN"), language_of(None, "fr;q=0.9, en-GB;q=0.8"), language_of("fr")
        ('zh', 'en', None)
    """
    def base(tag: str) -> str:
        return tag.strip().split(";")[0].split("-")[0].split("_")[0].lower()

    if locale and base(locale) in LANGS:
        return base(locale)
    ranked = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if base(tag) in LANGS and weight > 0:
            ranked.append((-weight, n, base(tag)))
    return min(ranked)[2] if ranked else None


def use_browser_language(rerun: bool = True) -> None:
    """On the session's first visit, switch to the browser's language if the visitor has not
    chosen one; ``rerun`` (when the language switch was already drawn in this run) redraws the
    page in that language at once. Never raises: the language is only a convenience."""
    if st.session_state.get(DONE_KEY):
        return
    st.session_state[DONE_KEY] = True
    try:
        if st.session_state.get(LANG_KEY, DEFAULT_LANG) != DEFAULT_LANG:
            return   # chosen already
        wanted = language_of(st.context.locale, st.context.headers.get("Accept-Language"))
    except Exception:   # no browser context (a bare script run, a test)
        return
    if wanted is None or wanted == DEFAULT_LANG:
        return
    # The switch's widget was drawn with the default in this run: its value can only change
    # for the next run (a widget's key cannot be set once it is drawn; dropped first, it can).
    st.session_state.pop(LANG_KEY, None)
    st.session_state[LANG_KEY] = wanted
    if rerun:
        st.rerun()
