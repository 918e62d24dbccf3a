"""Watch it learn: the inner loop step by step, live, for one family.

Three starting points adapt to the same support set one SGD step at a time (the library's
``metarec.teaching.adaptation`` builds the family and yields one record per step; this page and
``pages/ui/adapt_charts.py`` only draw them, ``pages/ui/shots_curve.py`` the last section): the
meta-learned initialisation, the same network pretrained without meta-learning, and random weights.
For a simulated test family the hidden taste is known, so each step is also scored on the family's
held-out liked toys. Below: how the top-10 list moves, the hidden taste revealed, and query nDCG@10
against the number of shots for every learner (computed once per process in the background).
"""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from metarec.i18n import age_text, category_name, t
from metarec.teaching import adaptation
from metarec.teaching.adaptation import SHOT_OPTIONS, Setup
from pages.ui.adapt_charts import bump_figure, curves_figure, start_name, taste_figure
from pages.ui.errors import engine_or_stop, show_flash
from pages.ui.routing import require_shell
from pages.ui.session import lang, parent_family, toy_label, tr
from pages.ui.shots_curve import average_section, shots_section

LR_OPTIONS = ("own", 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MAX_STEPS = 30
RUN_KEY = "_ad_last_run"      # this session's latest run: {"key", "records", "run_id", ...}
PACE_S = 0.04                 # at least this long per drawn step, so a class sees the lines grow
DEFAULTS = {"ad_source": "sim", "ad_seed": 1, "ad_shots": 3, "ad_lr": "own", "ad_order": "maml"}


def _init_state(engine) -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("ad_steps", min(MAX_STEPS, adaptation.trained_settings(engine)[0]))


def _another_family() -> None:
    st.session_state.ad_seed = int(st.session_state.get("ad_seed", 1)) + 1


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
                setup = adaptation.parents_setup(engine, pf["age"], pf["liked"], pf["disliked"])
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
            setup = adaptation.family_setup(engine, int(st.session_state.ad_seed) - 1,
                                            int(st.session_state.ad_shots))
    lr = st.session_state.ad_lr
    params = {"steps": int(st.session_state.ad_steps), "lr": None if lr == "own" else float(lr),
              "order": st.session_state.ad_order if have_fo else "maml"}
    return setup, params


def t_source(source: str, code: str) -> str:
    return t("ui.adapt.source_sim" if source == "sim" else "ui.adapt.source_parents", code)


def t_order(order: str, code: str) -> str:
    return t("ui.adapt.second_order" if order == "maml" else "ui.adapt.first_order", code)


# ---- the live curves ---------------------------------------------------------------------------

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
        slot.plotly_chart(curves_figure(records, steps, setup.relevant is not None, run_id),
                          key=f"ad_curves_{run_id}_{step}")
        status.caption(tr("ui.adapt.running", step=step, steps=steps))
        time.sleep(max(0.0, PACE_S - (time.perf_counter() - t0)))
    return {"records": records, "run_id": run_id}


def _curves(engine, setup: Setup, params: dict) -> dict | None:
    starts = adaptation.available_starts(engine, params["order"])
    key = (setup.key, params["steps"], params["lr"], tuple(starts))
    run_col, note_col = st.columns([1, 4], vertical_alignment="center")
    pressed = run_col.button(tr("ui.adapt.run"), key="ad_run", icon="▶️", type="primary")
    steps, lr = adaptation.trained_settings(engine)
    note_col.caption(tr("ui.adapt.run_help") + tr("ui.sentence.sep")
                     + tr("ui.adapt.trained_steps", k=steps, lr=lr))
    with st.container(key="ad_chart"):
        slot, status = st.empty(), st.empty()
    last = st.session_state.get(RUN_KEY)
    if pressed or last is None or last["key"] != key:
        last = {"key": key, **_run_live(engine, setup, params, starts, slot, status)}
        st.session_state[RUN_KEY] = last
    else:
        slot.plotly_chart(curves_figure(last["records"], params["steps"],
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
        meta = records[next(iter(records))]   # the meta-learned start is drawn first
        if meta[-1].ndcg <= meta[0].ndcg:      # say it plainly when the steps did not help
            text += sep + tr("ui.adapt.no_gain", n=len(meta) - 1, a=meta[0].ndcg, b=meta[-1].ndcg)
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
        st.plotly_chart(bump_figure(engine, recs, liked), key=f"ad_bump_{focus}_{last['run_id']}")
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


# ---- the hidden taste, revealed ----------------------------------------------------------------

def _reveal(engine, setup: Setup, last: dict, focus: str) -> None:
    st.header(tr("ui.adapt.reveal_title"), anchor=False)
    if setup.family is None:
        st.caption(tr("ui.adapt.reveal_parents"))
        return
    if not st.toggle(tr("ui.adapt.reveal"), key="ad_reveal", persist_state="session"):
        st.caption(tr("ui.adapt.reveal_hint"))
        return
    code = lang()
    taste = adaptation.taste_reveal(engine, setup, last["records"][focus])
    chart_col, text_col = st.columns([3, 1])
    with chart_col:
        st.plotly_chart(taste_figure(taste, focus), key="ad_reveal_chart")
    with text_col:
        sep = tr("ui.list.sep")
        st.markdown(tr("ui.adapt.reveal_favs",
                       favs=sep.join(category_name(c, code) for c in taste.favourites)))
        st.markdown(tr("ui.adapt.reveal_top", name=start_name(focus),
                       cats=sep.join(category_name(c, code) for c in taste.top_after)))
        st.markdown(tr("ui.adapt.reveal_hits", a=taste.hits_before, b=taste.hits_after,
                       n=len(taste.favourites)))
    st.caption(tr("ui.adapt.reveal_caption"))


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
    st.header(tr("ui.adapt.average_title"), anchor=False)
    average_section(engine)
    st.header(tr("ui.adapt.family_title"), anchor=False)
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
        _reveal(engine, setup, last, focus)
    st.divider()
    shots_section(engine)


require_shell(__file__)
render()
