"""The catalogue's files: seed and import TOML validated (pydantic) and built into records."""

from chipdb.catalogue.core import (
    Catalogue,
    SeedFileModel,
    build_catalogue,
    load_paths,
    parse_text,
    read_file,
    seed_files,
)

__all__ = ["Catalogue", "SeedFileModel", "build_catalogue", "load_paths", "parse_text",
           "read_file", "seed_files"]
