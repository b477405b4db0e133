"""Read the YAML files operators hand to the portal's commands, safely and with line numbers.

A broken file is a message saying `file:line: what is wrong`, never a traceback: bytes that are
not UTF-8, malformed YAML, impossible dates (2026-02-30, month 13), tags that build anything
but plain data (!!python/..., !!binary, !!set), aliases (a few lines of nested aliases expand to
billions of nodes when walked), and nesting too deep to walk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LINE = "__line__"  # with lines=True, each mapping records the line it starts on under this key
MAX_DEPTH = 50


class YamlFileError(ValueError):
    """A file that cannot be read as plain YAML data; str() is `file:line: message`."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{self.path}:{line or 1}: {message}")


class PlainLoader(yaml.SafeLoader):
    """A safe loader for plain data only: no aliases, no binary, sets or ordered maps, real
    dates only, and a bounded depth."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed: write the value out", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date", node.start_mark
            ) from None

    def refuse_tag(self, node):
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {node.tag!r} is not allowed: use plain values", node.start_mark
        )


PlainLoader.add_constructor("tag:yaml.org,2002:timestamp", PlainLoader.construct_yaml_timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    PlainLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", PlainLoader.refuse_tag)


class LineLoader(PlainLoader):
    """PlainLoader that records the line each mapping starts on (under LINE)."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = PlainLoader.construct_mapping(loader, node, deep=deep)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, lines: bool = False) -> Any:
    """Return the file's data, or raise YamlFileError saying where and what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise YamlFileError(path, None, f"cannot read the file: {error.strerror}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlFileError(
            path, line, f"not UTF-8 text (byte 0x{raw[error.start]:02x}): save it as UTF-8"
        ) from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlFileError(path, line, "not a text file (it contains a NUL byte)")
    try:
        return yaml.load(text, Loader=LineLoader if lines else PlainLoader)  # noqa: S506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "malformed YAML"
        if isinstance(error, yaml.scanner.ScannerError | yaml.parser.ParserError):
            message = f"malformed YAML: {message}"
        raise YamlFileError(path, mark.line + 1 if mark else None, message) from error
    except yaml.YAMLError as error:
        raise YamlFileError(path, None, f"malformed YAML: {error}") from error
    except RecursionError as error:  # pragma: no cover - MAX_DEPTH stops this first
        raise YamlFileError(path, None, "nested too deeply") from error
