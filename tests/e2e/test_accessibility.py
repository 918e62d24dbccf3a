"""Accessibility: axe-core on every page (English, and Chinese), every control reached by the
keyboard with a visible focus, the parents' page used with the keyboard alone, and a text
alternative (caption, table or summary) beside every chart.

axe-core comes bundled in ``axe-playwright-python`` (its ``axe.min.js`` is injected into the page;
nothing is fetched). Every violation, minor ones included, and what axe could not decide
("needs_review") are written to ``test-output/axe-<page>-<lang>.json`` for people to read; the
tests fail on any violation whose impact is "serious" or "critical".
"""
from __future__ import annotations

import json
import time

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from metarec.i18n import t
from tests.e2e.test_browser import (
    CARD, CHROMIUM, OUT, PLOT, UI_TIMEOUT_MS, _card_ids, _evidence, _screenshot, _settle,
    _switch_language, _wait_plots_drawn,
)

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian Chromium is not installed at /usr/bin/chromium")

BLOCKING = {"serious", "critical"}
# (name, sidebar title key, <h1> key, a selector every finished render of the page has)
PAGES = [
    ("parents", "ui.nav.parents", "ui.app.title", CARD),
    ("adaptation", "ui.nav.adaptation", "ui.nav.adaptation", f".st-key-ad_chart {PLOT}"),
    ("embeddings", "ui.nav.embeddings", "ui.nav.embeddings", f".st-key-em_map_box {PLOT}"),
    ("leaderboard", "ui.nav.leaderboard", "ui.nav.leaderboard", f".st-key-lb_head_chart_box {PLOT}"),
    ("how", "ui.nav.how", "ui.nav.how", f".st-key-hw_diagram_box {PLOT}"),
]
IDS = [p[0] for p in PAGES]
# Rules switched off for one element each, because the markup is Streamlit's own and no option
# changes it: {rule id: [CSS selector]}. Empty: every serious or critical finding was fixable.
EXCLUDED: dict[str, list[str]] = {}


# ---- axe-core ----------------------------------------------------------------------------------

def run_axe(page, name: str) -> list[dict]:
    """axe-core on the whole document; saves every finding; returns the serious/critical ones."""
    page.evaluate(AXE_SCRIPT)
    rules = {rule: {"enabled": False} for rule in EXCLUDED}
    results = page.evaluate("options => axe.run(document, options)",
                            {"resultTypes": ["violations", "incomplete"], "rules": rules})
    violations, review = _brief(results["violations"]), _brief(results["incomplete"])
    OUT.mkdir(exist_ok=True)
    (OUT / f"axe-{name}.json").write_text(
        json.dumps({"url": page.url, "axe": results["testEngine"]["version"],
                    "excluded": EXCLUDED, "violations": violations, "needs_review": review},
                   indent=2, ensure_ascii=False), encoding="utf-8")
    if EXCLUDED:  # the switched-off rules still run everywhere but on their one element
        again = page.evaluate(
            """([rules, exclude]) => axe.run({include: [document], exclude},
                                             {runOnly: {type: 'rule', values: rules}})""",
            [list(EXCLUDED), [[sel] for sels in EXCLUDED.values() for sel in sels]])
        violations += _brief(again["violations"])
    return [v for v in violations if v["impact"] in BLOCKING]


def _brief(found: list[dict]) -> list[dict]:
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "helpUrl": v["helpUrl"],
             "nodes": [{"target": n["target"], "html": n["html"][:400],
                        "summary": n.get("failureSummary") or "; ".join(
                            c["message"] for c in n.get("any", []) + n.get("all", [])
                            + n.get("none", []))} for n in v["nodes"]]}
            for v in found]


def _report(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    "
                     + "\n    ".join(f"{n['target']} {n['html'][:160]} -- {n['summary'][:200]}"
                                    for n in v["nodes"][:6])
                     for v in violations)


def _ready(page, selector: str) -> None:
    """The page's own content is there: its key element, its charts drawn, nothing stale."""
    _settle(page)
    page.wait_for_selector(selector, timeout=120_000)
    if PLOT in selector:
        _wait_plots_drawn(page, selector)
    _settle(page)


def _visit(page, server: str, nav_key: str, h1_key: str, code: str = "en") -> None:
    """Open a page as a visitor does: the app's address, then its link in the sidebar. (A deep link
    as the very first request of a fresh server process hits Streamlit's legacy pages/ discovery,
    whose "Page not found" dialog then hides the page from the keyboard and from axe.)"""
    page.goto(server)
    expect(page.locator("h1")).to_contain_text(t("ui.app.title", code), timeout=60_000)
    _settle(page)
    if nav_key != "ui.nav.parents":
        page.locator(".st-key-nav a", has_text=t(nav_key, code)).click()
        expect(page.locator("h1")).to_contain_text(t(h1_key, code), timeout=UI_TIMEOUT_MS)


def _load_family(page, code: str) -> None:
    """On the parents' page: press "A family to try" and wait for its cards."""
    page.locator(".st-key-demo_button").get_by_role(
        "button", name=t("ui.demo.button", code)).click()
    note = page.locator('[data-testid="stAlert"]').filter(has_text="#").first
    expect(note).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator(CARD).first).to_be_visible(timeout=UI_TIMEOUT_MS)
    _settle(page)


def _open_card(page) -> None:
    """Open the first card's "why this toy" section, so axe sees its contents too."""
    card = page.locator(CARD).first
    card.locator("summary").click()
    expect(card.locator('[data-testid="stExpanderDetails"]')).to_be_visible()
    _settle(page)


@pytest.fixture(scope="module")
def tab(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    yield page
    page.close()


@needs_chromium
@pytest.mark.parametrize("name,nav_key,h1_key,ready", PAGES, ids=IDS)
def test_axe_english(server, tab, name, nav_key, h1_key, ready):
    with _evidence(tab, f"axe-{name}-en"):
        _visit(tab, server, nav_key, h1_key)
        if name == "parents":
            _load_family(tab, "en")
            _open_card(tab)
        _ready(tab, ready)
        bad = run_axe(tab, f"{name}-en")
        assert not bad, _report(bad)


@pytest.fixture(scope="module")
def zh_tab(browser, server):
    """One session in Chinese, moving between pages through the sidebar as a visitor does."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(server)
    expect(page.locator("h1")).to_contain_text(t("ui.app.title", "en"), timeout=60_000)
    _settle(page)
    _switch_language(page, "简体中文", t("ui.app.title", "zh"))
    yield page
    page.close()


@needs_chromium
@pytest.mark.parametrize("name,nav_key,h1_key,ready", PAGES, ids=IDS)
def test_axe_chinese(zh_tab, name, nav_key, h1_key, ready):
    page = zh_tab
    with _evidence(page, f"axe-{name}-zh"):
        page.locator(".st-key-nav a", has_text=t(nav_key, "zh")).click()
        expect(page.locator("h1")).to_contain_text(t(h1_key, "zh"), timeout=UI_TIMEOUT_MS)
        if name == "parents":
            _load_family(page, "zh")
        _ready(page, ready)
        bad = run_axe(page, f"{name}-zh")
        assert not bad, _report(bad)


@needs_chromium
def test_axe_parents_on_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    with _evidence(page, "axe-parents-phone"):
        page.goto(server)
        expect(page.locator("h1")).to_contain_text("MetaRec Toys", timeout=60_000)
        _load_family(page, "en")
        bad = run_axe(page, "parents-phone-en")
        assert not bad, _report(bad)
    context.close()


# ---- the keyboard ------------------------------------------------------------------------------

NO_MOTION_CSS = ("*, *::before, *::after "
                 "{ transition: none !important; animation: none !important; }")
# Things a pointer can operate. Widgets are grouped by their element container: a radio group or a
# select is one stop however many inputs it has inside.
CONTROLS = ("button, input, select, textarea, summary, a[href], [role=slider], [role=switch], "
            "[role=checkbox], [role=radio], [role=combobox], [role=tab]")
# The shots curve while it computes is redrawn every second (its chart's toolbar included), so
# its elements cannot be followed from one Tab to the next; the finished chart is checked instead.
SKIP = ".st-key-ad_shots_running"
GROUP = ('[data-testid="stExpander"], [data-testid="stElementContainer"], '
         '.st-key-nav [data-testid="stElementContainer"]')
# Every control on the page, visible and enabled, grouped; each group gets a data-a11y-group id.
CONTROLS_JS = """([controls, group, skip]) => {
    const out = {}; let n = 0;
    for (const el of document.querySelectorAll(controls)) {
        const g = el.closest(group);
        if (!g || el.disabled || el.closest(skip)
            || el.closest('[aria-hidden="true"], [inert]')) continue;
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        if (!r.width || !r.height || s.visibility === 'hidden') continue;
        if (!g.dataset.a11yGroup) g.dataset.a11yGroup = `g${n++}`;
        out[g.dataset.a11yGroup] = (g.innerText || el.getAttribute('aria-label') || el.tagName)
            .trim().split('\\n')[0].slice(0, 60) || el.outerHTML.slice(0, 80);
    }
    return out; }"""
# After a Tab: what has the focus, in which group, and the box to look at (the group, or the
# focused element when it is the bigger one), a little larger so an outline drawn outside counts.
FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const g = el.closest('[data-a11y-group]');
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const own = el.getBoundingClientRect(), grp = g ? g.getBoundingClientRect() : own;
    const r = grp.width * grp.height >= own.width * own.height ? grp : own;
    const testid = (el.closest('[data-testid]') || el).dataset.testid || '';
    return {group: g ? g.dataset.a11yGroup : null,
            what: `${el.tagName.toLowerCase()} ${testid} `
                  + (el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 50),
            box: {x: Math.max(0, r.x - 4), y: Math.max(0, r.y - 4),
                  width: Math.min(r.width + 8, window.innerWidth - Math.max(0, r.x - 4)),
                  height: Math.min(r.height + 8, window.innerHeight - Math.max(0, r.y - 4))}}; }"""
FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _focus_shows(page, box: dict) -> bool:
    """Does the focused element look different from the same element without the focus?"""
    if box["width"] < 1 or box["height"] < 1:
        return False
    page.evaluate(FRAMES_JS)
    focused = page.screenshot(clip=box, animations="disabled", caret="hide")
    page.evaluate("() => { window.__a11yEl = document.activeElement; window.__a11yEl.blur(); }")
    page.evaluate(FRAMES_JS)
    blurred = page.screenshot(clip=box, animations="disabled", caret="hide")
    page.evaluate("() => window.__a11yEl.focus()")
    page.evaluate(FRAMES_JS)
    return focused != blurred


TABBABLE_JS = ("() => document.querySelectorAll('a[href], button, input, select, textarea, "
               "[tabindex]:not([tabindex=\"-1\"])').length")


def _tab_walk(page, limit: int) -> tuple[set[str], list[str]]:
    """Press Tab ``limit`` times from the top; the groups reached, and the first stop in each
    group that shows no visible sign of having the focus."""
    page.add_style_tag(content=NO_MOTION_CSS)  # compare settled looks, not mid-transition ones
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    reached, looked, invisible = set(), set(), []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        if stop is None:
            continue
        if stop["group"]:
            reached.add(stop["group"])
        if stop["what"] not in looked:
            looked.add(stop["what"])
            if not _focus_shows(page, stop["box"]):
                invisible.append(stop["what"])
    return reached, invisible


@needs_chromium
@pytest.mark.parametrize("name,nav_key,h1_key,ready", PAGES, ids=IDS)
def test_every_control_reached_by_tab_with_visible_focus(server, tab, name, nav_key, h1_key,
                                                         ready):
    with _evidence(tab, f"keyboard-{name}"):
        _visit(tab, server, nav_key, h1_key)
        if name == "parents":
            _load_family(tab, "en")
        _ready(tab, ready)
        controls = tab.evaluate(CONTROLS_JS, [CONTROLS, GROUP, SKIP])
        assert controls, "no controls found"
        # charts' and tables' toolbars are stops too, and a table's grid can take several Tabs
        # (its canvas keeps the focus for several presses before it moves on), uncounted here
        stops = tab.evaluate(TABBABLE_JS)
        reached, invisible = _tab_walk(tab, limit=max(3 * len(controls), 2 * stops) + 30)
        missed = {g: label for g, label in controls.items() if g not in reached}
        assert not missed, f"not reachable with Tab: {sorted(missed.values())}"
        assert not invisible, f"no visible focus indicator on: {sorted(set(invisible))}"


def _tab_to(page, selector: str, limit: int = 80, back: bool = False) -> int:
    """Press Tab (Shift+Tab with ``back``) until the focus is inside ``selector``."""
    for n in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("sel => !!(document.activeElement && document.activeElement.closest(sel))",
                         selector):
            return n
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


@needs_chromium
def test_parents_page_with_the_keyboard_only(server, browser, cat):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    with _evidence(page, "keyboard-parents-flow"):
        _keyboard_flow(page, server, cat)
    page.close()


def _keyboard_flow(page, server, cat):
    page.goto(server)
    expect(page.locator("h1")).to_contain_text("MetaRec Toys", timeout=60_000)
    expect(page.locator(CARD).first).to_be_visible(timeout=UI_TIMEOUT_MS)
    _settle(page)
    popular_4 = _card_ids(page)

    # From the top of the page: the two buttons come first, then the age.
    _tab_to(page, ".st-key-demo_button")
    _tab_to(page, ".st-key-reset_button")
    _tab_to(page, ".st-key-age input")
    page.keyboard.type("3 years")
    expect(page.locator("[role=option][data-focused=true]")).to_have_text("3 years")
    page.keyboard.press("Enter")
    expect(page.get_by_text("For a child aged 3 years")).to_be_visible(timeout=UI_TIMEOUT_MS)
    _settle(page)
    popular_3 = _card_ids(page)
    assert popular_3 != popular_4, "the cards did not follow the new age"
    _screenshot(page, "keyboard-age-focus.png")

    # The category and budget are stops on the way; then the liked toys: type a name, Enter.
    _tab_to(page, ".st-key-cat_filter input")
    _tab_to(page, ".st-key-budget input")
    _tab_to(page, ".st-key-liked input")
    toy = cat.ids[int(cat.eligible(36)[0])]
    name = cat.frame.at[cat.index[toy], "name_en"]
    page.keyboard.type(name)
    expect(page.locator("[role=option][data-focused=true]")).to_contain_text(name)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator(".st-key-liked [data-tag]")).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(page.get_by_text("Adapted to the toy you picked")).to_be_visible(timeout=UI_TIMEOUT_MS)
    _settle(page)
    personal = _card_ids(page)
    assert personal != popular_3 and toy not in personal, "the cards did not adapt to the toy"

    # On to the first card's "why this toy?", opened with Enter.
    _tab_to(page, ".st-key-disliked input")
    _tab_to(page, f"{CARD} summary")
    page.keyboard.press("Enter")
    expect(page.locator(CARD).first.locator('[data-testid="stExpanderDetails"]')).to_be_visible()
    _settle(page)

    # Back up to "A family to try" and press it with the space bar: a new family, new cards.
    _tab_to(page, ".st-key-demo_button button", back=True)
    page.keyboard.press("Space")
    expect(page.get_by_text("simulated test family")).to_be_visible(timeout=UI_TIMEOUT_MS)
    _settle(page)
    assert _card_ids(page) != personal
    # And "Start over" with Enter: no liked toys again.
    _tab_to(page, ".st-key-reset_button button")
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-liked [data-tag]")).to_have_count(0, timeout=UI_TIMEOUT_MS)
    _settle(page)


# ---- a text alternative beside every chart (AppTest, no browser) -------------------------------

TEXT_ALTERNATIVES = {"caption", "dataframe", "table", "success", "info"}


def _nodes(node, path=()):
    """(path, node) for every element under ``node`` (paths index into ``children``)."""
    yield path, node
    for k in sorted(getattr(node, "children", None) or {}):
        yield from _nodes(node.children[k], path + (k,))


def _at(root, path):
    for k in path:
        root = root.children[k]
    return root


def _text_beside(root, path, levels: int = 3, ahead: int = 2) -> list[str]:
    """Text elements next to the element at ``path``: among the ``ahead`` siblings that follow
    it or any of its ``levels`` nearest containers (a column beside it counts)."""
    found = []
    for up in range(1, min(levels, len(path)) + 1):
        parent, me = _at(root, path[:-up]), path[-up]
        later = [k for k in sorted(parent.children) if k > me][:ahead]
        for k in later:
            for _, node in _nodes(parent.children[k]):
                if getattr(node, "type", None) in TEXT_ALTERNATIVES and str(node.value).strip():
                    found.append(str(node.value))
    return found


def assert_charts_have_text(app) -> int:
    charts = [path for path, node in _nodes(app.main)
              if getattr(node, "type", None) == "plotly_chart"]
    for path in charts:
        node = _at(app.main, path)
        assert _text_beside(app.main, path), (
            f"chart {node.proto.id} has no caption, table or summary beside it")
    return len(charts)


def test_charts_on_the_teaching_pages_have_text_beside_them():
    from tests.app.test_pages import ADAPT, BOARD, EMB, HOW, open_page

    seen = 0
    app = open_page(ADAPT)
    app.toggle(key="ad_reveal").set_value(True).run()
    assert not app.exception, app.exception
    seen += assert_charts_have_text(app)  # live curves, top-10 bumps, hidden taste (+ shots)
    deadline = time.monotonic() + 240
    while app.get("progress") and time.monotonic() < deadline:  # the shots curve, as it grows
        seen += assert_charts_have_text(app)
        time.sleep(0.5)  # a poll: the page itself redraws every second while it computes
        app.run()
    seen += assert_charts_have_text(app)
    assert any("ad_shots_chart" in el.proto.id for el in app.get("plotly_chart"))

    for page in (EMB, BOARD):
        seen += assert_charts_have_text(open_page(page))
    how = open_page(HOW)
    how.button(key="hw_train").click().run()
    assert not how.exception, how.exception
    assert any("hw_train_chart" in el.proto.id for el in how.get("plotly_chart"))
    seen += assert_charts_have_text(how)
    assert seen >= 8


def test_chart_text_in_chinese():
    from tests.app.test_pages import BOARD, HOW, open_page

    for page in (BOARD, HOW):
        app = open_page(page, lang="zh")
        assert assert_charts_have_text(app) >= 1
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in str(c.value)) for c in app.caption)
