"""The locale files (metarec/i18n/locales/<lang>.toml) and their loader, metarec.i18n."""
import ast
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from metarec.i18n import (LANGS, category_noun, check_locales, locales_dir, method_title, placeholders,
                          strings, t)

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "test-output"}
# a call of t or tr whose key is a string literal (of an f-string key: its text before the first "{")
CALL = re.compile(r"""(?<![\w.])(?:t|tr)\(\s*(f?)(["'])([^"'\\\n]*)\2""")


def _code_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not any(part.startswith(".") or part in SKIP_DIRS for part in p.relative_to(ROOT).parts)]


def _used_keys() -> tuple[set[str], set[str]]:
    """(literal keys, f-string key prefixes) passed to t()/tr() anywhere in the repo's code."""
    keys, prefixes = set(), set()
    for path in _code_files():
        for f, _, key in CALL.findall(path.read_text(encoding="utf-8")):
            if f:
                prefixes.add(key.split("{", 1)[0])
            else:
                keys.add(key)
    return keys, prefixes


def test_shipped_locales_have_no_problems():
    assert check_locales() == []
    assert sorted(p.stem for p in locales_dir().glob("*.toml")) == sorted(LANGS)


def test_both_languages_have_the_same_keys_and_placeholders():
    en, zh = strings("en"), strings("zh")
    assert set(en) == set(zh) and len(en) > 300
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


def test_every_text_is_a_non_empty_string():
    for lang in LANGS:
        for key, text in strings(lang).items():
            assert isinstance(text, str), (lang, key)
            assert text.strip() or key.rsplit(".", 1)[-1].endswith("sep"), (lang, key)


def test_every_key_used_in_the_code_exists():
    keys, prefixes = _used_keys()
    assert len(keys) > 200, "the t(\"...\") / tr(\"...\") search found almost nothing: is CALL still right?"
    assert check_locales(required=keys) == []
    for prefix in prefixes:   # t(f"ui.board.rv.status.{status}", ...): some key must start so
        assert prefix and any(k.startswith(prefix) for k in strings("en")), prefix


def test_loader_api():
    assert t("ui.app.title") == "MetaRec Toys" and t("ui.app.title", "zh") == "MetaRec 玩具推荐"
    assert t("age.months", "fr", n=5) == t("age.months", "en", n=5) == "5 months"   # unknown: English
    assert t("age.months", None, n=5) == "5 months"
    key = "no.such.key"
    with pytest.raises(KeyError):
        t(key)
    assert t("ui.safety").startswith("🛡️") and t("ui.safety.budget", n=2).startswith("2 more")  # [ui.safety] _
    assert method_title("popularity") == "Popularity by age"
    assert method_title("popularity", real_data=True) == "Popularity (interaction count)"
    assert method_title("maml", "zh", real_data=True) == "MAML（二阶）"
    assert method_title("not-a-learner", "zh") == "not-a-learner"
    assert category_noun("puzzles") == "puzzle" and category_noun("puzzles", "zh") == "拼图"
    with pytest.raises(KeyError):
        category_noun("no_such_category")
    with pytest.raises(TypeError):
        strings("en")["ui.app.title"] = "changed"   # the cached table is read-only


def test_i18n_is_the_bottom_layer():
    tree = ast.parse((ROOT / "metarec" / "i18n" / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and not node.module.startswith(("metarec", "streamlit")), node.module
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith(("metarec", "streamlit")) for a in node.names)


def test_locale_files_ship_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["metarec.i18n"]
    package = ROOT / "metarec" / "i18n"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    assert shipped >= set(locales_dir().glob("*.toml")) and shipped


# ---- a broken copy of the locale files is caught by the same check ----

def _edit(folder: Path, lang: str, old: str, new: str) -> None:
    path = folder / f"{lang}.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {lang}.toml: update this test's edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN = {   # name: (language, text to replace, its replacement, what the problem must mention)
    "key removed": ("zh", 'title = "MetaRec 玩具推荐"\n', "", "'ui.app.title' is missing"),
    "key added": ("zh", 'title = "MetaRec 玩具推荐"\n', 'title = "MetaRec 玩具推荐"\nsubtitle = "玩具"\n',
                  "zh.toml: 'ui.app.subtitle' is not in en.toml"),
    "key only in English": ("en", 'title = "MetaRec Toys"\n', 'title = "MetaRec Toys"\nsubtitle = "Toys"\n',
                            "zh.toml: 'ui.app.subtitle' is missing"),
    "placeholder renamed": ("zh", 'months = "{n}个月"', 'months = "{m}个月"', "'age.months' has placeholders"),
    "placeholder dropped": ("zh", 'budget = "另有 {n} 件超出预算。"', 'budget = "另有几件超出预算。"',
                            "'ui.safety.budget' has placeholders"),
    "empty text": ("zh", 'button = "重新开始"', 'button = "  "', "'ui.reset.button' is empty"),
    "not a string": ("en", 'years = "{n}"\n', "years = 4\n", "'age.years' is a int"),
    "stray brace": ("en", 'more = "Why this toy?"', 'more = "Why this {toy?"', "'ui.card.more' has braces"),
    "defined twice": ("en", "\n[category]\n", '\n"ui.safety" = "again"\n\n[category]\n',
                      "'ui.safety' is defined twice"),
    "bad TOML": ("zh", 'more = "为什么推荐它？"', 'more = "为什么推荐它？', "zh.toml: not valid TOML"),
}


@pytest.fixture
def copy(tmp_path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(locales_dir(), folder)
    assert check_locales(folder) == []
    return folder


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_copy_is_caught(copy, case):
    lang, old, new, expected = BROKEN[case]
    _edit(copy, lang, old, new)
    problems = check_locales(copy)
    assert any(expected in p for p in problems), problems


def test_a_missing_or_extra_language_file_is_caught(copy):
    (copy / "zh.toml").rename(copy / "fr.toml")
    problems = check_locales(copy)
    assert any("zh.toml: missing" in p for p in problems), problems
    assert any(p.startswith("fr.toml: not a language") for p in problems), problems


def test_a_key_the_code_needs_is_caught(copy):
    assert check_locales(copy, required=["ui.app.title"]) == []
    problems = check_locales(copy, required=["ui.app.no_such_text"])
    assert "en.toml: 'ui.app.no_such_text' is used in the code but missing" in problems
