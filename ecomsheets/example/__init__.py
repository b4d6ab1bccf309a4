"""Example data: filled workbooks of plausible rows, made from the schemas alone."""

from .rows import example_frames

__all__ = ["example_frames"]
