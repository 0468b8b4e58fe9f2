"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (make demo)."""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlparse


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return 0
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = unquote(parsed.path.lstrip("/")) or "postgres"
    conninfo = {
        "host": parsed.hostname or "",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or ""),
        "password": unquote(parsed.password or ""),
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    try:
        with psycopg.connect(**{k: v for k, v in conninfo.items() if v != ""}, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                sys.stdout.write(f"데이터베이스 {name} 를 만들었습니다.\n")
    except psycopg.Error as exc:
        sys.stderr.write(f"데이터베이스 {name} 를 확인하지 못했습니다: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
