"""The catalogue's files: seed and import TOML validated (pydantic) and built into records.

``schema`` is the shape of a file, ``claims`` resolves one sourced field, ``chips`` builds a
chip from its field tables, ``build`` reads files and makes the cross-file checks.
"""

from chipdb.catalogue.build import (
    Catalogue,
    build_catalogue,
    check_import,
    load_paths,
    parse_text,
    read_file,
    seed_files,
)
from chipdb.catalogue.schema import SeedFileModel

__all__ = ["Catalogue", "SeedFileModel", "build_catalogue", "check_import", "load_paths",
           "parse_text", "read_file", "seed_files"]
