"""The strict loader's way of complaining: every problem in a schema file is collected with its
file, line and key, in Chinese and English, so that one run reports them all."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ecomsheets import messages
from ecomsheets.errors import SchemaProblem

from . import expr
from .yamlsrc import Located

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# The keys a declaration may use: key -> (expected python types, zh description, en description).
Keys = Mapping[str, tuple[tuple[type, ...], str, str]]


def want(code: str) -> dict[str, str]:
    """A schema_bad_type's `want` and `want_en`: what the key should hold (want_* codes)."""
    zh, en = messages.both(code)
    return {"want": zh, "want_en": en}


class Strict:
    """Collects the problems found while loading schema files."""

    def __init__(self) -> None:
        self.problems: list[SchemaProblem] = []

    # -- problems -------------------------------------------------------------------------
    def problem(self, where: Any, key: str, code: str, /, **params: Any) -> None:
        # Positional-only: several messages have a `{key}` field of their own (key=...).
        file = getattr(where, "file", "") or ""
        line = where.line_of(key) if isinstance(where, Located) else getattr(where, "line", None)
        zh, en = messages.both(code, **params)
        self.problems.append(SchemaProblem(file, line, key, zh, en))

    def expr_problem(self, where: Located, key: str, source: str, exc: expr.ExprError) -> None:
        words = {**messages.KIND_NAMES, expr.END: messages.both("expr_end")}
        zh_params = {k: words.get(v, (v, v))[0] if isinstance(v, str) else v for k, v in exc.params.items()}
        en_params = {k: words.get(v, (v, v))[1] if isinstance(v, str) else v for k, v in exc.params.items()}
        detail_zh = messages.text(exc.code, "zh", **zh_params)
        detail_en = messages.text(exc.code, "en", **en_params)
        zh, _ = messages.both("schema_expr", source=source, col=exc.pos + 1, detail=detail_zh)
        _, en = messages.both("schema_expr", source=source, col=exc.pos + 1, detail=detail_en)
        self.problems.append(SchemaProblem(where.file, where.line_of(key), key, zh, en))

    def check_keys(self, node: Located, allowed: Keys, required: Iterable[str], nullable: Iterable[str] = ()) -> bool:
        """Report unknown, missing and wrongly typed keys (a `nullable` key may be null);
        False if the node is unusable."""
        ok = True
        for key, value in node.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                hint, hint_en = messages.both("schema_did_you_mean", name=close[0]) if close else ("", "")
                self.problem(node, str(key), "schema_unknown_key", key=key, hint=hint, hint_en=hint_en)
                continue
            types, want, want_en = allowed[key]
            if value is None and key in nullable:
                continue
            if value is None or not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                self.problem(node, key, "schema_bad_type", key=key, want=want, want_en=want_en, got=value)
                ok = False
        for key in required:
            if key not in node:
                self.problem(node, key, "schema_missing_key", key=key)
                ok = False
        return ok

    def check_name(self, node: Located, key: str = "name") -> None:
        value = node.get(key)
        if isinstance(value, str) and not _NAME.match(value):
            self.problem(node, key, "schema_bad_name", value=value)

    def is_mapping(self, parent: Located, key: str, node: Any) -> bool:
        if isinstance(node, Located):
            return True
        self.problem(parent, key, "schema_bad_type", key=key, **want("want_mapping"), got=node)
        return False

    def duplicates(
        self, doc: Located, key: str, values: list[str], what: str, what_en: str, nodes: list[Any] | None = None
    ) -> None:
        """Report each repeated value; at its own item (`nodes[i]`) when given, else at `key`."""
        seen = set()
        for i, value in enumerate(values):
            if value in seen:
                where = nodes[i] if nodes is not None else doc
                self.problem(where, key, "schema_duplicate", what=what, what_en=what_en, value=value)
            seen.add(value)
