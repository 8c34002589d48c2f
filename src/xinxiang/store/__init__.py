"""Persistence: SQLAlchemy 2 ORM models, repositories, unit of work and Alembic migrations."""
