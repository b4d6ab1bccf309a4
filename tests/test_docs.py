"""The catalogue as a JSON document (`schemas list --format json`) and a bundle's data dictionary
(`docs [BUNDLE] -o DIR`, issue 14): Markdown and one self-contained HTML page, read back as a
reader would see them. Titles come from users' own --schemas folders too, so a table whose
title holds `<script>` must come out as text in both outputs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ecomsheets import messages
from tests.helpers import CATALOG, cli, run_cli

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "dictionary"
REGENERATE = "ecomsheets docs department -o docs/dictionary --force --lang zh"
TABLE_KEYS = ["name", "title", "title_en", "sheet", "version"]
BUNDLE_KEYS = ["name", "title", "title_en", "tables", "version"]
EVIL = '<script>alert("x")</script>'


# --- schemas list --format json -----------------------------------------------------------------


def test_schemas_list_json_lists_every_table_and_bundle_with_exactly_the_contract_keys():
    result = run_cli("schemas", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["tables", "bundles"]
    assert [t["name"] for t in doc["tables"]] == sorted(CATALOG.tables)
    assert [b["name"] for b in doc["bundles"]] == sorted(CATALOG.bundles)
    for item in doc["tables"]:
        assert list(item) == TABLE_KEYS
        spec = CATALOG.tables[item["name"]]
        assert item == {
            "name": spec.name,
            "title": spec.title,
            "title_en": spec.title_en or None,
            "sheet": spec.sheet,
            "version": spec.version,
        }
    for item in doc["bundles"]:
        assert list(item) == BUNDLE_KEYS
        spec = CATALOG.bundles[item["name"]]
        assert item["tables"] == list(spec.tables) and item["version"] == spec.version
        assert (item["title"], item["title_en"]) == (spec.title, spec.title_en or None)


def test_schemas_list_json_takes_user_folders_and_says_a_missing_english_title_as_null(tmp_path):
    schemas = hostile_schemas(tmp_path)
    doc = json.loads(run_cli("schemas", "list", "--format", "json", "--schemas", schemas).stdout)
    evil = next(t for t in doc["tables"] if t["name"] == "evil")
    assert evil == {"name": "evil", "title": f"{EVIL} 表", "title_en": None, "sheet": "Evil <b>", "version": 3}
    assert {"name": "evil", "title": "恶意", "title_en": None, "tables": ["evil"], "version": 1} in doc["bundles"]


def test_schemas_list_stays_text_by_default():
    result = run_cli("schemas", "list")
    assert result.exit_code == 0 and result.output.startswith("工作簿模板：")
    assert not result.output.lstrip().startswith("{")


# --- docs: what a reader sees -------------------------------------------------------------------


class Page(HTMLParser):
    """The page as a reader gets it: its text (entities decoded), its elements and links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.sections: list[tuple[str, str]] = []  # (class, id)
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: list[str] = []
        self.chunks: list[str] = []
        self._style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self._style = tag == "style"
        if tag == "section":
            self.sections.append((a.get("class", ""), a.get("id", "")))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        self.sources += [v for k, v in attrs if k in ("src", "srcset") or (tag == "link" and k == "href")]

    def handle_endtag(self, tag):
        self._style = False if tag == "style" else self._style

    def handle_data(self, data):
        if not self._style:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.chunks)


MD_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|&#~])")


def md_plain(text: str) -> str:
    """The Markdown with its backslash escapes taken out (what a Markdown viewer shows)."""
    return MD_ESCAPED.sub(r"\1", text)


def docs(out: Path, *args) -> tuple[str, str]:
    result = run_cli("docs", *args, "-o", out)
    assert result.exit_code == 0, result.output
    bundle = next((a for a in args if not str(a).startswith("-")), "department")
    paths = [out / f"{bundle}.md", out / f"{bundle}.html"]
    for path in paths:
        assert str(path) in result.output
    return paths[0].read_text(encoding="utf-8"), paths[1].read_text(encoding="utf-8")


def test_docs_department_writes_markdown_and_html_with_every_table_and_column(tmp_path):
    md, html = docs(tmp_path / "new" / "folder", "department")  # the folder is made
    page, shown = Page(html), md_plain(md)
    tables = CATALOG.tables_of(CATALOG.bundle("department"))
    anchors = [f"table-{t.name}" for t in tables]
    # One section per table, in the bundle's order, each reached from the table of contents.
    assert [i for c, i in page.sections if c == "table"] == anchors
    assert {f"#{a}" for a in anchors} <= set(page.links)
    assert all(link.startswith("#") and link[1:] in page.ids for link in page.links)
    for t in tables:
        assert f'<a id="table-{t.name}"></a>' in md and f"(#table-{t.name})" in md
        for text in (page.text, shown):
            assert t.sheet in text and t.title in text, t.name
            for c in t.columns:
                assert c.title in text, (t.name, c.name)
                if c.title_en:
                    assert c.title_en in text, (t.name, c.name)
    bundle = CATALOG.bundle("department")
    for text in (page.text, shown):
        for m in bundle.metrics:
            assert m.title in text and m.name in text
        for c in bundle.checks:
            assert c.message in text
        for r in bundle.rules:
            assert r.name in text
        for p in bundle.parameter_specs:  # a blank one says the manager fills it in
            shown = messages.text("dd_param_blank", "zh") if p.value is None else str(p.value)
            assert p.title in text and shown in text
    # A derived column is shown with its formula in words, a reference with the sheet it points to.
    assert "自动计算" in page.text and "→" in page.text
    # Self-contained: inline CSS, no scripts, nothing fetched.
    assert "style" in page.tags and "script" not in page.tags and page.sources == []
    assert "url(" not in html and "@import" not in html


def hostile_schemas(root: Path) -> Path:
    """A user's --schemas folder with a table and a bundle whose texts are HTML and Markdown."""
    schemas = root / "schemas"
    (schemas / "tables").mkdir(parents=True)
    (schemas / "workbooks").mkdir()
    (schemas / "tables" / "evil.yaml").write_text(
        f"""\
name: evil
title: '{EVIL} 表'
sheet: 'Evil <b>'
version: 3
description: '<img src=x onerror=alert(1)> | *not bold* [link](http://x)'
columns:
  - name: id
    title: '<i>编号</i>'
    type: string
    required: true
    pattern: '^a|b`c$'
    note: 'a | b & c'
""",
        encoding="utf-8",
    )
    (schemas / "workbooks" / "evil.yaml").write_text(
        "name: evil\ntitle: 恶意\ntables: [evil]\ndescription: '</section><section class=\"table\">'\n",
        encoding="utf-8",
    )
    return schemas


def test_docs_escapes_every_text_from_a_users_schema_folder(tmp_path):
    md, html = docs(tmp_path / "out", "evil", "--schemas", hostile_schemas(tmp_path))
    page = Page(html)
    # Nothing declared became an element: one table section, no script, no image, no bold.
    assert [i for c, i in page.sections if c == "table"] == ["table-evil"]
    assert not {"script", "img", "b", "i"} & set(page.tags)
    assert page.sources == [] and all(link.startswith("#") for link in page.links)
    for text in (EVIL, "Evil <b>", "<i>编号</i>", "<img src=x onerror=alert(1)>", "a | b & c", "^a|b`c$"):
        assert text in page.text, text
    assert "&lt;script&gt;" in html
    # Markdown: no raw tag, no table cell split by a declared `|`, and a viewer shows the texts.
    assert set(re.findall(r"(?<!\\)<(/?[A-Za-z]+)", md)) == {"a", "/a", "br"}  # ours: anchors, line breaks
    assert "\\<script\\>" in md
    shown = md_plain(md)
    for text in (EVIL, "Evil <b>", "<i>编号</i>", "a | b & c", "*not bold*"):
        assert text in shown, text
    for block in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        rows = block.splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_docs_shows_every_kind_of_check_and_a_parameter_left_blank(tmp_path):
    """Row checks with an operator, a condition and a tolerance, checks of two figures, and a
    setting the manager fills in: each said in words, with its severity."""
    schemas = tmp_path / "schemas"
    (schemas / "workbooks").mkdir(parents=True)
    (schemas / "workbooks" / "checked.yaml").write_text(
        """\
name: checked
title: 核对
title_en: Checked
tables: [orders, logistics]
parameters:
  gap: {value: 5, title: 允许差额, title_en: Allowed gap}
  target: {value: null, title: 月度目标, title_en: Monthly target, type: money}
metrics:
  - {name: sales, title: 销售额, title_en: Sales, agg: sum, table: orders, column: amount}
  - {name: paid, title: 实付, title_en: Paid, agg: sum, table: orders, column: paid_amount}
checks:
  - {name: paid_within_sales, metric: paid, against: sales, op: "<=", tolerance: gap, severity: warning,
     message: 实付不超过销售额, message_en: Paid within sales}
  - {name: shipped, table: orders, column: amount, op: ">=", agg: count, source_table: logistics,
     match: {order_id: order_id}, when: amount > 0, tolerance: 1, message: 已发货, message_en: Shipped}
""",
        encoding="utf-8",
    )
    md, html = docs(tmp_path / "out", "checked", "--schemas", schemas)
    shown = md_plain(md)
    for text in (Page(html).text, shown):
        assert "实付 ≤ 销售额，允许误差 允许差额" in text and "Paid ≤ Sales, within Allowed gap" in text
        assert "订单.订单金额 ≥ “物流”的行数" in text and "适用于：订单金额>0，允许误差 1" in text
        assert "提醒" in text and "留空，由经理填写：金额（元）" in text


def test_docs_in_english_puts_english_first(tmp_path):
    bundle = CATALOG.bundle("department")
    md, html = docs(tmp_path, "department", "--lang", "en")
    assert md.startswith(f"# {bundle.title_en} · {bundle.title}\n")
    assert '<html lang="en">' in html
    page = Page(html)
    assert page.text.lstrip().startswith(bundle.title_en)  # the <title>
    orders = CATALOG.table("orders")
    assert f"### {orders.title_en} · {orders.title}" in md
    zh_md, zh_html = docs(tmp_path / "zh", "department", "--lang", "zh")
    assert zh_md.startswith(f"# {bundle.title} · {bundle.title_en}\n") and '<html lang="zh-CN">' in zh_html
    result = run_cli("docs", "department", "-o", tmp_path / "again", "--lang", "en")
    assert result.output.startswith("wrote ")


def test_docs_refuses_to_overwrite_without_force(tmp_path):
    md_path, html_path = tmp_path / "department.md", tmp_path / "department.html"
    docs(tmp_path)
    md_path.write_text("old", encoding="utf-8")
    html_path.unlink()
    result = cli("docs", "-o", tmp_path)
    assert result.exit_code == 2 and "--force" in result.output
    # Refused before writing either: the missing page was not written, the old text is kept.
    assert md_path.read_text(encoding="utf-8") == "old" and not html_path.exists()
    en = cli("docs", "-o", tmp_path, "--lang", "en")
    assert en.exit_code == 2 and "file already exists" in en.output
    forced = run_cli("docs", "-o", tmp_path, "--force")
    assert forced.exit_code == 0 and md_path.read_text(encoding="utf-8").startswith("# ")
    assert html_path.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_docs_misuse_exits_2(tmp_path):
    unknown = cli("docs", "nonesuch", "-o", tmp_path)
    assert unknown.exit_code == 2 and "department" in unknown.output
    assert list(tmp_path.iterdir()) == []
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    assert cli("docs", "-o", a_file).exit_code == 2
    assert cli("docs").exit_code == 2  # -o is required


# --- the committed dictionary ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_the_committed_department_dictionary_is_what_docs_makes_now(tmp_path, suffix):
    """docs/dictionary/ (linked from the README) cannot go stale: a schema change regenerates it."""
    made = docs(tmp_path, "department", "--lang", "zh")[0 if suffix == ".md" else 1]
    committed = COMMITTED / f"department{suffix}"
    if not committed.exists() or committed.read_text(encoding="utf-8") != made:
        pytest.fail(f"{committed.relative_to(ROOT)} is out of date; regenerate it with:\n    {REGENERATE}")
