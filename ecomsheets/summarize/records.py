"""Metric values as the `summarize` JSON contract:
{"name","title","group","value","declared","cell"}; declared is what the file's summary
sheet holds for that figure (null where absent), cell is where (汇总!C5)."""

from __future__ import annotations

from ecomsheets.cells import parse as nz


def metric_records(metrics, data=None) -> list[dict]:
    from ecomsheets.validate.summary_check import declared_cells

    places = {}
    if data is not None and data.summary_sheet:
        places = {(name, group): cell for name, group, cell in declared_cells(data)}
    out = []
    for v in metrics:
        cell = places.get((v.name, v.group))
        declared = None
        if cell is not None:
            text = data.summary_cells.get(cell)
            try:
                declared = nz.number(text, percent=True)[0] if text is not None else None
            except nz.Invalid:
                declared = None
        out.append(
            {
                "name": v.name,
                "title": v.title,
                "group": v.group,
                "value": None if v.value is None else round(v.value, 6),
                "declared": declared,
                "cell": f"{data.summary_sheet}!{cell}" if cell else None,
            }
        )
    return out
