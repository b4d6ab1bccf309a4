"""ecomsheets: declarative sheet schemas, templates, validation and monthly summaries for
Chinese e-commerce departments (电商部)."""

__version__ = "0.1.0"
