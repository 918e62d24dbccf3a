"""One look for every chart: colours per learner and starting point, projector-friendly styling,
and the metric-against-shots chart two pages share."""
from __future__ import annotations

from .session import method_name

# One colour per starting point / method family, the same on every chart.
START_COLOURS = {"maml": "#1f77b4", "fomaml": "#17becf", "finetune": "#ff7f0e", "random": "#7f7f7f"}
FONT_SIZE = 16  # readable on a projector
# Colours per learner, the same on every chart (meta-learners in colour, baselines in greys).
METHOD_COLOURS = {
    "maml": "#1f77b4", "fomaml": "#17becf", "melu": "#9467bd", "metasgd": "#2ca02c",
    "reptile": "#bcbd22", "protonet": "#e377c2", "matching": "#8c564b", "relation": "#d62728",
    "finetune": "#ff7f0e", "knn": "#7f7f7f", "popularity": "#222222", "tastenp": "#B03A0A",
    "bayes": "#4B5563", "oracle": "#9CA3AF",
}
BASELINES = ("finetune", "knn", "popularity", "bayes", "oracle")  # dashed: not meta-learning
# Flat reference lines: (colour, dash) of the served learner, the classical reference, the ceiling.
REFERENCE_STYLE = {"tastenp": ("#B03A0A", "solid"), "bayes": ("#4B5563", "dash"),
                   "oracle": ("#9CA3AF", "dot")}


def method_colour(name: str) -> str:
    """A learner's colour (dark grey for one without its own)."""
    return METHOD_COLOURS.get(name, "#555555")


def style_figure(fig, height: int = 420, legend_top: bool = True):
    """Projector-friendly defaults for a plotly figure: every text at least 16 px, light grid,
    legend on top.

    Streamlit draws plotly charts with its own theme (``st.plotly_chart(theme="streamlit")``, the
    default): its frontend merges a template into ``layout.template.layout`` that sizes tick labels,
    legend and hover text at 0.75 rem (12.75 px at this app's 17 px base) and axis titles at
    0.875 rem. A template value is more specific than ``layout.font``, so ``font.size`` alone is
    not enough: every place the template sizes is set here explicitly (an explicit layout value
    beats the template), and annotations and trace texts already in the figure are raised to at
    least :data:`FONT_SIZE`. Call it after the figure's subplots exist (make_subplots) and after
    its annotations are added."""
    size = dict(size=FONT_SIZE)
    fig.update_layout(
        height=height, font=size, margin=dict(l=10, r=10, t=60, b=10),
        hoverlabel=dict(font=size), template="plotly_white",
        title=dict(font=size), legend=dict(font=size, title=dict(font=size)),
    )
    fig.update_xaxes(tickfont=size, title_font=size)
    fig.update_yaxes(tickfont=size, title_font=size)
    for note in fig.layout.annotations or ():
        if note.font.size is not None and note.font.size < FONT_SIZE:
            note.font.size = FONT_SIZE
    fig.for_each_trace(_raise_text)
    if legend_top:
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left",
                                      x=0))
    return fig


def _raise_text(trace) -> None:
    """A trace's own text (labels drawn on the plot) at least :data:`FONT_SIZE`."""
    font = getattr(trace, "textfont", None)
    if font is not None and isinstance(font.size, (int, float)) and font.size < FONT_SIZE:
        font.size = FONT_SIZE


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
    return style_figure(fig, height=height, legend_top=False)
