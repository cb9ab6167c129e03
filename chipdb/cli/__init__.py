"""The command line: parse, resolve names, call the library, hand the data to a renderer.

No SQL and no thresholds here. Data goes to stdout, messages to stderr.
"""

from chipdb.cli.main import main
from chipdb.cli.root import app

__all__ = ["app", "main"]
