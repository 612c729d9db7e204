"""The audit log in the admin: superusers only, read-only, filtered and searched, exported as CSV."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit import log as audit
from audit.models import Action, AuditEvent
from products.models import Product
from tests.factories import make_buyer, make_product

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_auditevent_changelist")
EXPORT = reverse("admin:audit_auditevent_export")


def change_url(event):
    return reverse("admin:audit_auditevent_change", args=[event.pk])


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def event(buyer_a):
    return audit.record(None, Action.DOCUMENT_DOWNLOADED, obj=make_product("Kestrel"), actor=buyer_a.user)


def listed(response) -> list[AuditEvent]:
    return list(response.context["cl"].result_list)


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# Who may see it


def test_a_superuser_sees_the_log(root_client, event):
    response = root_client.get(CHANGELIST)

    assert response.status_code == 200
    assert event in listed(response)
    assert "Export these as CSV" in response.content.decode()
    assert root_client.get(change_url(event)).status_code == 200


@pytest.mark.parametrize("actor", ["coordinator_a", "editor"])
def test_other_staff_cannot_see_the_log(client, request, actor, event):
    client.force_login(request.getfixturevalue(actor))

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(event)).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert "audit" not in client.get(reverse("admin:index")).content.decode().lower()


def test_staff_given_the_view_permission_still_cannot_see_the_log(client, coordinator_a, event):
    coordinator_a.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(coordinator_a)

    assert client.get(CHANGELIST).status_code == 403


def test_a_buyer_is_sent_to_the_admins_login(client, buyer_a):
    client.force_login(buyer_a.user)

    assert client.get(CHANGELIST).status_code == 302


def test_no_permission_to_add_change_or_delete_exists():
    codenames = Permission.objects.filter(content_type__app_label="audit").values_list("codename", flat=True)

    assert list(codenames) == ["view_auditevent"]


# Read-only, even for superusers


def test_a_superuser_cannot_add_change_or_delete_a_record(root_client, event):
    assert root_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert root_client.post(change_url(event), {"action": "logout"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = root_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).action == Action.DOCUMENT_DOWNLOADED


def test_the_record_page_shows_no_save_button(root_client, event):
    page = root_client.get(change_url(event)).content.decode()

    assert 'name="_save"' not in page
    assert "Kestrel" in page


# Filters and search


def test_it_filters_by_action_actor_and_object_type(root_client, buyer_a, buyer_b, event):
    other = audit.record(None, Action.LOGOUT, actor=buyer_b.user)

    assert listed(root_client.get(CHANGELIST, {"action__exact": "logout"})) == [other]
    assert event in listed(root_client.get(CHANGELIST, {"actor": buyer_a.user.pk}))
    assert other not in listed(root_client.get(CHANGELIST, {"actor": buyer_a.user.pk}))
    content_type = event.content_type_id
    assert listed(root_client.get(CHANGELIST, {"content_type__id__exact": content_type})) == [event]


def test_it_answers_a_malformed_actor_filter_without_an_error(root_client, event):
    response = root_client.get(CHANGELIST, {"actor": "not-a-number"})

    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_it_lists_staff_accounts_in_the_actor_filter(root_client, coordinator_a, buyer_a, event):
    page = root_client.get(CHANGELIST).content.decode()

    assert f"?actor={coordinator_a.pk}" in page
    # A buyer is reached from their name in a row instead.
    assert f'href="?actor={buyer_a.user.pk}"' in page


def test_it_filters_by_date(root_client, event):
    at = event.at

    response = root_client.get(CHANGELIST, {"at__year": at.year, "at__month": at.month, "at__day": at.day})

    assert event in listed(response)


def test_it_finds_by_username_object_address_and_username_tried(root_client, buyer_a, event):
    failed = audit.record(None, Action.LOGIN_FAILED, username="mallory")

    assert listed(root_client.get(CHANGELIST, {"q": "buyer-a"})) == [event]
    assert listed(root_client.get(CHANGELIST, {"q": "Kestrel"})) == [event]
    assert listed(root_client.get(CHANGELIST, {"q": "mallory"})) == [failed]
    assert listed(root_client.get(CHANGELIST, {"q": "not an address ' or 1=1"})) == []


@pytest.mark.parametrize("size", [3, 30])
def test_the_change_list_makes_a_fixed_number_of_queries(root_client, django_assert_max_num_queries, size):
    buyer = make_buyer()
    product = make_product()
    for _ in range(size):
        audit.record(None, Action.DOCUMENT_DOWNLOADED, obj=product, actor=buyer.user, product="x")
        audit.record(None, Action.LOGIN_FAILED, username="guess")

    # session, user, the actor filter's staff, the object type filter's types, the count, the page (with
    # object types), the date hierarchy's first and last dates and its days (all in this month here)
    with django_assert_max_num_queries(8):
        response = root_client.get(CHANGELIST)

    # Events beyond the recorded ones: the superuser's own login.
    assert response.context["cl"].result_count == 2 * size + 1


# The export


def test_it_exports_the_filtered_list_as_csv_and_records_the_export(root_client, superuser, buyer_a, event):
    audit.record(None, Action.LOGIN, actor=buyer_a.user)

    response = root_client.get(EXPORT, {"action__exact": "document_downloaded"}, REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    header, *rows = exported(response)
    assert header[:3] == ["when", "action", "what"]
    assert [row[1] for row in rows] == ["document_downloaded"]
    assert rows[0][4] == "buyer-a"
    assert rows[0][6] == "products.product"
    assert rows[0][8] == "Kestrel"
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert (export.actor, export.address) == (superuser, "198.51.100.9")
    assert export.details == {"filters": "action__exact=document_downloaded", "events": 1}


def test_the_export_neutralises_cells_a_spreadsheet_would_run(root_client):
    product = Product.objects.create(
        name='=HYPERLINK("http://evil.example")',
        slug="evil",
        category=make_product().category,
        manufacturer=make_product().manufacturer,
        technology_readiness_level=9,
        military_list_category="ML10",
    )
    audit.record(None, Action.LOGIN_FAILED, username="@SUM(1+1)")
    audit.record(None, Action.PRODUCT_CHANGED, obj=product)

    rows = exported(root_client.get(EXPORT))[1:]

    objects = [row[8] for row in rows]
    assert '\'=HYPERLINK("http://evil.example")' in objects
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_the_export_answers_a_malformed_filter_with_the_list_and_its_error(root_client):
    response = root_client.get(EXPORT, {"at__year": "never"})

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("size", [3, 30])
def test_the_export_makes_a_fixed_number_of_queries(root_client, django_assert_max_num_queries, size):
    buyer = make_buyer()
    for _ in range(size):
        audit.record(None, Action.LOGIN, actor=buyer.user)

    # session, user, the change list's actor filter, object types and count, the export's record (its object
    # type, cached after a process's first use, and the row), the events (with object types, in chunks of
    # 2,000: one query at these sizes)
    with django_assert_max_num_queries(8):
        rows = exported(root_client.get(EXPORT))

    assert len(rows) == size + 2  # the header, the recorded logins and the superuser's own
