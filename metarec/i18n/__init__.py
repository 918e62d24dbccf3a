"""Every user-facing text, in English and Simplified Chinese, read from one TOML file per language.

The texts live in ``metarec/i18n/locales/<lang>.toml``; TOML tables there only group keys, and the
loader flattens them to the dotted keys the code uses (``[ui.app] title`` is ``"ui.app.title"``,
and a key named ``_`` is its table's own text: ``[ui.safety] _`` is ``"ui.safety"``).
``t(key, lang, **values)`` formats a text; unknown languages fall back to English, and an unknown
key raises ``KeyError``. ``check_locales()`` lists what is wrong with a set of locale files (keys
or placeholders that differ between languages, empty texts, ...) for the tests and any tooling.

This is the bottom layer: no Streamlit, no other ``metarec`` module.
"""
from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
SELF_KEY = "_"  # in a TOML table, the text of the table's own key

__all__ = ["LANGS", "t", "strings", "category_name", "method_title", "category_noun", "skill_name",
           "age_text", "range_text", "check_locales", "placeholders", "locales_dir"]


def locales_dir() -> Path:
    """The folder of the shipped locale files."""
    return Path(__file__).resolve().parent / "locales"


def _flatten(table: dict, prefix: str, out: dict[str, str], problems: list[str], where: str) -> None:
    for name, value in table.items():
        key = prefix if (name == SELF_KEY and prefix) else f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            _flatten(value, key, out, problems, where)
        elif not isinstance(value, str):
            problems.append(f"{where}: {key!r} is a {type(value).__name__}, not a string")
        elif key in out:
            problems.append(f"{where}: {key!r} is defined twice")
        else:
            out[key] = value


def _parse(text: str, where: str, problems: list[str]) -> dict[str, str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        problems.append(f"{where}: not valid TOML: {e}")
        return {}
    out: dict[str, str] = {}
    _flatten(data, "", out, problems, where)
    return out


@lru_cache(maxsize=None)
def _table(lang: str) -> Mapping[str, str]:
    name = f"{lang}.toml"
    text = (resources.files(__name__) / "locales" / name).read_text(encoding="utf-8")
    problems: list[str] = []
    table = _parse(text, name, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return MappingProxyType(table)


def _lang(lang) -> str:
    return lang if isinstance(lang, str) and lang in LANGS else DEFAULT_LANG


def strings(lang: str = "en") -> Mapping[str, str]:
    """Every text of one language by its dotted key (read-only; unknown languages: English)."""
    return _table(_lang(lang))


def _text(key: str, lang) -> str:
    table = strings(lang)
    if key in table:
        return table[key]
    return strings(DEFAULT_LANG)[key]  # a key missing from one language (check_locales forbids it)


def t(key: str, lang: str = "en", **values) -> str:
    return _text(key, lang).format(**values)


def _named(group: str, slug: str, lang) -> str:
    try:
        return _text(f"{group}.{slug}", lang)
    except KeyError:
        raise KeyError(slug) from None


def category_name(slug: str, lang: str = "en") -> str:
    return _named("category", slug, lang)


def method_title(name: str, lang: str = "en", real_data: bool = False) -> str:
    """A learner's human title (``real_data``: as named in the real-data tables, where popularity
    is not by age); unknown names are returned as they are."""
    for group in ("method_real", "method") if real_data else ("method",):
        try:
            return _text(f"{group}.{name}", lang)
        except KeyError:
            pass
    return name


def category_noun(slug: str, lang: str = "en") -> str:
    """The category as a noun for a sentence: "puzzle" / "拼图"."""
    return _named("category_noun", slug, lang)


def skill_name(slug: str, lang: str = "en") -> str:
    return _named("skill", slug, lang)


MONTHS_UNTIL = 36   # ages under 3 years read in months ("18 months", "30 months"), then years


def age_text(age_months: float, lang: str = "en", long: bool = False) -> str:
    """'18 months' under three years, else '4' (or '4 years' with ``long``)."""
    if age_months < MONTHS_UNTIL:
        return t("age.months", lang, n=int(round(age_months)))
    years = age_months / 12
    n = int(years) if abs(years - round(years)) > 1e-9 else int(round(years))
    return t("age.years_long" if long else "age.years", lang, n=n)


def range_text(lo_months: int, hi_months: int, lang: str = "en") -> str:
    """An age range as a parent reads it: months up to 3 years ('12–36 months'), years after
    ('2–6 years'), a start under 3 years that is not a whole year in months ('18 months–5 years')."""
    if hi_months <= MONTHS_UNTIL:
        return t("range.months", lang, lo=lo_months, hi=hi_months)
    fmt = lambda m: f"{m / 12:.1f}".rstrip("0").rstrip(".")
    if lo_months < MONTHS_UNTIL and lo_months % 12:
        return t("range.mixed", lang, lo=lo_months, hi=fmt(hi_months))
    return t("range.years", lang, lo=fmt(lo_months), hi=fmt(hi_months))


# ---- checking a set of locale files (tests/test_locales.py, tooling) ----

def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text formats (``ValueError`` when its braces do not parse)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _may_be_blank(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last == "sep" or last.endswith("_sep")


def check_locales(directory: str | Path | None = None, required: Iterable[str] = ()) -> list[str]:
    """What is wrong with the locale files in ``directory`` (default: the shipped ones); [] if
    nothing. Each language in ``LANGS`` needs a file, and no other file may be there; every file
    has the keys of ``en.toml``, each with the same placeholders; every text is a non-empty
    string (separators, keys named ``sep`` or ``*_sep``, may be blank); every key in ``required``
    (e.g. the keys the code uses) exists."""
    folder = Path(directory) if directory is not None else locales_dir()
    problems: list[str] = []
    tables: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.stem not in LANGS:
            problems.append(f"{path.name}: not a language in metarec.i18n.LANGS {LANGS}")
        tables[path.stem] = _parse(path.read_text(encoding="utf-8"), path.name, problems)
    for lang in LANGS:
        if lang not in tables:
            problems.append(f"{lang}.toml: missing from {folder}")
    ref = tables.get(DEFAULT_LANG, {})
    ref_fields: dict[str, set[str] | None] = {}
    for key, text in ref.items():
        try:
            ref_fields[key] = placeholders(text)
        except ValueError as e:
            ref_fields[key] = None
            problems.append(f"{DEFAULT_LANG}.toml: {key!r} has braces that do not parse ({e})")
    for lang, table in tables.items():
        where = f"{lang}.toml"
        for key, text in table.items():
            if not text.strip() and not _may_be_blank(key):
                problems.append(f"{where}: {key!r} is empty")
        if lang == DEFAULT_LANG:
            continue
        for key in sorted(ref.keys() - table.keys()):
            problems.append(f"{where}: {key!r} is missing (it is in {DEFAULT_LANG}.toml)")
        for key in sorted(table.keys() - ref.keys()):
            problems.append(f"{where}: {key!r} is not in {DEFAULT_LANG}.toml")
        for key in sorted(table.keys() & ref.keys()):
            try:
                fields = placeholders(table[key])
            except ValueError as e:
                problems.append(f"{where}: {key!r} has braces that do not parse ({e})")
                continue
            if ref_fields[key] is not None and fields != ref_fields[key]:
                problems.append(f"{where}: {key!r} has placeholders {sorted(fields)}, "
                                f"{DEFAULT_LANG}.toml has {sorted(ref_fields[key])}")
    for key in sorted(set(required)):
        for lang, table in tables.items():
            if key not in table:
                problems.append(f"{lang}.toml: {key!r} is used in the code but missing")
    return problems
