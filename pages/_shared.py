"""What app.py and every page share: the cached engine, the language, friendly errors.

Not a page itself (``app.py`` registers pages explicitly with ``st.Page``).
"""
from __future__ import annotations

import atexit
import sys
import traceback

import streamlit as st

from metarec.core.catalog import MAX_AGE_MONTHS
from metarec.serving.engine import Engine
from metarec.i18n import LANGS, t

LANG_KEY = "lang"
LANG_NAMES = {"en": "English", "zh": "简体中文"}
# Session-state keys of one family's inputs (widget keys). app.py re-saves them at the top of each
# run so they survive a visit to another page (Streamlit drops the state of unrendered widgets).
FAMILY_KEYS = ("age", "cat_filter", "liked", "disliked", "budget", "demo", "demo_seed")
FLASH_KEY = "_flash_error"
SHELL_KEY = "_in_shell"   # set by app.py before it runs a page
GO_TO_KEY = "_go_to"      # a page file to open once app.py runs (see require_shell)


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """One engine per process, shared read-only by every session (a failure is not cached)."""
    engine = Engine.load()
    _warm_up(engine)
    return engine


def _warm_up(engine: Engine) -> None:
    """Adapt once for a made-up family so the first real family does not pay torch's warm-up."""
    from metarec.serving.recommend import Request, recommend
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


# ---- shared by the teaching pages (adaptation, embeddings, leaderboard, how it works) ----

# One colour per starting point / method family, the same on every chart.
START_COLOURS = {"maml": "#1f77b4", "fomaml": "#17becf", "finetune": "#ff7f0e", "random": "#7f7f7f"}
FONT_SIZE = 16  # readable on a projector


def method_name(name: str, real_data: bool = False) -> str:
    """A learner's human title in the session's language (unknown names as they are)."""
    from metarec.i18n import method_title
    return method_title(name, lang(), real_data)


def style_figure(fig, height: int = 420, legend_top: bool = True):
    """Projector-friendly defaults for a plotly figure: big fonts, light grid, legend on top."""
    fig.update_layout(
        height=height, font=dict(size=FONT_SIZE), margin=dict(l=10, r=10, t=60, b=10),
        hoverlabel=dict(font_size=FONT_SIZE), template="plotly_white",
    )
    if legend_top:
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left",
                                      x=0))
    return fig


def parent_family() -> dict | None:
    """The family entered on the parents' page in this session (age in months and toy ids),
    or None when no liked toy was picked there."""
    liked = list(st.session_state.get("liked") or [])
    if not liked:
        return None
    try:
        age = int(float(st.session_state.get("age")))
    except (TypeError, ValueError, OverflowError):  # the parents' page repairs it on its next visit
        age = 48
    if not 0 <= age <= MAX_AGE_MONTHS:
        age = 48
    return {"age": age, "liked": liked,
            "disliked": list(st.session_state.get("disliked") or [])}


def toy_label(engine, index: int) -> str:
    """'🧱 Soft Fabric Stacking Blocks' for a catalog row index, in the session's language."""
    i = int(index)
    return f"{engine.catalog.frame.at[i, 'icon']} {engine.catalog.name(i, lang())}"


# Colours per learner, the same on every chart (meta-learners in colour, baselines in greys).
METHOD_COLOURS = {
    "maml": "#1f77b4", "fomaml": "#17becf", "melu": "#9467bd", "metasgd": "#2ca02c",
    "reptile": "#bcbd22", "protonet": "#e377c2", "matching": "#8c564b", "relation": "#d62728",
    "finetune": "#ff7f0e", "knn": "#7f7f7f", "popularity": "#222222",
}
BASELINES = ("finetune", "knn", "popularity")  # drawn dashed: not meta-learning


def method_colour(name: str) -> str:
    return METHOD_COLOURS.get(name, "#555555")


class JobStopped(BaseException):
    """Raised inside a background job when the process is shutting down (not an error)."""


class BackgroundJob:
    """``fn(report)`` running once in a daemon thread; pages poll ``items``/``done`` and redraw.

    ``report(item)`` records one result and raises :class:`JobStopped` once the process is
    exiting, so the thread ends between two pieces of work instead of being killed inside torch
    (which aborts the interpreter). Keep one per process with ``st.cache_resource``; the thread
    never calls Streamlit.
    """

    _running: "set[BackgroundJob]" = set()

    def __init__(self, name: str, fn, total: int):
        import threading
        import time
        self.name, self.total, self.items = name, max(int(total), 1), []
        self.done, self.failed, self.seconds = False, False, None
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True,
                                        name=f"metarec-{name}")
        BackgroundJob._running.add(self)
        self._thread.start()

    def report(self, item) -> None:
        self.items.append(item)
        self.check()

    def check(self) -> None:
        """Raise :class:`JobStopped` when the job should end now."""
        if self._stop.is_set():
            raise JobStopped

    def _run(self, fn) -> None:
        import time
        try:
            fn(self.report)
        except JobStopped:
            pass
        except Exception:
            log_exception(f"background job {self.name}")
            self.failed = True
        finally:
            self.seconds = time.perf_counter() - self._t0
            self.done = True
            BackgroundJob._running.discard(self)

    @property
    def fraction(self) -> float:
        return min(len(self.items) / self.total, 1.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until done (tests and scripts only; a page polls instead)."""
        self._thread.join(timeout)
        return self.done

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @classmethod
    def stop_all(cls) -> None:
        for job in list(cls._running):
            job.stop()


atexit.register(BackgroundJob.stop_all)


def shots_figure(rows: list[dict], metric: str, y_title: str, x_title: str, height: int = 480):
    """Metric against the number of shots: one line per method, 95% intervals as error bars."""
    import numpy as np
    import plotly.graph_objects as go

    fig = go.Figure()
    shots = sorted({int(r["shots"]) for r in rows})
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for method in methods:
        part = sorted((r for r in rows if r["method"] == method), key=lambda r: r["shots"])
        fig.add_trace(go.Scatter(
            x=[r["shots"] for r in part], y=[r[metric] for r in part], mode="lines+markers",
            name=method_name(method), meta=method,
            line=dict(color=method_colour(method), width=3,
                      dash="dash" if method in BASELINES else "solid"),
            marker=dict(size=8),
            error_y=dict(type="data", array=[r.get(f"{metric}_ci95", 0) for r in part],
                         thickness=1.5, width=5),
            hovertemplate=("%{x} → %{y:.3f} ± %{error_y.array:.3f}"
                           "<extra>%{fullData.name}</extra>")))
    if shots:
        fig.update_xaxes(type="log", tickvals=shots, ticktext=[str(k) for k in shots],
                         range=[np.log10(min(shots) * 0.85), np.log10(max(shots) * 1.15)])
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    style_figure(fig, height=height, legend_top=False)
    fig.update_layout(legend=dict(font=dict(size=14)))
    return fig


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


if __name__ == "__main__":  # this file opened as a page (/shared) by the legacy discovery
    require_shell()
