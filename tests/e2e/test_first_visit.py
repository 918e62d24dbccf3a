"""A fresh server's first visitors: the menu, the addresses, the "working…" sign (Chromium).

Streamlit's legacy ``pages/`` discovery answers a server process's first request from the file
names in ``pages/`` (see :mod:`pages.ui.routing`): these tests start fresh servers (one for this
module, and one for each deep link opened as a server's very first request) and check that no
visitor ever sees a menu of file names, a blank page without a sign of work, or Streamlit's
"Page not found", and that every menu name has its address and the old addresses still work.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app import PAGES
from benchmarks.load_test import CARD, streamlit_server
from metarec.i18n import t
from pages.ui.routing import OLD_ADDRESSES
from tests.e2e.test_browser import CHROMIUM, OUT, UI_TIMEOUT_MS, _evidence, _settle

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian Chromium is not installed at /usr/bin/chromium")

STARTUP_S = 90
FIRST_RUN_MS = 120_000   # a fresh process imports torch and loads the model on 2 shared cores
MENU = {t(key, "en"): url for _, key, _, url, _ in PAGES}            # title -> url path
H1 = {path: t("ui.app.title" if key == "ui.nav.parents" else key, "en")
      for path, key, *_ in PAGES}                                     # page file -> its <h1>
FILE_NAMES = {"app", "adaptation", "embeddings", "how it works", "how_it_works", "leaderboard",
              "parents", "shared", "for-parents", "watch-it-learn", "toy-map", "results",
              "how-meta-learning-works", "session", "routing", "ui"}

# Records, from the first byte of the page on, every link text the sidebar ever shows (a menu of
# file names drawn for a moment counts), whether the "working…" sign appeared, and whether
# Streamlit's "Page not found" dialog did.
WATCH_JS = """
window.__seen = {links: new Set(), working: false, notFound: false};
new MutationObserver(() => {
  for (const a of document.querySelectorAll('[data-testid="stSidebar"] a'))
    window.__seen.links.add(a.innerText.trim().split('\\n').pop().trim());
  if (document.querySelector('.st-key-working [data-testid="stSpinner"]'))
    window.__seen.working = true;
  if (document.body && /Page not found/.test(document.body.innerText)) window.__seen.notFound = true;
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
SEEN_JS = """() => ({links: Array.from(window.__seen.links), working: window.__seen.working,
                     notFound: window.__seen.notFound})"""


VISITORS = {  # (viewport options, browser locale) of a desktop visitor and a phone visitor in Chinese
    "desktop-en": ({"viewport": {"width": 1280, "height": 900}}, "en-US"),
    "phone-zh": ({"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                  "has_touch": True}, "zh-CN"),
}


def _watched_page(browser, visitor: str = "desktop-en"):
    size, locale = VISITORS[visitor]
    context = browser.new_context(locale=locale, **size)
    context.add_init_script(WATCH_JS)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    return context, page


def _menu_names(page) -> list[str]:
    return [a.inner_text().strip().split("\n")[-1].strip()
            for a in page.locator(".st-key-nav a").all()]


def _check_menu_and_dialogs(page, code: str = "en") -> dict:
    """The menu is the page titles in the visitor's language; nothing else was ever drawn as a
    link in the sidebar (no file names), and no "Page not found" was ever shown."""
    menu = [t(key, code) for _, key, *_ in PAGES]
    # a rerun still going (the teaching page's live parts) redraws the sidebar: wait for the menu
    expect(page.locator(".st-key-nav a")).to_have_count(len(menu))
    assert _menu_names(page) == menu
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    seen = page.evaluate(SEEN_JS)
    # a first render may draw the menu once in the default language before the browser's is read
    assert set(seen["links"]) <= set(menu) | set(MENU), f"links seen in the sidebar: {seen['links']}"
    assert not {name.lower() for name in seen["links"]} & FILE_NAMES - {t.lower() for t in MENU}
    assert not seen["notFound"]
    return seen


def test_first_visit_shows_the_menu_and_a_working_sign(server, browser):
    """The module's fresh server, its very first request: the app's root."""
    context, page = _watched_page(browser)
    with _evidence(page, "first-visit"):
        page.goto(server)
        expect(page.locator(".st-key-nav a").first).to_be_visible(timeout=FIRST_RUN_MS)
        expect(page.locator(CARD).first).to_be_visible(timeout=FIRST_RUN_MS)
        _settle(page)
        seen = _check_menu_and_dialogs(page)
        # the first run of a process takes seconds: the sign said so while it lasted
        assert seen["working"], "no working sign during a fresh server's first run"
        expect(page.locator("h1")).to_contain_text("MetaRec Toys")
    context.close()


@pytest.mark.parametrize("title", list(MENU))
def test_every_menu_name_has_its_address(server, browser, title):
    """Each menu link goes to its own address, and that address opens the page directly."""
    context, page = _watched_page(browser)
    with _evidence(page, f"address-{MENU[title]}"):
        page.goto(f"{server}/{MENU[title]}")
        expect(page.locator("h1")).to_contain_text(
            title if title != t("ui.nav.parents", "en") else "MetaRec Toys", timeout=FIRST_RUN_MS)
        _settle(page)
        _check_menu_and_dialogs(page)
        link = page.locator(".st-key-nav a", has_text=title)
        href = link.get_attribute("href")
        assert href.rstrip("/").endswith("" if MENU[title] == "for-parents" else MENU[title])
    context.close()


@pytest.mark.parametrize("old, page_file", sorted(OLD_ADDRESSES.items()))
def test_old_addresses_land_on_their_pages(server, browser, old, page_file):
    context, page = _watched_page(browser)
    with _evidence(page, f"old-{old}"):
        page.goto(f"{server}/{old}")
        expect(page.locator("h1")).to_contain_text(H1[page_file], timeout=FIRST_RUN_MS)
        _settle(page)
        _check_menu_and_dialogs(page)
        new = next(url for path, _, _, url, default in PAGES if path == page_file)
        expect(page).to_have_url(f"{server}/" if new == "for-parents" else f"{server}/{new}")
    context.close()


@pytest.mark.parametrize("path, h1_key, lands_on, visitor", [
    ("/leaderboard", "ui.nav.leaderboard", "/leaderboard", "desktop-en"),
    ("/for-parents", "ui.app.title", "/", "desktop-en"),
    ("/results", "ui.nav.leaderboard", "/leaderboard", "desktop-en"),
    ("/leaderboard", "ui.nav.leaderboard", "/leaderboard", "phone-zh"),
    ("/for-parents", "ui.app.title", "/", "phone-zh"),
])
def test_a_fresh_servers_first_request_lands_on_its_page(browser, path, h1_key, lands_on, visitor):
    """A deep link as the very first request of a server process (the legacy discovery's turn):
    the page, inside the app, at its address, in the visitor's language; no file names, no "Page
    not found"; on the phone the Chinese visitor sees the same."""
    code = VISITORS[visitor][1][:2]
    name = f"first{path.replace('/', '-')}-{visitor}"
    with streamlit_server(OUT / f"streamlit-server-{name}.log", startup_s=STARTUP_S) as (url, _pid):
        context, page = _watched_page(browser, visitor)
        with _evidence(page, name):
            page.goto(url + path)
            expect(page.locator("h1")).to_contain_text(t(h1_key, code), timeout=FIRST_RUN_MS)
            _settle(page)
            _check_menu_and_dialogs(page, code)
            lang = expect(page.locator(".st-key-lang"))   # in the folded sidebar on a phone
            lang.to_be_visible() if visitor.startswith("desktop") else lang.to_be_attached()
            expect(page).to_have_url(url + lands_on)
        context.close()


def test_the_shared_ui_modules_are_never_pages(browser):
    """pages/ui/ is a folder: the legacy discovery lists only pages/*.py, so on a fresh server a
    first visit to one of its module names is an unknown address of the app (the root), never
    that module run alone."""
    with streamlit_server(OUT / "streamlit-server-ui-module.log", startup_s=STARTUP_S) as (url, _pid):
        context, page = _watched_page(browser)
        with _evidence(page, "deeplink-ui-session"):
            page.goto(url + "/session")
            expect(page.locator("h1")).to_contain_text("MetaRec Toys", timeout=FIRST_RUN_MS)
            _settle(page)
            expect(page.locator(".st-key-nav a")).to_have_count(len(MENU))
            assert _menu_names(page) == list(MENU)
            expect(page.locator(".st-key-lang")).to_be_visible()
            expect(page).to_have_url(url + "/")
        context.close()
