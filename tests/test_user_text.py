"""Every user-facing text lives in `ecomsheets/messages.py` (issue 13): a Chinese text anywhere
else in the package is a message someone forgot to move, and English output would show it.

The scan reads each module with `ast` and looks at its string constants (f-string pieces
included) for CJK or full-width characters. Allowed outside messages.py:

- docstrings (comments are not constants);
- vocabulary: what people type or files contain, which the code recognises or writes but never
  shows as a message. It is declared in one of two ways:
  - inside the arguments of a `re.compile(...)` call (date patterns, copy-name marks, …);
  - in the value of a module-level constant whose name ends in `_WORDS` (words recognised in
    cells: 是/否, 合计), `_CHARS` (character sets: spaces, the required-star ＊, full-width
    punctuation), `_PATTERN` (a regular expression's text handed to Arrow) or `_FONT` (a font
    family written into workbooks).

A failure lists each literal as `file:line: text`; move the text into messages.py under a code
with a Chinese and an English text, or, if it really is vocabulary, name it by the rule above.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ecomsheets import messages

PACKAGE = Path(__file__).resolve().parent.parent / "ecomsheets"
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
VOCABULARY_SUFFIXES = ("_WORDS", "_CHARS", "_PATTERN", "_FONT")


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _vocabulary(tree: ast.Module) -> set[int]:
    """Constants declared as vocabulary: inside re.compile(...) or a module-level *_WORDS & co."""
    allowed: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.compile":
            allowed.extend([*node.args, *node.keywords])
    for stmt in tree.body:
        targets = (
            stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        )
        names = [t for t in targets if isinstance(t, ast.Name)]
        if (
            names
            and len(names) == len(targets)
            and stmt.value is not None
            and all(t.id.endswith(VOCABULARY_SUFFIXES) for t in names)
        ):
            allowed.append(stmt.value)
    return {id(n) for node in allowed for n in ast.walk(node)}


def scan(package: Path) -> list[str]:
    """`file:line: text` for each CJK string constant outside messages.py not allowed above."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).as_posix() == "messages.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree) | _vocabulary(tree)
        hits = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and CJK.search(node.value)
        ]
        for node in sorted(hits, key=lambda n: (n.lineno, n.col_offset)):
            found.append(f"{path.relative_to(package.parent).as_posix()}:{node.lineno}: {node.value!r}")
    return found


def test_no_user_facing_chinese_outside_messages():
    found = scan(PACKAGE)
    assert not found, (
        "Chinese text outside ecomsheets/messages.py (move it there, or name it as vocabulary):\n" + "\n".join(found)
    )


def test_the_scan_catches_a_planted_literal(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "messages.py").write_text('X = "订单"\n', encoding="utf-8")  # messages.py may hold anything
    (pkg / "mod.py").write_text(
        '"""模块说明 (a docstring)."""\n'
        "import re\n"
        "# 注释 (a comment)\n"
        'YES_WORDS = {"是", "对"}\n'
        'SPACE_CHARS = "\\u3000"\n'
        'DATE = re.compile(r"(\\d+)年")\n'
        "def f(n):\n"
        '    """说明."""\n'
        '    sep = "、"\n'
        '    return f"共 {n} 行" + sep\n'
        "class C:\n"
        '    LABEL_WORDS = "合计"  # not module-level: not declared vocabulary\n',
        encoding="utf-8",
    )
    assert scan(pkg) == ["pkg/mod.py:9: '、'", "pkg/mod.py:10: '共 '", "pkg/mod.py:10: ' 行'", "pkg/mod.py:12: '合计'"]


def _issue13_codes() -> list[str]:
    """The codes added when the literals moved (between the issue 13 markers of messages.py)."""
    source = (PACKAGE / "messages.py").read_text(encoding="utf-8")
    block = source.split("# --- issue 13:", 1)[1].split("# --- end issue 13 ---", 1)[0]
    return re.findall(r'^\s+"(\w+)": \(', block, flags=re.M)


def test_moved_texts_have_both_languages():
    codes = _issue13_codes()
    assert len(codes) > 50, codes
    for code in codes:
        zh, en = messages.MESSAGES[code]
        assert zh.strip() and en.strip(), code
        # Chinese has Chinese characters, or full-width punctuation for a separator or bracket.
        assert CJK.search(zh), (code, zh)
        assert not CJK.search(en), (code, en)


def test_a_parameter_given_in_both_languages_is_rendered_in_each():
    rows = messages.join([3, 5])
    assert messages.both("f_hidden_rows", n=2, rows=rows) == (
        "有 2 行被隐藏但有数据（已一并检查）：第 3、5 行",
        "2 hidden rows hold data (they were checked too): rows 3, 5",
    )
    assert messages.text("cause_not_number", "en", cells="D3", n=1) == ", because D3 is not a number"
