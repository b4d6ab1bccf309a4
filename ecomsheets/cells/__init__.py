"""What a cell's text means, as people really type it: spaces, full-width characters, Excel's
text wrappers, the parsers of numbers, dates, times, yes/no, phones and ids (`parse`), and the
vectorised coercion of a whole column that calls them only for unusual cells (`coerce`).
The column types (one floor up) choose among them."""
