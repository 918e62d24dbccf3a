"""Issue #7, part 4: one bad-input matrix, run through the CLI, the library and the app.

Each row of ``CASES`` is an input and what each of the three surfaces must do with it: the CLI's
exit status and a fragment of its one ``error:`` line (or of its output), the library's exception
and message, and the parents page's st.warning / st.error text (in English and Chinese).

The behaviour decided for each case:

* Ages are years from 0 to 14 inclusive (``recommend.parse_age``; the catalog serves 0-168 months).
  0 (a newborn) and 14 are valid; -1, 15, NaN and "four" are refused with the range in the
  message. The app's age is a select box, so a bad age can only reach it through the session; the
  page resets it to 4 years and says so.
* Unknown toy ids are refused with a "did you mean" hint (CLI, library); the app removes them from
  the lists and names them.
* Duplicates are de-duplicated, never refused: the library returns one warning per toy, the CLI
  prints it as a ``note:`` line, the app keeps each toy once in its list.
* More than 50 different liked toys (1,000 listed, or every toy in the catalog) is refused before
  any id is looked up, with the limit in the message.
* Every toy that suits the age liked (32 at 0 months): an empty list is a valid answer, never a
  silent one: the result's notice says there is nothing new to suggest; the app warns.
* A broken install (empty catalog, truncated / tampered / missing checkpoint) raises CatalogError
  or CheckpointError; the CLI prints one ``error:`` line and exits 1 (the install is broken, not
  the request: status 2 is kept for bad input); the app shows "not ready" without file paths.
* An unwritable cache folder: the recommender never needs the cache; the real-data embedding cache
  computes in memory and warns on stderr.

Broken files are always copies under tmp_path; the shipped assets/ are hashed before and after.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from metarec.core import paths
from metarec.core.catalog import CatalogError
from metarec.core.checkpoint import CheckpointError
from metarec.core.errors import InputError, MetarecError
from metarec.i18n import LANGS, t
from tests.support import ROOT
from metarec.serving.recommend import MAX_LIKED, Request, recommend

APP = str(ROOT / "app.py")
PARENTS = "pages/parents.py"
ASSETS = ROOT / "assets"
CARD_KEY = re.compile(r"-card-(\S+)$")   # a card's container key (the card shows no ID)
DEFAULT_AGE_MONTHS = 48  # the parents page's default (and what a bad age is reset to)


# ---- the matrix --------------------------------------------------------------------------------

def _suitable_at_birth(cat):
    return tuple(cat.ids[i] for i in cat.eligible(0))


def _thousand(cat):
    return tuple((cat.ids * 4)[:1000])


def _thousand_unknown(cat):
    return tuple(f"toy-{i:04d}" for i in range(1000))


def _everything(cat):
    return tuple(cat.ids)


def _age_label(months: int, lang: str) -> str:
    from metarec.i18n import age_text
    return age_text(months, lang, long=True)


def _too_many(n):   # the library's InputError, told by its key in the visitor's language
    return lambda cat, lang: t("input.too_many_liked", lang, n=n(cat), max=MAX_LIKED)


BAD_AGE = ("warning", lambda cat, lang: t("ui.bad.age", lang,
                                          age=_age_label(DEFAULT_AGE_MONTHS, lang)))
NOT_READY = ("error", lambda cat, lang: t("ui.error.engine", lang))
NO_CARDS = {"app_cards": False}


@dataclass(frozen=True)
class Case:
    id: str
    age: object = 4                          # years, as a parent or a script gives them
    liked: tuple | Callable = ()             # toy ids, or a function of the catalog
    breaks: str | None = None                # what is broken in a copy of assets/ or the env
    cli: tuple[int, str] = (0, "")           # exit status, fragment of stderr (or of the output)
    lib: tuple[type | None, str] = (None, "")  # exception raised (None: a result), fragment
    app: tuple[str | None, Callable | None] = (None, None)  # element kind, its text(cat, lang)
    app_cards: bool = True                   # the page still shows safe cards alongside


    def liked_ids(self, cat) -> tuple:
        return self.liked(cat) if callable(self.liked) else self.liked


CASES = [
    # ages
    Case("age -1", age=-1, cli=(2, "age must be from 0 to 14 years, got '-1'"),
         lib=(InputError, "age must be from 0 to 14 years, got -1"), app=BAD_AGE),
    Case("age 0", age=0, cli=(0, "No liked toys yet"), lib=(None, "No liked toys yet")),
    Case("age 14", age=14, cli=(0, "No liked toys yet"), lib=(None, "No liked toys yet")),
    Case("age 15", age=15, cli=(2, "age must be from 0 to 14 years, got '15'"),
         lib=(InputError, "age must be from 0 to 14 years, got 15"), app=BAD_AGE),
    Case("age NaN", age=float("nan"), cli=(2, "age must be from 0 to 14 years, got 'nan'"),
         lib=(InputError, "age must be from 0 to 14 years, got nan"), app=BAD_AGE),
    Case("age four", age="four",
         cli=(2, "age must be a number of years from 0 to 14 (e.g. 4 or 1.5), got 'four'"),
         lib=(InputError, "age must be a number of years from 0 to 14"), app=BAD_AGE),
    # liked toys
    Case("unknown toy", liked=("zzz-99",), cli=(2, "unknown toy id 'zzz-99' in liked toys"),
         lib=(InputError, "unknown toy id 'zzz-99' in liked toys"),
         app=("warning", lambda cat, lang: t("ui.bad.unknown", lang, ids="zzz-99"))),
    Case("duplicate toy", liked=("bld-05", "bld-05", "bld-05"),
         cli=(0, "note: bld-05 was listed 3 times in liked toys; counted once"),
         lib=(None, "bld-05 was listed 3 times in liked toys; counted once")),
    Case("1,000 liked toys", liked=_thousand,
         cli=(2, f"at most {MAX_LIKED} liked toys are accepted, got 327 different toys (1000 listed)"),
         lib=(InputError, "got 327 different toys (1000 listed)"), app=("warning", _too_many(len)),
         **NO_CARDS),
    Case("1,000 unknown toys", liked=_thousand_unknown,
         cli=(2, f"at most {MAX_LIKED} liked toys are accepted, got 1000 different toys"),
         lib=(InputError, "got 1000 different toys;"),
         app=("warning", lambda cat, lang: t("ui.bad.unknown", lang, ids=t("ui.list.sep", lang).join(
             f"toy-{i:04d}" for i in range(5)) + "…"))),
    Case("every toy liked", liked=_everything,
         cli=(2, f"at most {MAX_LIKED} liked toys are accepted, got 327 different toys"),
         lib=(InputError, f"at most {MAX_LIKED} liked toys"),
         app=("warning", _too_many(lambda cat: len(cat))), **NO_CARDS),
    Case("every suitable toy liked", age=0, liked=_suitable_at_birth,
         cli=(0, "Nothing new to suggest"), lib=(None, "Nothing new to suggest"),
         app=("warning", lambda cat, lang: t("ui.bad.none_left", lang)), **NO_CARDS),
    # a broken install (copies in tmp_path)
    Case("catalog header only", breaks="catalog_header",
         cli=(1, "has a header but no toys"), lib=(CatalogError, "has a header but no toys"),
         app=NOT_READY, **NO_CARDS),
    Case("catalog zero bytes", breaks="catalog_empty",
         cli=(1, "catalog.csv is empty; expected a CSV with the header id,name_en"),
         lib=(CatalogError, "is empty; expected a CSV with the header"), app=NOT_READY,
         **NO_CARDS),
    Case("checkpoint truncated", breaks="ckpt_truncated",
         cli=(1, "does not match its manifest"), lib=(CheckpointError, "corrupt or was modified"),
         app=NOT_READY, **NO_CARDS),
    Case("checkpoint tampered", breaks="ckpt_tampered",
         cli=(1, "does not match its manifest"), lib=(CheckpointError, "corrupt or was modified"),
         app=NOT_READY, **NO_CARDS),
    Case("checkpoint missing", breaks="ckpt_missing",
         cli=(1, "checkpoint not found at"), lib=(CheckpointError, "checkpoint not found at"),
         app=NOT_READY, **NO_CARDS),
    Case("cache unwritable", liked=("bld-05",), breaks="cache_blocked",
         lib=(None, "cannot write the embedding cache")),
]
IDS = [c.id for c in CASES]


# ---- breaking copies, never the shipped files ----------------------------------------------

def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def shipped_assets_untouched():
    """Nothing on disk is corrupted: every shipped asset is byte-for-byte the same afterwards."""
    before = _digests(ASSETS)
    assert before, "assets/ is empty"
    yield
    assert _digests(ASSETS) == before


def _blocked_cache_dir(tmp_path: Path) -> Path:
    """A cache folder nobody can create: a read-only folder, or (root ignores modes) a path
    under a regular file, which fails for root too."""
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        (ro / "probe").mkdir()
    except OSError:
        return ro / "cache"
    (ro / "probe").rmdir()  # running as root: modes do not stop writes
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "cache"


@dataclass
class Setup:
    assets: Path | None = None      # a broken copy of assets/
    cache: Path | None = None       # an unwritable METAREC_CACHE_DIR
    snapshot: dict | None = None    # the broken copy's digests, which no surface may change

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("METAREC_")}
        if self.assets:
            env["METAREC_ASSETS_DIR"] = str(self.assets)
        if self.cache:
            env["METAREC_CACHE_DIR"] = str(self.cache)
        return env

    def check_untouched(self) -> None:
        if self.assets:
            assert _digests(self.assets) == self.snapshot, "a failed load changed files on disk"
        if self.cache:
            assert not self.cache.exists()


def _setup(case: Case, tmp_path: Path) -> Setup:
    if case.breaks is None:
        return Setup()
    if case.breaks == "cache_blocked":
        return Setup(cache=_blocked_cache_dir(tmp_path))
    a = tmp_path / "assets"
    shutil.copytree(ASSETS, a)
    catalog, ckpt = a / "catalog.csv", a / "checkpoints" / "metarec.pt"
    if case.breaks == "catalog_header":
        catalog.write_text(catalog.read_text(encoding="utf-8").splitlines()[0] + "\n",
                           encoding="utf-8")
    elif case.breaks == "catalog_empty":
        catalog.write_bytes(b"")
    elif case.breaks == "ckpt_truncated":
        ckpt.write_bytes(ckpt.read_bytes()[:1000])
    elif case.breaks == "ckpt_tampered":
        data = bytearray(ckpt.read_bytes())
        data[len(data) // 2] ^= 0xFF
        ckpt.write_bytes(bytes(data))
    elif case.breaks == "ckpt_missing":
        ckpt.unlink()
    else:
        raise AssertionError(case.breaks)
    return Setup(assets=a, snapshot=_digests(a))


def _safe(cat, recs, age_months, liked):
    for r in recs:
        i = cat.index[r["id"] if isinstance(r, dict) else r]
        assert i in set(cat.eligible(age_months).tolist()), f"{r} unsafe at {age_months} months"
        assert cat.ids[i] not in liked


# ---- surface 1: the command line ---------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli(case, catalog, tmp_path):
    setup = _setup(case, tmp_path)
    liked = case.liked_ids(catalog)
    args = [sys.executable, "-m", "metarec", "recommend", "--age", str(case.age), "--json"]
    if liked:
        args += ["--liked", *liked]
    p = subprocess.run(args, cwd=ROOT, env=setup.env(), capture_output=True, text=True, timeout=300)
    code, fragment = case.cli
    assert p.returncode == code, (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr
    if code:
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
        assert fragment in lines[0], lines[0]
        assert p.stdout == ""
    else:
        out = json.loads(p.stdout)
        assert fragment in p.stderr + (out["notice"] or ""), (p.stderr, out["notice"])
        age_months = float(case.age) * 12
        _safe(catalog, out["recommendations"], age_months, liked)
        if case.id == "every suitable toy liked":
            assert out["recommendations"] == []
        else:
            assert len(out["recommendations"]) == 10
        if not fragment:
            assert p.stderr == ""
    setup.check_untouched()


# ---- surface 2: the library --------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_library(case, engine, tmp_path, monkeypatch, capsys):
    from metarec.serving.engine import Engine
    setup = _setup(case, tmp_path)
    error, fragment = case.lib
    if setup.assets:  # the engine's own loader, pointed at the broken copy
        with pytest.raises(error) as info:
            Engine.load(device="cpu", catalog_path=setup.assets / "catalog.csv",
                        checkpoint=setup.assets / "checkpoints" / "metarec.pt")
        assert isinstance(info.value, MetarecError)  # a known failure: CLI and app explain it
        assert fragment in str(info.value)
        setup.check_untouched()
        return
    if setup.cache:  # the only code that writes a cache: real-data text embeddings
        from metarec.realdata.loaders.cache import cached_text_embeddings
        monkeypatch.setenv("METAREC_CACHE_DIR", str(setup.cache))
        emb = cached_text_embeddings(["wooden train", "plush cat"],
                                     lambda texts: np.ones((len(texts), 3), np.float32))
        assert emb.shape == (2, 3)
        assert fragment in capsys.readouterr().err
        setup.check_untouched()
    liked = case.liked_ids(engine.catalog)
    req = Request(case.age, liked)
    if error:
        with pytest.raises(error) as info:
            recommend(engine, req)
        assert fragment in str(info.value), str(info.value)
        if isinstance(info.value, InputError):   # the same problem told to a person, any language
            assert info.value.key != InputError.GENERIC
            for lang in LANGS:
                assert t(info.value.key, lang, **info.value.values)
        return
    res = recommend(engine, req)
    _safe(engine.catalog, [r.id for r in res.recommendations], float(case.age) * 12, liked)
    if not setup.cache:
        assert fragment in " ".join(res.warnings) + (res.notice or ""), (res.warnings, res.notice)
    if case.id == "every suitable toy liked":
        assert res.recommendations == [] and not res.fallback
    else:
        assert len(res.recommendations) == 10


def test_huge_selection_is_refused_before_any_lookup(engine, monkeypatch):
    """1,000 ids cost no fuzzy matching: the limit is checked first."""
    import difflib
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: pytest.fail("looked up"))
    with pytest.raises(InputError, match="got 1000 different toys"):
        recommend(engine, Request(4, _thousand_unknown(engine.catalog)))


def test_empty_or_truncated_cache_file_is_recomputed(tmp_path, monkeypatch):
    from metarec.realdata.loaders.cache import cache_dir, cached_text_embeddings
    from metarec.core.text_embedding import texts_sha256
    monkeypatch.setenv("METAREC_CACHE_DIR", str(tmp_path))
    texts = ["wooden train", "plush cat"]
    path = cache_dir() / f"minilm-{texts_sha256(texts)[:32]}.npy"
    fake = lambda ts: np.full((len(ts), 3), 0.5, np.float32)  # noqa: E731
    for broken in (b"", b"\x93NUMPY\x01\x00v\x00{'descr'"):
        path.write_bytes(broken)
        assert cached_text_embeddings(texts, fake).tolist() == fake(texts).tolist()
        assert np.load(path).shape == (2, 3)  # rewritten whole
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


# ---- surface 3: the app (the parents page, driven headless) -------------------------------------

def _texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def _card_ids(app) -> list[str]:
    def blocks(node):
        yield node
        for k in sorted(getattr(node, "children", None) or {}):
            yield from blocks(node.children[k])
    return [m.group(1) for b in blocks(app.main)
            if (m := CARD_KEY.search(str(getattr(getattr(b, "proto", None), "id", "") or "")))]


@pytest.fixture
def fresh_engine():
    """The app caches one engine per process: start and end each broken-install case without it."""
    from pages.ui.session import get_engine
    get_engine.clear()
    yield
    get_engine.clear()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_app(case, lang, catalog, tmp_path, monkeypatch, fresh_engine):
    setup = _setup(case, tmp_path)
    if setup.assets:  # the app loads the default paths: point them at the broken copy
        monkeypatch.setattr(paths, "CATALOG_CSV", setup.assets / "catalog.csv")
        monkeypatch.setattr(paths, "CHECKPOINT", setup.assets / "checkpoints" / "metarec.pt")
        monkeypatch.setattr(paths, "MANIFEST", setup.assets / "checkpoints" / "manifest.json")
    if setup.cache:
        monkeypatch.setenv("METAREC_CACHE_DIR", str(setup.cache))
    age = case.age * 12 if isinstance(case.age, (int, float)) else case.age
    liked = list(case.liked_ids(catalog))

    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["age"] = age
    at.session_state["liked"] = liked
    at.switch_page(PARENTS).run()

    assert not at.exception, [e.value for e in at.exception]
    kind, text = case.app
    shown = {"warning": _texts(at.warning), "error": _texts(at.error)}
    if kind is None:
        assert shown == {"warning": [], "error": []}, shown
    else:
        expected = text(catalog, lang)
        assert expected in shown[kind], (expected, shown)
        other = "error" if kind == "warning" else "warning"
        assert shown[other] == [], shown
    for message in shown["warning"] + shown["error"]:
        assert "Traceback" not in message and str(tmp_path) not in message
        assert "python -m" not in message  # no command-line advice on a parent's page
    shown_age = at.session_state["age"]
    if case.app is BAD_AGE:  # repaired: the default age, in the state and in the select box
        assert shown_age == DEFAULT_AGE_MONTHS == at.selectbox(key="age").value
    ids = _card_ids(at)
    assert bool(ids) == case.app_cards, ids
    if ids:  # safe cards for the age shown, never a toy the family named; each toy kept once
        kept = [toy for toy in dict.fromkeys(liked) if toy in catalog.index]
        assert at.multiselect(key="liked").value == kept
        _safe(catalog, ids, float(shown_age), kept)

    if kind == "error":  # a broken install: the page stopped before any card
        setup.check_untouched()
        monkeypatch.undo()  # the files are repaired ...
        from pages.ui.session import get_engine
        get_engine.clear()
        at.run()  # ... and the very same session works again
    if setup.cache:
        setup.check_untouched()

    if kind != "error":  # the app keeps working: "Start over" gives the default family's cards
        at.button(key="reset_button").click().run()
    assert not at.exception and not at.error and not at.warning, _texts(at.warning)
    assert at.session_state["age"] == DEFAULT_AGE_MONTHS
    _safe(catalog, _card_ids(at), DEFAULT_AGE_MONTHS, ())
    assert _card_ids(at)


def test_matrix_is_complete():
    """The issue's list, one row each (a row dropped by mistake fails here)."""
    ages = [c.age for c in CASES if not c.liked and not c.breaks]
    assert ages[:3] == [-1, 0, 14] and ages[3] == 15 and math.isnan(ages[4]) and ages[5] == "four"
    assert {c.breaks for c in CASES} == {None, "catalog_header", "catalog_empty", "ckpt_truncated",
                                         "ckpt_tampered", "ckpt_missing", "cache_blocked"}
    assert len(set(IDS)) == len(IDS) == 18
