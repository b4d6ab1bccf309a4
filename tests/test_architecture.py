"""The house's layers (docs/architecture.md): a room imports only rooms on lower floors, and no
modules import each other in a circle. Read from the code with `ast`; imports under
`if TYPE_CHECKING:` are annotations, not imports, and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecomsheets"
FLOORS = [  # ground floor first; rooms on one floor never import each other
    {"messages", "errors", "textsafe", "fileinfo", "resources"},
    {"rules"},
    {"cells"},
    {"months", "findings", "cli_words"},
    {"process", "coltypes"},
    {"atomic", "schema"},
    {"compute", "xlsx"},
    {"read"},
    {"validate"},
    {"summarize", "generate", "example"},
    {"report", "imports"},
    {"serve"},
    {"cli"},
    {"__main__"},
]
FLOOR = {room: i for i, rooms in enumerate(FLOORS) for room in rooms}


def _imports(path: Path) -> set[str]:
    """Modules of ours that `path` imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in node.body
        for n in ast.walk(child)
    }
    here = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {m.removesuffix(".__init__") for m in found if m.split(".")[0] == "ecomsheets"}


def _modules() -> dict[str, set[str]]:
    mods = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in PACKAGE.rglob("*.py")
    }
    return {name: {m for m in _imports(p) if m in mods and m != name} for name, p in mods.items()}


def _room(module: str) -> str:
    return module.split(".")[1] if "." in module else "ecomsheets"


def test_every_room_is_on_a_floor():
    rooms = {_room(m) for m in _modules()} - {"ecomsheets"}
    assert rooms <= set(FLOOR), sorted(rooms - set(FLOOR))


def test_imports_only_point_down():
    up = [
        f"{m} -> {i}"
        for m, imports in _modules().items()
        for i in imports
        if _room(m) != _room(i) and "ecomsheets" not in (_room(m), _room(i)) and FLOOR[_room(i)] >= FLOOR[_room(m)]
    ]
    assert not up, up


def test_no_import_circles():
    graph, state, stack = _modules(), {}, []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n) :] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    circles = [c for m in sorted(graph) if m not in state and (c := visit(m))]
    assert not circles, circles
