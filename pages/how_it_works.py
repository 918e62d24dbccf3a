"""How meta-learning works, for teachers: an episode, the two loops, a live mini meta-training, and
every learner side by side on one family.

Layout and charts only: episodes come from ``metarec.core.episodes``, the live training from
``metarec.training.live.mini_meta_train`` (a fresh copy from random weights: the shipped model is
never touched), the recommendations from ``metarec.serving.recommend``.
"""
from __future__ import annotations

import html
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from metarec.core.episodes import IMPLICIT, LIKED, sample_episode
from metarec.i18n import age_text
from metarec.training.live import mini_meta_train
from metarec.serving.recommend import Request, recommend
from pages._shared import (
    engine_or_stop, lang, log_exception, method_colour, method_name, show_flash, style_figure,
    require_shell, toy_label, tr,
)

SHOTS = 3
MAX_HIDDEN_SHOWN = 12
ITER_OPTIONS = (50, 100, 150, 200)  # about 0.1 s each on 2 CPU cores: under 30 s
EVALS = 5                  # validations per mini training run
ITERS_HOOK = "_hw_iters"   # tests: a tiny budget, e.g. 10 iterations
TRAIN_KEY = "_hw_train"    # this session's finished mini-training curves
SIDE_ORDER = ("maml", "protonet", "matching", "relation", "reptile", "metasgd", "fomaml", "melu",
              "finetune", "knn", "popularity")
SIDE_TOP = 5
PER_ROW = 4
KIND_STYLE = {  # chip border / background per support-set role
    "liked": ("#2ca02c", "#eef8ee"), "disliked": ("#d62728", "#fdeeee"),
    "implicit": ("#9e9e9e", "#f5f5f5"), "hidden": ("#1f77b4", "#eef4fb"),
}


def _another_family() -> None:
    st.session_state.hw_seed = int(st.session_state.get("hw_seed", 1)) + 1
    st.session_state.pop("_hw_side", None)


def _episode(engine, seed: int):
    test = engine.world.families("test")
    rng = np.random.default_rng(seed)
    family = test[int(rng.integers(len(test)))]
    return family, sample_episode(family, SHOTS, rng)


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

def _anatomy(engine, family, episode) -> None:
    st.header(tr("ui.how.a_title"), anchor=False)
    st.markdown(tr("ui.how.a_intro"))
    st.button(tr("ui.adapt.another"), key="hw_another", icon="🎲", on_click=_another_family)
    code = lang()
    sup = episode.support
    kinds = sup.kind.numpy()
    items = sup.items.numpy()
    st.markdown(tr("ui.how.a_family", id=int(family.id),
                   age=age_text(family.age_months, code, long=True)))
    see_col, score_col = st.columns(2, gap="large")
    with see_col, st.container(border=True, key="hw_support"):
        st.subheader(tr("ui.how.a_support"), anchor=False)
        st.markdown(tr("ui.how.a_liked", n=int((kinds == LIKED).sum())))
        st.html(_chips(engine, items[kinds == LIKED], "liked"))
        disliked = items[(kinds != LIKED) & (kinds != IMPLICIT)]
        if len(disliked):
            st.markdown(tr("ui.how.a_disliked", n=len(disliked)))
            st.html(_chips(engine, disliked, "disliked"))
        st.markdown(tr("ui.how.a_implicit", n=int((kinds == IMPLICIT).sum())))
        st.html(_chips(engine, items[kinds == IMPLICIT], "implicit"))
    with score_col, st.container(border=True, key="hw_query"):
        st.subheader(tr("ui.how.a_query"), anchor=False)
        hidden = episode.relevant
        st.markdown(tr("ui.how.a_ranks", m=len(episode.candidates), r=len(hidden)))
        more = len(hidden) - MAX_HIDDEN_SHOWN
        st.html(_chips(engine, hidden[:MAX_HIDDEN_SHOWN], "hidden",
                       tr("ui.how.a_more", n=more) if more > 0 else None))
        st.markdown(tr("ui.how.a_score"))
        st.caption(tr("ui.how.a_training", pos=int(episode.query_labels.sum()),
                      neg=int((episode.query_labels == 0).sum())))


# ---- (b) the two loops -------------------------------------------------------------------------

def _loop_numbers(engine) -> dict:
    cfg = (engine.manifest or {}).get("config") or {}
    maml = engine.learners.get("maml")
    return {"steps": cfg.get("inner_steps", getattr(maml, "steps", "?")),
            "lr": cfg.get("inner_lr", getattr(maml, "lr", "?")),
            "batch": cfg.get("meta_batch", "?"), "outer_lr": cfg.get("outer_lr", "?"),
            "iters": cfg.get("max_iters", "?"),
            "families": (cfg.get("world") or {}).get("n_train", "?")}


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
    numbers = _loop_numbers(engine)
    with st.container(key="hw_diagram_box"):
        st.plotly_chart(_diagram(numbers), key="hw_diagram", config={"displayModeBar": False})
    st.caption(tr("ui.how.b_caption", **numbers))


# ---- (c) a small meta-training run, live -------------------------------------------------------

def _train_figure(curve: dict, iters: int, run: int):
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(tr("ui.how.c_loss"), tr("ui.how.c_val")))
    fig.add_trace(go.Scatter(x=curve["its"], y=curve["loss"], mode="lines",
                             name=tr("ui.how.c_loss"), line=dict(color="#1f77b4", width=3)),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=curve["val_its"], y=curve["val"], mode="lines+markers",
                             name=tr("ui.how.c_val"), line=dict(color="#2ca02c", width=3),
                             marker=dict(size=8)), row=1, col=2)
    if curve.get("shipped") is not None:
        fig.add_hline(y=curve["shipped"], line=dict(color="#555", dash="dash"), row=1, col=2,
                      annotation_text=tr("ui.how.c_shipped_line"),
                      annotation_position="bottom right")
    fig.update_xaxes(range=[-0.03 * iters, 1.03 * iters], title_text=tr("ui.how.c_axis"))
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    style_figure(fig, height=380)
    fig.update_layout(showlegend=False, meta={"run": run, "iters": iters})
    return fig


def _shipped_val(engine) -> float | None:
    val = ((engine.manifest or {}).get("metrics") or {}).get("validation_ndcg@10_5shots") or {}
    value = val.get("maml") if isinstance(val, dict) else None
    return float(value) if value is not None else None


def _mini_training(engine) -> None:
    st.header(tr("ui.how.c_title"), anchor=False)
    st.markdown(tr("ui.how.c_intro"))
    hook = st.session_state.get(ITERS_HOOK)
    budget_col, button_col = st.columns([2, 3], vertical_alignment="bottom")
    iters = budget_col.select_slider(tr("ui.how.c_iters"), ITER_OPTIONS, value=100, key="hw_iters",
                                     persist_state="session",
                                     help=tr("ui.how.c_iters_help"))
    if hook:
        iters = int(hook)
    eval_every = max(1, iters // EVALS)  # the last outer step is validated too
    pressed = button_col.button(tr("ui.how.c_start"), key="hw_train", icon="🏋️",
                                type="primary")
    with st.container(key="hw_train_box"):
        status, slot, summary = st.empty(), st.empty(), st.empty()
    last = st.session_state.get(TRAIN_KEY)
    if pressed:
        last = _train_live(engine, iters, eval_every, status, slot)
        st.session_state[TRAIN_KEY] = last
    elif last is not None:
        slot.plotly_chart(_train_figure(last, last["iters"], last["run"]),
                          key=f"hw_train_chart_{last['run']}")
    if last is None:
        summary.caption(tr("ui.how.c_not_yet"))
        return
    start, end = (last["val"][0], last["val"][-1]) if last["val"] else (float("nan"),) * 2
    sep = tr("ui.sentence.sep")
    text = tr("ui.how.c_done", iters=last["iters"], s=last["seconds"], a=start, b=end)
    if last["best"] > end + 0.0005:
        text += sep + tr("ui.how.c_best", best=last["best"])
    if last.get("shipped") is not None:
        numbers = _loop_numbers(engine)
        text += sep + tr("ui.how.c_shipped", v=last["shipped"], iters=numbers["iters"],
                         families=numbers["families"])
    summary.success(text + sep + tr("ui.how.c_untouched"), icon="✅")


def _train_live(engine, iters: int, eval_every: int, status, slot) -> dict:
    st.session_state["_hw_run"] = run = int(st.session_state.get("_hw_run", 0)) + 1
    curve = {"its": [], "loss": [], "val_its": [], "val": [], "iters": iters, "run": run,
             "shipped": _shipped_val(engine)}
    bar = status.progress(0.0, text=tr("ui.how.c_preparing"))
    t0 = time.perf_counter()
    drawn = [0.0]

    def on_progress(it: int, loss: float | None, val: float | None) -> None:
        if loss is not None:   # iteration 0 reports the starting point's validation only
            curve["its"].append(it)
            curve["loss"].append(loss)
        if val is not None:
            curve["val_its"].append(it)
            curve["val"].append(val)
        now = time.perf_counter()
        if val is not None or it == iters or now - drawn[0] > 0.3:
            drawn[0] = now
            bar.progress(it / iters, text=tr("ui.how.c_progress", it=it, iters=iters,
                                             s=round(now - t0)))
            slot.plotly_chart(_train_figure(curve, iters, run), key=f"hw_train_chart_{run}_{it}")

    _params, log = mini_meta_train(engine, iters=iters, eval_every=eval_every,
                                   on_progress=on_progress)  # the new weights are dropped here
    curve["seconds"] = round(time.perf_counter() - t0, 1)
    curve["best"] = max(curve["val"], default=0.0)
    bar.progress(1.0, text=tr("ui.how.c_finished", s=curve["seconds"]))
    slot.plotly_chart(_train_figure(curve, iters, run), key=f"hw_train_chart_{run}")
    return curve


# ---- (d) every learner on the same three liked toys -------------------------------------------

def _side_by_side(engine, family, episode) -> None:
    st.header(tr("ui.how.d_title"), anchor=False)
    code = lang()
    liked = [engine.catalog.ids[int(i)] for i in episode.support.liked.numpy()]
    st.markdown(tr("ui.how.d_intro", liked=tr("ui.list.sep").join(
        toy_label(engine, engine.catalog.index[toy]) for toy in liked)))
    names = [m for m in SIDE_ORDER if m in engine.learners]
    names += [m for m in engine.learners if m not in names]
    key = (int(family.id), tuple(liked), code, tuple(names))
    cached = st.session_state.get("_hw_side")
    if cached is None or cached[0] != key:
        request = dict(age_years=family.age_months / 12, liked=tuple(liked), top=SIDE_TOP,
                       lang=code)
        results = {}
        for m in names:
            try:
                results[m] = recommend(engine, Request(method=m, **request))
            except Exception:  # one broken learner must not hide the others
                log_exception(f"recommending with {m}")
                results[m] = None
        cached = (key, results)
        st.session_state["_hw_side"] = cached
    results = cached[1]
    secret = set(int(i) for i in family.liked)
    for start in range(0, len(names), PER_ROW):
        for col, name in zip(st.columns(PER_ROW), names[start:start + PER_ROW]):
            with col, st.container(border=True, key=f"hw_side_{name}"):
                colour = method_colour(name)
                st.markdown(f"<span style='color:{colour};font-size:1.15rem'>■</span> "
                            f"**{html.escape(method_name(name))}**", unsafe_allow_html=True)
                st.caption(getattr(engine.learners[name], "paper", ""))
                if results[name] is None:
                    st.warning(tr("ui.how.d_failed"), icon="😟")
                    continue
                recs = results[name].recommendations
                liked = [engine.catalog.index[r.id] in secret for r in recs]
                st.markdown("\n".join(f"{k}. {r.icon} {r.name}" + (" ✓" if ok else "")
                                       for k, (r, ok) in enumerate(zip(recs, liked), start=1)))
                hits = sum(liked)
                st.markdown(tr("ui.how.d_hits", k=hits, n=len(recs)))
    st.caption(tr("ui.how.d_caption"))


def render() -> None:
    engine = engine_or_stop()
    st.session_state.setdefault("hw_seed", 1)
    st.title(f"🎓 {tr('ui.nav.how')}", anchor=False)
    st.markdown(tr("ui.how.intro"))
    show_flash()
    family, episode = _episode(engine, int(st.session_state.hw_seed))
    _anatomy(engine, family, episode)
    st.divider()
    _loops(engine)
    st.divider()
    _mini_training(engine)
    st.divider()
    _side_by_side(engine, family, episode)


require_shell(__file__)
render()
