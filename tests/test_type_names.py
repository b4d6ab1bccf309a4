"""A column type owns its behaviour (issue 13): nothing outside `ecomsheets/coltypes/` branches on
a type's name, so adding a type is one new file there plus its tests. The check reads the
code with `ast`: a comparison (==, !=, in, not in) of a `.type` attribute, or of a variable assigned from
one, with a literal type name."""

from __future__ import annotations

import ast
from pathlib import Path

from ecomsheets.coltypes import TYPES

PACKAGE = Path(__file__).resolve().parent.parent / "ecomsheets"
NAMES = set(TYPES)


def _names_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)} & NAMES


def _branches(path: Path) -> list[str]:
    """Comparisons of a `.type` (or a variable assigned from one) with a literal type name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == "type"
        for t in node.targets
        if isinstance(t, ast.Name)
    }

    def typed(side: ast.AST) -> bool:
        return (isinstance(side, ast.Attribute) and side.attr == "type") or (
            isinstance(side, ast.Name) and side.id in aliases
        )

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(typed(s) for s in sides) and any(_names_in(s) for s in sides if not typed(s)):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_nothing_outside_coltypes_branches_on_a_type_name():
    outside = [p for p in PACKAGE.rglob("*.py") if "coltypes" not in p.parts]
    found = [line for p in outside for line in _branches(p)]
    assert not found, "\n".join(found)


def test_the_check_sees_a_branch(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'if col.type in ("date", "datetime"):\n    pass\nkind = c.type\nif kind == "money":\n    pass\n'
        'if rel.type == T_STYLES or m.agg == "count":\n    pass\n'
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        assert len(_branches(sample)) == 2
    finally:
        PACKAGE = saved
