"""Fill a generated template with rows through openpyxl, as a script or a user would
(openpyxl leaves formula cells without cached values)."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path

import pandas as pd


def read_meta(wb) -> dict:
    ws = wb["_meta"]
    out = {}
    for key, value in ws.iter_rows(min_row=2, values_only=True):
        if key is None:
            continue
        try:
            out[key] = json.loads(value)
        except (TypeError, ValueError):
            out[key] = value
    return out


def fill_template(template: Path, frames: dict[str, pd.DataFrame], out: Path) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(template)
    meta = read_meta(wb)
    for info in meta["tables"]:
        frame = frames.get(info["name"])
        if frame is None:
            continue
        ws = wb[info["sheet"]]
        for ci, name in enumerate(info["columns"], start=1):
            if name not in frame:
                continue
            for ri, value in enumerate(frame[name].tolist()):
                cell = ws.cell(row=info["first_data_row"] + ri, column=ci)
                cell.value = to_cell(value)
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    wb.save(out)
    return out


def to_cell(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if isinstance(value, (datetime, time, int, float, str)):
        return value
    return str(value)
