"""What a cell's text means, as people really type it: spaces, full-width characters, Excel's
text wrappers, the parsers of numbers, dates, times, yes/no, phones and ids (`parse`), and the
vectorised coercion of a whole column that calls them only for unusual cells (`coerce`).
The column types (one floor up) choose among them.

Vocabulary (tests/test_user_text.py): the Chinese these modules hold is what people type or
files contain, never text shown to users; it lives in `re.compile(...)` patterns and in
module-level constants named *_WORDS, *_CHARS or *_PATTERN."""

YES_NO_WORDS = ("是", "否")  # how a yes/no cell is written, and what its drop-down offers
