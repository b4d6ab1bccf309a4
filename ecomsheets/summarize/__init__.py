"""Consolidate a month of validated workbooks (the department's, or its teams') into one summary
workbook, with lineage: `consolidate` merges, `crossfile` checks across files, `status` says who
has handed in, `writer` writes the summary workbook, `documents` the JSON documents."""
