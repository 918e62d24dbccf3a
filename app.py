"""MetaRec Toys: the Streamlit app shell (navigation, menu, sidebar, language, friendly errors).

Run with ``streamlit run app.py``. Pages live in ``pages/`` and are registered in ``PAGES`` below:
adding a page is one line there, its ``[ui.nav]`` title in ``metarec/i18n/locales/*.toml`` and,
for its address to work on a fresh server's first request, an alias file named after its url path
in ``pages/`` (see :mod:`pages.ui.routing`).

Only light modules are imported here: the menu, the language switch and the "working…" sign are
drawn at once, also on a fresh server whose first visitor would otherwise look at a blank page
while torch loads. The process warms itself (engine, simulated world, shipped views, text encoder)
in a background thread started by the first script run (:func:`pages.ui.session.warm_up_in_background`).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from metarec.i18n import LANGS
from pages.ui import routing
from pages.ui.errors import show_unexpected_error
from pages.ui.session import (FAMILY_KEYS, LANG_KEY, LANG_NAMES, drawing_page, engine_loading,
                              get_engine, method_name, tr, warm_up_in_background)

ROOT = Path(__file__).resolve().parent

# (page file, title key, icon, url path, default page?). The default page is the app's root
# address; its url path is also served (a hidden page sends it to the root), like OLD_ADDRESSES.
PAGES = [
    ("pages/parents.py", "ui.nav.parents", "🧸", "for-parents", True),
    ("pages/adaptation.py", "ui.nav.adaptation", "🔬", "watch-it-learn", False),
    ("pages/embeddings.py", "ui.nav.embeddings", "🗺️", "toy-map", False),
    ("pages/leaderboard.py", "ui.nav.leaderboard", "🏆", "leaderboard", False),
    ("pages/how_it_works.py", "ui.nav.how", "🎓", "how-meta-learning-works", False),
]
HOME = "home"   # the default page's name for Streamlit (hashed, never shown: it lives at "/")

# Keyboard users see where they are (checked by tests/e2e/test_accessibility.py). Streamlit's own
# markup misses this in two places: a table's or chart's toolbar (search, download, fullscreen)
# stays transparent while one of its buttons has the keyboard focus, and a menu link looks the
# same focused or not. Never remove outlines anywhere. The "working…" sign floats over the top
# right corner of the page (no layout shift when it comes and goes).
SHELL_CSS = """<style>
[data-testid="stElementToolbar"]:focus-within {  /* where and how Streamlit shows it on hover */
  opacity: 1; top: calc(-1 * (1.25rem + max(1.5rem, 24px))); z-index: 1; }
[data-testid="stElementToolbar"] button:focus-visible,
.st-key-nav a:focus-visible {
  outline: 2px solid #B03A0A; outline-offset: 1px; border-radius: 0.25rem; }
.st-key-working { position: fixed; top: 4.25rem; right: 1.5rem; z-index: 999990; width: auto; }
.st-key-working [data-testid="stSpinner"] {
  background: #FFFDF8; border: 2px solid #B03A0A; border-radius: 0.75rem;
  padding: 0.4rem 0.9rem; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.15); }
</style>"""


def _chart_preload() -> str:
    """A script that loads the browser's plotly chunk once the page is idle. Streamlit's frontend
    fetches and compiles it (4.7 MB of JavaScript, seconds on a small machine) only when a page
    draws its first chart; loaded ahead, the first chart of a session shows that much sooner."""
    import streamlit as _streamlit

    chunks = sorted((Path(_streamlit.__file__).parent / "static" / "static" / "js").glob(
        "PlotlyChart.*.js"))
    if not chunks:   # another Streamlit build: nothing to preload
        return ""
    return (f"<script>(window.requestIdleCallback || setTimeout)(() => "
            f"import('./static/js/{chunks[0].name}').catch(() => {{}}));</script>")


CHART_PRELOAD = _chart_preload()


def _keep_family_state() -> None:
    """Re-save the family's inputs so Streamlit keeps them while another page is shown."""
    for key in FAMILY_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _go_to(target):
    """A hidden page's body: send the visitor on to ``target`` (an old or alias address)."""
    def go() -> None:
        st.switch_page(target)
    return go


def _navigation():
    """The pages in the menu, and hidden pages for the default page's url path and for
    :data:`pages.ui.routing.OLD_ADDRESSES`; returns (menu pages, the page to run)."""
    menu, by_file = [], {}
    for path, title, icon, url, default in PAGES:
        page = st.Page(ROOT / path, title=tr(title), icon=icon, default=default,
                       url_path=HOME if default else url)
        menu.append(page)
        by_file[path] = page
    hidden = [st.Page(_go_to(menu[0]), title=menu[0].title, url_path=PAGES[0][3],
                      visibility="hidden")]
    hidden += [st.Page(_go_to(by_file[path]), title=by_file[path].title, url_path=old,
                       visibility="hidden") for old, path in routing.OLD_ADDRESSES.items()]
    return menu, st.navigation(menu + hidden, position="hidden")


def _menu(pages) -> None:
    with st.container(key="nav"):
        for page in pages:
            st.page_link(page, width="stretch")


def _browser_language() -> None:
    """On a session's first visit, the browser's language (before anything is drawn)."""
    try:
        from pages.ui.browser_language import use_browser_language
    except ImportError:
        return
    use_browser_language(rerun=False)


def _about() -> None:
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


def shell() -> None:
    """One script run of the app: the menu and language first, then the page under a "working…"
    sign (shown when the run takes over half a second), then the sidebar's notes."""
    if not st.config.get_option("global.appTest"):
        warm_up_in_background()   # once per process
    st.set_page_config(page_title=tr("ui.app.title"), page_icon="🧸", layout="wide")
    _keep_family_state()
    st.html(SHELL_CSS)
    if CHART_PRELOAD:
        st.html(CHART_PRELOAD, unsafe_allow_javascript=True)
    _browser_language()
    menu, page = _navigation()
    with st.sidebar:
        _menu(menu)
        st.radio(tr("ui.sidebar.language"), LANGS, format_func=LANG_NAMES.__getitem__,
                 key=LANG_KEY, horizontal=True)
        st.divider()
        about = st.container()
    working = st.container(key="working")
    text = tr("ui.app.loading") if engine_loading() else tr("ui.app.working")
    try:
        with working.spinner(text), routing.inside_shell(), drawing_page():
            page.run()
    except Exception:  # st.stop()/st.rerun()/st.switch_page() are BaseExceptions: they pass
        show_unexpected_error(f"page {page.title!r}")
    try:
        with about:
            _about()
    except Exception:
        show_unexpected_error("the sidebar")


if __name__ == "__main__":   # streamlit run, AppTest (pages.ui.routing imports it to call shell)
    try:
        shell()
    except Exception:  # a last resort: never a raw traceback on the page
        show_unexpected_error("the app shell")
