"""Page setup shared by every visible sheet of a generated workbook and of the monthly summary."""

from __future__ import annotations

from collections.abc import Iterable

# ----------------------------------------------------------------------------------------
# Printing, shared by every visible sheet of a generated workbook and of the monthly summary:
# A4, every column across the page width (scaled down if need be, as many pages tall as the
# rows take), landscape where the columns would not fit across A4 portrait without shrinking
# the text below MIN_PORTRAIT_SCALE, and a title row repeated on every page.
#
# Print area: on table sheets, a formula down to the last filled row (TableLayout.print_area),
# which follows the rows staff add. Excel and WPS print by it; LibreOffice 7.4 computes it but
# prints the used range, which in a blank template reaches the derived columns' formulas
# (layout.FORMULA_GROWTH), a formula cell being content even when it shows nothing. A static
# print area would leave out the rows staff add later.
# Measured page counts: tests/test_print_setup.py.

A4 = 9  # the paper size code of A4 in the file format (1 is US Letter, the default)
_SIDE_MARGINS_IN = 0.7 * 2  # xlsxwriter's and Excel's default left and right margins
PORTRAIT_PX = round((8.27 - _SIDE_MARGINS_IN) * 96)  # printable width of A4 portrait, in pixels
MIN_PORTRAIT_SCALE = 0.85  # 10 pt text printed at 8.5 pt or more stays comfortable to read


def column_pixels(width: float) -> int:
    """A column's width in pixels, from its width in characters (xlsxwriter's conversion)."""
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def print_setup(
    ws, widths: Iterable[float], *, title_row: int | None = None, landscape: bool | None = None, extra_px: int = 0
) -> bool:
    """Set up how `ws` prints: A4, fitted to the page width, `title_row` (0-based) on every
    page. `widths`: the printed columns' widths in characters; `extra_px`: anything printed to
    their right (a chart). Landscape if `landscape`, or (None) where the columns are too wide
    for portrait. Returns whether the sheet prints landscape."""
    px = sum(column_pixels(w) for w in widths) + extra_px
    if landscape is None:
        landscape = px * MIN_PORTRAIT_SCALE > PORTRAIT_PX
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    if title_row is not None:
        ws.repeat_rows(title_row)
    return landscape
