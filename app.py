"""MetaRec Toys: the Streamlit app shell (navigation, sidebar, language, friendly errors).

Run with ``streamlit run app.py``. Pages live in ``pages/`` and are registered in ``PAGES`` below:
adding a page is one line there plus its ``[ui.nav]`` title in ``metarec/i18n/locales/*.toml``.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from metarec.i18n import LANGS
from pages.ui.errors import show_unexpected_error
from pages.ui.routing import GO_TO_KEY, SHELL_KEY
from pages.ui.session import FAMILY_KEYS, LANG_KEY, LANG_NAMES, get_engine, method_name, tr

ROOT = Path(__file__).resolve().parent

# (page file, title key, icon, url path, default page?). A url path must differ from every file
# name in pages/: Streamlit's legacy pages/ discovery (still active in a process's first run, and in
# every AppTest run) would otherwise run that file alone, without this shell. A visitor who opens a
# file name anyway is sent here by pages.ui.routing.require_shell.
PAGES = [
    ("pages/parents.py", "ui.nav.parents", "🧸", "for-parents", True),
    ("pages/adaptation.py", "ui.nav.adaptation", "🔬", "watch-it-learn", False),
    ("pages/embeddings.py", "ui.nav.embeddings", "🗺️", "toy-map", False),
    ("pages/leaderboard.py", "ui.nav.leaderboard", "🏆", "results", False),
    ("pages/how_it_works.py", "ui.nav.how", "🎓", "how-meta-learning-works", False),
]

# Keyboard users see where they are (checked by tests/test_accessibility.py). Streamlit's own markup
# misses this in two places: a table's or chart's toolbar (search, download, fullscreen) stays
# transparent while one of its buttons has the keyboard focus, and the sidebar link of the page
# being shown looks the same focused or not. Never remove outlines anywhere.
FOCUS_CSS = """<style>
[data-testid="stElementToolbar"]:focus-within {  /* where and how Streamlit shows it on hover */
  opacity: 1; top: calc(-1 * (1.25rem + max(1.5rem, 24px))); z-index: 1; }
[data-testid="stElementToolbar"] button:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible {
  outline: 2px solid #B03A0A; outline-offset: 1px; border-radius: 0.25rem; }
</style>"""


def _keep_family_state() -> None:
    """Re-save the family's inputs so Streamlit keeps them while another page is shown."""
    for key in FAMILY_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _sidebar() -> None:
    with st.sidebar:
        st.radio(tr("ui.sidebar.language"), LANGS, format_func=LANG_NAMES.__getitem__,
                 key=LANG_KEY, horizontal=True)
        st.divider()
        st.markdown(f"**{tr('ui.sidebar.about')}**")
        try:
            engine = get_engine()
        except Exception:  # the page shows the friendly message and logs it
            engine = None
        if engine is not None:
            st.markdown(tr("ui.sidebar.device", device=engine.device_name))
            manifest = engine.manifest or {}
            version = manifest.get("version")
            if version:
                date = str(manifest.get("trained_at") or "?")[:10]
                st.markdown(tr("ui.sidebar.model", version=version, date=date))
            else:
                st.markdown(tr("ui.sidebar.model_unknown"))
        st.info(tr("ui.sidebar.simulated"), icon="🧪")
        if engine is not None:
            _disclosure((engine.manifest or {}).get("metrics") or {})
        st.caption(tr("ui.sidebar.private"))


def _disclosure(metrics: dict) -> None:
    """What the simulation implies, and how far each learner gets from popularity to the oracle."""
    gaps = metrics.get("gap_closed") or []
    with st.expander(tr("ui.sidebar.disclosure_title")):
        st.markdown(tr("ui.sidebar.disclosure"))
        shots = sorted({int(g["shots"]) for g in gaps})
        if shots:
            k = 3 if 3 in shots else shots[0]
            rows = sorted((g for g in gaps if int(g["shots"]) == k and g["method"] != "oracle"),
                          key=lambda g: -g["share"])
            st.markdown(tr("ui.sidebar.gap_head", k=k) + "\n" + "\n".join(
                f"- {method_name(g['method'])}: {round(100 * g['share'])}%" for g in rows))


def main() -> None:
    st.set_page_config(page_title=tr("ui.app.title"), page_icon="🧸", layout="wide")
    _keep_family_state()
    st.html(FOCUS_CSS)
    pages = [st.Page(ROOT / path, title=tr(title), icon=icon, url_path=url, default=default)
             for path, title, icon, url, default in PAGES]
    page = st.navigation(pages, position="sidebar")
    wanted = st.session_state.pop(GO_TO_KEY, None)   # a page opened by its file name (require_shell)
    if wanted:
        for candidate, (path, *_) in zip(pages, PAGES):
            if Path(wanted) == ROOT / path and candidate is not page:
                st.switch_page(candidate)
    try:
        _sidebar()
    except Exception:  # st.stop()/st.rerun() are BaseExceptions and pass through
        show_unexpected_error("the sidebar")
    st.session_state[SHELL_KEY] = True   # pages check it (pages.ui.routing.require_shell)
    try:
        page.run()
    except Exception:
        show_unexpected_error(f"page {page.title!r}")


try:
    main()
except Exception:  # a last resort: never a raw traceback on the page
    show_unexpected_error("the app shell")
