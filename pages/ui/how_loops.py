"""The teachers' page, part 2: the two loops of MAML drawn as a diagram with the shipped model's
own settings (:func:`metarec.teaching.episode_view.loop_numbers`)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from metarec.teaching import episode_view as ev

from .charts import FONT_SIZE, style_figure
from .session import tr

BLUE, ORANGE, GREEN = "#1f77b4", "#ff7f0e", "#2ca02c"
ORANGE_TEXT = "#b45309"  # orange words need a darker shade for 4.5:1 on white (#ff7f0e: 2.5)


def _box(fig, x0, y0, x1, y1, text, line, fill, size=FONT_SIZE):
    fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color=line, width=2),
                  fillcolor=fill, layer="below")
    fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False,
                       font=dict(size=size, color="#111"), align="center")


def _arrow(fig, x0, y0, x1, y1, colour="#333"):
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                       text="", showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=2,
                       arrowcolor=colour)


def diagram(numbers: dict):
    """θ, three families' inner loops and query losses, the outer loop's Adam step back to θ."""
    fig = go.Figure()
    fig.add_shape(type="rect", x0=0.1, y0=0.1, x1=11.9, y1=7.0, line=dict(color=BLUE, width=3,
                  dash="dash"), fillcolor="rgba(31,119,180,0.04)", layer="below")
    fig.add_annotation(x=0.3, y=6.7, xanchor="left", showarrow=False,
                       text=f"<b>{tr('ui.how.b_outer', batch=numbers['batch'])}</b>",
                       font=dict(size=17, color=BLUE))
    _box(fig, 0.5, 2.7, 2.3, 4.3, tr("ui.how.b_theta"), BLUE, "rgba(31,119,180,0.15)")
    rows = ((5.2, tr("ui.how.b_family_one", steps=numbers["steps"], lr=numbers["lr"])),
            (3.5, tr("ui.how.b_family_two")),
            (1.8, tr("ui.how.b_family_n", batch=numbers["batch"])))
    for y, text in rows:
        _box(fig, 3.1, y - 0.65, 7.5, y + 0.65, text, ORANGE, "rgba(255,127,14,0.12)")
        _box(fig, 8.3, y - 0.5, 10.5, y + 0.5, tr("ui.how.b_query"), GREEN, "rgba(44,160,44,0.12)")
        _arrow(fig, 2.3, 3.5, 3.1, y)
        _arrow(fig, 7.5, y, 8.3, y)
        fig.add_shape(type="line", x0=10.5, y0=y, x1=11.3, y1=y, line=dict(color=BLUE, width=2))
    fig.add_annotation(x=7.4, y=5.55, text="↻", showarrow=False, xanchor="right",
                       font=dict(size=26, color=ORANGE_TEXT))
    fig.add_annotation(x=5.3, y=6.25, showarrow=False,
                       text=f"<b>{tr('ui.how.b_inner')}</b>", font=dict(size=FONT_SIZE, color=ORANGE_TEXT))
    fig.add_shape(type="path", path="M 11.3 5.2 L 11.3 0.7 L 1.4 0.7 L 1.4 2.2",
                  line=dict(color=BLUE, width=3))
    _arrow(fig, 1.4, 2.1, 1.4, 2.7, BLUE)
    fig.add_annotation(x=6.3, y=0.42, showarrow=False, bgcolor="white",
                       text=tr("ui.how.b_update", outer_lr=numbers["outer_lr"],
                               batch=numbers["batch"]),
                       font=dict(size=FONT_SIZE, color=BLUE))
    fig.update_xaxes(range=[0, 12], visible=False, fixedrange=True)
    fig.update_yaxes(range=[0, 7.1], visible=False, fixedrange=True)
    style_figure(fig, height=540, legend_top=False)
    fig.update_layout(margin=dict(l=0, r=0, t=10, b=0), showlegend=False, dragmode=False,
                      meta=numbers)
    return fig


def loops_section(engine) -> None:
    st.header(tr("ui.how.b_title"), anchor=False)
    st.markdown(tr("ui.how.b_intro"))
    numbers = ev.loop_numbers(engine)
    with st.container(key="hw_diagram_box"):
        st.plotly_chart(diagram(numbers), key="hw_diagram", config={"displayModeBar": False})
    st.caption(tr("ui.how.b_caption", **numbers))
