"""The toy map's figure (``pages/embeddings.py``): every toy by colour group, the category
prototypes with labels that never overlap, a family's liked toys drawn over its star, the
recommendations, and toys the parent described in words.

Labels are placed by :func:`metarec.teaching.embedding_map.place_labels` for the smallest plot
they are shown in (:data:`MIN_PLOT_PX`); a wider plot only moves them further apart (the axis
ranges are fixed for that reason; zooming in keeps them apart too). In a narrower map (a phone)
there is no room for them: :data:`NARROW_CSS` hides them there, and every point keeps its hover
text. A label that finds no free place is left to its point's hover text too.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from metarec.core.catalog import CATEGORIES
from metarec.i18n import category_name, range_text, t
from metarec.serving.text_toys import short_text
from metarec.teaching import embedding_map

from .charts import style_figure
from .plain_text import svg
from .session import lang, toy_label, tr

CATEGORY_COLOURS = dict(zip(CATEGORIES, (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#ad494a", "#7b4173")))
# Title key and colour of each age band (embedding_map.AGE_BANDS: by the middle of a toy's range).
BAND_STYLE = {"baby": ("ui.emb.band_baby", "#fdae61"), "small": ("ui.emb.band_small", "#a6d96a"),
              "school": ("ui.emb.band_school", "#1a9641"),
              "older": ("ui.emb.band_older", "#2b83ba")}
HEIGHT = 760
MIN_PLOT_PX = (760, 560)  # the smallest plotting area labels are shown in (legend below it)
# Below that width (a phone, a narrow window) the labels and their lines are hidden; hover still
# names every point. A container query on the map's box: the plot is the box less 20 px margins.
NARROW_CSS = """<style>
.st-key-em_map_box { container-type: inline-size; }
@container (max-width: 779px) {
  .st-key-em_map_box .annotation, .st-key-em_map_box .shapelayer { display: none; } }
</style>"""
LABEL_FONT = 13           # category names
TOY_FONT = 13             # the family's toys' names
GOLD, INK = "#ffd700", "#111"


def hover_texts(engine, code: str) -> list[str]:
    f = engine.catalog.frame
    return [f"{f.at[i, 'icon']} {engine.catalog.name(i, code)}<br>"
            f"{category_name(f.at[i, 'category'], code)} · "
            f"{range_text(int(f.at[i, 'min_age_months']), int(f.at[i, 'max_age_months']), code)}"
            f" · ${f.at[i, 'price']:.2f}" for i in range(len(f))]


def _groups(engine, by: str, code: str):
    """(label, colour, toy indices) per colour group (embedding_map.toy_groups)."""
    groups = embedding_map.toy_groups(engine.catalog, by)
    if by == "category":
        return [(category_name(c, code), CATEGORY_COLOURS[c], members) for c, members in groups]
    return [(t(BAND_STYLE[band][0], code), BAND_STYLE[band][1], members)
            for band, members in groups]


def _text_hover(point, code: str) -> str:
    toy = point.toy
    return (f"✏️ “{svg(toy.text)}”<br>{category_name(toy.category, code)} · "
            f"{range_text(toy.min_age_months, toy.max_age_months, code)}")


def _labels(fig, named: list[tuple], slugs, cxy, view, keep_clear, code: str) -> None:
    """Names for the family's toys (``named``: ``(x, y, plain text)``, placed first, boxed in
    gold) and the categories at their prototypes (boxed in the category's colour), placed so that
    no two overlap and none covers a marker that must stay visible; a thin line under everything
    joins each label to its point."""
    cats = [category_name(s, code) for s in slugs]
    anchors = np.array([(x, y) for x, y, _ in named] + [tuple(c) for c in cxy]).reshape(-1, 2)
    texts = [svg(text) for *_, text in named] + cats
    fonts = [TOY_FONT] * len(named) + [LABEL_FONT] * len(cats)
    sizes = [embedding_map.text_size_px(text, size) for text, size in zip(texts, fonts)]
    spots = embedding_map.place_labels(anchors, sizes, view, keep_clear=keep_clear, clear_px=10)
    borders = ["#8a6d00"] * len(named) + [CATEGORY_COLOURS[s] for s in slugs]
    for (x, y), spot, text, size, border in zip(anchors, spots, texts, fonts, borders):
        if spot is None:
            continue
        fig.add_shape(type="line", x0=x, y0=y, x1=spot[0], y1=spot[1], layer="below",
                      line=dict(color="rgba(60,60,60,0.55)", width=1))
        fig.add_annotation(x=spot[0], y=spot[1], text=text, showarrow=False, xanchor="center",
                           yanchor="middle", font=dict(size=size, color=INK),
                           bgcolor="rgba(255,255,255,0.9)", bordercolor=border, borderwidth=1,
                           borderpad=2)


def figure(engine, tmap, family: dict | None, recs: list[int], texts: list, colour_by: str):
    """The map. ``family``: ``{"liked": ids, ...}`` or None; ``recs``: catalog rows of the top
    recommendations; ``texts``: :class:`~metarec.teaching.embedding_map.TextPoint` of the toys
    described in words."""
    code = lang()
    xy, hover = tmap.xy, hover_texts(engine, code)
    fig = go.Figure()
    for label, colour, members in _groups(engine, colour_by, code):
        fig.add_trace(go.Scattergl(
            x=xy[members, 0], y=xy[members, 1], mode="markers", name=label,
            marker=dict(size=9, color=colour, opacity=0.75, line=dict(width=0.5, color="white")),
            hovertext=[hover[i] for i in members], hoverinfo="text"))
    slugs, cxy = embedding_map.category_prototypes(engine, tmap)
    fig.add_trace(go.Scatter(
        x=cxy[:, 0], y=cxy[:, 1], mode="markers", name=tr("ui.emb.cat_protos"),
        showlegend=False,
        marker=dict(symbol="diamond", size=15, color=[CATEGORY_COLOURS[s] for s in slugs],
                    line=dict(width=2, color=INK)),
        hovertext=[tr("ui.emb.cat_proto_hover", cat=category_name(s, code)) for s in slugs],
        hoverinfo="text"))
    index = engine.catalog.index
    liked = [index[toy] for toy in (family or {}).get("liked", []) if toy in index]
    proto = (embedding_map.child_prototype(tmap, liked, texts)
             if family is not None or texts else None)
    marked = [cxy, xy[liked].reshape(-1, 2), xy[recs].reshape(-1, 2)]
    marked += [np.array([p.xy for p in texts]).reshape(-1, 2)]
    if proto is not None:
        marked.append(np.asarray(proto).reshape(1, 2))
        if recs:
            lx, ly = [], []
            for i in recs:
                lx += [proto[0], xy[i, 0], None]
                ly += [proto[1], xy[i, 1], None]
            fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", name=tr("ui.emb.lines"),
                                     showlegend=False,
                                     line=dict(color="rgba(214,39,40,0.45)", width=2, dash="dot"),
                                     hoverinfo="skip"))
    if recs:
        fig.add_trace(go.Scatter(
            x=xy[recs, 0], y=xy[recs, 1], mode="markers", name=tr("ui.emb.recs", n=len(recs)),
            showlegend=False,
            marker=dict(symbol="circle-open", size=22, color="#d62728", line=dict(width=3)),
            hovertext=[f"#{k} " + hover[i] for k, i in enumerate(recs, start=1)],
            hoverinfo="text"))
    if proto is not None:   # under the liked toys: a liked toy on the same spot stays visible
        fig.add_trace(go.Scatter(
            x=[proto[0]], y=[proto[1]], mode="markers", name=tr("ui.emb.proto"), showlegend=False,
            marker=dict(symbol="star", size=30, color=GOLD, opacity=0.85,
                        line=dict(width=2, color=INK)),
            hovertext=[tr("ui.emb.proto_hover")], hoverinfo="text"))
    if liked:
        fig.add_trace(go.Scatter(
            x=xy[liked, 0], y=xy[liked, 1], mode="markers", name=tr("ui.emb.liked"),
            showlegend=False,
            marker=dict(symbol="circle", size=16, color=GOLD, line=dict(width=3, color=INK)),
            hovertext=[hover[i] for i in liked], hoverinfo="text"))
    if texts:
        fig.add_trace(go.Scatter(
            x=[p.xy[0] for p in texts], y=[p.xy[1] for p in texts], mode="markers",
            name=tr("ui.emb.text_toys"), showlegend=False,
            marker=dict(symbol="square", size=16, color=GOLD, line=dict(width=3, color=INK)),
            hovertext=[_text_hover(p, code) for p in texts], hoverinfo="text"))
    view = embedding_map.view_of(np.concatenate([xy, *marked]), *MIN_PLOT_PX)
    named = [(*xy[i], toy_label(engine, i)) for i in liked]
    named += [(*p.xy, f"✏️ “{short_text(p.toy.text, 28)}”") for p in texts]
    _labels(fig, named, slugs, cxy, view, np.concatenate(marked), code)
    fig.update_xaxes(showticklabels=False, zeroline=False, title_text="", range=list(view.x))
    fig.update_yaxes(showticklabels=False, zeroline=False, title_text="", range=list(view.y))
    style_figure(fig, height=HEIGHT, legend_top=False)
    # The legend: the colour groups only, two to a row (a phone too); the caption under the map
    # says what the family's markers (circles, star, rings, squares, diamonds) are.
    fig.update_layout(legend=dict(font=dict(size=14), itemsizing="constant", orientation="h",
                                  yanchor="top", y=-0.02, xanchor="left", x=0,
                                  entrywidth=0.5 if colour_by == "category" else 1,
                                  entrywidthmode="fraction"),
                      margin=dict(l=10, r=10, t=10, b=10),
                      meta={"projection": tmap.projection, "labels": len(fig.layout.annotations)})
    return fig


def show(engine, tmap, family, recs, texts) -> None:
    st.html(NARROW_CSS)
    with st.container(key="em_map_box"):
        st.plotly_chart(figure(engine, tmap, family, recs, texts, st.session_state.em_colour),
                        key="em_map", config={"scrollZoom": True})
