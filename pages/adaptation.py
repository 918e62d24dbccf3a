"""Watch it learn: the inner loop step by step, live, for one family.

Three starting points adapt to the same support set one SGD step at a time (the library's
``adaptation.adaptation_steps`` yields one record per step; this page only draws them): the
meta-learned initialisation, the same network pretrained without meta-learning, and random weights.
For a simulated test family the hidden taste is known, so each step is also scored on the family's
held-out liked toys. Below: how the top-10 list moves, the hidden taste revealed, and query nDCG@10
against the number of shots for every learner (computed once per process in the background).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from metarec.teaching import adaptation
from metarec.core.catalog import CATEGORIES
from metarec.teaching.demo import random_family
from metarec.core.episodes import make_support
from metarec.evaluation.toybox import evaluate_world
from metarec.i18n import age_text, category_name, t
from pages._shared import (
    START_COLOURS, BackgroundJob, engine_or_stop, lang, log_exception, method_name, parent_family,
    require_shell, shots_figure, show_flash, style_figure, toy_label, tr,
)

SHOT_OPTIONS = (1, 2, 3, 5, 10)
LR_OPTIONS = ("own", 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MAX_STEPS = 30
CURVE_FAMILIES = 100          # test families behind the shots curve
CURVE_HOOK = "_ad_curve_families"  # tests set a smaller number before the first run
RUN_KEY = "_ad_last_run"      # this session's latest run: {"key", "records", "run_id", ...}
PACE_S = 0.04                 # at least this long per drawn step, so a class sees the lines grow
START_KEYS = {"maml": "ui.adapt.start.maml", "fomaml": "ui.adapt.start.fomaml",
              "finetune": "ui.adapt.start.finetune", "random": "ui.adapt.start.random"}
DEFAULTS = {"ad_source": "sim", "ad_seed": 1, "ad_shots": 3, "ad_lr": "own", "ad_order": "maml"}


@dataclass(frozen=True)
class Setup:
    """The family being adapted to, as the library wants it."""
    kind: str                     # "sim" or "parents"
    age_months: float
    liked: tuple[int, ...]
    disliked: tuple[int, ...]
    support: object               # metarec.core.episodes.Support
    candidates: np.ndarray        # suitable toys the family did not name
    relevant: np.ndarray | None   # its hidden liked toys among them (simulated family only)
    family: object | None         # the simulated Family (hidden taste), else None
    key: tuple


def _trained(engine) -> tuple[int, float]:
    """The inner steps and step size the meta-learned start was trained with."""
    learner = engine.learners.get("maml") or engine.learners.get("finetune")
    return int(getattr(learner, "steps", 5)), float(getattr(learner, "lr", 0.5))


def _init_state(engine) -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("ad_steps", min(MAX_STEPS, _trained(engine)[0]))


def _another_family() -> None:
    st.session_state.ad_seed = int(st.session_state.get("ad_seed", 1)) + 1


def _simulated(engine, seed: int, shots: int) -> Setup:
    demo = random_family(engine, seed, shots=shots, n_disliked=shots // 2)
    family, index = demo.family, engine.catalog.index
    liked = tuple(index[toy] for toy in demo.liked)
    disliked = tuple(index[toy] for toy in demo.disliked)
    named = np.array(liked + disliked, dtype=np.int64)
    candidates = np.setdiff1d(family.eligible, named)
    relevant = np.intersect1d(candidates, family.liked)
    support = make_support(family.age_months, liked, disliked, family.eligible)
    return Setup("sim", float(family.age_months), liked, disliked, support, candidates, relevant,
                 family, ("sim", int(family.id), seed, shots))


def _from_parents(engine, pf: dict) -> Setup | None:
    index = engine.catalog.index
    liked = tuple(dict.fromkeys(index[toy] for toy in pf["liked"] if toy in index))
    disliked = tuple(dict.fromkeys(index[toy] for toy in pf["disliked"] if toy in index))
    if not liked or set(liked) & set(disliked):
        return None
    age = float(pf["age"])
    eligible = engine.catalog.eligible(age)
    candidates = np.setdiff1d(eligible, np.array(liked + disliked, dtype=np.int64))
    support = make_support(age, liked, disliked, eligible)
    return Setup("parents", age, liked, disliked, support, candidates, None, None,
                 ("parents", age, liked, disliked))


def _starts(engine, order: str) -> list[str]:
    """The starting points this checkpoint can offer, meta-learned first."""
    have = engine.learners
    starts = [order if order in have else "maml", "finetune", "random"]
    return [s for s in starts if s in have or (s == "random" and "maml" in have)]


# ---- controls ----------------------------------------------------------------------------------

def _controls(engine) -> tuple[Setup | None, dict]:
    code = lang()
    pf = parent_family()
    have_fo = "fomaml" in engine.learners
    with st.container(border=True, key="ad_controls"):
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.segmented_control(
                tr("ui.adapt.source"), ("sim", "parents"), key="ad_source",
                persist_state="session", required=True, format_func=lambda s: t_source(s, code))
            st.segmented_control(
                tr("ui.adapt.order"), ("maml", "fomaml"), key="ad_order", persist_state="session",
                required=True, format_func=lambda o: t_order(o, code),
                help=tr("ui.adapt.order_help"), disabled=not have_fo)
        setup = None
        if st.session_state.ad_source == "parents":
            if pf is None:
                st.info(tr("ui.adapt.no_parents"), icon="🧸")
            else:
                setup = _from_parents(engine, pf)
                if setup is None:
                    st.warning(tr("ui.adapt.bad_parents"), icon="✋")
                else:
                    st.markdown(tr("ui.adapt.parents_family",
                                   age=age_text(setup.age_months, code, long=True),
                                   n=len(setup.liked)))
        shots_col, steps_col, lr_col = st.columns(3, gap="large")
        shots_col.select_slider(tr("ui.adapt.shots"), SHOT_OPTIONS, key="ad_shots",
                                persist_state="session", help=tr("ui.adapt.shots_help"),
                                disabled=st.session_state.ad_source == "parents")
        steps_col.slider(tr("ui.adapt.steps"), 1, MAX_STEPS, key="ad_steps",
                         persist_state="session", help=tr("ui.adapt.steps_help"))
        own = tr("ui.adapt.lr_own")
        lr_col.select_slider(tr("ui.adapt.lr"), LR_OPTIONS, key="ad_lr", persist_state="session",
                             format_func=lambda v: own if v == "own" else f"{v:g}",
                             help=tr("ui.adapt.lr_help"))
        if st.session_state.ad_source == "sim":
            setup = _simulated(engine, int(st.session_state.ad_seed),
                               int(st.session_state.ad_shots))
    lr = st.session_state.ad_lr
    params = {"steps": int(st.session_state.ad_steps), "lr": None if lr == "own" else float(lr),
              "order": st.session_state.ad_order if have_fo else "maml"}
    return setup, params


def t_source(source: str, code: str) -> str:
    return t("ui.adapt.source_sim" if source == "sim" else "ui.adapt.source_parents", code)


def t_order(order: str, code: str) -> str:
    return t("ui.adapt.second_order" if order == "maml" else "ui.adapt.first_order", code)


def start_name(start: str) -> str:
    return tr(START_KEYS[start])


# ---- the live curves ---------------------------------------------------------------------------

def _curves_figure(records: dict, steps: int, scored: bool, run_id: int):
    panels = [tr("ui.adapt.panel_loss")]
    if scored:
        panels += [tr("ui.adapt.panel_ndcg"), tr("ui.adapt.panel_recall")]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels, horizontal_spacing=0.07)
    for start, recs in records.items():
        x = [r.step for r in recs]
        colour = START_COLOURS.get(start, "#555")
        dash = "dot" if start == "random" else "solid"
        series = [[r.support_loss for r in recs]]
        if scored:
            series += [[r.ndcg for r in recs], [r.recall for r in recs]]
        for col, y in enumerate(series, start=1):
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="lines+markers", name=start_name(start), legendgroup=start,
                showlegend=col == 1, line=dict(color=colour, width=3, dash=dash),
                marker=dict(size=7), meta=start,
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


def _run_live(engine, setup: Setup, params: dict, starts: list[str], slot, status) -> dict:
    """Step every starting point in lock-step and redraw after each step."""
    st.session_state["_ad_run_id"] = run_id = int(st.session_state.get("_ad_run_id", 0)) + 1
    steps = params["steps"]
    gens = {s: adaptation.adaptation_steps(engine, s, setup.support, setup.candidates,
                                           setup.relevant, steps=steps, lr=params["lr"])
            for s in starts}
    records: dict[str, list] = {s: [] for s in starts}
    for step in range(steps + 1):
        t0 = time.perf_counter()
        for start, gen in gens.items():
            records[start].append(next(gen))
        slot.plotly_chart(_curves_figure(records, steps, setup.relevant is not None, run_id),
                          key=f"ad_curves_{run_id}_{step}")
        status.caption(tr("ui.adapt.running", step=step, steps=steps))
        time.sleep(max(0.0, PACE_S - (time.perf_counter() - t0)))
    return {"records": records, "run_id": run_id}


def _curves(engine, setup: Setup, params: dict) -> dict | None:
    starts = _starts(engine, params["order"])
    key = (setup.key, params["steps"], params["lr"], tuple(starts))
    run_col, note_col = st.columns([1, 4], vertical_alignment="center")
    pressed = run_col.button(tr("ui.adapt.run"), key="ad_run", icon="▶️", type="primary")
    steps, lr = _trained(engine)
    note_col.caption(tr("ui.adapt.run_help") + tr("ui.sentence.sep")
                     + tr("ui.adapt.trained_steps", k=steps, lr=lr))
    with st.container(key="ad_chart"):
        slot, status = st.empty(), st.empty()
    last = st.session_state.get(RUN_KEY)
    if pressed or last is None or last["key"] != key:
        last = {"key": key, **_run_live(engine, setup, params, starts, slot, status)}
        st.session_state[RUN_KEY] = last
    else:
        slot.plotly_chart(_curves_figure(last["records"], params["steps"],
                                         setup.relevant is not None, last["run_id"]),
                          key=f"ad_curves_{last['run_id']}_final")
    status.caption(_curves_caption(last["records"], setup))
    return last


def _curves_caption(records: dict, setup: Setup) -> str:
    parts = []
    for start, recs in records.items():
        first, final = recs[0], recs[-1]
        if setup.relevant is not None:
            parts.append(tr("ui.adapt.sum_scored", name=start_name(start), a=first.ndcg,
                            b=final.ndcg, loss=final.support_loss))
        else:
            parts.append(tr("ui.adapt.sum_loss", name=start_name(start), a=first.support_loss,
                            b=final.support_loss))
    n = len(next(iter(records.values()))) - 1
    sep = tr("ui.sentence.sep")
    head = tr("ui.adapt.sum_head", n=n)
    if setup.relevant is not None:
        head += sep + tr("ui.adapt.sum_query", n=len(setup.relevant), m=len(setup.candidates))
    text = head + sep + tr("ui.list.sep").join(parts)
    if setup.relevant is not None:
        text += tr("ui.adapt.sum_end") + sep + tr("ui.adapt.one_family")
    return text


# ---- how the top-10 list moves -----------------------------------------------------------------

def _top10(engine, setup: Setup, last: dict) -> str:
    records = last["records"]
    starts = list(records)
    st.header(tr("ui.adapt.top_title"), anchor=False)
    focus = st.session_state.get("ad_focus")
    if focus not in starts:
        st.session_state.ad_focus = starts[0]
    st.segmented_control(tr("ui.adapt.focus"), starts, key="ad_focus", persist_state="session",
                         required=True, format_func=start_name)
    focus = st.session_state.ad_focus
    recs = records[focus]
    before, after = recs[0].top, recs[-1].top
    liked = set(setup.relevant.tolist()) if setup.relevant is not None else set()
    with st.container(key="ad_bump_box"):
        st.plotly_chart(_bump_figure(engine, recs, liked), key=f"ad_bump_{focus}_{last['run_id']}")
    table_col, text_col = st.columns([3, 2], gap="large")
    with text_col:
        st.caption(tr("ui.adapt.bump_caption", name=start_name(focus), n=len(recs) - 1))
    with table_col:
        changes = adaptation.rank_changes(before, after)
        rows = []
        for rank, toy in enumerate(after, start=1):
            moved = changes[toy]
            move = (tr("ui.adapt.move_new") if moved is None else
                    f"▲ {moved}" if moved > 0 else f"▼ {-moved}" if moved < 0 else "=")
            row = {tr("ui.adapt.col_rank"): rank, tr("ui.adapt.col_toy"): toy_label(engine, toy),
                   tr("ui.adapt.col_move"): move}
            if setup.relevant is not None:
                row[tr("ui.adapt.col_liked")] = "✓" if toy in liked else ""
            rows.append(row)
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="ad_top_table",
                     height="content")
    with text_col:
        dropped = [toy_label(engine, toy) for toy in before if toy not in set(after)]
        if dropped:
            st.caption(tr("ui.adapt.dropped", names=tr("ui.list.sep").join(dropped)))
        else:
            st.caption(tr("ui.adapt.none_dropped"))
    return focus


def _bump_figure(engine, recs, liked: set):
    below = 11
    toys = list(dict.fromkeys(recs[0].top + recs[-1].top))
    steps = [r.step for r in recs]
    fig = go.Figure()
    for toy in toys:
        ranks = [r.top.index(toy) + 1 if toy in r.top else below for r in recs]
        first, final = ranks[0], ranks[-1]
        colour = ("#2ca02c" if final < first else "#d62728" if final > first else "#7f7f7f")
        # The label's text in a darker shade of its line's colour: 4.5:1 or more on white.
        text_colour = ("#1a7f1a" if final < first else "#b91c1c" if final > first else "#666666")
        label = toy_label(engine, toy) + (" ✓" if toy in liked else "")
        fig.add_trace(go.Scatter(
            x=steps, y=ranks, mode="lines+markers", name=label, showlegend=False,
            line=dict(color=colour, width=3 if final <= 10 else 1.5,
                      dash="solid" if final <= 10 else "dot"),
            marker=dict(size=6), hovertemplate=f"{label}<br>%{{x}} → #%{{y}}<extra></extra>"))
        if final <= 10:
            fig.add_annotation(x=steps[-1], y=final, text=label, showarrow=False, xanchor="left",
                               xshift=8, font=dict(size=13, color=text_colour))
    fig.update_yaxes(autorange="reversed", tickvals=list(range(1, 12)),
                     ticktext=[str(i) for i in range(1, 11)] + [tr("ui.adapt.below")],
                     title_text=tr("ui.adapt.axis_rank"))
    fig.update_xaxes(title_text=tr("ui.adapt.axis_step"), range=[-0.3, steps[-1] + 0.3],
                     dtick=max(1, steps[-1] // 10))
    style_figure(fig, height=480, legend_top=False)
    fig.update_layout(margin=dict(l=10, r=320, t=20, b=10))
    return fig


# ---- the hidden taste, revealed ----------------------------------------------------------------

def _reveal(engine, setup: Setup, params: dict, focus: str) -> None:
    st.header(tr("ui.adapt.reveal_title"), anchor=False)
    if setup.family is None:
        st.caption(tr("ui.adapt.reveal_parents"))
        return
    if not st.toggle(tr("ui.adapt.reveal"), key="ad_reveal", persist_state="session"):
        st.caption(tr("ui.adapt.reveal_hint"))
        return
    code = lang()
    learner = adaptation.starting_learner(engine, focus)
    # TODO(library): adaptation_steps does not hand out the adapted state, so the page steps the
    # learner once more (cheap) to get the states before and after the same steps and step size.
    states = list(learner.step_through(setup.support, params["steps"], params["lr"]))
    true = adaptation.true_affinity(setup.family, engine.catalog)
    before = adaptation.category_affinity(engine, learner, states[0], setup.age_months)
    after = adaptation.category_affinity(engine, learner, states[-1], setup.age_months)
    order = [c for c in np.argsort(-np.nan_to_num(true, nan=-99)) if not np.isnan(true[c])]
    favs = set(setup.family.favourites)
    names = [("★ " if CATEGORIES[c] in favs else "") + category_name(CATEGORIES[c], code)
             for c in order]
    fig = go.Figure()
    for label, values, colour in ((tr("ui.adapt.reveal_true"), true, "#2ca02c"),
                                  (tr("ui.adapt.reveal_before"), before, "#c7c7c7"),
                                  (tr("ui.adapt.reveal_after", name=start_name(focus)), after,
                                   START_COLOURS.get(focus, "#1f77b4"))):
        fig.add_trace(go.Bar(y=names, x=[values[c] for c in order], name=label, orientation="h",
                             marker_color=colour,
                             hovertemplate="%{y}: %{x:.2f}<extra>" + label + "</extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=tr("ui.adapt.reveal_axis"), zeroline=True)
    fig.update_layout(barmode="group", bargap=0.25)
    chart_col, text_col = st.columns([3, 1])
    with chart_col:
        st.plotly_chart(style_figure(fig, height=120 + 42 * len(order)), key="ad_reveal_chart")
    top_model = [CATEGORIES[c] for c in np.argsort(-np.nan_to_num(after, nan=-99))[:3]]
    top_before = [CATEGORIES[c] for c in np.argsort(-np.nan_to_num(before, nan=-99))[:3]]
    with text_col:
        sep = tr("ui.list.sep")
        st.markdown(tr("ui.adapt.reveal_favs",
                       favs=sep.join(category_name(c, code) for c in setup.family.favourites)))
        st.markdown(tr("ui.adapt.reveal_top", name=start_name(focus),
                       cats=sep.join(category_name(c, code) for c in top_model)))
        st.markdown(tr("ui.adapt.reveal_hits", a=len(favs & set(top_before)),
                       b=len(favs & set(top_model)), n=len(favs)))
    st.caption(tr("ui.adapt.reveal_caption"))


# ---- query nDCG@10 against shots, in the background --------------------------------------------

def _curve_version(engine) -> str:
    return str(engine.manifest.get("sha256") or engine.manifest.get("version") or "?")


@st.cache_resource(show_spinner=False, max_entries=4)
def _shots_job(n_families: int, version: str, _engine) -> BackgroundJob:
    """Every learner on the first ``n_families`` test families at 1, 2, 3, 5, 10 shots: started
    once per process (and checkpoint), shared by every session, computed in a daemon thread."""
    learners = dict(_engine.learners)
    families = _engine.world.families("test")[:n_families]

    def run(report) -> None:
        # One learner at a time, so each line appears whole and one broken learner skips alone;
        # ``report`` ends the thread between two (learner, shots) pairs when the process exits.
        for name, learner in learners.items():
            try:
                evaluate_world({name: learner}, families, SHOT_OPTIONS, seed=0, progress=report)
            except Exception:
                log_exception(f"the shots curve of {name}")

    return BackgroundJob("shots-curve", run, total=len(learners) * len(SHOT_OPTIONS))


def _shots_section(engine) -> None:
    st.header(tr("ui.adapt.shots_title"), anchor=False)
    n = int(st.session_state.get(CURVE_HOOK, CURVE_FAMILIES))
    job = _shots_job(n, _curve_version(engine), engine)
    with st.container(key="ad_shots_done" if job.done else "ad_shots_running"):
        if job.done:
            _draw_shots(job, n)
        else:
            _shots_progress(engine, n)


@st.fragment(run_every=1.0)
def _shots_progress(engine, n: int) -> None:
    job = _shots_job(n, _curve_version(engine), engine)
    if job.done:
        st.rerun()  # the whole page once more: the finished chart, and no more polling
    rows = list(job.items)
    st.progress(job.fraction, text=tr("ui.adapt.shots_progress", done=len(rows), total=job.total,
                                      n=n))
    if rows:
        _draw_shots_chart(rows, n, partial=True)
        st.caption(tr("ui.adapt.shots_partial_caption", n=n, best=_best_per_shots(rows)))


def _draw_shots(job: BackgroundJob, n: int) -> None:
    rows = list(job.items)
    if job.failed and not rows:
        st.error(tr("ui.error.generic"), icon="😟")
        return
    _draw_shots_chart(rows, n, partial=False)
    frame = pd.DataFrame(rows)
    st.caption(tr("ui.adapt.shots_caption", n=n, s=round(job.seconds or 0),
                  best=_best_per_shots(rows)))
    with st.expander(tr("ui.adapt.shots_table")):
        table = frame.assign(
            method=frame["method"].map(method_name),
            cell=[f"{m:.3f} ± {h:.3f}" for m, h in zip(frame["ndcg@10"], frame["ndcg@10_ci95"])])
        wide = table.pivot(index="method", columns="shots", values="cell")
        wide.columns = [tr("ui.adapt.one_shot") if k == 1 else tr("ui.adapt.n_shots", k=k)
                        for k in wide.columns]
        st.dataframe(wide, key="ad_shots_table", height="content")


def _best_per_shots(rows: list[dict]) -> str:
    """'1: MAML 0.412, 2: ...': the best learner and its mean nDCG@10 per number of shots."""
    frame = pd.DataFrame(rows)
    best = frame.loc[frame.groupby("shots")["ndcg@10"].idxmax()]
    return tr("ui.list.sep").join(
        tr("ui.adapt.shots_best_one", k=int(r.shots), name=method_name(r.method), v=r["ndcg@10"])
        for _, r in best.iterrows())


def _draw_shots_chart(rows: list[dict], n: int, partial: bool) -> None:
    fig = shots_figure(rows, "ndcg@10", tr("ui.adapt.axis_ndcg"), tr("ui.adapt.axis_shots"))
    st.plotly_chart(fig, key="ad_shots_chart_partial" if partial else "ad_shots_chart")


# ---- the page ----------------------------------------------------------------------------------

def render() -> None:
    engine = engine_or_stop()
    _init_state(engine)
    st.title(f"🔬 {tr('ui.nav.adaptation')}", anchor=False)
    st.markdown(tr("ui.adapt.intro"))
    show_flash()
    if "maml" not in engine.learners and "finetune" not in engine.learners:
        st.info(tr("ui.adapt.no_learners"), icon="⏳")
        return
    setup, params = _controls(engine)
    if setup is not None:
        if setup.family is not None:
            fam = setup.family
            text_col, button_col = st.columns([4, 1], vertical_alignment="center")
            text_col.caption(tr("ui.adapt.sim_family", id=int(fam.id),
                                age=age_text(fam.age_months, lang(), long=True),
                                liked=tr("ui.list.sep").join(toy_label(engine, i)
                                                             for i in setup.liked),
                                n=len(setup.disliked)))
            button_col.button(tr("ui.adapt.another"), key="ad_another", icon="🎲",
                              on_click=_another_family)
        last = _curves(engine, setup, params)
        focus = _top10(engine, setup, last)
        _reveal(engine, setup, params, focus)
    st.divider()
    _shots_section(engine)


require_shell(__file__)
render()
