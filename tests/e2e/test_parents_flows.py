"""The parents' page in a real browser (issue #17): the category filter, a toy described in words
(guessed, corrected, liked, then on the toy map), the strip "as your child grows", and a typed text
that looks like Markdown or HTML shown as text. Each flow at a desktop (1400x900) and a phone
(390 px) width, in English and in Chinese where the words matter. The language comes from the
browser (its locale), as it does for a visitor on a first visit.

Screenshots land in ``test-output/screenshots/`` (git-ignored): the parents' page and the toy map.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metarec.core.catalog import CATEGORIES
from metarec.i18n import age_text, category_name, t
from tests.e2e.test_browser import (CARD, CHROMIUM, PLOT, UI_TIMEOUT_MS, _card_ids, _evidence,
                                    _screenshot, _settle, _wait_plots_drawn)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian Chromium is not installed at /usr/bin/chromium")

SIZES = {
    "desktop": dict(viewport={"width": 1400, "height": 900}),
    "phone": dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                  has_touch=True),
}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
BOTH = [(size, code) for size in SIZES for code in LOCALES]
IDS = [f"{size}-{code}" for size, code in BOTH]
TEDDY = "a soft cuddly teddy bear"
MARKUP = "**bold** <img src=x onerror=alert(1)> [link](http://x) :red[red]"
CARD_IDS = "() => Array.from(document.querySelectorAll('[class*=\"st-key-card-\"]')).map(e => " \
           "Array.from(e.classList).find(c => c.startsWith('st-key-card-')).slice(12)).join(',')"


@pytest.fixture
def visit(browser, server):
    """``visit(size, code)``: a new visitor (its own session) whose browser speaks ``code``, on
    the parents' page; closed after the test."""
    contexts = []

    def open_page(size: str, code: str):
        context = browser.new_context(locale=LOCALES[code], **SIZES[size])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(server)
        expect(page.locator("h1")).to_contain_text(t("ui.app.title", code), timeout=60_000)
        expect(page.locator(CARD).first).to_be_visible()
        _settle(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the select box whose key is ``key``; wait for the page to settle."""
    box = page.locator(f".st-key-{key} input[role=combobox]")
    box.scroll_into_view_if_needed()
    box.click()
    box.press_sequentially(option)   # the search narrows the list to the option
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
    _settle(page)


def _like(page, cat, toy: str, code: str, n: int) -> None:
    """Type a toy's name in "Toys your child likes" and press Enter (it is the n-th liked)."""
    name = cat.frame.at[cat.index[toy], f"name_{code}"]
    box = page.locator(".st-key-liked input[role=combobox]")
    box.click()
    page.mouse.move(1, 1)   # a pointer resting on the list would highlight another option
    box.press_sequentially(name)
    expect(page.locator("[role=option][data-focused=true]")).to_contain_text(name)
    box.press("Enter")
    box.press("Escape")
    expect(page.locator(".st-key-liked [data-tag]")).to_have_count(n)
    _settle(page)


def _describe(page, text: str) -> None:
    """Type a toy in words and press Enter; wait for its guess to appear."""
    box = page.locator(".st-key-tt_input input")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".st-key-tt-0")).to_be_visible(timeout=120_000)   # a first load: seconds
    _settle(page)


def _wait_new_cards(page, before: list[str]) -> list[str]:
    page.wait_for_function(f"old => ({CARD_IDS})() !== old", arg=",".join(before),
                           timeout=UI_TIMEOUT_MS)
    _settle(page)
    return _card_ids(page)


def _go(page, nav_key: str, code: str) -> None:
    """Open a page from the menu, as a visitor does (the session, and what it holds, goes along)."""
    opener = page.locator('[data-testid="stExpandSidebarButton"]')
    if opener.is_visible():   # a phone: the menu is folded away
        opener.click()
    page.locator(".st-key-nav a", has_text=t(nav_key, code)).click()
    expect(page.locator("h1")).to_contain_text(t(nav_key, code), timeout=UI_TIMEOUT_MS)
    _settle(page)
    closer = page.locator('[data-testid="stSidebarHeader"] button:visible')
    if page.viewport_size["width"] < 640 and closer.count():
        closer.first.click()   # a phone: fold the menu away again (it covers the page)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


# ---- the category filter -------------------------------------------------------------------------

@pytest.mark.parametrize("size, code", BOTH, ids=IDS)
def test_a_category_choice_filters_the_cards(visit, cat, size, code):
    page = visit(size, code)
    with _evidence(page, f"category-{size}-{code}"):
        expect(page.locator(".st-key-cat_filter")).to_contain_text(t("ui.category.label", code))
        for slug in ("vehicles", "puzzles"):
            before = _card_ids(page)
            _choose(page, "cat_filter", category_name(slug, code))
            ids = _wait_new_cards(page, before)
            assert ids and {cat.frame.at[cat.index[toy], "category"] for toy in ids} == {slug}
            for toy in ids:   # the card says so too, in the visitor's language
                expect(page.locator(f".st-key-card-{toy}")).to_contain_text(category_name(slug, code))
        others = t("ui.safety.category", code, n="@", category=category_name("puzzles", code))
        expect(page.locator(".st-key-safety")).to_contain_text(others.split("@")[1])
        _no_sideways_scroll(page)


# ---- a toy described in words --------------------------------------------------------------------

@pytest.mark.parametrize("size, code", BOTH, ids=IDS)
def test_a_toy_described_in_words_changes_the_cards_and_is_on_the_map(visit, cat, size, code):
    page = visit(size, code)
    with _evidence(page, f"text-toy-{size}-{code}"):
        popular = _card_ids(page)
        page.locator(".st-key-demo_button button:visible").click()   # a family with liked toys
        family = _wait_new_cards(page, popular)
        told = page.locator(".st-key-liked [data-tag], .st-key-disliked [data-tag]").count()
        assert told >= 1
        _describe(page, TEDDY)
        toy = page.locator(".st-key-tt-0")
        expect(toy).to_contain_text(f"“{TEDDY}”")
        plush = category_name("plush", code)
        expect(toy.locator(".st-key-tt_cat_0 input")).to_have_value(plush)   # the guess, shown
        expect(toy.locator('[data-testid="stCaptionContainer"]')).to_contain_text(plush)
        expect(page.get_by_text(t("ui.results.personal", code), exact=True)).to_be_visible()
        expect(page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text=t("ui.results.how", code, n=told + 1)).first).to_be_visible()
        as_plush = _card_ids(page)
        assert as_plush != family   # it counts as a liked toy
        if size == "desktop":
            page.locator(CARD).first.scroll_into_view_if_needed()
            _screenshot(page, f"parents-desktop-{code}.png")
        else:
            _screenshot(page, f"parents-phone-{code}.png")

        # the parent corrects the kind of toy: the cards follow
        _choose(page, "tt_cat_0", category_name("vehicles", code))
        expect(toy.locator(".st-key-tt_cat_0 input")).to_have_value(category_name("vehicles", code))
        as_vehicle = _wait_new_cards(page, as_plush)
        assert as_vehicle != as_plush
        _no_sideways_scroll(page)

        # on the toy map, with the family from "For parents": a gold square, named
        _go(page, "ui.nav.embeddings", code)
        page.locator(".st-key-em_source [role=radio]").nth(1).click()
        _settle(page)
        box = f".st-key-em_map_box {PLOT}"
        _wait_plots_drawn(page, box)
        page.wait_for_function(
            """([sel, name]) => { const g = document.querySelector(sel);
                                  return g && g.data.some(d => d.name === name); }""",
            arg=[box, t("ui.emb.text_toys", code)], timeout=UI_TIMEOUT_MS)
        layout = page.evaluate("""sel => { const g = document.querySelector(sel);
            return {names: g.data.map(d => d.name), texts: g.layout.annotations.map(a => a.text)}; }""",
                               box)
        assert any(TEDDY in text for text in layout["texts"])
        names = layout["names"]
        # the star (the child's prototype) is drawn first: a liked toy on it stays visible
        star = names.index(t("ui.emb.proto", code))
        assert star < names.index(t("ui.emb.liked", code)) and star < names.index(t("ui.emb.text_toys", code))
        expect(page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text=t("ui.emb.text_pca", code)[:12]).first).to_be_visible()
        labels = page.locator(f"{box} .annotation")
        if size == "desktop":   # labels shown, and no two of them overlap
            expect(labels.first).to_be_visible()
            rects = page.evaluate("""sel => Array.from(document.querySelectorAll(sel))
                .map(e => e.querySelector('rect.bg') || e).map(e => e.getBoundingClientRect())
                .map(r => [r.left, r.top, r.right, r.bottom])""", f"{box} .annotation")
            assert len(rects) >= len(CATEGORIES) + 1   # the categories, the typed toy, ...
            for i, a in enumerate(rects):
                for b in rects[i + 1:]:
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
            page.locator(box).scroll_into_view_if_needed()
            _screenshot(page, f"toy-map-desktop-{code}.png")
        else:                   # no room on a phone: hover names the points
            assert labels.count() and not labels.first.is_visible()
            _no_sideways_scroll(page)
            _screenshot(page, f"toy-map-phone-{code}.png")


# ---- as your child grows -------------------------------------------------------------------------

@pytest.mark.parametrize("size, code", BOTH, ids=IDS)
def test_the_growth_strip_explains_a_toy_outgrown(visit, cat, size, code):
    page = visit(size, code)
    with _evidence(page, f"growth-{size}-{code}"):
        _choose(page, "age", age_text(24, code, long=True))
        for n, toy in enumerate(("bld-01", "puz-01"), start=1):   # a toddler's toys
            _like(page, cat, toy, code, n)
        strip = page.locator(".st-key-growth")
        expect(strip).to_be_visible()
        expect(page.get_by_text(t("ui.grow.title", code), exact=True)).to_be_visible()
        for after in (0, 6, 12, 24):
            expect(page.locator(f".st-key-grow-{after}")).to_be_visible()
        expect(page.locator(".st-key-grow-0")).to_contain_text(t("ui.grow.now", code))
        expect(page.locator(".st-key-grow-24")).to_contain_text(t("ui.grow.in_years", code, n=2))
        outgrown = t("growth.outgrown", code, age="@").split("@")[0]
        leaves = page.locator('[class*="st-key-change-"][class*="-leaves-"]').filter(has_text=outgrown)
        expect(leaves.first).to_be_visible()
        assert leaves.count() >= 1
        boxes = [page.locator(f".st-key-grow-{after}").bounding_box() for after in (0, 6, 12, 24)]
        if size == "phone":     # stacked, one under the other, inside the screen
            assert all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:]))
            assert all(b["x"] >= 0 and b["x"] + b["width"] <= 391 for b in boxes)
        else:                   # side by side
            assert len({round(b["y"]) for b in boxes}) == 1
        _no_sideways_scroll(page)


# ---- typed markup stays text ---------------------------------------------------------------------

@pytest.mark.parametrize("size", list(SIZES))
def test_typed_markdown_and_html_render_literally(visit, size):
    page = visit(size, "en")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with _evidence(page, f"markup-{size}"):
        _describe(page, MARKUP)
        toy = page.locator(".st-key-tt-0")
        expect(toy).to_contain_text(f"“{MARKUP}”")   # every character, as typed
        found = page.evaluate("""() => ({
            img: document.querySelectorAll('[data-testid="stMain"] img[src="x"], img[onerror]').length,
            link: document.querySelectorAll('a[href="http://x"], a[href="http://x/"]').length,
            bold: Array.from(document.querySelectorAll('[data-testid="stMain"] strong, b'))
                       .filter(e => e.textContent.trim() === 'bold').length,
            red: Array.from(document.querySelectorAll('[data-testid="stMain"] span'))
                      .filter(e => e.textContent === 'red' && e.style.color).length})""")
        assert found == {"img": 0, "link": 0, "bold": 0, "red": 0}, found
        # a card whose reason quotes the typed toy shows it as text too (shortened)
        quoted = page.locator(CARD).filter(has_text="“**bold** <img src=x onerror=alert(1)>")
        expect(quoted.first).to_be_visible()
        # on the toy map too: its name (a plotly label) and hover text stay text
        _go(page, "ui.nav.embeddings", "en")
        page.locator(".st-key-em_source [role=radio]").nth(1).click()
        _settle(page)
        box = f".st-key-em_map_box {PLOT}"
        _wait_plots_drawn(page, box)
        expect(page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text=f"“{MARKUP}”").first).to_be_visible()   # the family's caption, as typed
        assert page.evaluate("""sel => document.querySelectorAll(
            `${sel} img, ${sel} a[href="http://x"]`).length""", box) == 0
        if size == "desktop":
            label = page.locator(f"{box} .annotation").filter(has_text="**bold** <img")
            expect(label.first).to_be_visible()
        assert not dialogs


# ---- axe-core with the new parts open ------------------------------------------------------------

@pytest.mark.parametrize("code", list(LOCALES))
def test_axe_finds_nothing_serious_with_a_typed_toy_and_the_details_open(visit, code):
    from tests.e2e.test_accessibility import _report, run_axe

    page = visit("desktop", code)
    with _evidence(page, f"axe-text-toy-{code}"):
        page.locator(".st-key-demo_button button:visible").click()
        expect(page.locator(".st-key-growth")).to_be_visible()
        _describe(page, TEDDY)
        page.locator(".st-key-about_picks summary").click()
        expect(page.locator(".st-key-about_picks [data-testid=stExpanderDetails]")).to_be_visible()
        _settle(page)
        bad = run_axe(page, f"parents-text-toy-{code}")
        assert not bad, _report(bad)
        _go(page, "ui.nav.embeddings", code)
        page.locator(".st-key-em_source [role=radio]").nth(1).click()
        _settle(page)
        _wait_plots_drawn(page, f".st-key-em_map_box {PLOT}")
        # at rest, as the other axe runs see a page: no pointer over and no focus in the option
        # just clicked (Streamlit's hover shade of an option is a theme matter: see axe-*.json)
        page.mouse.move(0, 0)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        _settle(page)
        bad = run_axe(page, f"toy-map-text-toy-{code}")
        assert not bad, _report(bad)


# ---- the leaderboard's first screen (issue #17) -----------------------------------------------------

@pytest.mark.parametrize("size,code", BOTH, ids=IDS)
def test_the_leaderboard_first_screen_shows_its_verdicts(visit, size, code):
    """One headline chart and a verdict per benchmark, in the visitor's language, before any table:
    the tables wait folded in expanders."""
    from metarec.reporting.headline import BENCHMARKS
    page = visit(size, code)
    _go(page, "ui.nav.leaderboard", code)
    box = f".st-key-lb_head_chart_box {PLOT}"
    expect(page.locator(box)).to_be_visible()
    _wait_plots_drawn(page, box)
    for bench in BENCHMARKS:
        verdict = page.locator(f".st-key-lb_head_{bench}")
        expect(verdict).to_be_visible()
        expect(verdict).to_contain_text(t(f"ui.board.head.bench.{bench}", code))
    chart_top = page.locator(box).bounding_box()["y"]
    tables = page.locator('[data-testid="stDataFrame"]')
    assert tables.count() and not any(tables.nth(i).is_visible() for i in range(tables.count()))
    assert page.locator(".st-key-lb_head_toy").bounding_box()["y"] > chart_top
    _no_sideways_scroll(page)
    _screenshot(page, f"leaderboard-first-screen-{size}-{code}.png")
