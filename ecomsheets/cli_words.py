"""The command line in one language throughout: Click's own words (Usage, Options, its error
messages) and our help texts, in Chinese by default and in English with `--lang en`.

Click marks its texts with gettext; the chosen language's translations (messages.CLICK_WORDS)
are put in place of gettext in Click's modules before the command line is parsed, since Click
speaks (usage errors, help) before any command runs. The language comes from `--lang` on the
command line, else the ECOMSHEETS_LANG environment variable, else Chinese. (The locale is not
used: servers often run in en_US while the people reading are Chinese.)

Help texts of commands and options are message codes (`h_…`), rendered when help is shown.
"""

from __future__ import annotations

import os
import sys

import click

from ecomsheets import messages

LANGS = ("zh", "en")
_state = {"lang": "zh"}
_CLICK_MODULES = ("core", "exceptions", "formatting", "decorators", "types", "parser", "termui", "utils")


def current() -> str:
    return _state["lang"]


def resolve(args: list[str] | None) -> str:
    """The language asked for: `--lang X` / `--lang=X` among args, else ECOMSHEETS_LANG, else zh."""
    args = list(sys.argv[1:] if args is None else args)
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in LANGS:
            return args[i + 1]
        if a.startswith("--lang=") and a.split("=", 1)[1] in LANGS:
            return a.split("=", 1)[1]
    env = os.environ.get("ECOMSHEETS_LANG", "").strip().lower()
    return env if env in LANGS else "zh"


def install(lang: str) -> None:
    """Make Click speak `lang` (its messages, headings and metavars)."""
    _state["lang"] = lang
    formatting = sys.modules["click.formatting"]
    formatting.term_len = _display_width if lang == "zh" else _click_term_len
    # Type names show in metavars and in "… is not a valid integer".
    for cls, code in (
        (click.types.IntParamType, "cli_type_integer"),
        (click.types.FloatParamType, "cli_type_float"),
        (click.types.IntRange, "cli_type_integer_range"),
        (click.types.FloatRange, "cli_type_float_range"),
    ):
        cls.name = messages.text(code, lang)
    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext


_click_term_len = click.formatting.term_len


def _display_width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two (help lines up)."""
    import unicodedata

    plain = click.formatting.strip_ansi(text) if hasattr(click.formatting, "strip_ansi") else text
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in plain)


def _gettext(text: str) -> str:
    if _state["lang"] == "en":
        return text
    return messages.CLICK_WORDS.get(text, text)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def h(code: str, **params) -> str:
    """A help text in the current language."""
    return messages.text(code, current(), **params)


# Click's metavar -> our message code (whose English is the metavar itself)
_METAVARS = {
    metavar: f"metavar_{metavar.lower().replace(' ', '_')}"
    for metavar in (
        "TEXT",
        "INTEGER",
        "FLOAT",
        "PATH",
        "FILE",
        "DIRECTORY",
        "FILENAME",
        "BOOLEAN",
        "INTEGER RANGE",
        "FLOAT RANGE",
    )
}


class Number(click.ParamType):
    """A number option with a checked range: nan, inf and values outside [lo, hi] are refused
    with a message in the current language (never a traceback, never a limit switched off)."""

    def __init__(self, lo: float, hi: float, *, integer: bool = False):
        self.lo, self.hi, self.integer = lo, hi, integer

    @property
    def name(self) -> str:  # the metavar
        return h("cli_type_integer" if self.integer else "cli_type_number")

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip()) if self.integer else float(str(value).strip())
            except ValueError:
                self.fail(h("cli_not_a_whole_number" if self.integer else "cli_not_a_number", value=value), param, ctx)
        if number != number or number in (float("inf"), float("-inf")) or not self.lo <= number <= self.hi:
            self.fail(h("cli_number_range", value=value, lo=_plain(self.lo), hi=_plain(self.hi)), param, ctx)
        return number


def _plain(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"


class Option(click.Option):
    """An option whose help is a message code and whose metavar is in the current language."""

    def get_help_record(self, ctx):
        code, self.help = self.help, h(self.help) if self.help else None
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = code

    def make_metavar(self, ctx=None) -> str:
        metavar = super().make_metavar(ctx) if ctx is not None else super().make_metavar()
        return h(_METAVARS[metavar]) if metavar in _METAVARS else metavar

    def get_help_extra(self, ctx):
        extra = super().get_help_extra(ctx)
        extra.pop("range", None)  # "x>=0.25": the help text says the limits in words
        return extra


class Argument(click.Argument):
    """An argument shown by a name in the current language (`metavar` is a message code)."""

    def __init__(self, *args, metavar_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.metavar_code = metavar_code

    def make_metavar(self, ctx=None) -> str:
        if self.metavar_code:
            return h(self.metavar_code) + ("..." if self.nargs < 0 else "")
        return super().make_metavar(ctx) if ctx is not None else super().make_metavar()


class Command(click.Command):
    """A command whose help and short help are message codes (`help_code`)."""

    def __init__(self, *args, help_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_code = help_code

    def format_help_text(self, ctx, formatter) -> None:
        if self.help_code:
            self.help = h(self.help_code)
        super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return h(self.help_code + "_short") if self.help_code else super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx) -> list[str]:
        self.options_metavar = _gettext("[OPTIONS]")
        return super().collect_usage_pieces(ctx)

    def get_help_option(self, ctx):
        self._help_option = None  # Click keeps it with its help text in the first language asked
        return super().get_help_option(ctx)


class Group(click.Group, Command):
    """The command group: picks the language before Click parses anything."""

    command_class = Command

    def __init__(self, *args, help_code: str | None = None, **kwargs):
        click.Group.__init__(self, *args, **kwargs)
        self.help_code = help_code

    def collect_usage_pieces(self, ctx) -> list[str]:
        self.subcommand_metavar = _gettext("COMMAND [ARGS]...")
        return super().collect_usage_pieces(ctx)

    def main(self, args=None, *rest, **kwargs):
        install(resolve(args))
        return super().main(args, *rest, **kwargs)


Group.group_class = Group
