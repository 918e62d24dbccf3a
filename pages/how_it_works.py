"""How meta-learning works, for teachers: an episode, the two loops, a live mini meta-training, the
methods compared, and every learner side by side on one family.

Layout only: the episode and every learner's list come from ``metarec.teaching.episode_view``; the
parts live in ``pages/ui/``: the loops' diagram (:mod:`~pages.ui.how_loops`), the live training, a
background job that survives leaving the page (:mod:`~pages.ui.how_training`), the methods drawn
on a 2-D toy world (:mod:`~pages.ui.how_methods`).
"""
from __future__ import annotations

import html

import streamlit as st

from metarec.i18n import age_text, strings
from metarec.teaching import episode_view as ev
from pages.ui.charts import method_colour
from pages.ui.errors import engine_or_stop, show_flash
from pages.ui.how_loops import loops_section
from pages.ui.how_methods import methods_section
from pages.ui.how_training import training_section
from pages.ui.routing import require_shell
from pages.ui.session import lang, method_name, toy_label, tr

MAX_HIDDEN_SHOWN = 12
SIDE_TOP = 5
PER_ROW = 4
KIND_STYLE = {  # chip border / background per support-set role
    "liked": ("#2ca02c", "#eef8ee"), "disliked": ("#d62728", "#fdeeee"),
    "implicit": ("#9e9e9e", "#f5f5f5"), "hidden": ("#1f77b4", "#eef4fb"),
    "implicit_liked": ("#7c3aed", "#f3eefe"),   # an implicit negative the family secretly likes
}


def _another_family() -> None:
    st.session_state.hw_seed = int(st.session_state.get("hw_seed", 1)) + 1
    st.session_state.pop("_hw_side", None)


def _chips(engine, toys, kind: str, note: str | None = None, marked=()) -> str:
    """Toy names as chips; the ``marked`` ones (implicit negatives the family secretly likes)
    starred, in their own colour and with a dashed border."""
    def chip(i) -> str:
        star = int(i) in marked
        border, fill = KIND_STYLE["implicit_liked" if star else kind]
        label = ("★ " if star else "") + toy_label(engine, i)
        return (f'<div style="border:2px {"dashed" if star else "solid"} {border};background:{fill};'
                f'border-radius:12px;padding:4px 10px;font-size:1rem;line-height:1.3">'
                f"{html.escape(label)}</div>")
    chips = "".join(chip(i) for i in toys)
    if note:
        chips += (f'<div style="padding:6px 4px;font-size:1rem;color:#555">'
                  f'{html.escape(note)}</div>')
    return f'<div style="display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 12px 0">{chips}</div>'


# ---- (a) anatomy of an episode -----------------------------------------------------------------

def _anatomy(engine, view: ev.EpisodeView) -> None:
    st.header(tr("ui.how.a_title"), anchor=False)
    st.markdown(tr("ui.how.a_intro"))
    st.button(tr("ui.adapt.another"), key="hw_another", icon="🎲", on_click=_another_family)
    st.markdown(tr("ui.how.a_family", id=int(view.family.id),
                   age=age_text(view.family.age_months, lang(), long=True)))
    see_col, score_col = st.columns(2, gap="large")
    with see_col, st.container(border=True, key="hw_support"):
        st.subheader(tr("ui.how.a_support"), anchor=False)
        st.markdown(tr("ui.how.a_liked", n=len(view.liked)))
        st.html(_chips(engine, view.liked, "liked"))
        if len(view.disliked):
            st.markdown(tr("ui.how.a_disliked", n=len(view.disliked)))
            st.html(_chips(engine, view.disliked, "disliked"))
        st.markdown(tr("ui.how.a_implicit", n=len(view.implicit)))
        secret = {int(i) for i in view.implicit_liked}
        st.html(_chips(engine, view.implicit, "implicit", marked=secret))
        if secret:
            st.markdown(tr("ui.how.a_implicit_liked", n=len(secret)))
        st.caption(tr("ui.how.a_implicit_what"))
    with score_col, st.container(border=True, key="hw_query"):
        st.subheader(tr("ui.how.a_query"), anchor=False)
        st.markdown(tr("ui.how.a_ranks", m=view.n_candidates, r=len(view.hidden)))
        more = len(view.hidden) - MAX_HIDDEN_SHOWN
        st.html(_chips(engine, view.hidden[:MAX_HIDDEN_SHOWN], "hidden",
                       tr("ui.how.a_more", n=more) if more > 0 else None))
        st.markdown(tr("ui.how.a_score"))
        st.caption(tr("ui.how.a_training", pos=view.n_query_pos, neg=view.n_query_neg))


# ---- (e) every learner on the same three liked toys -------------------------------------------

def _side_by_side(engine, view: ev.EpisodeView) -> None:
    st.header(tr("ui.how.d_title"), anchor=False)
    code = lang()
    st.markdown(tr("ui.how.d_intro", liked=tr("ui.list.sep").join(
        toy_label(engine, i) for i in view.liked)))
    key = (int(view.family.id), tuple(int(i) for i in view.liked), code,
           tuple(ev.learner_order(engine)))
    cached = st.session_state.get("_hw_side")
    if cached is None or cached[0] != key:   # one list per learner, once per family and language
        cached = (key, ev.side_by_side(engine, view, top=SIDE_TOP, lang=code))
        st.session_state["_hw_side"] = cached
    results = cached[1]
    names = list(results)
    for start in range(0, len(names), PER_ROW):
        for col, name in zip(st.columns(PER_ROW), names[start:start + PER_ROW]):
            with col, st.container(border=True, key=f"hw_side_{name}"):
                colour = method_colour(name)
                st.markdown(f"<span style='color:{colour};font-size:1.15rem'>■</span> "
                            f"**{html.escape(method_name(name))}**", unsafe_allow_html=True)
                st.caption(_paper(engine, name))
                side = results[name]
                if side is None:
                    st.warning(tr("ui.how.d_failed"), icon="😟")
                    continue
                recs = side.result.recommendations
                st.markdown("\n".join(f"{k}. {r.icon} {r.name}" + (" ✓" if ok else "")
                                       for k, (r, ok) in enumerate(zip(recs, side.liked), start=1)))
                st.markdown(tr("ui.how.d_hits", k=side.hits, n=len(recs)))
    st.caption(tr("ui.how.d_caption"))


def _paper(engine, name: str) -> str:
    """The paper a learner follows; a baseline's description in the visitor's language."""
    key = f"ui.how.paper_{name}"
    return tr(key) if key in strings() else getattr(engine.learners[name], "paper", "")


def render() -> None:
    engine = engine_or_stop()
    st.session_state.setdefault("hw_seed", 1)
    st.title(f"🎓 {tr('ui.nav.how')}", anchor=False)
    st.markdown(tr("ui.how.intro"))
    show_flash()
    view = ev.episode_view(engine, int(st.session_state.hw_seed) - 1)
    _anatomy(engine, view)
    st.divider()
    loops_section(engine)
    st.divider()
    training_section(engine)
    st.divider()
    methods_section(engine)
    st.divider()
    _side_by_side(engine, view)


require_shell(__file__)
render()
