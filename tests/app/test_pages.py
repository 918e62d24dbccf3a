"""The teaching pages (watch it learn, toy map, leaderboard, how meta-learning works) with AppTest.

Headless: ``streamlit.testing.v1.AppTest`` runs ``app.py`` and switches to each page. Plotly charts
are read back from their JSON spec. Small budgets are library settings patched for every test
(AppTest runs the page scripts in this process, and the pages read them on each run): the shots
curve on 4 test families, the live meta-training for 10 outer steps.
"""
from __future__ import annotations

import json
import time
from unittest.mock import patch

import pytest
from streamlit.testing.v1 import AppTest

from metarec.teaching.episode_view import LiveBudget
from tests.support import ROOT

APP = str(ROOT / "app.py")
ADAPT, EMB, BOARD, HOW = ("pages/adaptation.py", "pages/embeddings.py", "pages/leaderboard.py",
                          "pages/how_it_works.py")
MINI_ITERS = 10      # outer steps of the live meta-training in these tests


@pytest.fixture(autouse=True)
def small_budgets():
    """The live training's outer steps, small (a library setting)."""
    with patch("metarec.teaching.episode_view.LIVE_BUDGET",
               LiveBudget(options=(MINI_ITERS, 2 * MINI_ITERS), default=MINI_ITERS)):
        yield


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def charts(app) -> dict[str, dict]:
    """Every plotly chart on the page: {element id (ends with the chart's key): figure spec}."""
    return {el.proto.id: json.loads(el.proto.spec) for el in app.get("plotly_chart")}


def arr(value) -> list:
    """A plotly data array: a plain list, or numpy data that plotly packed as base64."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def chart(app, key_part: str) -> dict:
    found = [spec for cid, spec in charts(app).items() if key_part in cid]
    assert found, f"no chart with {key_part!r} in its key; have {list(charts(app))}"
    return found[-1]


def table(app, column: str):
    """The first table on the page with this column (read-only tables carry no key in AppTest)."""
    for frame in app.dataframe:
        value = frame.value
        if column in value.columns:
            return value
    raise AssertionError(f"no table with a {column!r} column")


def open_page(page: str, **state) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def no_errors(app) -> None:
    assert not app.exception, app.exception
    assert not app.error, texts(app.error)


# ---- Watch it learn ----------------------------------------------------------------------------

@pytest.fixture
def adapt():
    return open_page(ADAPT)


def step_traces(app) -> list[dict]:
    return chart(app, "ad_curves")["data"]


def test_adaptation_renders_live_curves_one_point_per_step(adapt, engine):
    no_errors(adapt)
    assert [t.value for t in adapt.title] == ["🔬 Watch it learn"]
    steps = adapt.slider(key="ad_steps").value
    traces = step_traces(adapt)
    starts = {t["meta"] for t in traces}
    assert starts == {"maml", "finetune", "random"} & ({"random"} | set(engine.learners))
    assert len(traces) == 3 * len(starts)  # support loss, query nDCG@10, query Recall@10
    for trace in traces:
        assert trace["x"] == list(range(steps + 1)), "one point per inner step (0 = before)"
        assert all(y is not None for y in trace["y"])
    layout = chart(adapt, "ad_curves")["layout"]
    assert layout["meta"]["steps"] == steps
    assert steps == engine.learners["maml"].steps  # the number it was meta-trained for
    assert f"After {steps} steps" in texts(adapt.caption)
    assert "hidden liked toys" in texts(adapt.caption)
    assert "Simulated test family #" in texts(adapt.caption)


def test_adaptation_controls_change_the_curves(adapt, engine):
    assert step_traces(adapt)  # drawn before any change
    adapt.slider(key="ad_steps").set_value(12).run()
    no_errors(adapt)
    assert {len(t["x"]) for t in step_traces(adapt)} == {13}
    assert "After 12 steps" in texts(adapt.caption)

    # The inner learning rate changes the support losses after the first step.
    losses = lambda app: [t["y"] for t in step_traces(app) if t["meta"] == "maml"][0]  # noqa: E731
    default = losses(adapt)
    adapt.select_slider(key="ad_lr").set_value(0.03).run()
    no_errors(adapt)
    slow = losses(adapt)
    assert slow[0] == pytest.approx(default[0])
    assert abs(default[0] - default[-1]) > abs(slow[0] - slow[-1])

    # More shots: the family tells the learner more liked toys.
    adapt.select_slider(key="ad_shots").set_value(5).run()
    no_errors(adapt)
    demo_caption = next(c.value for c in adapt.caption if "Simulated test family" in c.value)
    assert demo_caption.count(", ") >= 5  # five liked toys listed, then the dislikes

    if "fomaml" in engine.learners:
        adapt.button_group(key="ad_order").set_value("fomaml").run()
        no_errors(adapt)
        assert "fomaml" in {t["meta"] for t in step_traces(adapt)}
        assert "Meta-learned start (MAML, first-order)" in {t["name"] for t in step_traces(adapt)}

    family = adapt.session_state["ad_seed"]
    adapt.button(key="ad_another").click().run()
    assert adapt.session_state["ad_seed"] == family + 1


def test_adaptation_run_button_replays_the_steps(adapt):
    run = chart(adapt, "ad_curves")["layout"]["meta"]["run"]
    adapt.run()  # nothing changed: the stored curves are drawn again, no new run
    assert chart(adapt, "ad_curves")["layout"]["meta"]["run"] == run
    adapt.button(key="ad_run").click().run()
    no_errors(adapt)
    assert chart(adapt, "ad_curves")["layout"]["meta"]["run"] == run + 1


def test_adaptation_top10_changes_and_reveal(adapt):
    top = table(adapt, "Place")
    assert len(top) == 10 and list(top["Place"]) == list(range(1, 11))
    assert set(top["Moved"]) <= {"new", "="} | {f"▲ {i}" for i in range(1, 10)} | {
        f"▼ {i}" for i in range(1, 10)}
    bump = chart(adapt, "ad_bump")["data"]
    assert 10 <= len(bump) <= 20  # the toys in the top 10 before or after adapting
    adapt.button_group(key="ad_focus").set_value("random").run()
    no_errors(adapt)
    assert "Random start: each line is a toy" in texts(adapt.caption)

    assert "Switch on to compare" in texts(adapt.caption)
    adapt.toggle(key="ad_reveal").set_value(True).run()
    no_errors(adapt)
    bars = chart(adapt, "ad_reveal_chart")["data"]
    assert [b["type"] for b in bars] == ["bar"] * 3
    assert bars[0]["name"] == "Hidden true taste"
    assert len(bars[0]["y"]) >= 6 and any(name.startswith("★ ") for name in bars[0]["y"])
    assert "Favourite categories (★)" in texts(adapt.markdown)


def test_adaptation_uses_the_parents_family(engine):
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    liked = [engine.catalog.ids[i] for i in engine.catalog.eligible(60)[:3]]
    app.selectbox(key="age").set_value(60)
    app.multiselect(key="liked").set_value(liked).run()
    app.switch_page(ADAPT).run()
    app.button_group(key="ad_source").set_value("parents").run()
    no_errors(app)
    assert "who likes 3 toys" in texts(app.markdown)
    traces = step_traces(app)
    assert len(traces) == len({t["meta"] for t in traces})  # only the support-loss panel
    titles = [a["text"] for a in chart(app, "ad_curves")["layout"].get("annotations", [])]
    assert titles and not any("nDCG" in title for title in titles)
    assert "support loss" in texts(app.caption)
    assert "Only a simulated family" in texts(app.caption)
    assert app.select_slider(key="ad_shots").disabled


def test_adaptation_parents_source_without_a_family_is_friendly():
    app = open_page(ADAPT)
    app.button_group(key="ad_source").set_value("parents").run()
    no_errors(app)
    assert "No liked toys were picked" in texts(app.info)


def test_shots_curve_comes_from_the_shipped_file(engine):
    """Drawn at once from curves.json: the served learner and the references first, every
    learner on request; nested supports, the paired comparison in the caption."""
    app = open_page(ADAPT)
    no_errors(app)
    curve = engine.curves["shots_curve"]
    spec = chart(app, "ad_shots_chart")
    shown = {t["meta"] for t in spec["data"]}
    assert shown == {engine.default_method, "bayes", "finetune", "popularity", "oracle"}
    for trace in spec["data"]:
        assert trace["x"] == curve["shots"] == [1, 3, 5, 10]
    caption = texts(app.caption)
    assert "the supports are nested" in caption and "paired over the same families" in caption
    app.toggle(key="ad_shots_all").set_value(True).run()
    assert {t["meta"] for t in chart(app, "ad_shots_chart")["data"]} == {*engine.learners, "oracle"}
    wide = table(app, "1 shot")
    assert len(wide) == len(engine.learners) + 1 and "1 shot" in wide.columns


def test_the_average_over_families_comes_before_one_family(engine):
    app = open_page(ADAPT)
    no_errors(app)
    headers = [h.value for h in app.header]
    assert headers.index("On average: the inner loop over many families") < headers.index(
        "One family, step by step")
    spec = chart(app, "ad_average_chart")
    names = {t["name"] for t in spec["data"]}
    from metarec.i18n import method_title
    assert {method_title("bayes"), method_title("oracle"), method_title(engine.default_method)} <= names
    assert len(spec["data"][0]["x"]) == engine.curves["adaptation"]["steps"] + 1


def test_adaptation_in_chinese():
    app = open_page(ADAPT, lang="zh")
    no_errors(app)
    assert [t.value for t in app.title] == ["🔬 看它如何学习"]
    assert "元学习起点（MAML，二阶）" in {t["name"] for t in step_traces(app)}


# ---- Toy map -----------------------------------------------------------------------------------

@pytest.fixture
def toy_map(engine):
    if "protonet" not in engine.learners:
        app = open_page(EMB)
        assert "needs the prototypical network" in texts(app.info)
        pytest.skip("this checkpoint has no prototypical network")
    return open_page(EMB)


def test_embeddings_map_with_prototype_and_recommendations(toy_map, engine):
    no_errors(toy_map)
    spec = chart(toy_map, "em_map")
    names = [t["name"] for t in spec["data"]]
    toys = [t for t in spec["data"] if t["type"] == "scattergl"]
    assert len(toys) == 14 and sum(len(arr(t["x"])) for t in toys) == len(engine.catalog)
    assert {"Category prototypes", "Toys the child likes", "The child's prototype",
            "Top 10 recommendations", "Prototype → recommendation"} <= set(names)
    proto = next(t for t in spec["data"] if t["name"] == "The child's prototype")
    assert proto["marker"]["symbol"] == "star"
    recs = next(t for t in spec["data"] if t["name"] == "Top 10 recommendations")
    assert len(arr(recs["x"])) == 10 and recs["marker"]["symbol"] == "circle-open"
    labels = [a["text"] for a in spec["layout"]["annotations"]]   # (and the liked toys' names)
    assert len(set(labels) & {t["name"] for t in toys}) == 14  # a label per category prototype
    assert recs["hovertext"][0].startswith("#1 ")
    assert len(table(toy_map, "Why")) == 10
    assert "PCA keeps" in texts(toy_map.caption)


def test_embeddings_controls(toy_map):
    toy_map.button_group(key="em_colour").set_value("age").run()
    no_errors(toy_map)
    names = {t["name"] for t in chart(toy_map, "em_map")["data"]}
    assert {"Babies & toddlers (under 2)", "8 years and up"} <= names

    first = next(c.value for c in toy_map.caption if "Simulated test family" in c.value)
    toy_map.button(key="em_another").click().run()
    no_errors(toy_map)
    assert next(c.value for c in toy_map.caption if "Simulated test family" in c.value) != first

    toy_map.button_group(key="em_projection").set_value("tsne").run()
    no_errors(toy_map)
    assert chart(toy_map, "em_map")["layout"]["meta"]["projection"] == "tsne"
    assert "an approximation" in texts(toy_map.caption)
    assert "approximately" in texts(toy_map.markdown)  # the intro says so too


def test_embeddings_parents_family(toy_map, engine):
    toy_map.button_group(key="em_source").set_value("parents").run()
    no_errors(toy_map)
    assert "No liked toys were picked" in texts(toy_map.info)
    assert "The child's prototype" not in {t["name"] for t in chart(toy_map, "em_map")["data"]}


# ---- Leaderboard -------------------------------------------------------------------------------

def test_leaderboard_table_chart_and_verdict(engine):
    app = open_page(BOARD)
    no_errors(app)
    rows = engine.manifest["metrics"]["test"]
    methods = list(dict.fromkeys(r["method"] for r in rows))
    shots = sorted({r["shots"] for r in rows})
    board = table(app, "method")
    assert len(board) == len(methods)
    cell = board.iloc[0][f"s{shots[0]}"]
    assert " ± " in cell and len(cell.split(" ± ")[0]) == 5
    spec = chart(app, "lb_chart")
    assert {t["meta"] for t in spec["data"]} == set(methods)
    assert all(len(t["x"]) == len(shots) and t["error_y"]["array"] for t in spec["data"])
    verdict = texts(app.info)   # paired against the strongest classical alternative
    from metarec.i18n import method_title
    assert (f"**{method_title(engine.default_method)}** against "
            f"**{method_title('bayes')}**") in verdict
    for p in (p for p in engine.manifest["metrics"]["paired"] if p["method"] == engine.default_method):
        word = {"above": "above at", "level": "level within the noise at", "below": "below at"}
        assert word[p["verdict"]] in verdict
    assert "closes" in verdict and "oracle" in verdict
    assert "Each of 500 simulated test families" in texts(app.markdown)
    assert "Chart: nDCG@10 against the number" in texts(app.caption)

    app.button_group(key="lb_metric").set_value("recall@10").run()
    no_errors(app)
    assert table(app, "method").iloc[0][f"s{shots[0]}"] != cell
    paired = table(app, "Gap closed, 3")    # every learner minus the reference, and the gap closed
    assert len(paired) == len(methods) - 1


def test_leaderboard_verdict_is_computed_from_the_data(engine, monkeypatch):
    def row(method, shots, v, ci):
        return {"method": method, "shots": shots, "ndcg@10": v, "ndcg@10_ci95": ci,
                "recall@10": v, "recall@10_ci95": ci, "hr@10": v, "hr@10_ci95": ci,
                "n_families": 200, "ms_per_family": 1.0}
    fake = {"metrics": {"test": [row("popularity", 3, 0.5, 0.02), row("popularity", 6, 0.5, 0.02),
                                 row("knn", 6, 0.55, 0.02), row("protonet", 6, 0.70, 0.01),
                                 row("protonet", 3, 0.6, 0.01)]},
            "parameters": {"protonet": 5921}, "training_seconds": {"protonet": 30.0}}
    from pages.ui.session import get_engine
    monkeypatch.setattr(get_engine(), "manifest", fake)
    app = open_page(BOARD)
    no_errors(app)
    verdict = texts(app.success)
    # 6 shots is the nearest to 5; protonet 0.70 vs popularity 0.50: +0.200 (40%).
    assert ("At 6 liked toys, Prototypical network recommends best** (nDCG@10 0.700 ± 0.010)"
            in verdict)
    assert "0.200 (40%) above Popularity by age" in verdict
    assert "runner-up, Content k-NN, is 0.150 behind, outside the 95% intervals" in verdict
    board = table(app, "method")
    assert list(board["params"].dropna()) == [5921]
    assert "Each of 200 simulated test families" in texts(app.markdown)


def test_leaderboard_shows_real_data_results(monkeypatch):
    import metarec.reporting.real
    fake = [{"world": "amazon-toys", "protocol": "cold-start", "file": "cs.json",
             "results": [{"method": "seqmodel", "shots": 1, "ndcg@10": 0.05, "ndcg@10_ci95": 0.004},
                         {"method": "popularity", "shots": 1, "ndcg@10": 0.01, "ndcg@10_ci95": 0.002}]},
            {"world": "amazon-toys", "protocol": "s3rec", "file": "az.json",
             "results": [{"method": "seqmodel", "hr@10": 0.535, "hr@10_ci95": 0.007}],
             "published": [{"method": "SASRec", "hr@10": 0.4663}, {"method": "S3-Rec", "hr@10": 0.553}],
             "results_all_items": [{"method": "seqmodel", "hr@10": 0.095, "hr@10_ci95": 0.004}],
             "published_all_items": [{"method": "S3-Rec", "hr@10": 0.07}]}]
    monkeypatch.setattr(metarec.reporting.real, "real_results", lambda folder=None: fake)
    app = open_page(BOARD)
    no_errors(app)
    titles = [e.label for e in app.expander]   # each view in its own expander, under the headline
    for title in ("Amazon Toys · new users, told their first k items",
                  "Amazon Toys · the next item among 100 (target + 99 sampled items)",
                  "Amazon Toys · the next item among all items"):
        assert f"Details: {title}" in titles
    cold = table(app, "k (items told)")
    assert cold.to_dict("records") == [
        {"Method": "Sequence model over ID + text embeddings (history encoder; not meta-trained)", "k (items told)": "1", "nDCG@10": "0.050 ± 0.004"},
        {"Method": "Popularity (interaction count)", "k (items told)": "1", "nDCG@10": "0.010 ± 0.002"}]
    sampled, full = [f.value for f in app.dataframe if "HR@10" in f.value.columns]
    assert sampled.to_dict("records") == [
        {"Method": "Sequence model over ID + text embeddings (history encoder; not meta-trained)", "HR@10": "0.535 ± 0.007"},
        {"Method": "SASRec (published)", "HR@10": "0.466"}, {"Method": "S3-Rec (published)", "HR@10": "0.553"}]
    assert list(full["HR@10"]) == ["0.095 ± 0.004", "0.070"]   # the all-items variant has its own table
    verdicts = texts(app.info)
    assert "Above the published SASRec. Below S3-Rec (0.553)." in verdicts
    assert "HR@10 0.095 ± 0.004. Above every published number in this table." in verdicts
    assert "is best at every k** (nDCG@10: k=1 0.050 ± 0.004)" in verdicts
    assert "from `az.json`" in texts(app.caption)   # a file name is code
    bars = chart(app, "lb_real_chart_amazon-toys-s3rec-full")["data"]
    assert bars[0]["x"] == ["Sequence model over ID + text embeddings (history encoder; not meta-trained)", "S3-Rec (published)"]
    assert arr(bars[0]["y"]) == [0.095, 0.07] and arr(bars[0]["error_y"]["array"]) == [0.004, 0]
    assert "hatched grey bars are numbers published in the papers" in texts(app.caption)


def test_leaderboard_without_real_results_has_no_real_section(monkeypatch):
    import metarec.reporting.real
    monkeypatch.setattr(metarec.reporting.real, "real_results", lambda folder=None: [])
    app = open_page(BOARD)
    no_errors(app)
    assert not [e.label for e in app.expander if "Amazon" in e.label or "MovieLens" in e.label]
    assert [v.split(":**")[0] for v in _alerts(app.main) if v.startswith("**Toy world")] == [
        "**Toy world (simulated)"]   # the headline keeps the toy world's verdict


def _alerts(node) -> list[str]:
    """The text of every success / info / warning / error box under ``node``, in page order."""
    found = [node.value] if type(node).__name__ in ("Success", "Info", "Warning", "Error") else []
    for child in getattr(node, "children", {}).values():
        found += _alerts(child)
    return found


def _outside_expanders(node, kind: str) -> list:
    """The elements of type ``kind`` under ``node`` that no expander holds."""
    if type(node).__name__ == "Expander":
        return []
    found = [node] if getattr(node, "type", None) == kind else []
    for child in getattr(node, "children", {}).values():
        found += _outside_expanders(child, kind)
    return found


def test_leaderboard_first_screen_is_one_chart_and_three_verdicts(engine):
    """Issue #17: the first screen is the headline chart (meta-learning minus the strongest
    classical model, one line per setting) and one verdict per benchmark, computed from the shipped
    numbers; every table and the other charts sit in expanders."""
    from metarec.reporting.headline import headline, row_label
    from metarec.reporting.real import real_results
    app = open_page(BOARD)
    no_errors(app)
    assert "Does learning across many families pay off?" in texts(app.subheader)
    head = headline(engine.manifest["metrics"], real_results())
    spec = chart(app, "lb_head_chart")
    short = {"toy": "Toy world", "amazon": "Amazon", "movielens": "MovieLens"}
    points = sorted((y, tuple(c), x) for t in spec["data"] for x, y, c in zip(arr(t["x"]), arr(t["y"]), t["customdata"]))
    assert [c for _, c, _ in points] == [(short[r["benchmark"]], row_label(r).split(" · ", 1)[1])
                                         for r in head["rows"]]   # top to bottom in the rows' order
    drawn = {c: x for _, c, x in points}
    assert drawn == {(short[r["benchmark"]], row_label(r).split(" · ", 1)[1]): pytest.approx(r["diff"])
                     for r in head["rows"]}
    assert {b for b in (r["benchmark"] for r in head["rows"])} == {"toy", "amazon", "movielens"}
    verdicts = [v for v in _alerts(app.main) if "the strongest classical model in each setting" in v]
    assert [v.split(":**")[0] for v in verdicts] == [
        "**Toy world (simulated)", "**Amazon Toys (real purchases)", "**MovieLens-100K (real ratings)"]
    for v, facts in zip(verdicts, head["verdicts"]):   # where it helps, and where it does not
        for status, word in (("above", "ahead"), ("level", "level within the noise"), ("below", "behind")):
            assert (f"**{word}** in" in v) == bool(facts["groups"][status])
    assert app.dataframe and _outside_expanders(app.main, "dataframe") == []
    assert [c.key for c in _outside_expanders(app.main, "plotly_chart")] == ["lb_head_chart"]


# ---- How meta-learning works -------------------------------------------------------------------

@pytest.fixture
def how():
    return open_page(HOW)


def test_how_it_works_renders_every_part(how, engine):
    no_errors(how)
    assert [h.value for h in how.header] == [
        "1 · Anatomy of an episode", "2 · The two loops", "3 · Watch meta-training happen",
        "4 · The methods compared", "5 · Same three toys, every learner"]
    chips = texts(how.html)
    assert chips.count("border:2px solid") >= 3 + 10  # liked + implicit negatives at least
    cfg = engine.manifest["config"]
    meta = chart(how, "hw_diagram")["layout"]["meta"]
    assert (meta["steps"], meta["lr"], meta["batch"], meta["outer_lr"]) == (
        cfg["inner_steps"], cfg["inner_lr"], cfg["meta_batch"], cfg["outer_lr"])
    caption = texts(how.caption)
    assert f"takes {cfg['inner_steps']} gradient steps of size {cfg['inner_lr']}" in caption
    assert f"mean query loss of {cfg['meta_batch']} families" in caption
    assert "Not run yet" in caption


def test_the_outer_update_is_written_as_adam(how, engine):
    """The training uses Adam: the diagram says "an Adam step", the caption writes Adam's update
    (never plain SGD's θ ← θ − lr·∇)."""
    diagram = json.dumps(chart(how, "hw_diagram")["layout"]["annotations"], ensure_ascii=False)
    assert "one Adam step on θ" in diagram and "∇θ" not in diagram
    caption = texts(how.caption)
    assert "m̂ / (√v̂ + ε)" in caption and "β₁ = 0.9, β₂ = 0.999" in caption
    assert f"θ ← θ − {engine.manifest['config']['outer_lr']} · m̂" in caption


def test_implicit_negatives_are_explained_marked_and_never_on_both_sides(engine):
    """An implicit negative the family secretly likes is starred on the support side and is not
    listed again among the hidden liked toys on the query side."""
    from metarec.teaching.episode_view import episode_view
    seed = next(s for s in range(1, 40) if len(episode_view(engine, s - 1).implicit_liked))
    app = open_page(HOW, hw_seed=seed)
    no_errors(app)
    view = episode_view(engine, seed - 1)
    support = next(str(h.value) for h in app.html if "★" in str(h.value))
    query = [str(h.value) for h in app.html if "#1f77b4" in str(h.value)][0]
    for i in view.implicit_liked:
        name = engine.catalog.name(int(i), "en")
        assert f"★ {engine.catalog.frame.at[int(i), 'icon']} {name}" in support
        assert name not in query
    assert f"({len(view.implicit_liked)} of them)" in texts(app.markdown)
    assert "*Implicit negatives*" in texts(app.caption)

def test_how_it_works_another_family(how):
    first = texts(how.markdown)
    how.button(key="hw_another").click().run()
    no_errors(how)
    assert texts(how.markdown) != first


def test_how_it_works_side_by_side_for_every_learner(how, engine):
    listed = texts(how.markdown)
    from metarec.i18n import method_title
    for name in engine.learners:
        assert method_title(name) in listed
    assert listed.count("secretly liked") == len(engine.learners)


def _params_digest(engine) -> str:
    import hashlib
    h = hashlib.sha256()
    for name, learner in sorted(engine.learners.items()):
        for key, value in sorted(getattr(learner, "params", {}).items()):
            h.update(f"{name}.{key}".encode())
            h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _train_until_done(app, timeout_s: float = 240) -> None:
    """Poll as the page's fragment does while the background run goes (AppTest runs no timers)."""
    deadline = time.monotonic() + timeout_s
    while "outer steps in" not in texts(app.success) and time.monotonic() < deadline:
        time.sleep(0.3)
        app.run()
    no_errors(app)


def test_live_mini_meta_training_with_a_tiny_budget(how):
    from pages.ui.session import get_engine
    shared = get_engine()
    before = _params_digest(shared)
    how.button(key="hw_train").click().run()
    no_errors(how)
    _train_until_done(how)
    done = texts(how.success)
    assert f"{MINI_ITERS} outer steps in" in done and "the shipped model was not changed" in done
    spec = chart(how, "hw_train_chart")
    loss, val = spec["data"]
    assert loss["x"] == list(range(1, MINI_ITERS + 1))
    assert val["x"] == [0, 2, 4, 6, 8, 10]  # from random weights, then five validations
    assert all(0 <= v <= 1 for v in val["y"])
    assert _params_digest(shared) == before and get_engine() is shared
    how.run()  # a rerun redraws the finished curves without training again
    assert chart(how, "hw_train_chart")["layout"]["meta"]["run"] == spec["layout"]["meta"]["run"]


def test_mini_meta_training_survives_leaving_the_page(how):
    """The run is a background job of the session: leave the page while it runs, come back, and
    its progress, then its finished curves, are there (the same run, not a new one)."""
    how.button(key="hw_train").click().run()
    no_errors(how)
    run = chart(how, "hw_train_chart")["layout"]["meta"]["run"]
    how.switch_page(BOARD).run()           # another page while it trains
    no_errors(how)
    assert not how.get("plotly_chart") or not any(
        "hw_train_chart" in el.proto.id for el in how.get("plotly_chart"))
    how.switch_page(HOW).run()
    no_errors(how)
    assert chart(how, "hw_train_chart")["layout"]["meta"]["run"] == run
    _train_until_done(how)
    spec = chart(how, "hw_train_chart")
    assert spec["layout"]["meta"] == {"run": run, "iters": MINI_ITERS, "done": True}
    assert spec["data"][0]["x"] == list(range(1, MINI_ITERS + 1))
    how.switch_page(BOARD).run()
    how.switch_page(HOW).run()             # and once it is done, the result stays
    assert chart(how, "hw_train_chart")["layout"]["meta"]["run"] == run
    assert f"{MINI_ITERS} outer steps in" in texts(how.success)


def test_the_methods_compared_table_and_pictures(how, engine):
    """Every method in the table with what it adapts and compares (and its paper); each method's
    picture drawn from the 2-D toy world: tastes for gradient methods, toys for metric ones."""
    from metarec.i18n import method_title
    from metarec.teaching.method_compare import GRADIENT, METHODS
    table = next(str(m.value) for m in how.markdown if str(m.value).startswith("| Method |"))
    for name in ("maml", "fomaml", "reptile", "metasgd", "protonet", "matching", "relation",
                 "bayes", "tastenp"):
        assert f"**{method_title(name)}**" in table
    assert "Grant et al., ICLR 2018" in texts(how.markdown)
    assert method_title(engine.default_method) in texts(how.markdown)
    for method in METHODS:
        how.selectbox(key="hw_method_en").set_value(method).run()
        no_errors(how)
        spec = chart(how, "hw_method_chart")
        assert spec["layout"]["meta"]["method"] == method
        assert spec["layout"]["meta"]["kind"] == ("params" if method in GRADIENT else "features")
        assert "query toys fall on the right side" in texts(how.caption)
    names = {t.get("name") for t in spec["data"]}
    assert "liked (support)" in names   # the last one drawn: a metric method's toys


def test_teaching_pages_in_chinese():
    for page, title in ((BOARD, "🏆 排行榜"), (HOW, "🎓 元学习是怎样工作的"), (EMB, "🗺️ 玩具地图")):
        app = open_page(page, lang="zh")
        no_errors(app)
        assert [t.value for t in app.title] == [title]


def test_a_newborn_family_stays_a_newborn_on_the_learning_pages(engine):
    """Age 0 months is a real age, not a missing one (it used to become 4 years)."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["age"] = 0  # the age list starts at 3 months; a session can hold 0
    app.run()
    liked = [engine.catalog.ids[i] for i in engine.catalog.eligible(0)[:2]]
    app.multiselect(key="liked").set_value(liked).run()
    app.switch_page(ADAPT).run()
    app.button_group(key="ad_source").set_value("parents").run()
    no_errors(app)
    assert "A child aged 0 months who likes 2 toys" in texts(app.markdown)


def test_leaderboard_shows_paired_differences_for_movielens(monkeypatch):
    """The learner-minus-baseline table: formatted from the saved ``paired`` block, headline metric only."""
    import metarec.reporting.real
    pair = {"method": "melu-bias", "baseline": "user-item-bias", "published_diff": -0.009,
            "published_diff_ci95_users": 0.031, "published_users_better": 14, "published_users_worse": 19,
            "splits_diff": 0.0104, "splits_diff_ci95": 0.0071, "splits_above": 5, "n_splits": 5}
    fake = [{"world": "movielens-100k", "protocol": "published", "file": "ml.json",
             "results": [{"method": "melu-bias", "split": "published-split-seed2020", "ndcg@5": 0.6,
                          "n_test_users": 58}],
             "paired": [{**pair, "metric": "ndcg@5"},
                        {**pair, "metric": "p@5", "published_diff": 0.5}]}]
    monkeypatch.setattr(metarec.reporting.real, "real_results", lambda folder=None: fake)
    app = open_page(BOARD)
    no_errors(app)
    paired = table(app, "Baseline")
    assert paired.to_dict("records") == [{
        "Method": "MeLU on ratings, from the bias model", "Baseline": "User + item bias",
        "Δ published split": "-0.009 ± 0.031", "Better / worse": "14 / 19",
        "Δ 5 more splits": "+0.010 ± 0.007", "Splits above": "5 / 5"}]
    assert "Ours minus each baseline, paired (nDCG@5)" in texts(app.markdown)
    assert "an interval across 0 is a tie within the noise" in texts(app.caption)
    verdict = texts(app.info)
    assert ("on the published split (58 test users), level within the noise with User + item bias "
            "(-0.009 ± 0.031); over 5 more splits, above User + item bias (+0.010 ± 0.007).") in verdict
