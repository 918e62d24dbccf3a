"""Leaderboard: the toybox benchmark from the shipped model's manifest, plus real-data results.

Every number comes from ``engine.manifest["metrics"]["test"]`` (written by ``python -m metarec
train``) or from ``metarec.reporting.real.real_results()``; the verdicts from
``metarec.reporting.toybox.toy_verdict`` and ``metarec.reporting.real.real_verdict`` (one rule and
one "mean ± ci" formatter for both: ``metarec.reporting.verdicts``); the page only arranges them.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metarec.i18n import strings
from metarec.reporting import real as real_report
from metarec.reporting.headline import headline
from metarec.reporting.toybox import (meta_vs_classical, meta_vs_classical_text, metric_label,
                                     toy_verdict, toy_verdict_text)
from metarec.reporting.verdicts import mean_ci, signed_ci
from pages.ui.charts import shots_figure, style_figure
from pages.ui.errors import engine_or_stop, show_flash
from pages.ui.headline import show_headline
from pages.ui.routing import require_shell
from pages.ui.session import lang, method_name, tr

METRICS = ("ndcg@10", "recall@10", "hr@10")


def _metric_label(metric: str, code: str | None = None) -> str:
    return metric_label(metric, code or lang())


def _per_method(manifest: dict, field: str, method: str):
    value = manifest.get(field)
    if isinstance(value, dict):
        return value.get(method)
    return None


def shots_label(k: int) -> str:
    return tr("ui.adapt.one_shot") if k == 1 else tr("ui.adapt.n_shots", k=k)


def _table(rows: list[dict], metric: str, manifest: dict) -> pd.DataFrame:
    """Methods x shots. A cell is "mean ± 95% half-width" as text: every value has the form
    d.ddd, so sorting the text sorts by the mean."""
    shots = sorted({int(r["shots"]) for r in rows})
    methods = list(dict.fromkeys(r["method"] for r in rows))
    by = {(r["method"], int(r["shots"])): r for r in rows}
    out = []
    for m in methods:
        row = {"method": method_name(m)}
        for k in shots:
            r = by.get((m, k))
            row[f"s{k}"] = mean_ci(r[metric], r.get(f"{metric}_ci95")) if r else None
        ms = [by[(m, k)].get("ms_per_family") for k in shots if (m, k) in by]
        row["ms"] = ms[-1] if ms else None
        row["params"] = _per_method(manifest, "parameters", m)
        row["seconds"] = _per_method(manifest, "training_seconds", m)
        out.append(row)
    frame = pd.DataFrame(out)
    for column in ("ms", "params", "seconds"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _column_config(shots: list[int]) -> dict:
    """Widths (px) chosen so the table fits a 1400 px window beside the sidebar, no sideways scroll."""
    config = {"method": st.column_config.TextColumn(tr("ui.board.col_method"), pinned=True, width=272)}
    for k in shots:
        config[f"s{k}"] = st.column_config.TextColumn(shots_label(k), width=96,
                                                      help=tr("ui.board.col_mean_help", k=k))
    config["ms"] = st.column_config.NumberColumn(tr("ui.board.col_ms"), format="%.1f", width=74,
                                                 help=tr("ui.board.col_ms_help"))
    config["params"] = st.column_config.NumberColumn(tr("ui.board.col_params"), format="%d", width=78)
    config["seconds"] = st.column_config.NumberColumn(tr("ui.board.col_seconds"), format="%.0f", width=85,
                                                      help=tr("ui.board.col_seconds_help"))
    return config


def _toybox(engine) -> None:
    manifest = engine.manifest or {}
    rows = list((manifest.get("metrics") or {}).get("test") or [])
    if not rows:
        st.info(tr("ui.board.no_results"), icon="⏳")
        return
    code = lang()
    metric = st.segmented_control(tr("ui.board.metric"), METRICS, key="lb_metric",
                                  persist_state="session", default=METRICS[0], required=True,
                                  format_func=lambda m: _metric_label(m, code))
    metric = metric or METRICS[0]
    facts = meta_vs_classical(manifest.get("metrics") or {})
    with st.container(key="lb_verdict"):
        if facts:   # paired against the strongest classical alternative
            st.info(meta_vs_classical_text(facts, code), icon="⚖️")
        else:       # an older checkpoint without paired differences
            st.success(toy_verdict_text(toy_verdict(rows, metric), code), icon="🏆")
    n = max(int(r.get("n_families", 0)) for r in rows)
    st.markdown(tr("ui.board.protocol", n=n))
    shots = sorted({int(r["shots"]) for r in rows})
    frame = _table(rows, metric, manifest)
    config = _column_config(shots)
    for column in ("params", "seconds", "ms"):
        if frame[column].isna().all():
            frame = frame.drop(columns=column)
            config.pop(column)
    st.dataframe(frame, hide_index=True, column_config=config, key="lb_table",
                 height="content", placeholder="—")
    total = manifest.get("parameters")
    notes = [tr("ui.board.table_caption", metric=_metric_label(metric))]
    if isinstance(total, int):
        notes.append(tr("ui.board.params_total", n=total))
    version = manifest.get("version")
    if version:
        notes.append(tr("ui.board.model", version=version, device=manifest.get("device", "?"),
                        machine=manifest.get("machine", "?")))
    st.caption(tr("ui.sentence.sep").join(notes))
    fig = shots_figure(rows, metric, _metric_label(metric), tr("ui.adapt.axis_shots"))
    with st.container(key="lb_chart_box"):
        st.plotly_chart(fig, key="lb_chart")
    st.caption(tr("ui.board.chart_caption", metric=_metric_label(metric), n=n))
    _toy_paired(manifest.get("metrics") or {})


def _toy_paired(metrics: dict) -> None:
    """Every learner minus the empirical-Bayes reference on the same families, and the share of
    the popularity-to-oracle gap each closes (from the manifest)."""
    pairs, gaps = metrics.get("paired") or [], metrics.get("gap_closed") or []
    if not pairs:
        return
    shots = sorted({int(p["shots"]) for p in pairs})
    marks = {"above": "▲", "level": "=", "below": "▼"}
    share = {(g["method"], int(g["shots"])): g["share"] for g in gaps}
    table = []
    for method in dict.fromkeys(p["method"] for p in pairs):
        row = {tr("ui.board.col_method"): method_name(method)}
        for p in (p for p in pairs if p["method"] == method):
            row[shots_label(int(p["shots"]))] = (f"{marks[p['verdict']]} "
                                                 f"{signed_ci(p['mean'], p['ci95'])}")
        for k in shots:
            if (method, k) in share:
                row[tr("ui.board.gap_col", k=k)] = f"{round(100 * share[method, k])}%"
        table.append(row)
    with st.expander(tr("ui.board.toy_paired_title"), expanded=False):
        st.dataframe(pd.DataFrame(table), hide_index=True, key="lb_toy_paired", height="content")
        st.caption(tr("ui.board.toy_paired_caption", n=max(p["n"] for p in pairs)))


def _real(results: list[dict]) -> None:
    """Each real-data view in its own expander (table, verdict, chart, provenance)."""
    if not results:
        return
    st.caption(tr("ui.board.real_intro"))
    for res in results:
        for view in real_report.real_views(res):
            with st.expander(tr("ui.board.head.details", name=_real_title(view))):
                _real_view(view)


def _real_title(view: dict) -> str:
    key = f"ui.board.real.{view.get('world')}.{view.get('protocol')}"
    title = tr(key) if key in strings() else tr("ui.board.real.other", world=view.get("world", "?"),
                                               protocol=view.get("protocol", "?"))
    return title + (" · " + tr("ui.board.real_quick") if view.get("quick") else "")


def _real_view(view: dict) -> None:
    """One real-data table (``real_report.real_table``), its verdict, chart and, on MovieLens, the
    paired differences. Widget keys end in world-protocol, so each view keeps its own."""
    columns, rows = real_report.real_table(view)
    if not rows:
        return
    k = f"{view.get('world')}-{view.get('protocol')}"
    verdict = real_report.real_verdict(view)
    if verdict:
        with st.container(key=f"lb_real_verdict_{k}"):
            st.info(real_report.real_verdict_text(verdict, lang()), icon="📌")
    labels = {}
    for c in columns:
        if c["key"] == "method":
            labels[c["key"]] = tr("ui.board.col_method")
        elif c["key"] == "shots":
            labels[c["key"]] = tr("ui.board.real.col_shots")
        elif c["splits"]:
            labels[c["key"]] = tr("ui.board.real.col_splits", metric=real_report.metric_label(c["metric"]),
                                  n=c.get("n_splits") or "")
        else:
            labels[c["key"]] = real_report.metric_label(c["metric"])
    frame = pd.DataFrame([{labels[c["key"]]: (
        _row_name(r["method"], r["published"]) if c["key"] == "method" else r.get(c["key"]))
        for c in columns} for r in rows])
    config = {labels["method"]: st.column_config.TextColumn(labels["method"], pinned=True, width=260)}
    for c in columns[1:]:
        config[labels[c["key"]]] = st.column_config.TextColumn(
            labels[c["key"]], help=None if c["key"] == "shots" else tr("ui.board.real.col_help"),
            width=70 if c["key"] == "shots" else 112 if c["splits"] else 100)
    st.dataframe(frame, hide_index=True, column_config=config, key=f"lb_real_{k}",
                 height="content", placeholder="—")
    st.caption(tr("ui.sentence.sep").join(_real_facts(view)))
    headline = real_report.real_headline(view)
    if headline:
        st.plotly_chart(_real_figure(headline), key=f"lb_real_chart_{k}")
        st.caption(tr("ui.board.real_chart_caption", metric=real_report.metric_label(headline["metric"])))
        _paired(view, headline["metric"], k)


def _real_facts(view: dict) -> list[str]:
    """The caption under a real-data table: what the columns are, where the numbers come from."""
    facts = []
    first = next(iter(view.get("results") or []), {})
    if isinstance(first, dict) and "split" in first:
        facts.append(tr("ui.board.real.ml_columns", split=first["split"], n=first.get("n_test_users", "?"),
                        splits=len(view.get("extra_split_seeds") or []),
                        seeds=", ".join(map(str, view.get("extra_split_seeds") or [])) or "—"))
    source = [tr("ui.board.real_file", file=view.get("file", "?"))]
    for field in ("n_users", "seconds", "command"):
        if view.get(field) not in (None, ""):
            source.append(tr(f"ui.board.real.fact.{field}", value=view[field]))
    facts.append(" · ".join(source))
    if view.get("caveat"):   # the file's own words, or ours in the reader's language
        key = f"ui.board.real.caveat.{view.get('world')}"
        facts.append(tr(key) if key in strings() else str(view["caveat"]))
    return facts


def _paired(res: dict, metric: str, k: str) -> None:
    """Learner minus baseline on the same users and splits (``real_report.paired_rows``), if measured."""
    rows = real_report.paired_rows(res, metric)
    if not rows:
        return
    st.markdown(f"#### {tr('ui.board.paired_title', metric=real_report.metric_label(metric))}")
    n = max((r.get("n_splits") or 0) for r in rows)
    columns = {"method": (tr("ui.board.paired.method"), 250), "baseline": (tr("ui.board.paired.baseline"), 205),
               "published": (tr("ui.board.paired.published"), 125), "users": (tr("ui.board.paired.users"), 105)}
    if n:
        columns |= {"splits": (tr("ui.board.paired.splits", n=n), 125), "above": (tr("ui.board.paired.above"), 85)}
    frame = pd.DataFrame([{label: method_name(r[c], real_data=True) if c in ("method", "baseline") else r[c]
                           for c, (label, _) in columns.items()} for r in rows])
    config = {label: st.column_config.TextColumn(label, width=width) for label, width in columns.values()}
    st.dataframe(frame, hide_index=True, key=f"lb_real_paired_{k}", height="content", column_config=config)
    st.caption(tr("ui.board.paired_caption", metric=real_report.metric_label(metric)))


def _published_label(name: str) -> str:
    return name if "published" in name else tr("ui.board.published", name=name)


def _row_name(method: str, published: bool) -> str:
    """A real-data row's name in tables and charts: a paper's row marked as published, ours titled."""
    return _published_label(method) if published else method_name(method, real_data=True)


GROUP_COLOURS = ("#B03A0A", "#E0864F", "#F2BE9B")  # the theme's primary, then lighter
PUBLISHED_GREY = "#9AA5B1"
GROUP_KEYS = {"published split": "ui.board.group.published_split",
              real_report.SPLITS_GROUP: "ui.board.group.splits"}


def _real_figure(headline: dict):
    """One bar per method and group: ours coloured by group (shots, or split), published ones
    hatched grey. Values are printed on the bars when there is one group (the table has them all)."""
    fig = go.Figure()
    groups = list(dict.fromkeys(b["group"] for b in headline["bars"]))
    single = len(groups) == 1
    for g, group in enumerate(groups):
        bars = [b for b in headline["bars"] if b["group"] == group]
        colour = GROUP_COLOURS[g % len(GROUP_COLOURS)]
        fig.add_bar(
            x=[_row_name(b["method"], b["published"]) for b in bars],
            y=[b["value"] for b in bars],
            name=tr(GROUP_KEYS[group], n=headline.get("n_splits") or "") if group in GROUP_KEYS
            else (group or real_report.metric_label(headline["metric"])),
            showlegend=not single,
            error_y=dict(type="data", array=[b["err"] or 0 for b in bars], visible=True),
            marker=dict(color=[PUBLISHED_GREY if b["published"] else colour for b in bars],
                        pattern=dict(shape=["/" if b["published"] else "" for b in bars])),
            text=[f"{b['value']:.3f}" for b in bars] if single else None, textposition="outside")
    fig.update_layout(barmode="group", yaxis_title=real_report.metric_label(headline["metric"]),
                      xaxis_tickangle=-30)
    return style_figure(fig, height=460)



def render() -> None:
    """First screen: the headline chart and one verdict per benchmark; the rest in expanders."""
    engine = engine_or_stop()
    st.title(f"🏆 {tr('ui.nav.leaderboard')}", anchor=False)
    show_flash()
    results = real_report.real_results()
    show_headline(headline((engine.manifest or {}).get("metrics"), results))
    with st.expander(tr("ui.board.head.details", name=tr("ui.board.head.bench.toy")), key="lb_toy_details"):
        _toybox(engine)
    _real(results)


require_shell(__file__)
render()
