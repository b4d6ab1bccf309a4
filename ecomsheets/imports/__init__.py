"""Platform and ERP exports → the department's tables, driven by the mapping profiles in
schemas/imports/ (see docs/imports.md)."""

from .run import FileLine, ImportResult, import_exports

__all__ = ["FileLine", "ImportResult", "import_exports"]
