"""Consolidate a month of validated workbooks into one summary workbook, with lineage."""
