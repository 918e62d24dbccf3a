"""The parents' page's recommendation cards, and the "about these picks" details beside them.

A card says what a parent needs: the toy, its category, the ages it suits (in months under 3),
its price, a fit label (never a percentage) and the reason, shown as plain text (a reason may
quote a toy the parent typed: :func:`pages.ui.plain_text.md`). Which learner picked them, on which
device and how fast is said once, under "About these picks", not on every card.
"""
from __future__ import annotations

import streamlit as st

from metarec.i18n import category_name, range_text, strings, t

from .plain_text import md
from .session import lang, method_name, toy_label, tr

PER_ROW = 3
FIT_COLOURS = {"great": "green", "good": "blue", "worth_a_try": "gray"}
FIT_ICONS = {"great": ":material/favorite:", "good": ":material/thumb_up:",
             "worth_a_try": ":material/lightbulb:"}


def card(engine, rec) -> None:
    """One recommendation (a :class:`~metarec.serving.recommend.Recommendation`)."""
    code = lang()
    with st.container(border=True, key=f"card-{rec.id}"):
        st.markdown(f"### {rec.icon} {rec.name}", anchors=False)
        st.caption(" · ".join((category_name(rec.category, code),
                               range_text(rec.min_age_months, rec.max_age_months, code),
                               tr("ui.card.price", price=f"{rec.price:.2f}"))))
        st.badge(t(f"fit.{rec.fit}", code), icon=FIT_ICONS.get(rec.fit),
                 color=FIT_COLOURS.get(rec.fit, "gray"))
        st.markdown(md(rec.reason))
        with st.expander(tr("ui.card.more")):
            # the liked toys worth naming (metarec.serving.reasons.closest_liked)
            if rec.closest_liked:
                lines = ["- " + tr("ui.card.similar", name=toy_label(engine, engine.catalog.index[toy]),
                                   pct=round(100 * float(sim))) for toy, sim in rec.closest_liked]
                st.markdown(tr("ui.card.closest") + "\n" + "\n".join(lines))
            else:
                st.markdown(tr("ui.card.no_closest"))
            st.markdown(tr("ui.card.age_fit", fit=rec.age_fit))
            if rec.small_parts:
                st.markdown(tr("ui.card.small_parts"))


def card_grid(engine, recs) -> None:
    """The cards, :data:`PER_ROW` to a row (one column on a phone)."""
    with st.container(key="cards"):
        for start in range(0, len(recs), PER_ROW):
            for col, rec in zip(st.columns(PER_ROW, gap="medium"), recs[start:start + PER_ROW]):
                with col:
                    card(engine, rec)


def plain_learner(method: str) -> str:
    """A learner named for a parent ("a meta-learned neural process (TasteNP)")."""
    key = f"ui.about.plain.{method}"
    return tr(key) if key in strings(lang()) else method_name(method)


def about_picks(engine, result, ms: float) -> None:
    """Which learner picked the cards (in plain words), on which device, in how long, and what
    the fit labels mean."""
    with st.expander(tr("ui.about.title"), icon=":material/info:", key="about_picks"):
        if result.fallback:
            who = tr("ui.about.popular")
        elif result.method == engine.default_method:
            who = tr("ui.about.served", plain=plain_learner(result.method))
        else:
            who = tr("ui.about.other", plain=plain_learner(result.method))
        st.markdown(who)
        st.markdown(tr("ui.about.fit", great=t("fit.great", lang()), good=t("fit.good", lang()),
                       try_=t("fit.worth_a_try", lang())))
        st.caption(tr("ui.about.run", device=result.device, ms=max(1, round(ms))))
