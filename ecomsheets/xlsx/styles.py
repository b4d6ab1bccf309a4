"""Cell formats of generated workbooks, created once per workbook and shared by all sheets."""

from __future__ import annotations

from functools import cache

CJK_FONT = "微软雅黑"  # the font family written into workbooks (its name as Windows knows it)
HEADER_BG = "#1F4E78"
DERIVED_HEADER_BG = "#5B6770"
DERIVED_BG = "#EDEFF1"
BANNER_BG = "#DDEBF7"


class Styles:
    def __init__(self, workbook):
        self.wb = workbook
        base = {"font_name": CJK_FONT, "font_size": 10, "valign": "vcenter"}
        self.base = base
        self.base_text = workbook.add_format(base)
        self.banner = workbook.add_format(
            {**base, "bold": True, "font_size": 12, "bg_color": BANNER_BG, "font_color": "#1F4E78", "align": "left"}
        )
        head = {
            **base,
            "bold": True,
            "font_color": "#FFFFFF",
            "border": 1,
            "border_color": "#BFBFBF",
            "align": "center",
            "text_wrap": True,
        }
        self.header = workbook.add_format({**head, "bg_color": HEADER_BG})
        self.header_derived = workbook.add_format({**head, "bg_color": DERIVED_HEADER_BG})
        self.star = workbook.add_format({**head, "bg_color": HEADER_BG, "font_color": "#FF8080"})
        self.heading = workbook.add_format({**base, "bold": True, "font_size": 14, "font_color": "#1F4E78"})
        self.subheading = workbook.add_format(
            {**base, "bold": True, "font_size": 11, "font_color": "#1F4E78", "bottom": 1, "bottom_color": "#1F4E78"}
        )
        self.text = workbook.add_format({**base, "text_wrap": True, "valign": "top"})
        self.table_head = workbook.add_format(
            {**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "border_color": "#BFBFBF", "text_wrap": True}
        )
        self.table_cell = workbook.add_format(
            {**base, "border": 1, "border_color": "#D9D9D9", "text_wrap": True, "valign": "top"}
        )
        self.label = workbook.add_format({**base, "border": 1, "border_color": "#D9D9D9"})
        self.param = workbook.add_format({**base, "border": 1, "border_color": "#D9D9D9", "bg_color": "#FFF2CC"})

    @cache
    def cell(self, num_format: str | None, derived: bool = False, wrap: bool = False, param: bool = False):
        """Format of a data cell (a column's default format)."""
        spec = dict(self.base)
        if num_format:
            spec["num_format"] = num_format
        if derived:
            spec["bg_color"] = DERIVED_BG
        if wrap:
            spec["text_wrap"] = True
        if param:
            spec.update({"bg_color": "#FFF2CC", "border": 1, "border_color": "#D9D9D9"})
        return self.wb.add_format(spec)

    @cache
    def cell_bordered(self, num_format: str | None):
        spec = {**self.base, "border": 1, "border_color": "#D9D9D9"}
        if num_format:
            spec["num_format"] = num_format
        return self.wb.add_format(spec)
