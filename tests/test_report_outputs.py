"""The two report outputs a shop manager sees: the HTML report page and the annotated copy of
the submitted workbook. Reports are built by hand (exact control over every field) and end to
end (generate a template, fill it with openpyxl, validate, render), then read back as a user
would see them: the page's text, and the copy opened again with openpyxl."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from ecomsheets.errors import UsageError
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.report.annotate import write_annotated
from ecomsheets.report.html import render_html, write_html
from tests.helpers import sha256

NOW = datetime(2026, 12, 31, 18, 30)
EVIL = "<script>alert('x')</script>"
FORMULA_VALUE = '=HYPERLINK("http://x","y")'
RED, YELLOW = "FFC7CE", "FFEB9C"


def f(
    severity,
    rule,
    message,
    *,
    sheet="订单",
    cell=None,
    row=None,
    column=None,
    header=None,
    value=None,
    expected=None,
    message_en=None,
) -> Finding:
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        message_en=message_en or f"EN {message}",
        file="x.xlsx",
        sheet=sheet,
        table="orders" if sheet == "订单" else None,
        cell=cell,
        row=row,
        column=column,
        header=header,
        value=value,
        expected=expected,
    )


def sample_reports() -> list[Report]:
    """An invalid file (errors, warnings, a whole-file finding, a finding on a sheet the
    workbook does not have, hostile values, truncation), a valid one and an unreadable one."""
    findings = [
        f(
            WARNING,
            "normalized",
            '收货省份 "浙江"：已按“浙江省”读取（常见简写）',
            cell="K17",
            row=17,
            column="province",
            header="收货省份",
            value="浙江",
        ),
        f(
            ERROR,
            "min",
            '数量 "-2"：必须 ≥ 1',
            cell="F17",
            row=17,
            column="quantity",
            header="数量*",
            value="-2",
            message_en='quantity "-2": must be ≥ 1',
        ),
        f(
            ERROR,
            "type",
            f'单价 "{EVIL}"：不是有效的金额（元）',
            cell="G17",
            row=17,
            column="unit_price",
            header="单价*",
            value=EVIL,
        ),
        f(
            ERROR,
            "derived_mismatch",
            '订单金额 "99"：与公式计算结果 18.6 不一致',
            cell="I4",
            row=4,
            column="order_amount",
            header="订单金额",
            value="99",
            expected=18.6,
        ),
        f(
            WARNING,
            "normalized",
            "订单编号 已按文本读取",
            cell="A4",
            row=4,
            column="order_id",
            header="订单编号*",
            value=FORMULA_VALUE,
        ),
        f(
            ERROR,
            "pattern",
            "订单编号 格式不对",
            cell="A4",
            row=4,
            column="order_id",
            header="订单编号*",
            value=FORMULA_VALUE,
        ),
        f(
            ERROR,
            "required",
            "订单状态：必填，不能为空",
            cell="L5",
            row=5,
            column="status",
            header="订单状态*",
            value="",
        ),
        f(WARNING, "column_unknown", "无法识别的列“备注2”，已忽略", cell=None, header="备注2"),
        f(ERROR, "sheet_missing", "缺少工作表“库存”（库存表）", sheet="库存", cell=None),
        f(ERROR, "type", '金额 "x"：不是有效的数字', sheet="旧表", cell="B2", row=2, value="x"),
        f(WARNING, "sheet_unknown", "无法识别的工作表“草稿”，已跳过", sheet=None),
    ]
    bad = Report(
        file="/srv/uploads/杭州店/12月订单.xlsx",
        bundle="department",
        findings=findings,
        bundle_title=("电商部月度工作簿", "E-commerce department monthly workbook"),
        rows_checked=42,
        sheets_checked=10,
        truncated={"error/type/订单/unit_price": 250, "warning/normalized/订单/province": 7},
    )
    good = Report(file="C:\\共享\\上海店.xlsx", bundle="department", rows_checked=120, sheets_checked=10)
    broken = Report(
        file="损坏.xlsx",
        unreadable=True,
        findings=[f(ERROR, "corrupt", "文件已损坏，无法打开：请重新保存或重新导出后提交", sheet=None)],
    )
    return [bad, good, broken]


class _Text(HTMLParser):
    """The page as a reader sees it: visible text, plus the tags that load or run anything."""

    def __init__(self):
        super().__init__()
        self.text, self.tags, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)


def visible(html: str) -> tuple[str, list]:
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.text)), p.tags


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find('<section class="file"', start)
    return html[start : end if end > 0 else len(html)]


# --------------------------------------------------------------------------------------------
# HTML


def test_html_shows_files_counts_and_findings_in_chinese():
    html = render_html(sample_reports(), now=NOW)
    text, tags = visible(html)
    assert "数据校验报告" in text and "生成时间：2026-12-31 18:30" in text
    assert "共 3 个文件：1 个通过，2 个未通过" in text
    # file names without the server's folders
    assert "12月订单.xlsx" in text and "上海店.xlsx" in text and "/srv/uploads" not in html
    bad, good, broken = (section(html, f"file-{i}") for i in (1, 2, 3))
    bad_text = visible(bad)[0]
    for expected in (
        "模板：电商部月度工作簿",
        "未通过",
        "订单!F17",
        '数量 "-2"：必须 ≥ 1',
        "订单!K17",
        "收货省份",
        "18.6",
        "工作表：订单",
        "工作表：库存",
        "整个文件",
        "（空）",
    ):
        assert expected in bad_text, expected
    # counts include the findings that were not listed
    assert re.search(r"257\s*</div>\s*<div class=\"l\">错误", bad), "errors = 7 listed + 250"
    assert re.search(r"11\s*</div>\s*<div class=\"l\">提醒", bad), "warnings = 4 listed + 7"
    assert re.search(r"42\s*</div>\s*<div class=\"l\">已检查行数", bad)
    # the truncation note names the column by its header
    assert "另有 257 条同类问题未逐条列出" in bad_text
    assert "错误 · 格式不对 · 订单 · 单价：250 条" in bad_text
    assert "提醒 · 已自动修正 · 订单 · 收货省份：7 条" in bad_text
    # errors first, then warnings, by row within each; the whole-file group comes first
    order = [
        bad_text.index(s) for s in ("整个文件", "订单!A4", "订单!I4", "订单!L5", "订单!F17", "订单!G17", "订单!K17")
    ]
    assert order == sorted(order)
    assert bad_text.index("订单!F17") < bad_text.index("订单!A4 订单编号 " + FORMULA_VALUE + " 订单编号 已按")
    assert re.search(r'<tr class="error">\s*<td class="sev"><span class="tag">错误', bad)
    assert re.search(r'<tr class="warning">\s*<td class="sev"><span class="tag">提醒', bad)
    assert "通过" in visible(good)[0] and "未发现任何问题" in visible(good)[0]
    assert 'class="badge valid"' in good and 'class="badge invalid"' in bad
    # an unreadable file: its one finding, prominently, and no findings table
    assert 'class="badge unreadable"' in broken and "<table" not in broken
    assert re.search(r'<div class="msg">文件已损坏，无法打开', broken)
    # the index links to each file
    assert [t[1]["href"] for t in tags if t[0] == "a"] == ["#file-1", "#file-2", "#file-3"]


def test_html_escapes_values_and_loads_nothing():
    html = render_html(sample_reports(), now=NOW)
    text, tags = visible(html)
    assert EVIL not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert EVIL in text  # shown to the reader as text
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    assert not any(k.startswith("on") or k in ("src",) for _, a in tags for k in a)
    assert "http://" not in html.replace("http://x", "") and "https://" not in html
    assert "url(" not in html and "@import" not in html
    for font in ('"PingFang SC"', '"Microsoft YaHei"', '"Noto Sans CJK SC"'):
        assert font in html
    assert "@media print" in html


def test_html_in_english_and_without_reports():
    html = render_html(sample_reports(), lang="en", now=NOW)
    text, _ = visible(html)
    for expected in (
        "Validation report",
        "Generated: 2026-12-31 18:30",
        "3 files: 1 passed, 2 did not pass",
        'quantity "-2": must be ≥ 1',
        "Errors",
        "Warnings",
        "Rows checked",
        "Not passed",
        "Unreadable",
        "Sheet: 订单",
    ):
        assert expected in text, expected
    assert "数据校验报告" not in text and 'lang="en"' in html
    empty, _ = visible(render_html([], now=NOW))
    assert "共 0 个文件" in empty


def test_write_html_is_atomic_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "报告.html"
    assert write_html(sample_reports(), out) == out
    first = out.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>") and "12月订单.xlsx" in first
    with pytest.raises(UsageError):
        write_html(sample_reports(), out)
    assert out.read_text(encoding="utf-8") == first
    write_html(sample_reports()[1:], out, force=True, lang="en")
    assert "Validation report" in out.read_text(encoding="utf-8")
    src = tmp_path / "in.xlsx"
    src.write_bytes(b"data")
    with pytest.raises(UsageError):  # never over a validated file
        write_html([Report(file=str(src))], src, force=True)
    assert src.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------------------------
# Annotated workbook, hand-built


@pytest.fixture()
def orders_book(tmp_path) -> Path:
    """A small workbook: an 订单 sheet with values, a formula, a text-formatted column, a user's
    own comment and a merged cell; and a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单管理表"])
    ws.append(
        [
            "订单编号*",
            "下单日期*",
            "客户编号*",
            "渠道*",
            "商品SKU*",
            "数量*",
            "单价*",
            "优惠金额",
            "订单金额",
            "实付金额",
            "收货省份",
            "订单状态*",
        ]
    )
    for r in range(3, 18):
        ws.append(
            [
                f"SO{r:04d}",
                date(2026, 12, 3),
                "C001",
                "天猫",
                "SKU-1",
                2,
                9.3,
                0,
                f'=IF(OR(F{r}="",G{r}=""),"",ROUND(F{r}*G{r}-H{r},2))',
                18.6,
                "浙江省",
                "已完成",
            ]
        )
    ws["F17"] = -2
    ws["G17"] = "abc"
    ws["A4"].value = FORMULA_VALUE
    ws["A4"].data_type = "s"
    ws["L5"] = None
    ws["I4"] = 99
    ws.column_dimensions["L"].number_format = "@"
    ws["K17"].comment = Comment("店长：请核对地址", "王芳")
    ws.merge_cells("A1:L1")
    wb.create_sheet("客户").append(["客户编号", "客户名称"])
    path = tmp_path / "12月订单.xlsx"
    wb.save(path)
    return path


def cells(wb) -> dict:
    return {
        (ws.title, c.coordinate): (c.value, c.number_format)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def annotated_report(path: Path) -> Report:
    bad = sample_reports()[0]
    bad.file, bad.sha256 = str(path), sha256(path)
    return bad


def test_annotated_copy_marks_cells_and_lists_findings(orders_book, tmp_path):
    before, digest = cells(openpyxl.load_workbook(orders_book)), sha256(orders_book)
    out = write_annotated(orders_book, annotated_report(orders_book), tmp_path / "标注.xlsx")
    assert out == tmp_path / "标注.xlsx"
    assert sha256(orders_book) == digest
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["校验结果", "订单", "客户"]
    assert wb.active.title == "校验结果"
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets] == [True, False, False]
    ws = wb["订单"]
    fills = {
        c.coordinate: c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row if c.fill.fill_type == "solid"
    }
    # A4 has an error and a warning: red wins; K17 only a warning
    assert fills == {"F17": RED, "G17": RED, "I4": RED, "A4": RED, "L5": RED, "K17": YELLOW}
    assert ws["A4"].comment.author == "ecomsheets"
    assert "订单编号 格式不对" in ws["A4"].comment.text and "订单编号 已按文本读取" in ws["A4"].comment.text
    assert ws["A4"].comment.text.index("【错误】") < ws["A4"].comment.text.index("【提醒】")
    assert ws["I4"].comment.text == '【错误】订单金额 "99"：与公式计算结果 18.6 不一致'
    with zipfile.ZipFile(out) as z:  # notes sized to be read (openpyxl does not read sizes back)
        vml = next(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    sizes = re.findall(r"width:(\d+)px;height:(\d+)px", vml)
    assert len(sizes) == 6 and all(int(w) >= 250 and int(h) >= 60 for w, h in sizes)
    # the user's own comment is kept inside ours
    assert '收货省份 "浙江"' in ws["K17"].comment.text and "店长：请核对地址" in ws["K17"].comment.text
    # the new blank cell keeps its column's text format under the fill
    assert ws["L5"].value is None and ws["L5"].number_format == "@"
    # nothing else changed: every value, formula and number format
    after = cells(wb)
    assert {k: v for k, v in after.items() if k[0] != "校验结果"} == before
    assert ws["I3"].value == '=IF(OR(F3="",G3=""),"",ROUND(F3*G3-H3,2))'
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:L1"]

    res = wb["校验结果"]
    rows = list(res.iter_rows(values_only=True))
    assert rows[0][0] == "数据校验结果"
    labels = {r[0]: r[1] for r in rows if r[0] in ("结果", "错误", "提醒", "已检查行数", "已检查工作表")}
    assert labels == {"结果": "未通过", "错误": 257, "提醒": 11, "已检查行数": 42, "已检查工作表": 10}
    assert any(r[0] and "错误 · 格式不对 · 订单 · 单价：250 条" in r[0] for r in rows)
    head = rows.index(("位置", "工作表", "单元格", "级别", "规则", "列", "值", "问题", "应为"))
    listed = rows[head + 1 :]
    assert len(listed) == 11
    assert [r[3] for r in listed] == ["错误"] * 7 + ["提醒"] * 4
    links = {}
    for row in res.iter_rows(min_row=head + 2):
        if row[0].hyperlink is not None:
            links[row[0].value] = row[0].hyperlink.location
    assert links == {
        "订单!A4": "'订单'!A4",
        "订单!I4": "'订单'!I4",
        "订单!L5": "'订单'!L5",
        "订单!F17": "'订单'!F17",
        "订单!G17": "'订单'!G17",
        "订单!K17": "'订单'!K17",
    }
    # findings without a cell, or on a sheet the workbook lacks, are listed without a link
    by_where = {r[0]: r for r in listed}
    assert by_where["旧表!B2"][7] == '金额 "x"：不是有效的数字' and "旧表!B2" not in links
    assert by_where["库存"][4] == "缺少工作表" and by_where["整个文件"][7].startswith("无法识别的工作表")
    assert by_where["订单!I4"][8] == "18.6"
    assert by_where["订单!G17"][6] == EVIL
    assert res.freeze_panes == f"A{head + 2}"


def test_text_from_the_file_never_becomes_a_formula(orders_book, tmp_path):
    report = annotated_report(orders_book)
    report.findings.append(
        f(
            ERROR,
            "pattern",
            "=1+1 \x07bell\r\nline",
            cell="B3",
            row=3,
            value="+SUM(A1:A2)",
            expected="@cmd",
            header="-x",
        )
    )
    out = write_annotated(orders_book, report, tmp_path / "out.xlsx")
    res = openpyxl.load_workbook(out)["校验结果"]
    found = {c.value: c for row in res.iter_rows() for c in row if isinstance(c.value, str)}
    for text in (FORMULA_VALUE, "+SUM(A1:A2)", "@cmd", "-x", "=1+1 bell\nline"):
        assert found[text].data_type == "s", text
    # and no cell of the sheet holds a formula at all
    with zipfile.ZipFile(out) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml and 'HYPERLINK("http://x","y")' in sheet_xml
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", str(c.value)) for c in found.values())
    comment = openpyxl.load_workbook(out)["订单"]["B3"].comment.text
    assert comment == "【错误】=1+1 bell\nline（应为：@cmd）"


def test_long_comments_are_cut_and_refusals(orders_book, tmp_path):
    report = annotated_report(orders_book)
    report.findings.append(f(ERROR, "row_rule", "很长的说明" * 10000, cell="C3", row=3, value="x" * 40000))
    out = write_annotated(orders_book, report, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(out)
    note = wb["订单"]["C3"].comment.text
    assert len(note) <= 32767 and note.endswith("完整内容见“校验结果”工作表）")
    assert all(len(str(c.value)) <= 32767 for row in wb["校验结果"].iter_rows() for c in row)
    # never over the source, nor over an existing file without force
    digest = sha256(orders_book)
    with pytest.raises(UsageError):
        write_annotated(orders_book, report, orders_book, force=True)
    with pytest.raises(UsageError):
        write_annotated(orders_book, report, tmp_path / "out.xlsx")
    assert sha256(orders_book) == digest
    # nor from a file that changed after it was validated
    changed = tmp_path / "changed.xlsx"
    shutil.copy(orders_book, changed)
    with open(changed, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(UsageError, match="修改"):
        write_annotated(changed, report_for(changed, report), tmp_path / "c.xlsx")
    # nor for a file that could not be read
    with pytest.raises(UsageError, match="无法为这个文件生成标注副本"):
        write_annotated(orders_book, sample_reports()[2], tmp_path / "u.xlsx")


def report_for(path: Path, report: Report) -> Report:
    report.file = str(path)  # sha256 still that of the original file
    return report


def test_reannotating_replaces_the_results_sheet_and_old_notes(orders_book, tmp_path):
    first = write_annotated(orders_book, annotated_report(orders_book), tmp_path / "a1.xlsx")
    report = Report(
        file=str(first),
        bundle="department",
        rows_checked=15,
        sheets_checked=1,
        findings=[f(WARNING, "normalized", "第二次", cell="B3", row=3)],
    )
    second = write_annotated(first, report, tmp_path / "a2.xlsx")
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames == ["校验结果", "订单", "客户"]
    ws = wb["订单"]
    assert ws["B3"].comment.text == "【提醒】第二次"
    assert ws["F17"].comment is None  # our old note went; the user's stays
    assert ws["K17"].comment.text == "店长：请核对地址"
    assert ("提醒", 1) in [(r[0], r[1]) for r in wb["校验结果"].iter_rows(values_only=True)]
    # in English the sheet is "Validation"
    third = write_annotated(
        second,
        Report(file=str(second), findings=[f(ERROR, "min", "x", cell="F17", message_en="quantity too small")]),
        tmp_path / "a3.xlsx",
        lang="en",
    )
    wb = openpyxl.load_workbook(third)
    assert wb.sheetnames == ["Validation", "订单", "客户"]  # our Chinese sheet replaced too
    assert wb["订单"]["F17"].comment.text == "[Error] quantity too small"
    assert wb["Validation"]["A1"].value == "Validation results"


def test_xlsm_macros_are_not_carried(orders_book, tmp_path):
    xlsm = tmp_path / "宏.xlsm"
    with zipfile.ZipFile(orders_book) as src, zipfile.ZipFile(xlsm, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"fake macro")
    report = Report(file=str(xlsm), findings=[f(ERROR, "min", "数量太小", cell="F17")])
    out = write_annotated(xlsm, report, tmp_path / "宏_标注.xlsm")
    assert out == tmp_path / "宏_标注.xlsx" and out.exists()
    with zipfile.ZipFile(out) as z:
        assert not any("vba" in n.lower() for n in z.namelist())
        assert "macroEnabled" not in z.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(out)["订单"]["F17"].fill.fgColor.rgb.endswith(RED)


# --------------------------------------------------------------------------------------------
# End to end: generate, fill, validate, render


ROWS = [  # A 订单编号 … L 订单状态; I (订单金额) keeps its formula
    ["SO0001", date(2026, 12, 3), "C001", "天猫", "SKU-1", 2, 10.5, 0, None, 21, "浙江", "已完成"],
    ["SO0002", date(2026, 12, 4), "C002", "京东", "SKU-2", -2, "abc", 0, None, 5, "江苏省", "已完成"],
    ["SO0003", date(2026, 12, 5), "C003", "天猫", "SKU-1", 1, 9, 0, None, EVIL, "上海市", "已完成"],
]


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    from ecomsheets.generate import generate_workbook
    from ecomsheets.months import parse_month
    from ecomsheets.schema import load_catalog
    from ecomsheets.validate import validate

    folder = tmp_path_factory.mktemp("e2e")
    template = folder / "模板.xlsx"
    generate_workbook(load_catalog(), "department", template, month=parse_month("2026-12"), rows=20)
    wb = openpyxl.load_workbook(template)
    ws = wb["订单"]
    assert [c.value.rstrip("*") for c in ws[2]][:12] == [
        "订单编号",
        "下单日期",
        "客户编号",
        "渠道",
        "商品SKU",
        "数量",
        "单价",
        "优惠金额",
        "订单金额",
        "实付金额",
        "收货省份",
        "订单状态",
    ]
    for r, values in enumerate(ROWS, start=3):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c).value = value
                if isinstance(value, str):
                    ws.cell(r, c).data_type = "s"
    filled = folder / "杭州店12月.xlsx"
    wb.save(filled)
    digest = sha256(filled)
    report = validate(filled)
    return {"folder": folder, "filled": filled, "digest": digest, "report": report}


def test_e2e_report_finds_the_bad_values(e2e):
    report = e2e["report"]
    by_cell = {(x.sheet, x.cell): x for x in report.findings if x.severity == ERROR}
    assert ("订单", "F4") in by_cell and ("订单", "G4") in by_cell and ("订单", "J5") in by_cell
    assert not report.valid and report.bundle == "department"


def test_e2e_html(e2e):
    html = render_html([e2e["report"]], now=NOW)
    text, tags = visible(html)
    g4 = next(x for x in e2e["report"].findings if x.cell == "G4")
    assert "订单!F4" in text and "订单!G4" in text and "订单!J5" in text
    assert g4.message in text and "不是有效的" in g4.message
    assert "数量" in text and "必须 ≥ 1" in text
    assert EVIL not in html and "&lt;script&gt;" in html and "script" not in {t for t, _ in tags}
    assert "杭州店12月.xlsx" in text and "未通过" in text


def test_e2e_annotated_copy(e2e):
    filled, report = e2e["filled"], e2e["report"]
    out = write_annotated(filled, report, e2e["folder"] / "杭州店12月_标注.xlsx")
    assert sha256(filled) == e2e["digest"]
    original, annotated = openpyxl.load_workbook(filled), openpyxl.load_workbook(out)
    assert annotated.sheetnames == ["校验结果"] + original.sheetnames
    assert annotated.sheetnames[0] == "校验结果" and annotated.active.title == "校验结果"
    # every original value and formula is unchanged
    for ws in original.worksheets:
        new = annotated[ws.title]
        assert new.sheet_state == ws.sheet_state
        for row in ws.iter_rows():
            for c in row:
                assert new[c.coordinate].value == c.value, (ws.title, c.coordinate)
    assert (
        annotated["订单"]["I3"].value.startswith("=") and annotated["订单"]["I3"].value == original["订单"]["I3"].value
    )
    assert len(annotated["订单"].data_validations.dataValidation) == len(
        original["订单"].data_validations.dataValidation
    )
    ws = annotated["订单"]
    worst = {}
    for x in report.findings:
        if x.sheet == "订单" and x.cell:
            worst[x.cell] = ERROR if ERROR in (worst.get(x.cell), x.severity) else x.severity
    assert worst["F4"] == worst["G4"] == ERROR
    for coord, sev in worst.items():
        assert ws[coord].fill.fgColor.rgb.endswith(RED if sev == ERROR else YELLOW), coord
        assert ws[coord].comment is not None and ws[coord].comment.author == "ecomsheets"
    for coord in ("F4", "G4"):
        assert ws[coord].number_format == original["订单"][coord].number_format
    assert "必须 ≥ 1" in ws["F4"].comment.text and "单价" in ws["G4"].comment.text
    assert ws["B3"].fill.fill_type == original["订单"]["B3"].fill.fill_type  # untouched cell
    res = annotated["校验结果"]
    links = {c.value: c.hyperlink.location for row in res.iter_rows() for c in row[:1] if c.hyperlink}
    assert links["订单!F4"] == "'订单'!F4" and links["订单!G4"] == "'订单'!G4"
    assert sum(1 for r in res.iter_rows(values_only=True) if r[3] in ("错误", "提醒")) == len(report.findings)
    listed_values = {c.value: c for row in res.iter_rows() for c in row}
    assert listed_values[EVIL].data_type == "s"


def test_e2e_formula_like_value_in_a_finding_stays_text(e2e, tmp_path):
    filled, report = e2e["filled"], e2e["report"]
    forged = Report(
        file=report.file,
        bundle=report.bundle,
        sha256=report.sha256,
        findings=[
            *report.findings,
            f(ERROR, "pattern", "订单编号 格式不对", cell="A3", value=FORMULA_VALUE, expected="=1+2"),
        ],
    )
    out = write_annotated(filled, forged, tmp_path / "forged.xlsx")
    res = openpyxl.load_workbook(out)["校验结果"]
    hits = [c for row in res.iter_rows() for c in row if c.value in (FORMULA_VALUE, "=1+2")]
    assert len(hits) == 2 and all(c.data_type == "s" for c in hits)


# --------------------------------------------------------------------------------------------
# The page as a picture (only where chromium is installed)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_html_renders_to_png(tmp_path):
    page = tmp_path / "report.html"
    write_html(sample_reports(), page, now=NOW)
    png = tmp_path / "report.png"
    subprocess.run(
        [
            shutil.which("chromium"),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1600",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600) and len(data) > 20_000
