"""Backups (README, "Backup and restore"): a dump of the database restored into an empty one holds every
expression of interest with its lines and its whole history. PostgreSQL only: its pg_dump and pg_restore."""

import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from interests.models import ExpressionOfInterest, InterestLine, Reason, StatusChange
from tests.factories import make_interest, make_listing

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore"),
    pytest.mark.usefixtures("migrated_rows"),
]

EOI_TABLES = {
    ExpressionOfInterest._meta.db_table: "reference, status, end_user, delivery_country",
    InterestLine._meta.db_table: "interest_id, product_id, hub_id, quantity, listed_quantity",
    StatusChange._meta.db_table: "interest_id, from_status, to_status, reason, comment, internal_note",
}


def server_arguments(settings_dict) -> list[str]:
    arguments = ["-h", settings_dict["HOST"] or "localhost", "-U", settings_dict["USER"]]
    return arguments + (["-p", str(settings_dict["PORT"])] if settings_dict["PORT"] else [])


def rows(cursor, table: str, columns: str) -> list[tuple]:
    cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")
    return cursor.fetchall()


def test_a_dump_restored_into_an_empty_database_has_every_eoi_with_its_lines_and_history(
    tmp_path, buyer_a, coordinator_a, hub_a
):
    answered = make_interest(buyer_a, [make_listing(hub=hub_a), make_listing(hub=hub_a)])
    answered.start_review(by=coordinator_a)
    answered.request_information(by=coordinator_a, reason=Reason.CERTIFICATE, comment="Certificate?")
    answered.answer(by=buyer_a.user, comment="Attached.")
    declined = make_interest(buyer_a, [make_listing(hub=hub_a)])
    declined.start_review(by=coordinator_a, internal_note="Staff only.")
    declined.decline(by=coordinator_a, reason=Reason.SURPLUS_UNAVAILABLE, comment="Sold.")
    settings_dict = connection.settings_dict
    dump = tmp_path / "hubcatalog.dump"
    restored = f"restore_{uuid.uuid4().hex[:12]}"

    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            f"--file={dump}",
            *server_arguments(settings_dict),
            settings_dict["NAME"],
        ],
        check=True,
    )
    with connection.cursor() as cursor:
        expected = {table: rows(cursor, table, columns) for table, columns in EOI_TABLES.items()}
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored}", *server_arguments(settings_dict), str(dump)],
            check=True,
        )
        with (
            psycopg.connect(
                dbname=restored,
                host=settings_dict["HOST"] or "localhost",
                port=settings_dict["PORT"] or 5432,
                user=settings_dict["USER"],
                password=settings_dict["PASSWORD"] or None,
            ) as restored_connection,
            restored_connection.cursor() as cursor,
        ):
            found = {table: rows(cursor, table, columns) for table, columns in EOI_TABLES.items()}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    assert found == expected
    assert len(found[ExpressionOfInterest._meta.db_table]) == 2
    assert len(found[InterestLine._meta.db_table]) == 3
    assert len(found[StatusChange._meta.db_table]) == 7
