"""The parents' page's "as your child grows" strip: the picks now, in 6 months, in a year and in two
years for the same liked toys, and why each toy leaves or arrives (:mod:`metarec.serving.growth`).
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from metarec.serving.growth import STEPS, grow

from .session import tr

TOP = 5                        # picks per age: the first cards' toys now
LAST_KEY = "_last_growth"      # (Request, Growth) of this session's latest strip
MARKS = {"leaves": "➖", "arrives": "➕"}


def when(after_months: int) -> str:
    """'Now', 'In 6 months', 'In 1 year', 'In 2 years' (two ages can read the same: a step is
    named by the months from today)."""
    if after_months == 0:
        return tr("ui.grow.now")
    if after_months % 12:
        return tr("ui.grow.in_months", n=after_months)
    years = after_months // 12
    return tr("ui.grow.in_year") if years == 1 else tr("ui.grow.in_years", n=years)


def _growth(engine, request):
    """The strip for ``request`` (its top cut to :data:`TOP`), kept for this session only."""
    wanted = replace(request, top=TOP)
    last = st.session_state.get(LAST_KEY)
    if last is not None and last[0] == wanted:
        return last[1]
    growth = grow(engine, wanted, STEPS)
    st.session_state[LAST_KEY] = (wanted, growth)
    return growth


def growth_strip(engine, request) -> None:
    """One column per age (stacked on a phone): its picks, then what changed since the one before."""
    growth = _growth(engine, request)
    st.header(tr("ui.grow.title"), anchor=False)
    st.caption(tr("ui.grow.intro", n=TOP))
    with st.container(key="growth"):
        for col, step in zip(st.columns(len(growth.steps), gap="small"), growth.steps):
            with col, st.container(border=True, key=f"grow-{step.after_months}"):
                st.markdown(f"**{tr('ui.grow.when', when=when(step.after_months), age=step.age)}**")
                st.markdown("\n".join(f"{k}. {r.icon} {r.name}"
                                      for k, r in enumerate(step.picks, start=1)))
                if step.after_months == 0:
                    continue
                if not step.changes:
                    st.caption(tr("ui.grow.same"))
                for change in step.changes:
                    with st.container(key=f"change-{step.after_months}-{change.kind}-{change.id}"):
                        st.caption(tr(f"ui.grow.{change.kind}", mark=MARKS[change.kind],
                                      name=f"{change.icon} {change.name}", why=change.text))
