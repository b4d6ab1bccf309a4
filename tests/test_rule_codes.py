"""Rule codes are one list, `ecomsheets.rules.Rule`: every code has its texts in both languages,
every code the package writes is on the list, and the documentation shows the list as it is.

What counts as a rule: every message code `f_<code>` is the template of the findings of rule
`<code>` (the `f_` prefix is kept for these), and every rule has one. Texts that word a rule's
finding in another way (`summary_error_text`, `summary_result_text`) or add to a message
(`x_…`, `cause_…`, `why_…`) have other prefixes and are not rules.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from ecomsheets import messages
from ecomsheets.findings import WARNING, Report, finding
from ecomsheets.report.findings_view import rule_label
from ecomsheets.rules import Rule, markdown

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ecomsheets"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _codes(prefix: str) -> set[str]:
    return {k.removeprefix(prefix) for k in messages.MESSAGES if k.startswith(prefix)}


@pytest.mark.parametrize("rule", list(Rule), ids=str)
def test_every_rule_has_a_label_and_a_description_in_both_languages(rule):
    for text in (rule.label("zh"), rule.description("zh")):
        assert text.strip() and CJK.search(text), (rule, text)
    for text in (rule.label("en"), rule.description("en")):
        assert text.strip() and not CJK.search(text), (rule, text)
    assert rule_label(rule, "zh") == rule.label("zh") and rule_label(str(rule), "en") == rule.label("en")


def test_templates_labels_descriptions_and_rules_are_one_list():
    rules = {r.value for r in Rule}
    for prefix in ("f_", "r_rule_", "r_desc_"):
        codes = _codes(prefix)
        assert not codes - rules, f"{prefix}<code> without a Rule: {sorted(codes - rules)}"
        assert not rules - codes, f"Rule without {prefix}<code>: {sorted(rules - codes)}"


def test_a_finding_carries_the_rule_and_is_written_as_its_plain_code():
    f = finding("required", file="x.xlsx", sheet="订单", cell="D7", row=7, header="数量")
    assert f.rule is Rule.REQUIRED and f.rule == "required"
    d = f.to_dict()
    assert type(d["rule"]) is str and d["rule"] == "required"
    report = Report(file="x.xlsx", findings=[f, finding(Rule.HIDDEN_SHEET, WARNING, sheet="订单")])
    doc = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert [x["rule"] for x in doc["findings"]] == ["required", "hidden_sheet"]
    assert report.count("error", skip_rules=("required",)) == 0


def test_an_unknown_code_is_refused_at_once():
    with pytest.raises(ValueError):
        finding("requird", file="x.xlsx")


# --- every code the package writes is a Rule (read from the source with ast) ----------------------


def _strings(node: ast.AST) -> list[str]:
    """The string constants of a constant, or of a tuple, list, set or frozenset(...) of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for item in node.elts for s in _strings(item)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple"):
        return [s for arg in node.args for s in _strings(arg)]
    return []


def _is_rule(node: ast.AST) -> bool:
    """`rule` or `x.rule` (`f.rule`)."""
    return (isinstance(node, ast.Name) and node.id == "rule") or (
        isinstance(node, ast.Attribute) and node.attr == "rule"
    )


def _codes_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string the code uses as a rule code: the first argument of
    `finding(...)`, of the `f(...)` shorthands for it and of `ctx.add(...)`, the second of
    `_finding(...)`, strings assigned to `rule` or to a `…_RULES`/`ROW_NEUTRAL` constant, and
    strings compared with `rule` or `x.rule`."""
    found = []
    for node in ast.walk(tree):
        args: list[ast.AST] = []
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("finding", "f") and node.args:
                args = node.args[:1]
            elif isinstance(func, ast.Name) and func.id == "_finding" and len(node.args) > 1:
                args = node.args[1:2]
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == "add"
                and isinstance(func.value, ast.Name)
                and func.value.id == "ctx"
                and node.args
            ):
                args = node.args[:1]
            for kw in node.keywords:
                if kw.arg == "rule":
                    args.append(kw.value)
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n == "rule" or n.endswith("_RULES") or n == "ROW_NEUTRAL" for n in names):
                args = [node.value]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_rule(s) for s in sides):
                args = [s for s in sides if not _is_rule(s)]
        found += [(getattr(node, "lineno", 0), s) for a in args for s in _strings(a)]
    return found


def _rule_attributes(tree: ast.AST) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Rule"
    ]


def test_every_rule_code_in_the_package_is_a_rule():
    rules = {r.value for r in Rule}
    methods = {name for name in vars(Rule) if not name.startswith("_")} - set(Rule.__members__)
    unknown, seen = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for line, code in _codes_in(tree):
            seen.add(code)
            if code not in rules:
                unknown.append(f"{where}:{line}: {code!r}")
        for line, name in _rule_attributes(tree):
            if name not in Rule.__members__ and name not in methods:
                unknown.append(f"{where}:{line}: Rule.{name}")
    assert not unknown, unknown
    assert seen, "the scan found no rule code at all: it no longer reads the package right"


def test_the_scan_finds_codes_written_as_text():
    tree = ast.parse(
        'finding("nope", WARNING)\nctx.add("nor_this", td, c, r)\nf.rule == "nor_that"\n'
        'X_RULES = ("a_b",)\nFinding(severity, rule="c_d")\n'
    )
    assert sorted(code for _, code in _codes_in(tree)) == ["a_b", "c_d", "nope", "nor_that", "nor_this"]


# --- the documentation -------------------------------------------------------------------------


def test_docs_rules_md_is_the_generated_table():
    """docs/rules.md is `python -m ecomsheets.rules` (regenerate it after changing a rule)."""
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == markdown()
    assert "](docs/rules.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_codes_named_in_the_readme_and_docs_are_rules():
    rules = {r.value for r in Rule}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme[readme.index("`rule` is a stable code") :]
    sentence = sentence[: sentence.index("Every code has a label")]
    named = set(re.findall(r"`([a-z_]+)`", sentence)) - {"rule"}
    assert len(named) > 20 and not named - rules, sorted(named - rules)
    assert not set(_rule_column(ROOT / "docs" / "bad-inputs.md")) - rules


def _rule_column(path: Path) -> list[str]:
    """The codes in the `rule` column of the markdown tables of a file."""
    codes, column = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            column = None
        elif column is None:
            column = cells.index("rule") if "rule" in cells else -1
        elif column >= 0 and column < len(cells):
            codes += re.findall(r"`([a-z_]+)`", cells[column])
    assert codes, f"no rule column found in {path}"
    return codes
