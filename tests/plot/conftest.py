"""The hostile catalogue of tests/render, for the map."""

from tests.render.conftest import hostile  # noqa: F401  (a fixture)
