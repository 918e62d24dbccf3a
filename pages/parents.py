"""For parents: pick an age and a few liked toys, get safe, explained toy ideas.

Everything a family enters, toys described in words included, lives in this browser session's
``st.session_state``; the shared engine is only read (``recommend`` adapts a private copy of the
learner's state for each request). The page parts live in ``pages/ui/``: the cards
(:mod:`~pages.ui.cards`), a toy described in words (:mod:`~pages.ui.text_toy`), the strip "as your
child grows" (:mod:`~pages.ui.growth`), the browser's language (:mod:`~pages.ui.browser_language`).
"""
from __future__ import annotations

import time

import streamlit as st

from metarec.core.catalog import CATEGORIES, MAX_AGE_MONTHS
from metarec.core.errors import InputError
from metarec.i18n import age_text, category_name, t
from metarec.serving.recommend import Request, recommend
from metarec.teaching.demo import demo_family
from pages.ui.browser_language import use_browser_language
from pages.ui.cards import about_picks, card_grid
from pages.ui.errors import engine_or_stop, input_problem, safe_callback, show_flash
from pages.ui.growth import growth_strip
from pages.ui.routing import require_shell
from pages.ui.session import DEFAULT_AGE, get_engine, lang, tr
from pages.ui.text_toy import clear_text_toys, session_text_toys, text_toy_inputs

# Months under two, whole years from 2 to 14 (a simulated family may add its exact age).
AGE_OPTIONS = [3, 6, 9, 12, 18] + [12 * years for years in range(2, 15)]
ALL = "all"
TOP = 9
DEFAULTS = {"age": DEFAULT_AGE, "cat_filter": ALL, "liked": [], "disliked": [], "budget": None}
LAST_KEY = "_last_result"  # (Request, Result, ms) of this session's latest recommendation


def _init_state(engine) -> list[str]:
    """Fill in the defaults, and repair what a session may hold that the widgets cannot show:
    an age that is not a whole number of months from 0 to 14 years, toys not in the catalog, a
    toy listed twice (kept once, silently). Returns a translated note for each repair."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state.setdefault("demo_seed", 0)
    notes = []
    if not _valid_age(st.session_state.age):
        st.session_state.age = DEFAULT_AGE
        notes.append(tr("ui.bad.age", age=_age_label(DEFAULT_AGE)))
    elif type(st.session_state.age) is not int:  # "36" or 36.0: the selectbox's options are ints
        st.session_state.age = int(float(st.session_state.age))
    if st.session_state.cat_filter not in (ALL, *CATEGORIES):   # not a category: all of them
        st.session_state.cat_filter = ALL
    unknown = []
    for key in ("liked", "disliked"):
        given = st.session_state[key]
        toys = [str(toy) for toy in given] if isinstance(given, (list, tuple)) else []
        unknown += [toy for toy in toys if toy not in engine.catalog.index]
        kept = list(dict.fromkeys(toy for toy in toys if toy in engine.catalog.index))
        if kept != given:
            st.session_state[key] = kept
    if unknown:
        unknown = list(dict.fromkeys(unknown))  # named once each, and at most five of them
        more = "…" if len(unknown) > 5 else ""
        notes.append(tr("ui.bad.unknown", ids=tr("ui.list.sep").join(unknown[:5]) + more))
    return notes


def _valid_age(value) -> bool:
    try:
        return float(value).is_integer() and 0 <= int(value) <= MAX_AGE_MONTHS
    except (TypeError, ValueError, OverflowError):
        return False


@safe_callback
def _start_over() -> None:
    for key, value in DEFAULTS.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state.pop("demo", None)
    clear_text_toys()


@safe_callback
def _load_demo_family() -> None:
    engine = get_engine()
    st.session_state.demo_seed = int(st.session_state.get("demo_seed", 0)) + 1
    demo = demo_family(engine, st.session_state.demo_seed - 1)   # the n-th click: the n-th family
    months = int(demo.family.age_months)
    st.session_state.update(age=months, cat_filter=ALL, liked=list(demo.liked),
                            disliked=list(demo.disliked), budget=None)
    clear_text_toys()   # the simulated family replaces the whole family, typed toys too
    st.session_state.demo = {"id": int(demo.family.id), "age": months,
                             "favourites": list(demo.family.favourites)}


@safe_callback
def _forget_demo() -> None:
    """The parent changed the family: it is no longer the simulated one that was loaded."""
    st.session_state.pop("demo", None)


def _age_label(months: int, code: str | None = None) -> str:
    code = code or lang()
    if months < 24 or months % 12 == 0:
        return age_text(months, code, long=True)
    return t("ui.age.years_months", code, y=months // 12, m=months % 12)


def _toy_label(engine, toy_id: str, code: str | None = None) -> str:
    i = engine.catalog.index[toy_id]
    return f"{engine.catalog.frame.at[i, 'icon']} {engine.catalog.name(i, code or lang())}"


def _inputs(engine) -> None:
    with st.container(border=True, key="inputs"):
        code = lang()  # bound now: Streamlit may format options outside this script run
        age_col, cat_col, budget_col = st.columns(3)
        ages = sorted(set(AGE_OPTIONS) | {int(st.session_state.age)})
        age_col.selectbox(tr("ui.age.label"), ages, format_func=lambda m: _age_label(m, code),
                          key="age", help=tr("ui.age.help"), on_change=_forget_demo)
        all_label = tr("ui.category.all")
        cat_col.selectbox(tr("ui.category.label"), (ALL, *CATEGORIES), key="cat_filter",
                          format_func=lambda c: all_label if c == ALL else category_name(c, code),
                          help=tr("ui.category.help"))
        budget_col.number_input(tr("ui.budget.label"), min_value=1.0, max_value=1000.0, value=None,
                                step=5.0, format="%.2f", key="budget",
                                placeholder=tr("ui.budget.placeholder"))
        label = lambda toy: _toy_label(engine, toy, code)  # noqa: E731
        # Every catalog toy, whatever the category shown: the list never changes (a new list makes
        # the browser redraw the drop-down, wiping what the parent is typing for the next toy).
        toys = list(engine.catalog.ids)
        st.multiselect(tr("ui.liked.label"), toys,
                       format_func=label, key="liked", help=tr("ui.liked.help"),
                       placeholder=tr("ui.liked.placeholder"), select_all=False,
                       on_change=_forget_demo)
        text_toy_inputs(engine)
        st.multiselect(tr("ui.disliked.label"), toys,
                       format_func=label, key="disliked",
                       placeholder=tr("ui.disliked.placeholder"), select_all=False,
                       on_change=_forget_demo)


def _recommend(engine, request: Request):
    """Adapt and rank for this family; the last answer is kept in this session only, so reruns
    that do not change the request (opening a card, a language-free rerun) cost nothing."""
    last = st.session_state.get(LAST_KEY)
    if last is not None and last[0] == request:
        return last[1], last[2]
    started = time.perf_counter()
    result = recommend(engine, request)
    ms = (time.perf_counter() - started) * 1000
    st.session_state[LAST_KEY] = (request, result, ms)
    return result, ms


def _results(engine) -> None:
    age_months = int(st.session_state.age)
    liked, disliked = list(st.session_state.liked), list(st.session_state.disliked)
    budget, cat = st.session_state.budget, st.session_state.cat_filter
    texts = session_text_toys()
    request = Request(age_years=age_months / 12, liked=tuple(liked), disliked=tuple(disliked),
                      top=TOP, budget=float(budget) if budget else None, lang=lang(),
                      category=None if cat == ALL else cat, liked_text=texts)
    try:
        result, ms = _recommend(engine, request)
    except InputError as exc:   # too many toys, a toy both liked and disliked, ...
        st.warning(input_problem(exc), icon="✋")
        return

    age = _age_label(age_months)
    if result.fallback:
        st.header(tr("ui.results.popular", age=age), anchor=False)
    else:
        st.header(tr("ui.results.personal"), anchor=False)
        n = len(liked) + len(disliked) + len(texts)
        st.caption(tr("ui.results.how_one" if n == 1 else "ui.results.how", n=n))
    counts = {k: int(result.filtered.get(k, 0)) for k in ("too_young", "outgrown", "small_parts")}
    sentences = [tr("ui.safety"), tr("ui.safety.counts", age=age, **counts)]
    if result.filtered.get("over_budget"):
        sentences.append(tr("ui.safety.budget", n=int(result.filtered["over_budget"])))
    if result.filtered.get("other_category"):
        sentences.append(tr("ui.safety.category", n=int(result.filtered["other_category"]),
                            category=category_name(cat, lang())))
    safety = tr("ui.sentence.sep").join(sentences)
    with st.container(key="safety"):
        st.success(safety)
    if result.fallback and result.notice and result.recommendations:
        st.info(result.notice, icon="👆")
    for warning in result.warnings:
        st.caption(warning)
    recs = result.recommendations
    if not recs:
        st.warning(tr("ui.bad.none_left"), icon="🔍")
        return
    card_grid(engine, recs)
    about_picks(engine, result, ms)
    if not result.fallback:
        growth_strip(engine, request)


def _demo_note() -> None:
    demo = st.session_state.get("demo")
    if demo:
        favs = tr("ui.list.sep").join(category_name(c, lang()) for c in demo["favourites"])
        st.info(tr("ui.demo.loaded", id=demo["id"], age=_age_label(demo["age"]), favs=favs),
                icon="🧪")


def render() -> None:
    use_browser_language()   # a first visit: the browser's language (app.py asks first)
    engine = engine_or_stop()
    notes = _init_state(engine)
    st.title(f"🧸 {tr('ui.app.title')}", anchor=False)
    st.caption(tr("ui.app.tagline"))
    with st.container(horizontal=True, key="actions"):
        st.button(tr("ui.demo.button"), key="demo_button", icon="🎲", type="primary",
                  help=tr("ui.demo.help"), on_click=_load_demo_family)
        st.button(tr("ui.reset.button"), key="reset_button", icon="↩️", on_click=_start_over)
    show_flash()
    for note in notes:
        st.warning(note, icon="✋")
    _demo_note()
    _inputs(engine)
    _results(engine)


require_shell(__file__)
render()
