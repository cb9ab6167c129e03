"""Wheel build hook: bundle a ready database (catalogue seeded, verdicts computed).

It runs chipdb's own loader on the seeds being packaged, so the copy a first run installs is
exactly what seeding would produce (chipdb.store.bundled checks the seed fingerprint at run time).
Editable installs skip it: a source checkout seeds on first run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundledDatabaseHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)
        try:
            from chipdb.store.package_data import TEMPLATE_NAME
            from chipdb.store.write.bundle import build_template
        finally:
            sys.path.remove(self.root)
        folder = Path(tempfile.mkdtemp(prefix="chipdb-template-"))
        path = build_template(folder / TEMPLATE_NAME)
        build_data["force_include"][str(path)] = f"chipdb/_data/{TEMPLATE_NAME}"
