"""Renderers: they only format what other parts computed."""
