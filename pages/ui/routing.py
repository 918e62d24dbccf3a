"""Keep every page inside the app shell (``app.py``), whatever address a visitor opens.

Two mechanisms of Streamlit 1.67 decide what a request runs:

- ``st.navigation`` (``app.py``): the pages, each at its own url path (:data:`URL_PATHS` in
  ``app.py``), plus the hidden :data:`OLD_ADDRESSES` that send a visitor on to the page they
  used to name;
- the legacy ``pages/`` discovery (``script_runner._mpa_v1``), which Streamlit keeps until the first
  ``st.navigation`` call of the server process: on a fresh server's *first* request (and in every
  AppTest run) it runs the file in ``pages/`` whose name is the address (``/leaderboard`` runs
  ``pages/leaderboard.py`` alone), and answers an address no file is named after with its English
  "Page not found". So every address of the app is also a file name in ``pages/``: the pages
  themselves and small alias files (``pages/for-parents.py``, ...), each calling
  :func:`require_shell` first.

:func:`require_shell` runs the shell *in place* when a page file runs without it: ``app.py``'s
``shell()`` installs the real navigation, which resolves the same address to its page and runs it
inside the shell; the file run alone then stops. One script run, the address kept, no redirect.
``client.showSidebarNavigation = false`` (``.streamlit/config.toml``) hides the legacy menu of
file names; the app draws its own menu (``app.py``, ``st.page_link``).
"""
from __future__ import annotations

import threading

import streamlit as st

# Addresses of earlier versions -> the page file now shown for them (hidden pages in app.py).
OLD_ADDRESSES = {"results": "pages/leaderboard.py", "parents": "pages/parents.py",
                 "adaptation": "pages/adaptation.py", "embeddings": "pages/embeddings.py",
                 "how_it_works": "pages/how_it_works.py"}

_state = threading.local()   # per script thread: is the shell running a page right now?


class inside_shell:  # noqa: N801 (used as a context manager, like a function)
    """``with inside_shell(): page.run()``: the pages run in this block know the shell is there."""

    def __enter__(self):
        self._before = getattr(_state, "inside", False)
        _state.inside = True
        return self

    def __exit__(self, *exc):
        _state.inside = self._before
        return False


def in_shell() -> bool:
    """True while ``app.py`` runs a page in this thread."""
    return bool(getattr(_state, "inside", False))


def require_shell(page_file: str | None = None) -> None:
    """Run the app shell in place when this page file runs without it (see the module's text).

    Inside the shell this does nothing. Run alone (the legacy discovery on a fresh server's first
    request, or AppTest), it runs ``app.shell()``, whose navigation opens the page the address
    names, and then ends this script run (everything is drawn by then)."""
    if in_shell():
        return
    import app  # the shell (the repository root is on sys.path under streamlit and AppTest)

    app.shell()
    st.stop()
