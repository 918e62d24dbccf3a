"""Toy map: every toy's learned embedding in 2-D, with a child's prototype and its recommendations.

The vectors come from the prototypical network's meta-learned encoder (``metarec.teaching.embedding_map``);
this page only draws them (the figure: ``pages/ui/toy_map.py``). PCA places prototypes exactly;
t-SNE (its layout shipped with the checkpoint) cannot place new points, so the library puts each
prototype at the mean position of its toys, and a toy the parent described in words at the mean
position of its nearest catalog toys (the page says so).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metarec.core.catalog import MAX_AGE_MONTHS
from metarec.core.checkpoint import CheckpointError
from metarec.core.errors import InputError
from metarec.i18n import age_text, category_name, t
from metarec.serving.recommend import Request, recommend
from metarec.teaching import embedding_map
from metarec.teaching.demo import demo_family
from pages.ui import toy_map
from pages.ui.errors import engine_or_stop, input_problem, log_exception, show_flash
from pages.ui.plain_text import md
from pages.ui.routing import require_shell
from pages.ui.session import DEFAULT_AGE, lang, parent_family, toy_label, tr
from pages.ui.text_toy import session_text_toys

TOP = 10
METHOD = "protonet"
DEFAULTS = {"em_projection": "pca", "em_colour": "category", "em_source": "sim", "em_seed": 1}


def _init_state() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def _another_family() -> None:
    st.session_state.em_seed = int(st.session_state.get("em_seed", 1)) + 1


@st.cache_resource(show_spinner=False, max_entries=4)
def _toy_map(projection: str, version: str, _engine) -> embedding_map.ToyMap:
    """One map per projection (and checkpoint) per process: PCA computed, t-SNE shipped."""
    return embedding_map.shipped_map(_engine, projection)


def _parents_family() -> dict | None:
    """The family entered on the parents' page, toys described in words included (a family may
    have described toys and picked none from the list)."""
    texts = session_text_toys()
    family = parent_family()
    if family is None and texts:
        age = st.session_state.get("age")
        family = {"age": age if isinstance(age, int) and 0 <= age <= MAX_AGE_MONTHS else DEFAULT_AGE,
                  "liked": [], "disliked": list(st.session_state.get("disliked") or [])}
    if family is not None:
        family["texts"] = texts
    return family


def _controls(engine) -> dict | None:
    code = lang()
    with st.container(border=True, key="em_controls"):
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.segmented_control(
                tr("ui.emb.projection"), embedding_map.PROJECTIONS, key="em_projection",
                persist_state="session", required=True, wrap=True,
                format_func=lambda p: t("ui.emb.pca" if p == "pca" else "ui.emb.tsne", code))
            st.segmented_control(
                tr("ui.emb.colour"), ("category", "age"), key="em_colour",
                persist_state="session", required=True, wrap=True,
                format_func=lambda c: t("ui.emb.by_category" if c == "category"
                                        else "ui.emb.by_age", code))
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.segmented_control(
                tr("ui.adapt.source"), ("sim", "parents"), key="em_source",
                persist_state="session", required=True, wrap=True,
                format_func=lambda s: t("ui.adapt.source_sim" if s == "sim"
                                        else "ui.adapt.source_parents", code))
            if st.session_state.em_source == "sim":
                st.button(tr("ui.adapt.another"), key="em_another", icon="🎲",
                          on_click=_another_family)
        if st.session_state.em_source == "sim":
            demo = demo_family(engine, int(st.session_state.em_seed) - 1)
            return {"age": int(demo.family.age_months), "liked": list(demo.liked),
                    "disliked": list(demo.disliked), "id": int(demo.family.id)}
        family = _parents_family()
        if family is None:
            st.info(tr("ui.adapt.no_parents"), icon="🧸")
        return family


def _recommendations(engine, family) -> tuple[list[int], object | None]:
    if family is None:
        return [], None
    request = Request(age_years=family["age"] / 12, liked=tuple(family["liked"]),
                      disliked=tuple(family["disliked"]), top=TOP, method=METHOD, lang=lang(),
                      liked_text=family.get("texts", ()))
    last = st.session_state.get("_em_last")
    if last is not None and last[0] == request:
        result = last[1]
    else:
        result = recommend(engine, request)
        st.session_state["_em_last"] = (request, result)
    return [engine.catalog.index[r.id] for r in result.recommendations], result


def _text_points(engine, tmap, family) -> list:
    """Where the family's toys described in words sit on the map (none when it has none)."""
    texts = (family or {}).get("texts") or ()
    if not texts:
        return []
    try:
        with st.spinner(tr("ui.text.reading")):
            return embedding_map.text_toy_points(engine, tmap, texts)
    except InputError as exc:
        st.warning(input_problem(exc), icon="✋")
    except Exception:
        log_exception("placing toys described in words on the map")
        st.warning(tr("ui.text.failed"), icon="😟")
    return []


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
    except (CheckpointError, ValueError) as exc:   # the shipped t-SNE layout is missing or stale
        st.warning(tr("ui.emb.no_layout", msg=str(exc)), icon="⏳")
        return
    texts = _text_points(engine, tmap, family)
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
        names = tr("ui.list.sep").join(
            [toy_label(engine, engine.catalog.index[toy])
             for toy in family["liked"] if toy in engine.catalog.index]
            + [f"✏️ “{md(p.toy.text)}”" for p in texts])
        who = (tr("ui.emb.sim_family", id=family["id"]) if "id" in family
               else tr("ui.emb.parents_family"))
        st.caption(tr("ui.emb.family", who=who, age=age_text(family["age"], code, long=True),
                      liked=names))
    toy_map.show(engine, tmap, family, recs, texts)
    tsne = projection == "tsne"
    notes = [tr("ui.emb.caption", n=len(tmap.xy), d=tmap.embeddings.shape[1]),
             tr("ui.emb.tsne_note" if tsne else "ui.emb.pca_note"), tr("ui.emb.labels_note")]
    if texts:
        notes.append(tr("ui.emb.text_tsne" if tsne else "ui.emb.text_pca"))
    st.caption(tr("ui.sentence.sep").join(notes))
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
