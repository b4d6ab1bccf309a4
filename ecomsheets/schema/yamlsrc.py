"""YAML loading that remembers where every key and item came from, so a schema problem can
name its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class Located(dict[Any, Any]):  # YAML keys and values: whatever the file holds
    """A mapping from YAML that knows its file, its own line and the line of each key."""

    file: str = ""
    line: int | None = None
    key_lines: dict[Any, int]

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    file: str = ""
    line: int | None = None
    item_lines: list[int]


# libyaml parses (fast) where PyYAML has it; our constructors still record every position.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    out = Located()
    out.file = loader.name
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    out.file = loader.name
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# A schema's dates (e.g. a parameter "2026-11-01") are text to be checked by us, not
# YAML timestamps.
_Loader.yaml_implicit_resolvers = {  # (used by the pure-Python loader only)
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp",)]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(Exception):
    def __init__(self, file: str, line: int | None, detail: str):
        super().__init__(detail)
        self.file, self.line, self.detail = file, line, detail


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file into Located/LocatedList objects (plain values stay plain)."""
    name = display or str(path)
    text = path.read_text(encoding="utf-8-sig")
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(name, mark.line + 1 if mark else None, str(exc.problem or exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(name, None, str(exc)) from None
    finally:
        loader.dispose()
