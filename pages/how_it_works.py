"""How meta-learning works, for teachers: an episode, the two loops, a live mini meta-training, and
every learner side by side on one family.

Layout and charts only: the episode, the loops' numbers, the live curves and every learner's list
come from ``metarec.teaching.episode_view``; the live training from
``metarec.training.live.mini_meta_train`` (a fresh copy from random weights: the shipped model is
never touched).
"""
from __future__ import annotations

import html
import time

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from metarec.i18n import age_text
from metarec.teaching import episode_view as ev
from metarec.training.live import mini_meta_train
from pages.ui.charts import method_colour, style_figure
from pages.ui.errors import engine_or_stop, show_flash
from pages.ui.routing import require_shell
from pages.ui.session import lang, method_name, toy_label, tr

MAX_HIDDEN_SHOWN = 12
TRAIN_KEY = "_hw_train"    # this session's finished mini-training curves (an ev.LiveCurve)
SIDE_TOP = 5
PER_ROW = 4
KIND_STYLE = {  # chip border / background per support-set role
    "liked": ("#2ca02c", "#eef8ee"), "disliked": ("#d62728", "#fdeeee"),
    "implicit": ("#9e9e9e", "#f5f5f5"), "hidden": ("#1f77b4", "#eef4fb"),
}


def _another_family() -> None:
    st.session_state.hw_seed = int(st.session_state.get("hw_seed", 1)) + 1
    st.session_state.pop("_hw_side", None)


def _chips(engine, toys, kind: str, note: str | None = None) -> str:
    border, fill = KIND_STYLE[kind]
    chips = "".join(
        f'<div style="border:2px solid {border};background:{fill};border-radius:12px;'
        f'padding:4px 10px;font-size:1rem;line-height:1.3">{html.escape(toy_label(engine, i))}'
        f"</div>" for i in toys)
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
        st.html(_chips(engine, view.implicit, "implicit"))
    with score_col, st.container(border=True, key="hw_query"):
        st.subheader(tr("ui.how.a_query"), anchor=False)
        st.markdown(tr("ui.how.a_ranks", m=view.n_candidates, r=len(view.hidden)))
        more = len(view.hidden) - MAX_HIDDEN_SHOWN
        st.html(_chips(engine, view.hidden[:MAX_HIDDEN_SHOWN], "hidden",
                       tr("ui.how.a_more", n=more) if more > 0 else None))
        st.markdown(tr("ui.how.a_score"))
        st.caption(tr("ui.how.a_training", pos=view.n_query_pos, neg=view.n_query_neg))


# ---- (b) the two loops -------------------------------------------------------------------------

def _box(fig, x0, y0, x1, y1, text, line, fill, size=15):
    fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color=line, width=2),
                  fillcolor=fill, layer="below")
    fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False,
                       font=dict(size=size, color="#111"), align="center")


def _arrow(fig, x0, y0, x1, y1, colour="#333"):
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                       text="", showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=2,
                       arrowcolor=colour)


def _diagram(numbers: dict):
    blue, orange, green = "#1f77b4", "#ff7f0e", "#2ca02c"
    orange_text = "#b45309"  # orange words need a darker shade for 4.5:1 on white (#ff7f0e: 2.5)
    fig = go.Figure()
    fig.add_shape(type="rect", x0=0.1, y0=0.1, x1=11.9, y1=7.0, line=dict(color=blue, width=3,
                  dash="dash"), fillcolor="rgba(31,119,180,0.04)", layer="below")
    fig.add_annotation(x=0.3, y=6.7, xanchor="left", showarrow=False,
                       text=f"<b>{tr('ui.how.b_outer', batch=numbers['batch'])}</b>",
                       font=dict(size=17, color=blue))
    _box(fig, 0.5, 2.7, 2.3, 4.3, tr("ui.how.b_theta"), blue, "rgba(31,119,180,0.15)", size=16)
    rows = ((5.2, tr("ui.how.b_family_one", steps=numbers["steps"], lr=numbers["lr"])),
            (3.5, tr("ui.how.b_family_two")),
            (1.8, tr("ui.how.b_family_n", batch=numbers["batch"])))
    for y, text in rows:
        _box(fig, 3.1, y - 0.65, 7.5, y + 0.65, text, orange, "rgba(255,127,14,0.12)")
        _box(fig, 8.3, y - 0.5, 10.5, y + 0.5, tr("ui.how.b_query"), green, "rgba(44,160,44,0.12)",
             size=14)
        _arrow(fig, 2.3, 3.5, 3.1, y)
        _arrow(fig, 7.5, y, 8.3, y)
        fig.add_shape(type="line", x0=10.5, y0=y, x1=11.3, y1=y, line=dict(color=blue, width=2))
    fig.add_annotation(x=7.4, y=5.55, text="↻", showarrow=False, xanchor="right",
                       font=dict(size=26, color=orange_text))
    fig.add_annotation(x=5.3, y=6.25, showarrow=False,
                       text=f"<b>{tr('ui.how.b_inner')}</b>", font=dict(size=15, color=orange_text))
    fig.add_shape(type="path", path="M 11.3 5.2 L 11.3 0.7 L 1.4 0.7 L 1.4 2.2",
                  line=dict(color=blue, width=3))
    _arrow(fig, 1.4, 2.1, 1.4, 2.7, blue)
    fig.add_annotation(x=6.3, y=0.42, showarrow=False, bgcolor="white",
                       text=tr("ui.how.b_update", outer_lr=numbers["outer_lr"],
                               batch=numbers["batch"]),
                       font=dict(size=15, color=blue))
    fig.update_xaxes(range=[0, 12], visible=False, fixedrange=True)
    fig.update_yaxes(range=[0, 7.1], visible=False, fixedrange=True)
    style_figure(fig, height=520, legend_top=False)
    fig.update_layout(margin=dict(l=0, r=0, t=10, b=0), showlegend=False, dragmode=False,
                      meta=numbers)
    return fig


def _loops(engine) -> None:
    st.header(tr("ui.how.b_title"), anchor=False)
    st.markdown(tr("ui.how.b_intro"))
    numbers = ev.loop_numbers(engine)
    with st.container(key="hw_diagram_box"):
        st.plotly_chart(_diagram(numbers), key="hw_diagram", config={"displayModeBar": False})
    st.caption(tr("ui.how.b_caption", **numbers))


# ---- (c) a small meta-training run, live -------------------------------------------------------

def _train_figure(curve: ev.LiveCurve):
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(tr("ui.how.c_loss"), tr("ui.how.c_val")))
    fig.add_trace(go.Scatter(x=curve.its, y=curve.loss, mode="lines",
                             name=tr("ui.how.c_loss"), line=dict(color="#1f77b4", width=3)),
                  row=1, col=1)
    # the validation curve starts at iteration 0: the random starting point
    fig.add_trace(go.Scatter(x=curve.val_its, y=curve.val, mode="lines+markers",
                             name=tr("ui.how.c_val"), line=dict(color="#2ca02c", width=3),
                             marker=dict(size=8)), row=1, col=2)
    if curve.shipped is not None:
        fig.add_hline(y=curve.shipped, line=dict(color="#555", dash="dash"), row=1, col=2,
                      annotation_text=tr("ui.how.c_shipped_line"),
                      annotation_position="bottom right")
    fig.update_xaxes(range=[-0.03 * curve.iters, 1.03 * curve.iters], title_text=tr("ui.how.c_axis"))
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    style_figure(fig, height=380)
    fig.update_layout(showlegend=False, meta={"run": curve.run, "iters": curve.iters})
    return fig


def _mini_training(engine) -> None:
    st.header(tr("ui.how.c_title"), anchor=False)
    st.markdown(tr("ui.how.c_intro"))
    budget = ev.LIVE_BUDGET
    budget_col, button_col = st.columns([2, 3], vertical_alignment="bottom")
    iters = budget_col.select_slider(tr("ui.how.c_iters"), budget.options, value=budget.default,
                                     key="hw_iters", persist_state="session",
                                     help=tr("ui.how.c_iters_help"))
    pressed = button_col.button(tr("ui.how.c_start"), key="hw_train", icon="🏋️",
                                type="primary")
    with st.container(key="hw_train_box"):
        status, slot, summary = st.empty(), st.empty(), st.empty()
    last = st.session_state.get(TRAIN_KEY)
    if pressed:
        last = _train_live(engine, int(iters), budget.eval_every(iters), status, slot)
        st.session_state[TRAIN_KEY] = last
    elif last is not None:
        slot.plotly_chart(_train_figure(last), key=f"hw_train_chart_{last.run}")
    if last is None:
        summary.caption(tr("ui.how.c_not_yet"))
        return
    sep = tr("ui.sentence.sep")
    text = tr("ui.how.c_done", iters=last.iters, s=last.seconds, a=last.start, b=last.end)
    if last.best > last.end + 0.0005:
        text += sep + tr("ui.how.c_best", best=last.best)
    if last.shipped is not None:
        numbers = ev.loop_numbers(engine)
        text += sep + tr("ui.how.c_shipped", v=last.shipped, iters=numbers["iters"],
                         families=numbers["families"])
    summary.success(text + sep + tr("ui.how.c_untouched"), icon="✅")


def _train_live(engine, iters: int, eval_every: int, status, slot) -> ev.LiveCurve:
    st.session_state["_hw_run"] = run = int(st.session_state.get("_hw_run", 0)) + 1
    curve = ev.LiveCurve(iters, run, ev.shipped_validation(engine))
    bar = status.progress(0.0, text=tr("ui.how.c_preparing"))
    t0 = time.perf_counter()
    drawn = [0.0]

    def on_progress(it: int, loss: float | None, val: float | None) -> None:
        curve.add(it, loss, val)
        now = time.perf_counter()
        if val is not None or it == iters or now - drawn[0] > 0.3:
            drawn[0] = now
            bar.progress(it / iters, text=tr("ui.how.c_progress", it=it, iters=iters,
                                             s=round(now - t0)))
            slot.plotly_chart(_train_figure(curve), key=f"hw_train_chart_{run}_{it}")

    mini_meta_train(engine, iters=iters, eval_every=eval_every,
                    on_progress=on_progress)  # the new weights are dropped here
    curve.seconds = round(time.perf_counter() - t0, 1)
    bar.progress(1.0, text=tr("ui.how.c_finished", s=curve.seconds))
    slot.plotly_chart(_train_figure(curve), key=f"hw_train_chart_{run}")
    return curve


# ---- (d) every learner on the same three liked toys -------------------------------------------

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
                st.caption(getattr(engine.learners[name], "paper", ""))
                side = results[name]
                if side is None:
                    st.warning(tr("ui.how.d_failed"), icon="😟")
                    continue
                recs = side.result.recommendations
                st.markdown("\n".join(f"{k}. {r.icon} {r.name}" + (" ✓" if ok else "")
                                       for k, (r, ok) in enumerate(zip(recs, side.liked), start=1)))
                st.markdown(tr("ui.how.d_hits", k=side.hits, n=len(recs)))
    st.caption(tr("ui.how.d_caption"))


def render() -> None:
    engine = engine_or_stop()
    st.session_state.setdefault("hw_seed", 1)
    st.title(f"🎓 {tr('ui.nav.how')}", anchor=False)
    st.markdown(tr("ui.how.intro"))
    show_flash()
    view = ev.episode_view(engine, int(st.session_state.hw_seed) - 1)
    _anatomy(engine, view)
    st.divider()
    _loops(engine)
    st.divider()
    _mini_training(engine)
    st.divider()
    _side_by_side(engine, view)


require_shell(__file__)
render()
