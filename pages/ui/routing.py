"""Keep every page inside the app shell (``app.py``), even when opened by its file name."""
from __future__ import annotations

import streamlit as st

SHELL_KEY = "_in_shell"   # set by app.py before it runs a page
GO_TO_KEY = "_go_to"      # a page file to open once app.py runs (see require_shell)


def require_shell(page_file: str | None = None) -> None:
    """Send a page that runs without ``app.py`` to the app (and, through it, back to this page).

    Streamlit keeps its legacy ``pages/`` discovery until the first ``st.navigation`` call of the
    server process, so in a fresh server a first visitor who opens a page's *file name*
    (``/leaderboard``) gets that file alone: no language switch, no sidebar notes, the file names
    as navigation. ``app.py`` marks each session it serves (:data:`SHELL_KEY`); a page run without
    that mark leaves its file in :data:`GO_TO_KEY` and switches to ``app.py``, which installs the
    real navigation and opens that page."""
    if not st.session_state.get(SHELL_KEY):
        if page_file:
            st.session_state[GO_TO_KEY] = str(page_file)
        st.switch_page("app.py")
