"""Files and functions of a readable size (ast): no module of portal/, consultations/ or
recommendations/ over 600 lines, no function over 60 lines, no view over 30; migrations
aside. Each one over is named with its size."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("portal", "consultations", "recommendations")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_VIEW_LINES = 30


def _is_view(function: ast.FunctionDef) -> bool:
    """A Flask route: decorated with ``blueprint.route``, ``.get`` or ``.post``."""
    for decorator in function.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in {"route", "get", "post"} and (
                isinstance(call.value, ast.Name) and call.value.id.endswith("blueprint")):
            return True
    return False


def oversized(source: str, name: str) -> list[str]:
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            limit = MAX_VIEW_LINES if _is_view(node) else MAX_FUNCTION_LINES
            if length > limit:
                kind = "view" if _is_view(node) else "function"
                found.append(f"{name}:{node.lineno} {kind} {node.name}: {length} lines "
                             f"(at most {limit})")
    return found


def test_no_module_function_or_view_is_over_its_size():
    found = []
    for area in AREAS:
        for path in sorted((ROOT / area).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            found += oversized(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "too long:\n" + "\n".join(found)


def test_the_check_finds_a_long_view_and_a_long_function():
    view = "@blueprint.post('/x')\ndef page():\n" + "    pass\n" * 30
    function = "def helper():\n" + "    pass\n" * 60
    short = "@blueprint.get('/y')\ndef short():\n" + "    pass\n" * 28
    assert oversized(view, "v.py") == ["v.py:2 view page: 31 lines (at most 30)"]
    assert oversized(function, "f.py") == ["f.py:1 function helper: 61 lines (at most 60)"]
    assert oversized(short, "s.py") == []
    assert oversized("x = 1\n" * 601, "m.py") == ["m.py: 601 lines (at most 600)"]
