"""The leaderboard's first screen: the forest plot of meta-learning minus the strongest classical
model, and one plain verdict per benchmark (both from :mod:`metarec.reporting.headline`)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from metarec.reporting.headline import setting_text, verdict_text
from metarec.reporting.real import metric_label

from .charts import FONT_SIZE, style_figure
from .session import lang, tr

STATUS_COLOURS = {"above": "#B03A0A", "level": "#6B7280", "below": "#1D4ED8"}
STATUS_SYMBOLS = {"above": "circle", "level": "diamond", "below": "square"}
VERDICT_BOXES = {"above": st.success, "level": st.info, "below": st.warning}


ROW_PX = 40   # pixels per unit of the y axis (a line: its label above, its interval below)


def forest_figure(rows: list[dict], code: str):
    """One line per row, top to bottom in the rows' order, under a heading per benchmark: the
    difference as a marker, its 95 % interval as a bar, coloured (and shaped) by verdict, and a
    vertical line at zero. Each line's label sits above its interval, at the left edge, so the
    plot keeps the full width on a phone. A point's ``customdata`` is its (benchmark, setting)."""
    fig = go.Figure()
    inner = [tr("ui.board.head.inner", setting=setting_text(r, code), metric=metric_label(r["metric"]))
             for r in rows]
    ys, y = [], 0.0
    for j, r in enumerate(rows):
        if j == 0 or r["benchmark"] != rows[j - 1]["benchmark"]:   # the benchmark's heading
            heading = tr(f"ui.board.head.bench_short.{r['benchmark']}")
            fig.add_annotation(x=0, xref="paper", y=y, text=f"<b>{heading}</b>", showarrow=False,
                               xanchor="left", yanchor="middle", font=dict(size=FONT_SIZE, color="#111827"))
            y += 0.9
        fig.add_annotation(x=0, xref="paper", y=y - 0.45, text=inner[j], showarrow=False,
                           xanchor="left", yanchor="middle", font=dict(size=FONT_SIZE, color="#374151"))
        ys.append(y)
        y += 1.15
    for status in ("above", "level", "below"):
        part = [j for j, r in enumerate(rows) if r["status"] == status]
        if not part:
            continue
        fig.add_trace(go.Scatter(
            x=[rows[j]["diff"] for j in part], y=[ys[j] for j in part], mode="markers",
            name=tr(f"ui.board.head.status_title.{status}"),
            customdata=[[tr(f"ui.board.head.bench_short.{rows[j]['benchmark']}"), inner[j]] for j in part],
            marker=dict(color=STATUS_COLOURS[status], size=13, symbol=STATUS_SYMBOLS[status]),
            error_x=dict(type="data", array=[rows[j]["ci"] for j in part], thickness=2.5, width=7),
            hovertemplate="%{customdata[0]} · %{customdata[1]}: %{x:+.3f} ± %{error_x.array:.3f}<extra></extra>"))
    fig.add_vline(x=0, line_color="#111827", line_width=1.5)
    fig.update_yaxes(range=[y - 0.6, -0.6], showticklabels=False, showgrid=False, zeroline=False)
    fig.update_xaxes(title_text=tr("ui.board.head.chart_x"), zeroline=False, nticks=5)
    return style_figure(fig, height=150 + int(ROW_PX * y))


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
