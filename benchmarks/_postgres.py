"""A fresh PostgreSQL database for one benchmark run, on the local server (trust auth)."""

from __future__ import annotations

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(name: str) -> str | None:
    """Drop and create `name`; its URL, or None (said why) when PostgreSQL is not there."""
    try:
        import psycopg
    except ImportError:
        print("PostgreSQL skipped: psycopg is not installed")
        return None
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unavailable, skipped: {exc}".strip())
        return None
    return f"postgres://postgres@127.0.0.1:5432/{name}"
