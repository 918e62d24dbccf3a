"""The teachers' page, part 4: the meta-learning methods compared (what each adapts, what each
compares, the Bayesian reading) and each one drawn on a 2-D toy world.

Figures only: the table's words are locale texts; every number in the pictures comes from
:mod:`metarec.teaching.method_compare` (meta-trained there, in NumPy, once per process).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from metarec.teaching import method_compare as mc

from .charts import method_colour, style_figure
from .session import lang, method_name, tr

METHOD_KEY = "_hw_method"   # the method drawn, whatever the language

# (learner, paper) in the table, gradient methods first; papers keep their authors' names.
TABLE = (("maml", "Finn et al., ICML 2017"), ("fomaml", "Finn et al. 2017; Nichol et al. 2018"),
         ("reptile", "Nichol, Achiam & Schulman, 2018"), ("metasgd", "Li et al., 2017"),
         ("melu", "Lee et al., KDD 2019"), ("protonet", "Snell et al., NeurIPS 2017"),
         ("matching", "Vinyals et al., NeurIPS 2016"), ("relation", "Sung et al., CVPR 2018"),
         ("bayes", "Robbins 1956; Efron & Morris 1973"),
         ("tastenp", "Garnelo et al., ICML 2018; Lin et al. (TaNP), WWW 2021"))
ORANGE, BLUE, GREEN, RED, PURPLE = "#d9650b", "#1f77b4", "#1a7f1a", "#b91c1c", "#6b21a8"
LIKE_SCALE = [[0, "#f6c6c0"], [0.5, "#fbfaf7"], [1, "#bfe3b4"]]   # P(like): red, white, green
LOSS_SCALE = [[0, "#fbfaf7"], [1, "#a3a3a3"]]                      # support loss: light, then grey


def _cell(text: str) -> str:
    return text.replace("|", "/")


def methods_section(engine) -> None:
    st.header(tr("ui.how.m_title"), anchor=False)
    st.markdown(tr("ui.how.m_intro"))
    head = (tr("ui.how.m_col_method"), tr("ui.how.m_col_adapts"), tr("ui.how.m_col_compares"),
            tr("ui.how.m_col_paper"))
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows += [f"| **{_cell(method_name(m))}** | {_cell(tr(f'ui.how.m_adapts_{m}'))} | "
             f"{_cell(tr(f'ui.how.m_compares_{m}'))} | {paper} |" for m, paper in TABLE]
    with st.container(key="hw_methods_table"):
        st.markdown("\n".join(rows))
    st.markdown(tr("ui.how.m_bayes", served=method_name(engine.default_method)))
    st.markdown(tr("ui.how.m_world"))
    pick_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    # One widget per language: the browser shows a selectbox's value by its label, which a
    # language switch would otherwise leave in the old language. The choice itself is kept.
    chosen = st.session_state.get(METHOD_KEY, mc.METHODS[0])
    method = pick_col.selectbox(tr("ui.how.m_pick"), mc.METHODS, format_func=method_name,
                                index=mc.METHODS.index(chosen) if chosen in mc.METHODS else 0,
                                key=f"hw_method_{lang()}")
    st.session_state[METHOD_KEY] = method
    if button_col.button(tr("ui.how.m_another"), key="hw_mc_another", icon="🎲"):
        st.session_state["_hw_mc_seed"] = int(st.session_state.get("_hw_mc_seed", 0)) + 1
    ill = mc.illustrate(method, seed=int(st.session_state.get("_hw_mc_seed", 0)))
    fig = params_figure(ill) if ill.kind == "params" else features_figure(ill)
    with st.container(key="hw_method_box"):
        st.plotly_chart(fig, key="hw_method_chart", config={"displayModeBar": False})
    lr0 = mc.INNER_LR
    text = tr(f"ui.how.m_fig_{method}", lr0=lr0, lr1=ill.lr[0] if ill.lr is not None else lr0,
              lr2=ill.lr[1] if ill.lr is not None else lr0)
    n = len(ill.task.yq)
    st.caption(text + tr("ui.sentence.sep")
               + tr("ui.how.m_acc", k=round(ill.query_accuracy * n), n=n))


def _colorbar(title: str) -> dict:
    return dict(title=dict(text=title, side="right"), thickness=14, len=0.7)


def _ellipse(mean, cov, k: float):
    vals, vecs = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, 80)
    pts = (vecs @ (k * np.sqrt(vals)[:, None] * np.vstack([np.cos(t), np.sin(t)]))).T + mean
    return pts[:, 0], pts[:, 1]


def params_figure(ill: mc.Illustration):
    """The plane of tastes w: the support loss, the inner steps, the outer update's direction."""
    axis_x, axis_y = ill.centre[0] + ill.grid, ill.centre[1] + ill.grid
    fig = go.Figure(go.Contour(x=axis_x, y=axis_y, z=ill.surface, colorscale=LOSS_SCALE,
                               ncontours=14, hoverinfo="skip",
                               colorbar=_colorbar(tr("ui.how.m_surface_loss")),
                               name=tr("ui.how.m_surface_loss"), line=dict(width=0.5)))
    if ill.prior is not None:
        for k in (1, 2):
            ex, ey = _ellipse(*ill.prior, k)
            fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", name=tr("ui.how.m_leg_prior"),
                                     line=dict(color=PURPLE, dash="dash", width=2),
                                     showlegend=k == 1, legendgroup="prior", hoverinfo="skip"))
    path = ill.path
    fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers",
                             name=tr("ui.how.m_leg_path"), line=dict(color=ORANGE, width=3),
                             marker=dict(size=8)))
    points = [(path[0], tr("ui.how.m_leg_start"), BLUE, "circle", 16),
              (path[-1], tr("ui.how.m_leg_end"), ORANGE, "circle-open", 16),
              (ill.task.w, tr("ui.how.m_leg_true"), GREEN, "star", 20)]
    if ill.map_w is not None:
        points.append((ill.map_w, tr("ui.how.m_leg_map"), PURPLE, "diamond", 16))
    for xy, name, colour, symbol, size in points:
        fig.add_trace(go.Scatter(x=[xy[0]], y=[xy[1]], mode="markers", name=name,
                                 marker=dict(color=colour, symbol=symbol, size=size,
                                             line=dict(width=2, color=colour))))
    if ill.method != "bayes":
        d = ill.direction / (np.linalg.norm(ill.direction) + 1e-12) * ill.grid[-1] * 0.35
        fig.add_annotation(x=path[0][0] + d[0], y=path[0][1] + d[1], ax=path[0][0],
                           ay=path[0][1], xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.4, arrowwidth=3,
                           arrowcolor=BLUE)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=tr("ui.how.m_leg_outer"),
                                 line=dict(color=BLUE, width=3)))
    fig.update_xaxes(title_text=tr("ui.how.m_axis_w1"), range=[axis_x[0], axis_x[-1]])
    fig.update_yaxes(title_text=tr("ui.how.m_axis_w2"), range=[axis_y[0], axis_y[-1]])
    return _finish(fig, ill)


def features_figure(ill: mc.Illustration):
    """The plane of toys: each point's P(like) as the metric method reads the support set."""
    task = ill.task
    fig = go.Figure(go.Contour(x=ill.grid, y=ill.grid, z=ill.surface, colorscale=LIKE_SCALE,
                               zmin=0, zmax=1, ncontours=10, hoverinfo="skip",
                               colorbar=_colorbar(tr("ui.how.m_surface_like")),
                               name=tr("ui.how.m_surface_like"), line=dict(width=0.5, color="#999")))
    if ill.method == "matching":
        attention = mc.matching_attention(task, task.xq[:1])[0]
        for i, (xy, a) in enumerate(zip(task.xs, attention)):
            fig.add_trace(go.Scatter(x=[task.xq[0, 0], xy[0]], y=[task.xq[0, 1], xy[1]],
                                     mode="lines", line=dict(color="#333", width=1 + 10 * a),
                                     name=tr("ui.how.m_leg_attn"), legendgroup="attn",
                                     showlegend=i == 0, hoverinfo="skip"))
    liked = task.ys == 1
    for mask, name, colour, symbol in ((liked, tr("ui.how.m_leg_liked"), GREEN, "triangle-up"),
                                       (~liked, tr("ui.how.m_leg_not"), RED, "triangle-down")):
        fig.add_trace(go.Scatter(x=task.xs[mask, 0], y=task.xs[mask, 1], mode="markers",
                                 name=name, marker=dict(color=colour, symbol=symbol, size=16,
                                                        line=dict(width=1.5, color="white"))))
    fig.add_trace(go.Scatter(x=task.xq[:, 0], y=task.xq[:, 1], mode="markers+text",
                             name=tr("ui.how.m_leg_query"),
                             text=["✓" if y else "" for y in task.yq], textposition="top center",
                             textfont=dict(color=GREEN),
                             marker=dict(color="white", size=10, line=dict(width=2, color="#333"))))
    if ill.prototypes is not None:
        fig.add_trace(go.Scatter(x=ill.prototypes[:, 0], y=ill.prototypes[:, 1], mode="markers",
                                 name=tr("ui.how.m_leg_proto"),
                                 marker=dict(color=[GREEN, RED], symbol="x", size=20,
                                             line=dict(width=2, color="#111"))))
    if ill.method == "relation":
        c = task.xs[liked].mean(0)
        fig.add_trace(go.Scatter(x=[c[0]], y=[c[1]], mode="markers", name=tr("ui.how.m_leg_centre"),
                                 marker=dict(color=GREEN, symbol="circle-open", size=22,
                                             line=dict(width=3, color=GREEN))))
    fig.update_xaxes(title_text=tr("ui.how.m_axis_x1"), range=[ill.grid[0], ill.grid[-1]])
    fig.update_yaxes(title_text=tr("ui.how.m_axis_x2"), range=[ill.grid[0], ill.grid[-1]])
    return _finish(fig, ill)


def _finish(fig, ill):
    """Square axes (one unit is as long across as up: distances are true), legend below."""
    fig.update_xaxes(constrain="domain", zeroline=False)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain", zeroline=False)
    style_figure(fig, height=640, legend_top=False)
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), dragmode=False,
                      legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.12,
                                  yanchor="top"),
                      meta={"method": ill.method, "kind": ill.kind,
                            "colour": method_colour(ill.method)})
    return fig
