"""Nobody can change or delete a record of the audit log: not through the model, its QuerySet or the admin,
nor with SQL (the database's trigger)."""

import importlib
import types

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from audit import log as audit
from audit.models import Action, AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db

append_only_migration = importlib.import_module("audit.migrations.0002_audit_log_append_only")


@pytest.fixture
def event(buyer_a):
    return audit.record(None, Action.LOGIN, actor=buyer_a.user, reason="a test")


def test_a_record_cannot_be_saved_again(event):
    event.action = Action.LOGOUT
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    fetched = AuditEvent.objects.get(pk=event.pk)
    fetched.actor_name = "someone else"
    with pytest.raises(AuditLogIsAppendOnly):
        fetched.save(update_fields=["actor_name"])
    assert AuditEvent.objects.get(pk=event.pk).action == Action.LOGIN


def test_a_record_cannot_be_deleted(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_queryset_refuses_updates_and_deletes(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.LOGOUT)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    event.action = Action.LOGOUT
    # bulk_update's own transaction has no savepoint: the refusal would break the test's.
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": Action.LOGOUT})
    assert AuditEvent.objects.get(pk=event.pk).action == Action.LOGIN


def test_the_database_refuses_to_rewrite_a_record(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'someone else' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "buyer-a"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite refuses deletes in the model only")
def test_the_database_refuses_to_delete_a_record_on_postgresql(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_migration_can_be_reversed_and_applied_again(event):
    """The reverse drops the trigger (an UPDATE goes through), the forward puts it back."""
    operation = append_only_migration.Migration.operations[0]
    # The migration's functions need only the connection and a way to run SQL.
    editor = types.SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    with transaction.atomic():
        operation.reverse_code(None, editor)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s", [event.pk])
        operation.code(None, editor)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET actor_name = 'y' WHERE id = %s", [event.pk])
        transaction.set_rollback(True)
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "buyer-a"


def test_an_account_that_appears_in_the_log_cannot_be_deleted(event, buyer_a):
    with pytest.raises(ProtectedError):
        buyer_a.user.delete()
    assert User.objects.filter(pk=buyer_a.user.pk).exists()
