"""Metrics as Excel formulas: SUMIFS/COUNTIFS/AVERAGEIFS/MINIFS/MAXIFS over the data sheets.

The pandas twin is `ecomsheets.compute.metrics`; a recalculating spreadsheet program must
give the numbers it gives (tested with LibreOffice).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecomsheets.schema import MetricSpec, expr
from ecomsheets.schema.metrics_loader import where_terms
from ecomsheets.xlsx.layout import TableLayout

NUMERIC = '">-9.99E+307"'  # a criterion that matches numbers only (skips blanks and "")


@dataclass(frozen=True)
class Criteria:
    """Criteria pairs as formula text: [(range, criterion), ...]."""

    pairs: tuple[tuple[str, str], ...] = ()

    def plus(self, *pairs) -> Criteria:
        return Criteria(self.pairs + tuple(pairs))

    def args(self) -> str:
        return ",".join(f"{r},{c}" for r, c in self.pairs)


def where_criteria(metric_where, tl: TableLayout, param_cells: dict[str, str]) -> Criteria:
    if metric_where is None:
        return Criteria()
    pairs = []
    for term in where_terms(metric_where):
        rng = tl.column_range(term.left.name)
        op = "" if term.op == "=" else term.op
        right = term.right
        if isinstance(right, expr.Name):
            crit = f'"{op or "="}"&{param_cells[right.name]}'
        elif isinstance(right, expr.Str):
            value = right.value.replace("~", "~~").replace("*", "~*").replace("?", "~?")
            crit = '"' + (op + value).replace('"', '""') + '"'
        else:
            crit = f'"{op}{expr._num_text(right.value)}"'
        pairs.append((rng, crit))
    return Criteria(tuple(pairs))


def aggregate_formula(metric: MetricSpec, tl: TableLayout, crit: Criteria) -> str:
    """Formula text (no '=') of an aggregate metric restricted by `crit`."""
    table = tl.table
    agg = metric.agg
    if agg == "count":
        col = table.column(metric.column) if metric.column else tl.key_column()
        key = (tl.column_range(col.name), NUMERIC if col.derived else '"<>"')
        return f"COUNTIFS({crit.plus(key).args()})"
    rng = tl.column_range(metric.column)
    if agg == "distinct":
        # MATCH on text compares exactly; COUNTIF would read an 18-digit order number as a
        # 15-digit number and merge different orders. Quadratic, so over the used rows only
        # (down to the last filled cell, however far rows were added): over a whole column
        # LibreOffice takes 79 s for 600 orders, over the used rows as long as a fixed range.
        r = tl.used_range(metric.column)
        return f'SUMPRODUCT(({r}<>"")*(MATCH({r}&"",{r}&"",0)=ROW({r})-{tl.first_row - 1}))'
    if agg == "sum":
        return f"SUMIFS({rng},{crit.args()})" if crit.pairs else f"SUM({rng})"
    if agg == "avg":
        inner = f"AVERAGEIFS({rng},{crit.args()})" if crit.pairs else f"AVERAGE({rng})"
        return f'IFERROR({inner},"")'
    fn = "MIN" if agg == "min" else "MAX"
    if not crit.pairs:
        return f'IF(COUNT({rng})=0,"",{fn}({rng}))'
    found = f"COUNTIFS({crit.plus((rng, NUMERIC)).args()})"
    return f'IF({found}=0,"",{fn}IFS({rng},{crit.args()}))'


def expression_formula(metric: MetricSpec, ref) -> str:
    return f'IFERROR({expr.to_excel(metric.expr_ast, ref)},"")'
