"""The "watch it learn" page's figures: the live step curves, the moving top 10, the hidden taste.

Figures only: every number comes from :mod:`metarec.teaching.adaptation` records.
"""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metarec.core.catalog import CATEGORIES
from metarec.i18n import category_name
from metarec.teaching.adaptation import rank_paths

from .charts import START_COLOURS, style_figure
from .session import lang, toy_label, tr

START_KEYS = {"maml": "ui.adapt.start.maml", "fomaml": "ui.adapt.start.fomaml",
              "finetune": "ui.adapt.start.finetune", "random": "ui.adapt.start.random"}
TOP = 10   # places in the top list, as adaptation_steps ranks them


def start_name(start: str) -> str:
    """A starting point's title in the session's language."""
    return tr(START_KEYS[start])


def curves_figure(records: dict, steps: int, scored: bool, run_id: int):
    """Support loss (and, for a simulated family, query nDCG@10 and Recall@10) per inner step,
    one line per starting point; ``records`` maps a start to its records so far."""
    panels = [tr("ui.adapt.panel_loss")]
    if scored:
        panels += [tr("ui.adapt.panel_ndcg"), tr("ui.adapt.panel_recall")]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels, horizontal_spacing=0.07)
    for start, recs in records.items():
        series = [[r.support_loss for r in recs]]
        if scored:
            series += [[r.ndcg for r in recs], [r.recall for r in recs]]
        for col, y in enumerate(series, start=1):
            fig.add_trace(go.Scatter(
                x=[r.step for r in recs], y=y, mode="lines+markers", name=start_name(start),
                legendgroup=start, showlegend=col == 1, meta=start, marker=dict(size=7),
                line=dict(color=START_COLOURS.get(start, "#555"), width=3,
                          dash="dot" if start == "random" else "solid"),
                hovertemplate=(tr("ui.adapt.hover_step")
                               + "<br>%{y:.3f}<extra>%{fullData.name}</extra>")),
                row=1, col=col)
    fig.update_xaxes(range=[-0.3, steps + 0.3], title_text=tr("ui.adapt.axis_step"),
                     dtick=max(1, steps // 10))
    if scored:
        fig.update_yaxes(range=[0, 1.02], row=1, col=2)
        fig.update_yaxes(range=[0, 1.02], row=1, col=3)
    style_figure(fig, height=440, legend_top=False)
    fig.update_layout(meta={"run": run_id, "steps": steps}, margin=dict(t=40, b=10),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    return fig


def bump_figure(engine, recs, liked: set):
    """Each toy's place in the top 10 after every step: green when it rose, red when it fell."""
    steps = [r.step for r in recs]
    fig = go.Figure()
    for toy, ranks in rank_paths(recs, TOP).items():
        first, final = ranks[0], ranks[-1]
        colour = ("#2ca02c" if final < first else "#d62728" if final > first else "#7f7f7f")
        # The label's text in a darker shade of its line's colour: 4.5:1 or more on white.
        text_colour = ("#1a7f1a" if final < first else "#b91c1c" if final > first else "#666666")
        label = toy_label(engine, toy) + (" ✓" if toy in liked else "")
        fig.add_trace(go.Scatter(
            x=steps, y=ranks, mode="lines+markers", name=label, showlegend=False,
            line=dict(color=colour, width=3 if final <= TOP else 1.5,
                      dash="solid" if final <= TOP else "dot"),
            marker=dict(size=6), hovertemplate=f"{label}<br>%{{x}} → #%{{y}}<extra></extra>"))
        if final <= TOP:
            fig.add_annotation(x=steps[-1], y=final, text=label, showarrow=False, xanchor="left",
                               xshift=8, font=dict(size=13, color=text_colour))
    fig.update_yaxes(autorange="reversed", tickvals=list(range(1, TOP + 2)),
                     ticktext=[str(i) for i in range(1, TOP + 1)] + [tr("ui.adapt.below")],
                     title_text=tr("ui.adapt.axis_rank"))
    fig.update_xaxes(title_text=tr("ui.adapt.axis_step"), range=[-0.3, steps[-1] + 0.3],
                     dtick=max(1, steps[-1] // 10))
    style_figure(fig, height=480, legend_top=False)
    fig.update_layout(margin=dict(l=10, r=320, t=20, b=10))
    return fig


def taste_figure(taste, focus: str):
    """The hidden taste per category beside the model's before and after adapting (bars; a
    :class:`metarec.teaching.adaptation.TasteReveal`), favourites starred."""
    code = lang()
    names = [("★ " if CATEGORIES[c] in taste.favourites else "") + category_name(CATEGORIES[c], code)
             for c in taste.order]
    fig = go.Figure()
    for label, values, colour in ((tr("ui.adapt.reveal_true"), taste.true, "#2ca02c"),
                                  (tr("ui.adapt.reveal_before"), taste.before, "#c7c7c7"),
                                  (tr("ui.adapt.reveal_after", name=start_name(focus)), taste.after,
                                   START_COLOURS.get(focus, "#1f77b4"))):
        fig.add_trace(go.Bar(y=names, x=[values[c] for c in taste.order], name=label,
                             orientation="h", marker_color=colour,
                             hovertemplate="%{y}: %{x:.2f}<extra>" + label + "</extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=tr("ui.adapt.reveal_axis"), zeroline=True)
    fig.update_layout(barmode="group", bargap=0.25)
    return style_figure(fig, height=120 + 42 * len(taste.order))
