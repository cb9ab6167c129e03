"""`python -m chipdb`."""

import sys

from chipdb.cli import main

sys.exit(main())
