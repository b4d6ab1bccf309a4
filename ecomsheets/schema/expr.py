"""The expression language of derived columns, row rules, filters and metric formulas.

One parsed form (a small AST) compiles two ways: to an Excel formula (for templates) and to a
vectorised pandas computation (for recomputation). Semantics follow Excel, so both agree:
a blank number is 0, a blank text is "", dates are day serials, ROUND rounds half away
from zero, and a division by zero is an error value (NaN on the pandas side).

    expr    := compare
    compare := sum [("=" | "==" | "<>" | "!=" | "<" | "<=" | ">" | ">=") sum]
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | atom
    atom    := NUMBER | "text" | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

NUMBER, TEXT, BOOL = "number", "text", "bool"
END = "<end>"  # the `found` of an error at the end of the text (messages' expr_end names it to users)


class ExprError(Exception):
    """A syntax or type error in an expression; `pos` is the character offset."""

    def __init__(self, code: str, pos: int, **params: Any):
        super().__init__(code)
        self.code, self.pos, self.params = code, pos, params


# --- AST ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    value: float
    pos: int


@dataclass(frozen=True)
class Str:
    value: str
    pos: int


@dataclass(frozen=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]
    pos: int


Node = Num | Str | Name | Unary | Binary | Call

# name -> (min args, max args or None)
FUNCTIONS = {
    "IF": (3, 3),
    "ROUND": (2, 2),
    "MIN": (1, None),
    "MAX": (1, None),
    "ABS": (1, 1),
    "AND": (1, None),
    "OR": (1, None),
    "NOT": (1, 1),
    "MOD": (2, 2),
    "WEEKDAY": (1, 1),  # 1 = Monday … 7 = Sunday (Excel's WEEKDAY(date, 2))
    "ISBLANK": (1, 1),  # the cell is empty (a formula showing nothing counts as empty)
}
_COMPARE = {"=": "=", "==": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_PRECEDENCE = {"=": 1, "<>": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "+": 2, "-": 2, "*": 3, "/": 3}
# Typographic operators people paste from documents.
_TYPOGRAPHIC_CHARS = str.maketrans(
    {"×": "*", "÷": "/", "−": "-", "（": "(", "）": ")", "，": ",", "“": '"', "”": '"', "＝": "="}
)
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"(?:[^"]|"")*"|'(?:[^']|'')*')
  | (?P<op><=|>=|<>|!=|==|[-+*/=<>(),])
  )""",
    re.VERBOSE,
)
_Token = tuple[str, str, int]  # (kind, text, position)


def _tokens(text: str) -> list[_Token]:
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise ExprError("expr_bad_char", start, char=text[start])
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        start = m.start(kind)
        tok = m.group(kind)
        if kind == "str":
            q = tok[0]
            tok = tok[1:-1].replace(q + q, q)
        out.append((kind, tok, start))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Token:
        return self.toks[self.i]

    def take(self) -> _Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        kind, tok, pos = self.take()
        if kind != "op" or tok != op:
            raise ExprError("expr_expected", pos, expected=op, found=tok or END)

    def parse(self) -> Node:
        node = self.compare()
        kind, tok, pos = self.peek()
        if kind != "end":
            raise ExprError("expr_unexpected", pos, found=tok)
        return node

    def compare(self) -> Node:
        left = self.sum()
        kind, tok, pos = self.peek()
        if kind == "op" and tok in _COMPARE:
            self.take()
            return Binary(_COMPARE[tok], left, self.sum(), pos)
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            _, op, pos = self.take()
            node = Binary(op, node, self.product(), pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            _, op, pos = self.take()
            node = Binary(op, node, self.unary(), pos)
        return node

    def unary(self) -> Node:
        kind, tok, pos = self.peek()
        if kind == "op" and tok in "+-":
            self.take()
            operand = self.unary()
            return operand if tok == "+" else Unary("-", operand, pos)
        return self.atom()

    def atom(self) -> Node:
        kind, tok, pos = self.take()
        if kind == "num":
            return Num(float(tok), pos)
        if kind == "str":
            return Str(tok, pos)
        if kind == "op" and tok == "(":
            node = self.compare()
            self.expect(")")
            return node
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                return self.call(tok, pos)
            return Name(tok, pos)
        raise ExprError("expr_unexpected", pos, found=tok or END)

    def call(self, fn: str, pos: int) -> Node:
        name = fn.upper()
        if name not in FUNCTIONS:
            raise ExprError("expr_unknown_function", pos, name=fn, known=", ".join(FUNCTIONS))
        self.expect("(")
        args = []
        if self.peek()[:2] != ("op", ")"):
            args.append(self.compare())
            while self.peek()[:2] == ("op", ","):
                self.take()
                args.append(self.compare())
        self.expect(")")
        lo, hi = FUNCTIONS[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else f"{lo}+" if hi is None else f"{lo}-{hi}"
            raise ExprError("expr_arity", pos, name=name, want=want, got=len(args))
        return Call(name, tuple(args), pos)


def parse(text: str) -> Node:
    """Parse an expression; raises ExprError with the offending position."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expr_empty", 0)
    return _Parser(_normalise(text)).parse()


def _normalise(text: str) -> str:
    """Replace typographic operators outside text literals (a literal such as "已签收（含税）"
    keeps its full-width characters). Character for character, so positions stay valid."""
    out, closers = [], None
    for ch in text:
        if closers is None:
            if ch in "\"'“”":
                closers = ch if ch in "\"'" else '“”"'
                out.append("'" if ch == "'" else '"')
            else:
                out.append(ch.translate(_TYPOGRAPHIC_CHARS))
        elif ch in closers:
            closers = None
            out.append("'" if ch == "'" else '"')
        else:
            out.append(ch)
    return "".join(out)


def names(node: Node, blank_tests: bool = True) -> list[str]:
    """Every name the expression refers to, in order of first use; without the ones only
    ISBLANK() asks about when `blank_tests` is False (their values are not used)."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Name) and n.name not in out:
            out.append(n.name)
        if not blank_tests and isinstance(n, Call) and n.fn == "ISBLANK":
            return
        for child in _children(n):
            walk(child)

    walk(node)
    return out


def blank_tested(node: Node) -> list[str]:
    """The names ISBLANK() asks about: their inputs carry a blank mask under `name + BLANK`."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Call) and n.fn == "ISBLANK":
            name = cast(Name, n.args[0]).name
            if name not in out:
                out.append(name)
        for child in _children(n):
            walk(child)

    walk(node)
    return out


BLANK = "?"  # suffix of the input that says where a name's cells are blank (see blank_tested)


def _children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, Unary):
        return (n.operand,)
    if isinstance(n, Binary):
        return (n.left, n.right)
    if isinstance(n, Call):
        return n.args
    return ()


# --- type checking -------------------------------------------------------------------------
def infer(node: Node, kinds: Mapping[str, str]) -> str:
    """Return the kind (number, text, bool) of an expression, given the kinds of its names."""
    if isinstance(node, Num):
        return NUMBER
    if isinstance(node, Str):
        return TEXT
    if isinstance(node, Name):
        if node.name not in kinds:
            raise ExprError("expr_unknown_name", node.pos, name=node.name, known=", ".join(sorted(kinds)))
        return kinds[node.name]
    if isinstance(node, Unary):
        _want(node.operand, kinds, NUMBER, "-")
        return NUMBER
    if isinstance(node, Binary):
        if node.op in "+-*/":
            _want(node.left, kinds, NUMBER, node.op)
            _want(node.right, kinds, NUMBER, node.op)
            return NUMBER
        left, right = infer(node.left, kinds), infer(node.right, kinds)
        if left != right:
            raise ExprError("expr_type_mismatch", node.pos, op=node.op, left=left, right=right)
        return BOOL
    fn, args = node.fn, node.args
    if fn == "ISBLANK":
        if not isinstance(args[0], Name):
            raise ExprError("expr_isblank_name", node.pos)
        infer(args[0], kinds)
        return BOOL
    if fn == "IF":
        _want(args[0], kinds, BOOL, fn)
        a, b = infer(args[1], kinds), infer(args[2], kinds)
        if a != b:
            raise ExprError("expr_type_mismatch", node.pos, op=fn, left=a, right=b)
        return a
    want = BOOL if fn in ("AND", "OR", "NOT") else NUMBER
    for arg in args:
        _want(arg, kinds, want, fn)
    return want


def _want(node: Node, kinds: Mapping[str, str], kind: str, op: str) -> None:
    got = infer(node, kinds)
    if got != kind:
        raise ExprError("expr_type", getattr(node, "pos", 0), op=op, want=kind, got=got)


# --- Excel -----------------------------------------------------------------------------------
def to_excel(node: Node, ref: Callable[[str], str]) -> str:
    """Excel formula text (without the leading '='); `ref` maps a name to a cell reference."""
    return _xl(node, ref, 0)


def _xl(n: Node, ref: Callable[[str], str], parent_prec: int) -> str:
    if isinstance(n, Num):
        return _num_text(n.value)
    if isinstance(n, Str):
        return '"' + n.value.replace('"', '""') + '"'
    if isinstance(n, Name):
        return ref(n.name)
    if isinstance(n, Unary):
        return "-" + _xl(n.operand, ref, 4)
    if isinstance(n, Binary):
        prec = _PRECEDENCE[n.op]
        # Left-associative: the right operand of - and / needs parentheses at equal precedence.
        text = f"{_xl(n.left, ref, prec)}{n.op}{_xl(n.right, ref, prec + 1)}"
        return f"({text})" if prec < parent_prec else text
    if n.fn == "ISBLANK":  # ="" also holds for a formula cell showing nothing, unlike ISBLANK()
        return f'({_xl(n.args[0], ref, 0)}="")'
    if n.fn == "WEEKDAY":
        return f"WEEKDAY({_xl(n.args[0], ref, 0)},2)"
    return f"{n.fn}(" + ",".join(_xl(a, ref, 0) for a in n.args) + ")"


def _num_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
