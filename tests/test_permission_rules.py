"""Every permission rule is written in portal/permissions.py.

Views and templates ask its named predicates (``may_edit_comment``, ``is_author``...); they do
not compare the signed-in user with a record's author, test a role, or read ``is_admin``
themselves. This test reads every view module (ast) and every template and names the file and
line of each rule written outside portal/permissions.py.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("portal", "consultations", "recommendations")

#: A template line that decides by who the reader is rather than through a predicate.
TEMPLATE_RULES = re.compile(
    r"current_user\.\w+\s*(==|!=)"          # current_user.id == comment.author_id
    r"|(==|!=)\s*current_user\b"            # comment.author_id != current_user.id
    r"|\brole(\.value)?\s*(==|!=|\bin\b|\bnot in\b)"  # role in member_roles
    r"|\bRole\.\w+"                          # Role.participant
    r"|\bis_admin\b"
)
#: Attribute names whose comparison is a role or admin rule.
ROLE_ATTRIBUTES = {"role", "is_admin"}


def view_modules() -> list[Path]:
    modules = []
    for area in AREAS:
        for path in sorted((ROOT / area).rglob("*.py")):
            if path.name == "views.py" or path.parent.name == "views":
                modules.append(path)
    return modules


def _mentions_current_user(node: ast.AST) -> bool:
    return any(isinstance(inner, ast.Name) and inner.id == "current_user"
               for inner in ast.walk(node))


def _is_role_operand(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ROLE_ATTRIBUTES:
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "Role":
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "attr",
                                              getattr(node.func, "id", "")) == "role_in":
        return True
    return isinstance(node, ast.Name | ast.Attribute) and \
        getattr(node, "id", getattr(node, "attr", "")).endswith("_ROLES")


def rules_in_python(source: str, name: str) -> list[str]:
    """The lines of a view module that write a permission rule themselves."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_mentions_current_user(operand) for operand in operands):
                found.append(f"{name}:{node.lineno}: compares current_user")
            elif any(_is_role_operand(operand) for operand in operands):
                found.append(f"{name}:{node.lineno}: compares a role")
        elif isinstance(node, ast.Attribute) and node.attr == "is_admin":
            found.append(f"{name}:{node.lineno}: reads is_admin")
    return sorted(found, key=lambda entry: int(entry.split(":")[1]))


def rules_in_template(source: str, name: str) -> list[str]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        # role="status" and the like are HTML, not rules.
        line = re.sub(r'\brole="[^"]*"', "", line)
        if TEMPLATE_RULES.search(line):
            found.append(f"{name}:{number}: {line.strip()[:100]}")
    return found


def test_views_write_no_permission_rule_of_their_own():
    found = []
    for path in view_modules():
        found += rules_in_python(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "rules outside portal/permissions.py:\n" + "\n".join(found)


def test_templates_write_no_permission_rule_of_their_own():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += rules_in_template(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "rules outside portal/permissions.py:\n" + "\n".join(found)


def test_the_scan_finds_the_rules_it_is_meant_to_find():
    view = (
        "def edit(comment):\n"
        "    require(comment.author_id == current_user.id)\n"
        "    if permissions.role_in(current_user, c) in VOTER_ROLES:\n"
        "        pass\n"
        "    if registration.role == Role.participant:\n"
        "        pass\n"
        "    if current_user.is_admin:\n"
        "        pass\n"
    )
    assert [line.split(": ", 1)[0] for line in rules_in_python(view, "v.py")] == [
        "v.py:2", "v.py:3", "v.py:5", "v.py:7"]
    template = (
        '<p role="status">{% if comment.author_id == current_user.id %}</p>\n'
        "{% if role in member_roles %}\n"
        '{% if registration.role.value == "participant" %}\n'
        '<p role="note">{% if permissions.may_edit_comment(current_user, comment) %}</p>\n'
    )
    assert [line.split(": ", 1)[0] for line in rules_in_template(template, "t.html")] == [
        "t.html:1", "t.html:2", "t.html:3"]
    assert view_modules(), "no view module found"
