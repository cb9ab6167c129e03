"""Wheel build hook: bundle a ready database (catalogue seeded, verdicts computed).

It runs chipdb's own loader on the seeds being packaged, so the copy a first run installs is
exactly what seeding would produce (chipdb.store.bundled checks the seed fingerprint at run time).
Editable installs skip it: a source checkout seeds on first run. The database is built in a
temporary folder that finalize() removes once the wheel holds its copy (atexit covers a build
that fails in between), so no build leaves a database behind in the system temp dir.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundledDatabaseHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"
    _folder: Path | None = None

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
        self._folder = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = build_template(folder / TEMPLATE_NAME)
        build_data["force_include"][str(path)] = f"chipdb/_data/{TEMPLATE_NAME}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._folder is not None:  # the wheel is written: its copy is all that is needed
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
