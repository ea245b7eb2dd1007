"""Persistence: SQLAlchemy 2 models, repositories that return plain objects, and migrations."""
