"""Generate blank, formatted department workbooks from the schema catalogue."""

__all__ = ["GenerateResult", "generate_workbook"]


def __getattr__(name: str):
    # Loaded on first use: the reader imports this package's layout constants, and must not
    # pay for the writer (xlsxwriter, pandas) it does not use.
    if name in __all__:
        from . import workbook

        return getattr(workbook, name)
    raise AttributeError(name)
