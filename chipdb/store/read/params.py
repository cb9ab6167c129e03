"""SQL text placeholders: the library writes ':name'; each driver rewrites them its own way."""

from __future__ import annotations

import re

# ":name" placeholders (not "::" casts); each driver rewrites them to its own style
NAMED_PARAMETER = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")

# A command's own reads take milliseconds; one that runs this long is reading a view someone
# replaced (say with an endless recursive CTE): stop it instead of hanging every command.
READ_TIMEOUT_S = 30

# PostgreSQL advisory lock on the schema: migrations hold it exclusively for their transaction,
# every chipdb reader shares it for its snapshot, so a read never meets a half-dropped schema
# (reseeds change rows only and do not take it: readers keep reading during them).
SCHEMA_LOCK_KEY = 0x63686970_7363  # "chipsc"
