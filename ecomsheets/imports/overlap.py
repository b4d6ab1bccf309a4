"""Exports overlap: weekly exports share days, a re-export follows a status change. An order id
found in several exports is one order, and its rows come from one export: the one whose own
time columns are the latest for that order; when they do not tell, the one where the order has
gone further (its status later in the declared order of the values); else the one given last."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ecomsheets import messages
from ecomsheets.findings import WARNING, Finding, finding
from ecomsheets.rules import Rule
from ecomsheets.schema import ColumnSpec

from .mapping import LISTED, ORDER_KEY, ROW, Mapped


@dataclass
class Merged:
    frames: dict[str, pd.DataFrame]  # table -> rows of every export, overlaps resolved
    replaced: list[int]  # per export: its order rows replaced by another export's
    conflicts: int = 0  # orders whose replaced rows differed from the rows kept
    findings: list[Finding] = field(default_factory=list)


def merge(mapped: list[Mapped], progress: ColumnSpec | None = None) -> Merged:
    """One set of tables from several exports (see module doc); `progress`: the orders' column
    whose values are in the order an order goes through them."""
    replaced = [0] * len(mapped)
    tables = list(dict.fromkeys(t for m in mapped for t in m.frames))
    seen = pd.concat(
        [
            pd.DataFrame({"id": pd.unique(m.frames["orders"][ORDER_KEY]), "file": i})
            for i, m in enumerate(mapped)
            if "orders" in m.frames
        ]
        or [pd.DataFrame({"id": [], "file": []})],
        ignore_index=True,
    )
    if not seen["id"].duplicated().any():
        return Merged({t: _concat([m.frames[t] for m in mapped if t in m.frames]) for t in tables}, replaced)
    seen["t"] = [mapped[int(f)].recency.get(i, pd.NaT) for i, f in zip(seen["id"], seen["file"])]
    seen["t"] = pd.to_datetime(seen["t"])
    seen["stage"] = _stages(mapped, seen, progress)
    # NaT sorts first: an export without time columns loses to one with them; then how far the
    # order has gone, then file order.
    ranked = seen.sort_values(["t", "stage", "file"], na_position="first", kind="stable")
    winner = ranked.groupby("id", sort=False)["file"].last()
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in tables}
    signatures: dict[int, pd.Series] = {}
    for i, m in enumerate(mapped):
        for table, frame in m.frames.items():
            owner = frame[ORDER_KEY].map(winner)
            kept = owner.isna().to_numpy() | (owner.to_numpy() == i)
            if table == "orders":
                replaced[i] = int((~kept).sum())
                signatures[i] = _signature(frame)
            frames[table].append(frame[kept])
    conflicts, findings = _conflicts(mapped, ranked, winner, signatures)
    return Merged({t: _concat(fs) for t, fs in frames.items()}, replaced, conflicts, findings)


def _stages(mapped: list[Mapped], seen: pd.DataFrame, progress: ColumnSpec | None) -> list[int]:
    """Per (order, export): how far the order has gone there (-1: not known)."""
    if progress is None:
        return [-1] * len(seen)
    order = {v: i for i, v in enumerate(progress.values or ())}
    stage: dict[tuple[int, object], int] = {}
    for i, m in enumerate(mapped):
        frame = m.frames.get("orders")
        if frame is None or progress.name not in frame:
            continue
        ranks = frame[progress.name].map(order).fillna(-1).astype(int)
        for key, rank in ranks.groupby(frame[ORDER_KEY].to_numpy()).max().items():
            stage[(i, key)] = int(rank)
    return [stage.get((int(f), key), -1) for key, f in zip(seen["id"], seen["file"])]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


def _signature(frame: pd.DataFrame) -> pd.Series:
    """Per order id, a hash of its rows' values (the order of its lines aside)."""
    columns = [c for c in frame.columns if c not in (ROW, ORDER_KEY) and not str(c).startswith("_")]
    columns = [c for c in columns if c != "source"]
    hashed = pd.util.hash_pandas_object(frame[columns].astype(str), index=False)
    return hashed.groupby(frame[ORDER_KEY].to_numpy()).sum()


def _conflicts(mapped: list[Mapped], ranked: pd.DataFrame, winner: pd.Series, signatures: dict) -> tuple[int, list]:
    repeated = ranked[ranked["id"].duplicated(keep=False)]
    conflicts = 0
    findings: list[Finding] = []
    for order_id, group in repeated.groupby("id", sort=False):
        kept = int(winner[order_id])
        want = signatures[kept].get(order_id)
        others = [int(f) for f in group["file"] if int(f) != kept and signatures[int(f)].get(order_id) != want]
        if not others:
            continue
        conflicts += 1
        if len(findings) < LISTED:
            # What told them apart: the kept export's row is the last of the group as ranked.
            top, second = group.iloc[-1], group.iloc[-2]
            why = (
                "by_time"
                if pd.notna(top["t"]) and (pd.isna(second["t"]) or top["t"] > second["t"])
                else "by_stage"
                if top["stage"] > second["stage"]
                else "by_order"
            )
            why_zh, why_en = messages.both(f"imp_kept_{why}")
            findings.append(
                finding(
                    Rule.IMPORT_CONFLICT,
                    WARNING,
                    file=mapped[kept].name,
                    value=str(order_id),
                    other=messages.join(mapped[o].name for o in others),
                    kept=mapped[kept].name,
                    why_zh=why_zh,
                    why_en=why_en,
                )
            )
    return conflicts, findings


def unique_orders(frame: pd.DataFrame) -> int:
    return int(pd.Series(frame[ORDER_KEY]).nunique()) if len(frame) else 0
