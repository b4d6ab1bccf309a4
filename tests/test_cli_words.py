"""The command line speaks one language throughout (issue 11, item 7): Chinese by default,
English with `--lang en` (or ECOMSHEETS_LANG=en), in help, usage errors and Click's own words.

Every command is run with --help and with typical misuse, in both languages. Chinese output
may hold no Latin word but the program's own names (commands, options, formats, file types);
English output may hold no CJK character at all.
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from ecomsheets import cli_words
from ecomsheets.cli import main

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
# Words that are the program's own and may appear in Chinese text: command and option names,
# choice values, file types and product names.
OURS = {
    "ecomsheets",
    "json",
    "text",
    "html",
    "xlsx",
    "xlsm",
    "csv",
    "excel",
    "wps",
    "mb",
    "gb",
    "zh",
    "en",
    "ecomsheets_lang",
    "tables",
    "workbooks",
    "orders",
    "inventory",
    "generate",
    "validate",
    "consolidate",
    "init",
    "status",
    "local",
    "dask",
    "tcp",
    "serve",
    "migrate",
    "summarize",
    "example",
    "schemas",
    "list",
    "show",
    "help",
    "version",
    "schema",
    "output",
    "format",
    "annotate",
    "bundle",
    "month",
    "force",
    "rows",
    "seed",
    "timeout",
    "lang",
    "include",
    "invalid",
    "data",
    "max",
    "file",
    "memory",
    "findings",
    "department",
    "xls",
    "docs",
    "markdown",
    "md",
    # import: the command, its platform names (what --platform takes), and ERP as staff say it
    "import",
    "platform",
    "shop",
    "auto",
    "taobao",
    "tmall",
    "jd",
    "pdd",
    "douyin",
    "kuaishou",
    "jushuitan",
    "wangdiantong",
    "erp",
}


def commands(group: click.Group, prefix=()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.extend(commands(cmd, (*prefix, name)))
        else:
            out.append((*prefix, name))
    return out


ALL = commands(main)


def run(args, env=None):
    result = CliRunner().invoke(main, list(args), env=env)
    cli_words.install("zh")  # leave the process as the next test expects it
    return result


def latin_words(text: str) -> set[str]:
    text = re.sub(r"--?[a-z][a-z-]*", " ", text)  # option names
    text = re.sub(r"\b[\w.-]+\.(xlsx|xlsm|html|json|csv)\b", " ", text)  # file names in examples
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_]+", text)}
    return {w for w in words if w not in OURS and not any(w in part for part in OURS if "_" in part)}


def assert_zh(text: str, typed=()) -> None:
    """No Latin word of the program's (what the user typed aside)."""
    assert CJK.search(text), text
    for value in typed:
        text = text.replace(value, " ")
    assert latin_words(text) == set(), text


def assert_en(text: str) -> None:
    assert not CJK.search(text), text
    assert re.search(r"[A-Za-z]{3}", text)


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "(main)")
def test_help_in_chinese(path):
    result = run([*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("用法：")
    assert "选项" in result.output and "显示本帮助并退出" in result.output
    assert_zh(result.output)


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "(main)")
def test_help_in_english(path):
    for args, env in [([*path, "--help", "--lang", "en"], None), ([*path, "--help"], {"ECOMSHEETS_LANG": "en"})]:
        result = run(args, env)
        assert result.exit_code == 0
        assert result.output.startswith("Usage:")
        assert_en(result.output)


def test_every_option_has_help_in_both_languages():
    for path in ALL:
        cmd = main
        for name in path:
            cmd = cmd.commands[name]
        for param in cmd.params:
            if isinstance(param, click.Option) and param.name not in ("help", "version"):
                assert param.help, (path, param.name)


MISUSE = [
    ["validate"],  # missing argument
    ["generate", "department"],  # missing -o
    ["validate", "x.xlsx", "--format", "yaml"],  # not a choice
    ["validate", "x.xlsx", "--nonsense"],  # no such option
    ["validate", "x.xlsx", "--max-findings", "-1"],  # out of range
    ["consolidate", "x.xlsx", "-o"],  # option without its value
    ["example", "department", "-o", "e.xlsx", "--rows", "many"],  # not an integer
    ["valdate", "x.xlsx"],  # no such command
    ["summarize", "a.xlsx", "b.xlsx"],  # extra argument
]


@pytest.mark.parametrize("args", MISUSE, ids=lambda a: " ".join(a))
def test_misuse_in_both_languages(args):
    zh = run(args)
    assert zh.exit_code == 2
    assert "错误：" in zh.output and "Error" not in zh.output
    assert_zh(zh.output, typed=args)
    for en in (run(args, {"ECOMSHEETS_LANG": "en"}), run(["--lang", "en", *args])):
        assert en.exit_code == 2
        assert "Error:" in en.output
        assert_en(en.output)


def test_summarize_of_a_folder_says_to_use_consolidate(tmp_path):
    result = run(["summarize", str(tmp_path)])
    assert result.exit_code == 2
    assert "summarize 只接受一个文件" in result.output and "consolidate" in result.output
    en = run(["summarize", str(tmp_path), "--lang", "en"])
    assert "summarize takes one file" in en.output and not CJK.search(en.output.replace(str(tmp_path), ""))


def test_no_command_shows_the_help():
    result = run([])
    assert result.output.startswith("用法：") and "命令" in result.output
    for name in ("validate", "consolidate", "generate", "summarize", "example", "schemas", "docs"):
        assert name in result.output


def test_every_rule_code_has_a_label_in_both_languages():
    """A finding's rule is shown by its label (never `hidden_rows`) in the HTML report and the
    annotated copy: every rule with a message template has a zh and an en label."""
    from ecomsheets import messages

    rules = {k[2:] for k in messages.MESSAGES if k.startswith("f_")}
    missing = sorted(r for r in rules if f"r_rule_{r}" not in messages.MESSAGES)
    assert missing == []
    for r in rules:
        zh, en = messages.MESSAGES[f"r_rule_{r}"]
        assert CJK.search(zh) and not CJK.search(en), r


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "x.xlsx", "--max-file-mb", "inf"],
        ["validate", "x.xlsx", "--max-file-mb", "nan"],
        ["validate", "x.xlsx", "--max-memory-gb", "nan"],
        ["validate", "x.xlsx", "--max-memory-gb", "1e12"],
        ["validate", "x.xlsx", "--timeout", "nan"],
        ["example", "department", "-o", "e.xlsx", "--rows", "-5"],
        ["example", "department", "-o", "e.xlsx", "--seed", "-1"],
        ["example", "department", "-o", "e.xlsx", "--rows", "1100000"],
    ],
    ids=lambda a: " ".join(a[2:]) if a[0] == "validate" else " ".join(a[3:]),
)
def test_every_number_option_has_a_checked_range(args, tmp_path):
    """nan, inf and values a sheet cannot hold are refused with the range, in both languages;
    a limit is never switched off by nan, and example never claims rows it cannot store."""
    zh = run(args)
    assert zh.exit_code == 2 and "应在" in zh.output and "之间" in zh.output
    assert_zh(zh.output, typed=args)
    en = run(args, {"ECOMSHEETS_LANG": "en"})
    assert en.exit_code == 2 and "must be between" in en.output
    assert_en(en.output)
    assert not (tmp_path / "e.xlsx").exists()
