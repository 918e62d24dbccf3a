"""The teachers' page, part 3: a small meta-training run from random weights, watched live.

The run is a :class:`~pages.ui.jobs.BackgroundJob` kept in this session's ``st.session_state``
(:data:`TRAIN_KEY`): it goes on while the visitor reads another page, and coming back shows its
progress, or its finished curves. While it runs, a fragment redraws the progress and the curves
every :data:`POLL_S` seconds; the numbers come from :func:`metarec.training.live.mini_meta_train`
(a fresh copy of the network: the shipped model is never touched) into a
:class:`metarec.teaching.episode_view.LiveCurve`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from metarec.teaching import episode_view as ev

from .charts import style_figure
from .jobs import BackgroundJob
from .session import tr

TRAIN_KEY = "_hw_training"   # this session's latest run (a TrainingRun)
RUN_KEY = "_hw_run"          # how many runs this session has started (chart keys)
POLL_S = 0.5


@dataclass
class TrainingRun:
    """One live run: its job (the thread), its curves as they arrive, and its number."""

    job: BackgroundJob
    curve: ev.LiveCurve
    drawn_done: bool = False    # the finished run was drawn by a whole-page run (polling stopped)

    @property
    def running(self) -> bool:
        return not self.job.done


def start_run(engine, iters: int) -> TrainingRun:
    """Start a run of ``iters`` outer steps in a background thread (imported lazily: torch)."""
    from metarec.training.live import mini_meta_train

    st.session_state[RUN_KEY] = run = int(st.session_state.get(RUN_KEY, 0)) + 1
    curve = ev.LiveCurve(iters, run, ev.shipped_validation(engine))
    every = ev.LIVE_BUDGET.eval_every(iters)

    def work(report) -> None:
        started = time.perf_counter()

        def on_progress(it: int, loss: float | None, val: float | None) -> None:
            curve.add(it, loss, val)
            report(it)   # ends the run here when the server shuts down

        mini_meta_train(engine, iters=iters, eval_every=every, on_progress=on_progress)
        curve.seconds = round(time.perf_counter() - started, 1)   # the new weights are dropped

    job = BackgroundJob(f"mini-meta-training-{run}", work, total=iters + 1)
    return TrainingRun(job, curve)


def train_figure(curve: ev.LiveCurve):
    """Meta-loss per outer step (left) and validation nDCG@10 from the random start (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(tr("ui.how.c_loss"), tr("ui.how.c_val")))
    n = min(len(curve.its), len(curve.loss))        # a snapshot of lists another thread grows
    m = min(len(curve.val_its), len(curve.val))
    fig.add_trace(go.Scatter(x=curve.its[:n], y=curve.loss[:n], mode="lines",
                             name=tr("ui.how.c_loss"), line=dict(color="#1f77b4", width=3)),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=curve.val_its[:m], y=curve.val[:m], mode="lines+markers",
                             name=tr("ui.how.c_val"), line=dict(color="#2ca02c", width=3),
                             marker=dict(size=8)), row=1, col=2)
    if curve.shipped is not None:
        fig.add_hline(y=curve.shipped, line=dict(color="#555", dash="dash"), row=1, col=2,
                      annotation_text=tr("ui.how.c_shipped_line"),
                      annotation_position="bottom right")
    fig.update_xaxes(range=[-0.03 * curve.iters, 1.03 * curve.iters], title_text=tr("ui.how.c_axis"))
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    style_figure(fig, height=380)
    fig.update_layout(showlegend=False, meta={"run": curve.run, "iters": curve.iters,
                                              "done": curve.seconds is not None})
    return fig


def training_section(engine) -> None:
    st.header(tr("ui.how.c_title"), anchor=False)
    st.markdown(tr("ui.how.c_intro"))
    budget = ev.LIVE_BUDGET
    state: TrainingRun | None = st.session_state.get(TRAIN_KEY)
    busy = state is not None and state.running
    budget_col, button_col = st.columns([2, 3], vertical_alignment="bottom")
    iters = budget_col.select_slider(tr("ui.how.c_iters"), budget.options, value=budget.default,
                                     key="hw_iters", persist_state="session",
                                     help=tr("ui.how.c_iters_help"), disabled=busy)
    if button_col.button(tr("ui.how.c_start"), key="hw_train", icon="🏋️", type="primary",
                         disabled=busy):
        state = st.session_state[TRAIN_KEY] = start_run(engine, int(iters))
    running = state is not None and state.running
    st.fragment(_training_box, run_every=POLL_S if running else None)(engine)


def _training_box(engine) -> None:
    """The run's progress, curves and summary (a fragment: redrawn alone while the run goes)."""
    state: TrainingRun | None = st.session_state.get(TRAIN_KEY)
    with st.container(key="hw_train_box"):
        if state is None:
            st.caption(tr("ui.how.c_not_yet"))
            return
        curve, job = state.curve, state.job
        if state.running:
            it = curve.its[-1] if curve.its else 0
            text = (tr("ui.how.c_progress", it=it, iters=curve.iters, s=round(job.elapsed))
                    if curve.val else tr("ui.how.c_preparing"))
            st.progress(job.fraction, text=text)
        elif job.failed:
            st.error(tr("ui.error.generic"), icon="😟")
        else:
            st.progress(1.0, text=tr("ui.how.c_finished", s=curve.seconds))
        st.plotly_chart(train_figure(curve), key=f"hw_train_chart_{curve.run}")
        st.caption(tr("ui.how.c_chart_caption"))
        if state.running:
            return
        if not state.drawn_done:   # the polling fragment saw the end: redraw the page once
            state.drawn_done = True   # (its controls come back, the polling stops)
            if _in_fragment_run():
                st.rerun(scope="app")
        if not job.failed:
            st.success(_summary(engine, curve), icon="✅")


def _in_fragment_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def _summary(engine, curve: ev.LiveCurve) -> str:
    sep = tr("ui.sentence.sep")
    text = tr("ui.how.c_done", iters=curve.iters, s=curve.seconds, a=curve.start, b=curve.end)
    if curve.best > curve.end + 0.0005:
        text += sep + tr("ui.how.c_best", best=curve.best)
    if curve.shipped is not None:
        numbers = ev.loop_numbers(engine)
        text += sep + tr("ui.how.c_shipped", v=curve.shipped, iters=numbers["iters"],
                         families=numbers["families"])
    return text + sep + tr("ui.how.c_untouched")
