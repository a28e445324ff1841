"""YAML that remembers where things were (for error lines), and YAML that people can read."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

import yaml

from quiz.bank.limits import MAX_YAML_DEPTH


class LineDict(dict[Any, Any]):
    """A mapping that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list[Any]):
    line: int = 0
    lines: list[int]


# libyaml (PyYAML's C parser and emitter) reads and writes a bank about ten times faster than the
# pure-Python one: an import preview reads and writes every file of the bank.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


_TOO_DEEP = f"lists and mappings are nested more than {MAX_YAML_DEPTH} levels deep"
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_depth(text: str) -> None:
    """Composing a document recurses once per level: `[[[[...` a few thousand deep would end in a
    RecursionError (or worse, in C), so the nesting is measured first, on the flat event stream."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, _OPENING):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, _TOO_DEEP, event.start_mark)
        elif isinstance(event, _CLOSING):
            depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text, not a list or mapping", key_node.start_mark)
        if key in result:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_decimal_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node), 10)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

# Numbers as YAML 1.2 reads them: PyYAML's 1.1 rules read `010` as octal 8, `1:30` as 90 and
# `1e-3` as text, all wrong for numeric keys and tolerances written by people.
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_LineLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."))
_LineLoader.add_constructor(_INT, _construct_decimal_int)


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def load_with_lines(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """Parse one YAML document; returns the data and the (line, key) of any duplicated key."""
    loader = _LineLoader(text)
    try:
        _check_depth(text)
        return loader.get_single_data(), loader.duplicate_keys
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        message = f"{exc.problem or exc}".strip()
        if "maximum nesting depth" in message:  # libyaml's own, far deeper bound, met while it reads ahead
            message = _TOO_DEEP
        if "\\t" in message or "\t" in message or "tab character" in message:
            message += " (YAML does not allow tabs for indentation: use spaces)"
        raise YamlSyntaxError(line, message) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(0, str(exc)) from None
    finally:
        loader.dispose()


def line_of(node: Any, path: Sequence[str | int], fallback: int = 0) -> int:
    """The line of the deepest part of `path` found under `node`."""
    line = getattr(node, "line", fallback) or fallback
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


class _ReadableDumper(_BaseDumper):  # type: ignore[misc, valid-type]
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text (prompts, code) as literal blocks, the way people write it by hand.
    # Trailing spaces on a line cannot be kept in a block, so such text stays quoted.
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class FlowDict(dict[str, Any]):
    """A mapping written on one line: `{topic: sql, difficulty: [1, 3], count: 2}`."""


def _represent_flow_dict(dumper: yaml.SafeDumper, value: FlowDict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_ReadableDumper.add_representer(str, _represent_str)
_ReadableDumper.add_representer(FlowDict, _represent_flow_dict)
_ReadableDumper.add_representer(LineDict, _ReadableDumper.represent_dict)
_ReadableDumper.add_representer(LineList, _ReadableDumper.represent_list)


def dump_readable(data: Any, header: str = "") -> str:
    body = yaml.dump(data, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return (f"# {header}\n" if header else "") + body
