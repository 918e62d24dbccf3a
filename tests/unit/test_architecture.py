"""The layout rules of docs/architecture.md, checked: a rule nobody checks does not last."""
from __future__ import annotations

import ast
import re

import pytest

from tests.support import ROOT

LIBRARY = ROOT / "metarec"
MAX_MODULE_LINES, MAX_PAGE_LINES = 400, 300
ALGORITHM_FILES = ("maml", "melu", "reptile", "finetune", "protonet", "matching", "relation")


def module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules() -> dict[str, object]:
    return {module_name(p): p for p in sorted(LIBRARY.rglob("*.py"))}


def imports_of(path, modules: dict) -> set[str]:
    """Every metarec module ``path`` imports, anywhere in the file (function-level included), with
    the packages whose ``__init__`` such an import runs (other than the module's own packages,
    which are loaded before it; a name taken from one of them still counts)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {a.name for a in node.names if a.name.startswith("metarec")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("metarec"):
                base = node.module
            else:
                continue
            subs = {f"{base}.{a.name}" for a in node.names} & set(modules)
            targets |= subs or {base}
    own = {".".join(name.split(".")[:k]) for k in range(1, name.count(".") + 2)}
    implicit = set()
    for t in targets:   # importing a.b.c also runs the __init__ of a.b, unless it is our own
        parts = t.split(".")
        implicit |= {".".join(parts[:k]) for k in range(2, len(parts))}
    return ((targets & set(modules)) | (implicit & set(modules) - own)) - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_library_counting_function_level_imports():
    modules = library_modules()
    graph = {m: imports_of(p, modules) for m, p in modules.items()}
    assert cycles(graph) == []


def test_the_library_never_imports_streamlit():
    for path in LIBRARY.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit"], path


@pytest.mark.parametrize("folder, limit", [("metarec", MAX_MODULE_LINES), ("pages", MAX_PAGE_LINES)])
def test_small_files(folder, limit):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit}
    assert long == {}, f"over {limit} lines"


def test_one_file_per_algorithm_each_with_its_task_loss():
    for name in ALGORITHM_FILES:
        source = (LIBRARY / "learners" / f"{name}.py").read_text(encoding="utf-8")
        assert re.search(r"^def \w+_task_loss\(params", source, re.M), name
        assert "References:" in ast.get_docstring(ast.parse(source)), name


def test_no_file_edits_sys_path():
    files = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "site-packages" not in p.parts]
    edits = [str(p.relative_to(ROOT)) for p in files
             if re.search(r"sys\.path\.(insert|append)|sys\.path\s*=", p.read_text(encoding="utf-8"))
             and p.name != "test_architecture.py"]
    assert edits == []


STATE_READ = re.compile(r"session_state(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
STATE_SET_IN_TESTS = re.compile(r"session_state\[\s*[\"'](\w+)[\"']\s*\]\s*=")


def test_pages_read_no_test_only_session_keys():
    """Every session key a test sets is one the app itself owns (a widget key or state it writes);
    a key only tests write would be a test hook inside a page."""
    app_source = "\n".join(p.read_text(encoding="utf-8")
                           for p in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py")])
    set_by_tests = {k for p in (ROOT / "tests").rglob("*.py")
                    for k in STATE_SET_IN_TESTS.findall(p.read_text(encoding="utf-8"))}
    owned = set(re.findall(r"key=[\"'](\w+)[\"']", app_source))
    owned |= set(re.findall(r"session_state\[\s*[\"'](\w+)[\"']\s*\]\s*=", app_source))
    owned |= set(re.findall(r"session_state\.(\w+)\s*=", app_source))
    owned |= set(re.findall(r"setdefault\(\s*[\"'](\w+)[\"']", app_source))
    owned |= set(re.findall(r"^\w+_KEY = [\"'](\w+)[\"']", app_source, re.M))
    owned |= set(re.findall(r"[\"'](\w+)[\"']:", app_source))   # DEFAULTS = {"age": ...}
    assert set_by_tests - owned == set()
    assert not re.search(r"\w*HOOK\w*\s*=", app_source)
