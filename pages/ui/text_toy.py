"""A toy described in words on the parents' page: typed, read by the library, corrected, liked.

The parent types a toy that is not in the catalog; :func:`metarec.serving.text_toys.describe`
guesses its category, skills and age range (the encoder's first load takes seconds: a spinner says
so; the app's warm-up thread loads it early, :func:`pages.ui.session.warm_up_in_background`), the
page shows the guess in widgets the parent can correct, and every described toy joins the
request as a liked toy (``Request.liked_text``). Everything typed lives in this session's
``st.session_state`` only: never written to disk, logged or sent anywhere. The typed text is shown
as plain text (:mod:`pages.ui.plain_text`).
"""
from __future__ import annotations

import streamlit as st

from metarec.core.catalog import CATEGORIES, MAX_AGE_MONTHS, SKILLS
from metarec.core.errors import InputError
from metarec.i18n import age_text, category_name, range_text, skill_name
from metarec.serving.text_toys import MAX_TEXT_CHARS, MAX_TEXT_TOYS, TextToy, describe

from .errors import input_problem, log_exception, safe_callback
from .plain_text import md
from .session import lang, tr

TEXTS_KEY = "text_toys"       # [{"uid", "text", "guess": {...}, "category", "skills", "ages"}]
INPUT_KEY = "tt_input"        # the text input (emptied once its text is taken)
PENDING_KEY = "_tt_pending"   # a text typed, read on the next script run (under a spinner)
UID_KEY = "_tt_uid"           # the next described toy's number (widget keys stay unique)
WIDGETS = ("tt_cat_", "tt_skills_", "tt_ages_")
# The age slider's stops (months); a guessed end that is not one of them is added to its options.
AGE_STOPS = (0, 3, 6, 9, 12, 18, 24, 30, 36, *range(48, MAX_AGE_MONTHS + 1, 12))


def _entries() -> list[dict]:
    entries = st.session_state.get(TEXTS_KEY)
    return entries if isinstance(entries, list) else []


def session_text_toys() -> tuple[TextToy, ...]:
    """This session's toys described in words, with the parent's corrections (for a Request)."""
    out = []
    for e in _entries():
        try:
            lo, hi = (int(a) for a in e["ages"])
            out.append(TextToy(str(e["text"]), e["category"], tuple(e["skills"]) or None, lo, hi))
        except (KeyError, TypeError, ValueError):
            continue   # something a session should not hold: left out
    return tuple(out)


def clear_text_toys() -> None:
    """Forget every described toy (Start over, a family to try)."""
    for e in _entries():
        for prefix in WIDGETS:
            st.session_state.pop(f"{prefix}{e.get('uid')}", None)
    st.session_state[TEXTS_KEY] = []
    st.session_state.pop(PENDING_KEY, None)


@safe_callback
def _take_input() -> None:
    text = str(st.session_state.get(INPUT_KEY) or "")
    st.session_state[INPUT_KEY] = ""
    if text.strip():
        st.session_state[PENDING_KEY] = text
        st.session_state.pop("demo", None)   # the family is no longer the simulated one


@safe_callback
def _sync(uid: int) -> None:
    """Copy the corrections of one described toy from its widgets into the session's list."""
    for e in _entries():
        if e["uid"] == uid:
            e["category"] = st.session_state.get(f"tt_cat_{uid}", e["category"])
            e["skills"] = list(st.session_state.get(f"tt_skills_{uid}", e["skills"]))
            e["ages"] = list(st.session_state.get(f"tt_ages_{uid}", e["ages"]))


@safe_callback
def _remove(uid: int) -> None:
    st.session_state[TEXTS_KEY] = [e for e in _entries() if e["uid"] != uid]
    for prefix in WIDGETS:
        st.session_state.pop(f"{prefix}{uid}", None)


def _read_pending(engine) -> None:
    """Describe the text typed in the last run (the encoder may take seconds the first time)."""
    text = st.session_state.pop(PENDING_KEY, None)
    if not text:
        return
    entries = _entries()
    if text.strip() in {e["text"] for e in entries}:
        return
    if len(entries) >= MAX_TEXT_TOYS:
        st.warning(tr("input.too_many_texts", max=MAX_TEXT_TOYS), icon="✋")
        return
    try:
        with st.spinner(tr("ui.text.reading")):
            toy = describe(engine, [text])[0]
    except InputError as exc:   # too long, empty, ...
        st.warning(input_problem(exc), icon="✋")
        return
    except Exception:
        log_exception("describing a toy typed in words")
        st.warning(tr("ui.text.failed"), icon="😟")
        return
    uid = int(st.session_state.get(UID_KEY, 0))
    st.session_state[UID_KEY] = uid + 1
    guess = {"category": toy.category, "skills": list(toy.skills),
             "ages": [toy.min_age_months, toy.max_age_months], "nearest": list(toy.nearest)}
    st.session_state[TEXTS_KEY] = [*entries, {"uid": uid, "text": toy.text, "guess": guess,
                                              "category": toy.category, "skills": list(toy.skills),
                                              "ages": list(guess["ages"])}]


def _guess_line(engine, guess: dict, code: str) -> str:
    names = [f"{engine.catalog.frame.at[engine.catalog.index[i], 'icon']} "
             f"{engine.catalog.name(engine.catalog.index[i], code)}"
             for i in guess.get("nearest", [])[:3] if i in engine.catalog.index]
    line = tr("ui.text.guess", category=category_name(guess["category"], code),
              skills=tr("ui.list.sep").join(skill_name(s, code) for s in guess["skills"]),
              ages=range_text(*guess["ages"], code))
    if names:
        line += tr("ui.sentence.sep") + tr("ui.text.nearest", toys=tr("ui.list.sep").join(names))
    return line


def _entry(engine, e: dict, code: str) -> None:
    """One described toy: its text, the guess, and widgets holding the parent's corrections (their
    values start from the session's list, so they survive a visit to another page)."""
    uid = e["uid"]
    with st.container(border=True, key=f"tt-{uid}"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"✏️ **“{md(e['text'])}”**", width="stretch")
            st.button(tr("ui.text.remove"), key=f"tt_remove_{uid}", icon=":material/close:",
                      on_click=_remove, args=(uid,), type="tertiary")
        st.caption(_guess_line(engine, e["guess"], code))
        cat_col, skills_col, ages_col = st.columns([1, 1.5, 1.2])
        cat_col.selectbox(tr("ui.text.category"), CATEGORIES, key=f"tt_cat_{uid}",
                          index=CATEGORIES.index(e["category"]),
                          format_func=lambda c: category_name(c, code),
                          on_change=_sync, args=(uid,))
        skills_col.multiselect(tr("ui.text.skills"), SKILLS, default=list(e["skills"]),
                               key=f"tt_skills_{uid}", format_func=lambda s: skill_name(s, code),
                               on_change=_sync, args=(uid,),
                               placeholder=tr("ui.text.skills_guess"))
        stops = sorted(set(AGE_STOPS) | set(e["guess"]["ages"]) | set(e["ages"]))
        ages_col.select_slider(tr("ui.text.ages"), stops, value=tuple(e["ages"]),
                               key=f"tt_ages_{uid}",
                               format_func=lambda m: age_text(m, code, long=True),
                               on_change=_sync, args=(uid,))


def text_toy_inputs(engine) -> None:
    """The text input and, for each toy described so far, its guess and corrections."""
    code = lang()
    _read_pending(engine)
    entries = _entries()
    full = len(entries) >= MAX_TEXT_TOYS
    st.text_input(tr("ui.text.label"), key=INPUT_KEY, max_chars=MAX_TEXT_CHARS,
                  placeholder=tr("ui.text.placeholder"), on_change=_take_input,
                  help=tr("ui.text.full", max=MAX_TEXT_TOYS) if full else tr("ui.text.help"),
                  disabled=full)
    for e in entries:
        _entry(engine, e, code)
