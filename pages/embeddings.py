"""Toy map: every toy's learned embedding in 2-D, with a child's prototype and its recommendations.

The vectors come from the prototypical network's meta-learned encoder (``metarec.teaching.embedding_map``);
this page only draws them. PCA places prototypes exactly; t-SNE cannot place new points, so the
library puts each prototype at the mean position of its toys (the page says so).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metarec.core.catalog import CATEGORIES
from metarec.core.errors import InputError
from metarec.i18n import age_text, category_name, range_text, t
from metarec.serving.recommend import Request, recommend
from metarec.teaching import embedding_map
from metarec.teaching.demo import demo_family
from pages.ui.charts import style_figure
from pages.ui.errors import engine_or_stop, input_problem, log_exception, show_flash
from pages.ui.routing import require_shell
from pages.ui.session import lang, parent_family, toy_label, tr

TOP = 10
METHOD = "protonet"
CATEGORY_COLOURS = dict(zip(CATEGORIES, (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#ad494a", "#7b4173")))
# Title key and colour of each age band (embedding_map.AGE_BANDS: by the middle of a toy's range).
BAND_STYLE = {"baby": ("ui.emb.band_baby", "#fdae61"), "small": ("ui.emb.band_small", "#a6d96a"),
              "school": ("ui.emb.band_school", "#1a9641"),
              "older": ("ui.emb.band_older", "#2b83ba")}
DEFAULTS = {"em_projection": "pca", "em_colour": "category", "em_source": "sim", "em_seed": 1}


def _init_state() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def _another_family() -> None:
    st.session_state.em_seed = int(st.session_state.get("em_seed", 1)) + 1


@st.cache_resource(show_spinner=False, max_entries=4)
def _toy_map(projection: str, version: str, _engine) -> embedding_map.ToyMap:
    """One map per projection (and checkpoint) per process: t-SNE takes seconds, PCA does not."""
    return embedding_map.toy_map(_engine, projection)


def _controls(engine) -> dict | None:
    code = lang()
    with st.container(border=True, key="em_controls"):
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.segmented_control(
                tr("ui.emb.projection"), embedding_map.PROJECTIONS, key="em_projection",
                persist_state="session", required=True,
                format_func=lambda p: t("ui.emb.pca" if p == "pca" else "ui.emb.tsne", code))
            st.segmented_control(
                tr("ui.emb.colour"), ("category", "age"), key="em_colour",
                persist_state="session", required=True,
                format_func=lambda c: t("ui.emb.by_category" if c == "category"
                                        else "ui.emb.by_age", code))
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.segmented_control(
                tr("ui.adapt.source"), ("sim", "parents"), key="em_source",
                persist_state="session", required=True,
                format_func=lambda s: t("ui.adapt.source_sim" if s == "sim"
                                        else "ui.adapt.source_parents", code))
            if st.session_state.em_source == "sim":
                st.button(tr("ui.adapt.another"), key="em_another", icon="🎲",
                          on_click=_another_family)
        if st.session_state.em_source == "sim":
            demo = demo_family(engine, int(st.session_state.em_seed) - 1)
            return {"age": int(demo.family.age_months), "liked": list(demo.liked),
                    "disliked": list(demo.disliked), "id": int(demo.family.id)}
        family = parent_family()
        if family is None:
            st.info(tr("ui.adapt.no_parents"), icon="🧸")
        return family


def _hover(engine, code: str) -> list[str]:
    f = engine.catalog.frame
    return [f"{f.at[i, 'icon']} {engine.catalog.name(i, code)}<br>"
            f"{category_name(f.at[i, 'category'], code)} · "
            f"{range_text(int(f.at[i, 'min_age_months']), int(f.at[i, 'max_age_months']), code)}"
            f" · ${f.at[i, 'price']:.2f}<br>{f.at[i, 'id']}" for i in range(len(f))]


def _groups(engine, by: str, code: str):
    """(label, colour, toy indices) per colour group (embedding_map.toy_groups)."""
    groups = embedding_map.toy_groups(engine.catalog, by)
    if by == "category":
        return [(category_name(c, code), CATEGORY_COLOURS[c], members) for c, members in groups]
    return [(t(BAND_STYLE[band][0], code), BAND_STYLE[band][1], members)
            for band, members in groups]


def _figure(engine, tmap, family, recs: list[int]):
    code = lang()
    xy, hover = tmap.xy, _hover(engine, code)
    fig = go.Figure()
    for label, colour, members in _groups(engine, st.session_state.em_colour, code):
        fig.add_trace(go.Scattergl(
            x=xy[members, 0], y=xy[members, 1], mode="markers", name=label,
            marker=dict(size=9, color=colour, opacity=0.75, line=dict(width=0.5, color="white")),
            hovertext=[hover[i] for i in members], hoverinfo="text"))
    slugs, cxy = embedding_map.category_prototypes(engine, tmap)
    fig.add_trace(go.Scatter(
        x=cxy[:, 0], y=cxy[:, 1], mode="markers", name=tr("ui.emb.cat_protos"),
        marker=dict(symbol="diamond", size=15, color=[CATEGORY_COLOURS[s] for s in slugs],
                    line=dict(width=2, color="#111")),
        hovertext=[tr("ui.emb.cat_proto_hover", cat=category_name(s, code)) for s in slugs],
        hoverinfo="text"))
    for slug, (x, y) in zip(slugs, cxy):
        fig.add_annotation(x=x, y=y, text=category_name(slug, code), showarrow=False, yshift=16,
                           font=dict(size=13, color="#111"), bgcolor="rgba(255,255,255,0.75)")
    if family is not None:
        index = engine.catalog.index
        liked = [index[toy] for toy in family["liked"] if toy in index]
        proto = embedding_map.child_prototype(tmap, liked)
        if recs and proto is not None:
            lx, ly = [], []
            for i in recs:
                lx += [proto[0], xy[i, 0], None]
                ly += [proto[1], xy[i, 1], None]
            fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", name=tr("ui.emb.lines"),
                                     line=dict(color="rgba(214,39,40,0.45)", width=2, dash="dot"),
                                     hoverinfo="skip"))
        if recs:
            fig.add_trace(go.Scatter(
                x=xy[recs, 0], y=xy[recs, 1], mode="markers",
                name=tr("ui.emb.recs", n=len(recs)),
                marker=dict(symbol="circle-open", size=22, color="#d62728", line=dict(width=3)),
                hovertext=[f"#{k} " + hover[i] for k, i in enumerate(recs, start=1)],
                hoverinfo="text"))
        if liked:
            fig.add_trace(go.Scatter(
                x=xy[liked, 0], y=xy[liked, 1], mode="markers+text", name=tr("ui.emb.liked"),
                marker=dict(symbol="circle", size=16, color="#ffd700",
                            line=dict(width=3, color="#111")),
                text=[toy_label(engine, i) for i in liked], textposition="bottom center",
                textfont=dict(size=14, color="#111"),
                hovertext=[hover[i] for i in liked], hoverinfo="text"))
        if proto is not None:
            fig.add_trace(go.Scatter(
                x=[proto[0]], y=[proto[1]], mode="markers", name=tr("ui.emb.proto"),
                marker=dict(symbol="star", size=30, color="#ffd700",
                            line=dict(width=2, color="#111")),
                hovertext=[tr("ui.emb.proto_hover")], hoverinfo="text"))
    fig.update_xaxes(showticklabels=False, zeroline=False, title_text="")
    fig.update_yaxes(showticklabels=False, zeroline=False, title_text="")
    style_figure(fig, height=760, legend_top=False)
    fig.update_layout(legend=dict(font=dict(size=14), itemsizing="constant", orientation="h",
                                  yanchor="top", y=-0.02, xanchor="left", x=0),
                      margin=dict(l=10, r=10, t=10, b=10), meta={"projection": tmap.projection})
    return fig


def _recommendations(engine, family) -> tuple[list[int], object | None]:
    if family is None:
        return [], None
    request = Request(age_years=family["age"] / 12, liked=tuple(family["liked"]),
                      disliked=tuple(family["disliked"]), top=TOP, method=METHOD, lang=lang())
    last = st.session_state.get("_em_last")
    if last is not None and last[0] == request:
        result = last[1]
    else:
        result = recommend(engine, request)
        st.session_state["_em_last"] = (request, result)
    return [engine.catalog.index[r.id] for r in result.recommendations], result


def render() -> None:
    engine = engine_or_stop()
    _init_state()
    st.title(f"🗺️ {tr('ui.nav.embeddings')}", anchor=False)
    st.markdown(tr("ui.emb.intro"))
    show_flash()
    family = _controls(engine)
    projection = st.session_state.em_projection
    try:
        with st.spinner(tr("ui.emb.computing")):
            tmap = _toy_map(projection, engine.version, engine)
    except KeyError:
        st.info(tr("ui.emb.no_protonet"), icon="⏳")
        return
    try:
        recs, result = _recommendations(engine, family)
    except InputError as exc:
        st.warning(input_problem(exc), icon="✋")
        recs, result = [], None
    except Exception:  # the map is still worth showing without the recommendations
        log_exception("recommending on the toy map")
        st.warning(tr("ui.emb.recs_failed"), icon="😟")
        recs, result = [], None
    code = lang()
    if family is not None:
        names = tr("ui.list.sep").join(toy_label(engine, engine.catalog.index[toy])
                                       for toy in family["liked"] if toy in engine.catalog.index)
        who = (tr("ui.emb.sim_family", id=family["id"]) if "id" in family
               else tr("ui.emb.parents_family"))
        st.caption(tr("ui.emb.family", who=who, age=age_text(family["age"], code, long=True),
                      liked=names))
    with st.container(key="em_map_box"):
        st.plotly_chart(_figure(engine, tmap, family, recs), key="em_map",
                        config={"scrollZoom": True})
    note = tr("ui.emb.tsne_note") if projection == "tsne" else tr("ui.emb.pca_note")
    st.caption(tr("ui.emb.caption", n=len(tmap.xy), d=tmap.embeddings.shape[1])
               + tr("ui.sentence.sep") + note)
    st.header(tr("ui.emb.recs_title"), anchor=False)
    if result is None or not result.recommendations:
        st.caption(tr("ui.emb.no_recs"))
        return
    rows = [{"#": k, tr("ui.adapt.col_toy"): f"{r.icon} {r.name}",
             tr("ui.emb.col_category"): category_name(r.category, code),
             tr("ui.emb.col_why"): r.reason}
            for k, r in enumerate(result.recommendations, start=1)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="em_recs_table",
                 height="content")
    st.caption(tr("ui.emb.recs_caption"))


require_shell(__file__)
render()
