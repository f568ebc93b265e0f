"""The layers of the code, read from every module's imports (ast), top-level and inside
functions alike.

    demo/              the demo's data and seeding: stands on everything, nothing imports it
    reviews/           stands on recommendations/, consultations/ and portal/
    recommendations/   stands on consultations/ and portal/
    consultations/     stands on portal/
    portal/            the ground: imports no area

Two more rules: an area's views are its own (nobody borrows another area's view helpers:
they live in portal/page_access.py), and only the app factory (portal/__init__.py) brings
the areas together: their blueprints, live handlers, holders of personal data, template
helpers and commands.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Each top-level package, by height: a module imports from its own height or below.
LAYERS = {"portal": 0, "consultations": 1, "recommendations": 2, "reviews": 3, "demo": 4}

#: The app factory composes the areas; it may import any of them.
FACTORY = "portal"

#: Ground modules that read the consultations' models, and why.
GROUND_READING_MODELS = {
    # Every permission is a question about a registration, a role or a consultation's status.
    "portal.permissions": {"consultations.models"},
    # Every area's pages find the consultation at their address first.
    "portal.page_access": {"consultations.models"},
}

#: Views modules, and the area whose modules alone may import them (besides the factory).
VIEWS = {
    "consultations.views": "consultations",
    "recommendations.views": "recommendations",
    "recommendations.outcome.views": "recommendations",
    "reviews.views": "reviews",
    "portal.accounts.views": "portal.accounts",
    "portal.audit.views": "portal.audit",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            found[module_name(path)] = path
    return found


def imports_of(source: str, name: str, known: set[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, imported module) of every import in the source; ``known``: the modules that
    exist, so that "from consultations import views" counts as consultations.views."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names
                          if f"{node.module}.{alias.name}" in known]
            found += [(node.lineno, module) for module in submodules or [node.module]]
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def wrong_arrows(module: str, imports: list[tuple[int, str]]) -> list[str]:
    """The imports of ``module`` against the layering, each named."""
    if module == FACTORY:
        return []
    home = module.split(".")[0]
    wrong = []
    for line, imported in imports:
        target = imported.split(".")[0]
        if target not in LAYERS:
            continue
        allowed = GROUND_READING_MODELS.get(module, set())
        if LAYERS[target] > LAYERS[home] and not any(
                _within(imported, package) for package in allowed):
            wrong.append(f"{module}:{line} imports {imported} ({home} is below {target})")
            continue
        for views, owner in VIEWS.items():
            if _within(imported, views) and not _within(module, owner):
                wrong.append(f"{module}:{line} imports {imported} (another area's views)")
    return sorted(set(wrong))


def test_no_module_imports_against_the_layering():
    wrong = []
    found = modules()
    for module, path in found.items():
        wrong += wrong_arrows(module, imports_of(path.read_text(), str(path), set(found)))
    assert wrong == [], "imports against the layering:\n" + "\n".join(wrong)


def test_the_check_names_the_arrows_it_is_meant_to_find():
    source = (
        "from consultations.models import Registration\n"
        "def page():\n"
        "    from recommendations import voting\n"
        "from consultations import views\n"
        "from portal import permissions\n"
    )
    known = set(modules())
    assert wrong_arrows("portal.accounts.anonymisation", imports_of(source, "x.py", known)) == [
        "portal.accounts.anonymisation:1 imports consultations.models "
        "(portal is below consultations)",
        "portal.accounts.anonymisation:3 imports recommendations.voting "
        "(portal is below recommendations)",
        "portal.accounts.anonymisation:4 imports consultations.views "
        "(portal is below consultations)",
    ]
    assert wrong_arrows("recommendations.outcome.word", imports_of(source, "x.py", known)) == [
        "recommendations.outcome.word:4 imports consultations.views (another area's views)",
    ]
    assert wrong_arrows("portal.permissions", imports_of(source, "x.py", known)) == [
        "portal.permissions:3 imports recommendations.voting "
        "(portal is below recommendations)",
        "portal.permissions:4 imports consultations.views (portal is below consultations)",
    ]
    assert "portal.page_access" in modules() and "demo.seeding" in modules()
