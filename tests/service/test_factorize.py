"""chunks.factorize: a text column as its distinct words (first seen first) and row codes,
through the whole-column comparisons and, past 32 words, the per-row pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipdb.service.chunks import factorize


def _first_seen(values: list[str | None]) -> list[str | None]:
    seen: list[str | None] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


@pytest.mark.parametrize("values", [
    [], [None], ["fp8", None, "bf16", "fp8", None],
    [f"w{i % 40}" for i in range(200)],  # 40 words: 32 peeled, 8 by the per-row pass
    [f"w{i}" for i in range(100)],  # every row its own word
])
def test_words_in_first_seen_order_and_codes_that_rebuild_the_column(
        values: list[str | None]) -> None:
    words, codes = factorize(values)
    assert words == _first_seen(values)
    assert [words[c] for c in codes] == values
    assert codes.dtype == np.int64


@given(st.lists(st.one_of(st.none(), st.sampled_from([f"v{i}" for i in range(50)]))))
def test_a_list_and_an_object_array_factorize_alike(values: list[str | None]) -> None:
    words, codes = factorize(values)
    array_words, array_codes = factorize(np.array(values, dtype=object))
    assert words == array_words == _first_seen(values)
    assert codes.tolist() == array_codes.tolist()
    assert [words[c] for c in codes] == values
