"""The learning pages' two averaged views, drawn from the file shipped beside the checkpoint
(``engine.curves``, :mod:`metarec.teaching.precompute`): nDCG@10 against the number of liked toys
on the nested-support protocol, and the inner loop step by step averaged over test families."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metarec.core.checkpoint import CheckpointError
from metarec.reporting.verdicts import mean_ci, signed_ci

from .charts import REFERENCE_STYLE, START_COLOURS, shots_figure, style_figure
from .session import method_name, tr

SHOWN = ("bayes", "finetune", "popularity", "oracle")   # besides the served learner


def _curves(engine) -> dict | None:
    try:
        return engine.curves
    except CheckpointError as exc:
        st.warning(tr("ui.adapt.curves_missing", msg=str(exc)), icon="⏳")
        return None


def shots_section(engine) -> None:
    """Every learner's nDCG@10 at 1, 3, 5 and 10 liked toys on the same query; the served
    meta-learner and the references first, the other learners on request."""
    st.header(tr("ui.adapt.shots_title"), anchor=False)
    curves = _curves(engine)
    if curves is None:
        return
    curve = curves["shots_curve"]
    shown = (engine.default_method, *SHOWN)
    everyone = st.toggle(tr("ui.adapt.shots_all"), key="ad_shots_all", persist_state="session")
    rows = [r for r in curve["rows"] if everyone or r["method"] in shown]
    fig = shots_figure(rows, "ndcg@10", tr("ui.adapt.axis_ndcg"), tr("ui.adapt.axis_shots"))
    with st.container(key="ad_shots_done"):
        st.plotly_chart(fig, key="ad_shots_chart")
    n = max(r["n_families"] for r in curve["rows"])
    pairs = [p for p in curve["paired"] if p["method"] == engine.default_method]
    text = tr("ui.adapt.shots_caption_nested", n=n)
    if pairs:
        text += tr("ui.sentence.sep") + tr("ui.adapt.shots_vs_ref", name=method_name(
            engine.default_method), ref=method_name(pairs[0]["against"]), cells=tr("ui.list.sep").join(
            tr("ui.adapt.shots_vs_ref_cell", k=p["shots"], d=signed_ci(p["mean"], p["ci95"]),
               verdict=tr(f"ui.adapt.verdict_{p['verdict']}")) for p in pairs))
    st.caption(text)
    with st.expander(tr("ui.adapt.shots_table")):
        frame = pd.DataFrame(curve["rows"])
        table = frame.assign(method=frame["method"].map(method_name),
                             cell=[mean_ci(m, h) for m, h in zip(frame["ndcg@10"], frame["ndcg@10_ci95"])])
        wide = table.pivot(index="method", columns="shots", values="cell")
        wide.columns = [tr("ui.adapt.one_shot") if k == 1 else tr("ui.adapt.n_shots", k=k)
                        for k in wide.columns]
        st.dataframe(wide, key="ad_shots_table", height="content")


def average_section(engine) -> None:
    """The inner loop's nDCG@10 after each step, averaged over test families, for each starting
    point, with the served learner, the empirical-Bayes reference and the oracle as lines."""
    curves = _curves(engine)
    if curves is None:
        return
    avg = curves["adaptation"]
    fig = go.Figure()
    steps = list(range(avg["steps"] + 1))
    for start, per_step in avg["starts"].items():
        fig.add_trace(go.Scatter(
            x=steps, y=[m for m, _ in per_step], mode="lines+markers", name=tr(f"ui.adapt.start.{start}"),
            line=dict(color=START_COLOURS.get(start, "#555"), width=3,
                      dash="dot" if start == "random" else "solid"),
            error_y=dict(type="data", array=[h for _, h in per_step], thickness=1.2, width=4)))
    for name, (value, half) in avg["references"].items():
        colour, dash = REFERENCE_STYLE.get(name, ("#444444", "dash"))
        fig.add_trace(go.Scatter(
            x=[steps[0], steps[-1]], y=[value, value], mode="lines", name=method_name(name),
            line=dict(color=colour, width=2, dash=dash),
            hovertemplate=f"{method_name(name)}: {mean_ci(value, half)}<extra></extra>"))
    fig.update_xaxes(title_text=tr("ui.adapt.axis_step"), dtick=1)
    fig.update_yaxes(title_text=tr("ui.adapt.axis_ndcg"), range=[0, 1.02])
    style_figure(fig, height=420, legend_top=False)
    with st.container(key="ad_average"):
        st.plotly_chart(fig, key="ad_average_chart")
    st.caption(tr("ui.adapt.average_caption", n=avg["n_families"], k=avg["shots"], s=avg["steps"]))
