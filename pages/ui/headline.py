"""The leaderboard's first screen: the forest plot of meta-learning minus the strongest classical
model, and one plain verdict per benchmark (both from :mod:`metarec.reporting.headline`)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from metarec.reporting.headline import row_label, verdict_text

from .charts import style_figure
from .session import lang, tr

STATUS_COLOURS = {"above": "#B03A0A", "level": "#6B7280", "below": "#1D4ED8"}
STATUS_SYMBOLS = {"above": "circle", "level": "diamond", "below": "square"}
VERDICT_BOXES = {"above": st.success, "level": st.info, "below": st.warning}


def forest_figure(rows: list[dict], code: str):
    """One line per row, top to bottom in the rows' order: the difference as a marker, its 95 %
    interval as a bar, coloured (and shaped) by verdict; a vertical line at zero."""
    fig = go.Figure()
    labels = [row_label(r, code) for r in rows]
    for status in ("above", "level", "below"):
        part = [(label, r) for label, r in zip(labels, rows) if r["status"] == status]
        if not part:
            continue
        fig.add_trace(go.Scatter(
            x=[r["diff"] for _, r in part], y=[label for label, _ in part], mode="markers",
            name=tr(f"ui.board.head.status_title.{status}"),
            marker=dict(color=STATUS_COLOURS[status], size=13, symbol=STATUS_SYMBOLS[status]),
            error_x=dict(type="data", array=[r["ci"] for _, r in part], thickness=2.5, width=7),
            hovertemplate="%{y}: %{x:+.3f} ± %{error_x.array:.3f}<extra></extra>"))
    fig.add_vline(x=0, line_color="#111827", line_width=1.5)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=True)
    fig.update_xaxes(title_text=tr("ui.board.head.chart_x"), zeroline=False)
    return style_figure(fig, height=110 + 38 * len(rows))


def show_headline(head: dict) -> None:
    """The chart, then each benchmark's verdict in a box coloured by how it came out overall."""
    code = lang()
    st.subheader(tr("ui.board.head.title"), anchor=False)
    if not head["rows"]:
        st.info(tr("ui.board.head.none"))
        return
    st.markdown(tr("ui.board.head.intro"))
    with st.container(key="lb_head_chart_box"):
        st.plotly_chart(forest_figure(head["rows"], code), key="lb_head_chart")
    with st.container(key="lb_head_verdicts"):
        for v in head["verdicts"]:
            groups = v["groups"]
            mood = "above" if groups["above"] and not groups["below"] else (
                "below" if groups["below"] and not groups["above"] else "level")
            with st.container(key=f"lb_head_{v['benchmark']}"):
                VERDICT_BOXES[mood](verdict_text(v, code))
