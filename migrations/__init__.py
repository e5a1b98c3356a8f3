"""Alembic migrations of dreambot's database; run them with ``dreambot db upgrade``."""
