"""JSON: the command's payload (or its records), indented, non-ASCII kept, NaN as null; in a
CLI run inside the provenance envelope (render.output.envelope, docs/schemas/).

The exact text of every value, with no raw control or bidi character (``json_safe``)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any, TextIO

from chipdb.render.document import Document, plain
from chipdb.render.output import current, envelope
from chipdb.safetext import json_safe


def payload_of(doc: Document) -> object:
    return doc.payload if doc.payload is not None else (
        doc.sections[0].rows if len(doc.sections) == 1
        else {s.title: s.rows for s in doc.sections}
    )


def render(doc: Document, out: TextIO) -> None:
    document = envelope(payload_of(doc), current())
    # built whole before the first byte is written: a failure never leaves half a document
    out.write(json_safe(dumps(document)) + "\n")


def dumps(value: Any) -> str:
    """``json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)``, character for
    character, in one pass. The standard library writes indented JSON with its pure-Python
    encoder, a generator per nesting level per value; that and the copy ``to_jsonable``
    makes first were half the CPU of a web compare (tests/render/test_json_dumps.py holds
    the two equal)."""
    out: list[str] = []
    _write(value, out, "\n")
    return "".join(out)


def _write(value: Any, out: list[str], newline: str) -> None:
    # the order of json's own tests: containers (as to_jsonable makes them), then str, None,
    # True, False, int, float; ``newline`` is a newline and the indentation of this level
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        if not all(type(k) is str for k in value):
            value = {str(k): v for k, v in value.items()}  # as to_jsonable: keys may merge
        pairs: Iterable[tuple[str | None, Any]] = value.items()
        brackets = "{}"
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        pairs = zip(repeat(None), value)  # an array's items have no key
        brackets = "[]"
    else:
        _write_scalar(value, out)
        return
    inner = newline + "  "
    sep = brackets[0] + inner
    for k, v in pairs:
        out.append(sep)
        if k is not None:
            out.append(encode_basestring(k))
            out.append(": ")
        # the common scalars inline (a call per value was most of the time), exact
        # types only: anything else takes the general path
        t = type(v)
        if t is str:
            out.append(encode_basestring(v))
        elif v is None:
            out.append("null")
        elif t is float and v - v == 0.0:  # finite
            out.append(float.__repr__(v))
        elif t is int:
            out.append(int.__repr__(v))
        elif t is bool:
            out.append("true" if v else "false")
        else:
            _write(v, out, inner)
        sep = "," + inner
    out.append(newline + brackets[1])


def _write_scalar(value: Any, out: list[str]) -> None:
    value = plain(value)
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):  # finite: plain() made NaN and infinities null
        out.append(float.__repr__(value))
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
