"""Query nDCG@10 against the number of shots for every learner: computed once per process in the
background (:func:`metarec.teaching.adaptation.shots_rows`), drawn while it grows."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metarec.reporting.toybox import best_per_shots
from metarec.reporting.verdicts import mean_ci
from metarec.teaching import adaptation

from .charts import shots_figure
from .jobs import BackgroundJob
from .session import method_name, tr


@st.cache_resource(show_spinner=False, max_entries=4)
def _shots_job(n_families: int, version: str, _engine) -> BackgroundJob:
    """The curve's job: started once per process (and checkpoint), shared by every session."""
    return BackgroundJob("shots-curve", lambda report: adaptation.shots_rows(
        _engine, n_families, report), total=len(_engine.learners) * len(adaptation.SHOT_OPTIONS))


def shots_section(engine) -> None:
    """The section: a progress bar and the partial chart while computing, then the chart and a
    table. Its size is :data:`metarec.teaching.adaptation.CURVE_FAMILIES` test families."""
    st.header(tr("ui.adapt.shots_title"), anchor=False)
    n = int(adaptation.CURVE_FAMILIES)
    job = _shots_job(n, engine.version, engine)
    with st.container(key="ad_shots_done" if job.done else "ad_shots_running"):
        if job.done:
            _draw_shots(job, n)
        else:
            _shots_progress(engine, n)


@st.fragment(run_every=1.0)
def _shots_progress(engine, n: int) -> None:
    job = _shots_job(n, engine.version, engine)
    if job.done:
        st.rerun()  # the whole page once more: the finished chart, and no more polling
    rows = list(job.items)
    st.progress(job.fraction, text=tr("ui.adapt.shots_progress", done=len(rows), total=job.total,
                                      n=n))
    if rows:
        _draw_shots_chart(rows, partial=True)
        st.caption(tr("ui.adapt.shots_partial_caption", n=n, best=_best_per_shots(rows)))


def _draw_shots(job: BackgroundJob, n: int) -> None:
    rows = list(job.items)
    if job.failed and not rows:
        st.error(tr("ui.error.generic"), icon="😟")
        return
    _draw_shots_chart(rows, partial=False)
    st.caption(tr("ui.adapt.shots_caption", n=n, s=round(job.seconds or 0),
                  best=_best_per_shots(rows)))
    with st.expander(tr("ui.adapt.shots_table")):
        frame = pd.DataFrame(rows)
        table = frame.assign(
            method=frame["method"].map(method_name),
            cell=[mean_ci(m, h) for m, h in zip(frame["ndcg@10"], frame["ndcg@10_ci95"])])
        wide = table.pivot(index="method", columns="shots", values="cell")
        wide.columns = [tr("ui.adapt.one_shot") if k == 1 else tr("ui.adapt.n_shots", k=k)
                        for k in wide.columns]
        st.dataframe(wide, key="ad_shots_table", height="content")


def _best_per_shots(rows: list[dict]) -> str:
    """'1: MAML 0.412, 2: ...': the best learner and its mean nDCG@10 per number of shots."""
    return tr("ui.list.sep").join(
        tr("ui.adapt.shots_best_one", k=b["shots"], name=method_name(b["method"]), v=b["value"])
        for b in best_per_shots(rows, "ndcg@10"))


def _draw_shots_chart(rows: list[dict], partial: bool) -> None:
    fig = shots_figure(rows, "ndcg@10", tr("ui.adapt.axis_ndcg"), tr("ui.adapt.axis_shots"))
    st.plotly_chart(fig, key="ad_shots_chart_partial" if partial else "ad_shots_chart")
