"""Version numbers: the package's, and the engine's (what stored figures were computed by)."""

__version__ = "0.1.0"

# Bump when the metrics or the engine change how a stored figure is computed, so that every
# existing database recomputes its metrics and verdicts on the next run.
ENGINE_VERSION = "1"
