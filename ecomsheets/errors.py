"""The small exception tree. Problems in a *submitted workbook* are Findings, not exceptions;
these are for problems with the schema catalogue, the command line, or our own bugs."""

from __future__ import annotations

from dataclasses import dataclass


class EcomsheetsError(Exception):
    """Base of every error ecomsheets raises on purpose."""

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message


class UsageError(EcomsheetsError):
    """The command was misused: unknown table, bad month, output exists …"""


@dataclass(frozen=True)
class SchemaProblem:
    """One thing wrong in a schema file, with where it is."""

    file: str
    line: int | None
    key: str
    message: str
    message_en: str

    def text(self, lang: str = "zh") -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        body = self.message_en if lang == "en" else self.message
        return f"{where} [{self.key}] {body}"


class SchemaError(EcomsheetsError):
    """The schema catalogue has one or more problems; all of them are listed."""

    def __init__(self, problems: list[SchemaProblem]):
        self.problems = list(problems)
        zh = "\n".join(p.text("zh") for p in self.problems)
        en = "\n".join(p.text("en") for p in self.problems)
        super().__init__(zh, en)
