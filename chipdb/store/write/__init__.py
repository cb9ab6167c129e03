"""The heavy write side (SQLAlchemy, Alembic): migrations, rebuilds, imports, the bundle."""
