"""render.json.dumps writes what json.dumps(to_jsonable(v), indent=2, ensure_ascii=False)
writes, character for character: the JSON output of every command and API depends on it."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipdb.render.document import to_jsonable
from chipdb.render.json import dumps


def reference(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)


scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.dates() | st.datetimes() | st.binary(max_size=8))
keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
values = st.recursive(scalars, lambda inner: (
    st.lists(inner, max_size=5) | st.tuples(inner, inner)
    | st.dictionaries(keys, inner, max_size=5)), max_leaves=40)


@given(values)
def test_dumps_is_the_standard_indented_encoder(value: Any) -> None:
    assert dumps(value) == reference(value)


@pytest.mark.parametrize("value", [
    {}, [], (), {"a": {}, "b": []}, "", 0, -0.0, 1e16, 1e-7, 2**70, float("nan"),
    {"x": float("-inf")}, True, None, "é \u202e \x1f \"q\" \\", date(2026, 12, 1),
    datetime(2026, 12, 1, 16, 0), b"\x00\xff", {1: "int", "1": "str"},
    {"nested": [{"k": [1, [2, [3, {}]]]}]},
])
def test_dumps_edge_values(value: Any) -> None:
    assert dumps(value) == reference(value)


def test_dumps_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        reference({"a": object()})
