"""SQL text placeholders: the library writes ':name'; each driver rewrites them its own way."""

from __future__ import annotations

import re

# ":name" placeholders (not "::" casts); each driver rewrites them to its own style
NAMED_PARAMETER = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")

# A command's own reads take milliseconds; one that runs this long is reading a view someone
# replaced (say with an endless recursive CTE): stop it instead of hanging every command.
READ_TIMEOUT_S = 30
