"""Staff review expressions of interest in the admin, scoped to the hubs they coordinate.

Coordinator A (of hub A) is tried against an EOI that concerns only hub B through every admin path: change
list, search, filters, change, history, delete, the review step and the CSV export.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hubcatalog import formatting
from interests.admin import ExpressionOfInterestAdmin, ProductListFilter, StatusChangeInline
from interests.models import ExpressionOfInterest, Reason, Status, StatusChange
from tests.factories import make_buyer, make_interest, make_listing, make_product

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:interests_expressionofinterest_changelist")
EXPORT = reverse("admin:interests_expressionofinterest_export")


def change_url(interest):
    return reverse("admin:interests_expressionofinterest_change", args=[interest.pk])


def transition_url(interest):
    return reverse("admin:interests_expressionofinterest_transition", args=[interest.pk])


def history_url(interest):
    return reverse("admin:interests_expressionofinterest_history", args=[interest.pk])


def delete_url(interest):
    return reverse("admin:interests_expressionofinterest_delete", args=[interest.pk])


def listed_references(response) -> set[str]:
    assert response.status_code == 200
    return {interest.reference for interest in response.context["cl"].result_list}


def csv_rows(response) -> list[dict]:
    """The rows of a CSV export, which streams: reading them runs its queries."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode())))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def listing_a(hub_a):
    return make_listing(make_product("Alpha Interceptor"), hub_a, quantity_available=12)


@pytest.fixture
def listing_b(hub_b):
    return make_listing(make_product("Bravo Jammer"), hub_b)


@pytest.fixture
def interest_a(buyer_a, listing_a):
    return make_interest(buyer_a, [listing_a], end_user="Alpha Battalion")


@pytest.fixture
def interest_b(buyer_b, listing_b):
    return make_interest(buyer_b, [listing_b], end_user="Bravo Brigade")


@pytest.fixture
def client_a(client, coordinator_a, interest_a, interest_b):
    client.force_login(coordinator_a)
    return client


def transition(client, interest, to, **data):
    return client.post(transition_url(interest), {"to_status": to, **data})


# Scope: who sees what.


def test_coordinator_sees_only_their_hubs_interests_in_the_change_list(client_a, interest_a, interest_b):
    response = client_a.get(CHANGELIST)

    assert listed_references(response) == {interest_a.reference}
    assert interest_b.reference not in response.content.decode()


def test_coordinator_cannot_find_another_hubs_interest_by_searching(client_a, interest_b):
    for term in (interest_b.reference, '"Organisation B"', "Bravo Brigade"):
        assert listed_references(client_a.get(CHANGELIST, {"q": term})) == set()


def test_coordinator_cannot_filter_the_change_list_to_another_hub(client_a, interest_b, hub_b):
    response = client_a.get(CHANGELIST, {"hub": hub_b.pk})

    assert listed_references(response) == set()
    assert "Hub B" not in response.content.decode()


def test_coordinator_filters_offer_only_their_hubs_and_products(client_a):
    content = client_a.get(CHANGELIST).content.decode()

    assert "Hub A" in content
    assert "Alpha Interceptor" in content
    assert "Hub B" not in content
    assert "Bravo Jammer" not in content


def test_the_product_filter_offers_the_most_asked_about_products_and_the_chosen_one(client_a, buyer_a, hub_a):
    shown = ProductListFilter.shown
    listings = [make_listing(make_product(f"Drone {number:02}"), hub_a) for number in range(shown + 2)]
    for number, listing in enumerate(listings):
        for _copy in range(1 if number < 2 else 2):  # Drone 00 and 01 asked about least
            make_interest(buyer_a, [listing])

    choices = client_a.get(CHANGELIST).context["cl"].filter_specs[-1].lookup_choices
    names = {name for _pk, name in choices}
    assert len(names) == shown
    assert "Drone 00" not in names and "Drone 05" in names

    chosen = client_a.get(CHANGELIST, {"product": listings[0].product_id})
    assert "Drone 00" in {name for _pk, name in chosen.context["cl"].filter_specs[-1].lookup_choices}
    assert len(listed_references(chosen)) == 1


def test_coordinator_cannot_filter_to_another_hubs_product(client_a, listing_b):
    assert listed_references(client_a.get(CHANGELIST, {"product": listing_b.product_id})) == set()


def test_it_answers_a_filter_value_that_is_not_an_id_with_the_admins_error_page(client_a):
    response = client_a.get(CHANGELIST, {"hub": "abc"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("url", [change_url, history_url, delete_url])
def test_coordinator_cannot_open_another_hubs_interest(client_a, interest_b, url):
    assert client_a.get(url(interest_b)).status_code == 404


def test_coordinator_cannot_move_another_hubs_interest(client_a, interest_b):
    response = transition(client_a, interest_b, Status.UNDER_REVIEW)

    assert response.status_code == 404
    interest_b.refresh_from_db()
    assert interest_b.status == Status.SUBMITTED
    assert interest_b.history.count() == 1


def test_coordinator_cannot_export_another_hubs_interest(client_a, interest_a, interest_b):
    rows = csv_rows(client_a.get(EXPORT))

    assert {row["reference"] for row in rows} == {interest_a.reference}


def test_coordinator_cannot_export_another_hubs_interest_even_by_filtering_for_it(
    client_a, interest_b, hub_b
):
    assert csv_rows(client_a.get(EXPORT, {"hub": hub_b.pk, "q": interest_b.reference})) == []


def test_coordinator_has_no_object_permission_on_another_hubs_interest(rf, coordinator_a, interest_b):
    request = rf.get("/")
    request.user = coordinator_a
    model_admin = admin.site.get_model_admin(ExpressionOfInterest)

    assert not model_admin.has_view_permission(request, interest_b)
    assert not model_admin.has_change_permission(request, interest_b)


def test_an_interest_at_two_hubs_is_seen_by_both_coordinators(
    client, coordinator_a, coordinator_b, buyer_a, listing_a, listing_b
):
    shared = make_interest(buyer_a, [listing_a, listing_b])

    for coordinator in (coordinator_a, coordinator_b):
        client.force_login(coordinator)
        assert shared.reference in listed_references(client.get(CHANGELIST))
        assert client.get(change_url(shared)).status_code == 200


def test_an_interest_with_two_lines_at_one_hub_is_listed_once(client_a, buyer_a, hub_a, interest_a):
    twice = make_interest(buyer_a, [make_listing(hub=hub_a), make_listing(hub=hub_a)])

    response = client_a.get(CHANGELIST)

    assert [i.reference for i in response.context["cl"].result_list].count(twice.reference) == 1
    assert response.context["cl"].result_count == 2


def test_it_shows_a_superuser_every_interest(client, superuser, interest_a, interest_b):
    client.force_login(superuser)

    assert listed_references(client.get(CHANGELIST)) == {interest_a.reference, interest_b.reference}
    assert client.get(change_url(interest_b)).status_code == 200


def test_catalogue_editor_cannot_see_interests(client, editor, interest_a):
    client.force_login(editor)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert transition(client, interest_a, Status.UNDER_REVIEW).status_code == 404


def test_buyer_cannot_reach_the_staff_review(client, buyer_a, interest_a):
    client.force_login(buyer_a.user)

    for url in (CHANGELIST, EXPORT, change_url(interest_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


# The change page: buyer fields read-only, no add, no delete, history read-only.


def test_coordinator_reads_the_interest_with_its_lines_and_history(client_a, interest_a):
    response = client_a.get(change_url(interest_a))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Battalion" in content
    assert "Alpha Interceptor" in content
    assert 'name="end_user"' not in content
    assert 'name="history-0-comment"' not in content
    assert f'action="{transition_url(interest_a)}"' in content


def test_it_says_in_words_how_much_more_than_listed_a_line_asks_for(client_a, buyer_a, listing_a):
    large = make_interest(buyer_a, [listing_a], quantity=50)

    content = " ".join(client_a.get(change_url(large)).content.decode().split())

    assert '<td class="field-exceeds"> <p>Yes, 38 units more than listed</p>' in content
    assert "icon-yes.svg" not in content.split('id="lines-group"')[1].split("</table>")[0]


def test_a_line_within_the_listed_quantity_reads_no_not_a_red_cross(client_a, interest_a):
    content = " ".join(client_a.get(change_url(interest_a)).content.decode().split())

    assert '<td class="field-exceeds"> <p>No</p>' in content
    assert "icon-no.svg" not in content


def test_the_lines_show_the_snapshot_price_in_the_one_money_format(client_a, buyer_a, hub_a):
    listing = make_listing(make_product("Owl Radar"), hub_a, unit_price_eur=Decimal("361900.00"))
    interest = make_interest(buyer_a, [listing])

    content = client_a.get(change_url(interest)).content.decode()

    assert "€361,900" in content
    assert "361900.00" not in content


def test_the_history_shows_the_status_labels_the_reviewer_and_when(client_a, coordinator_a, interest_a):
    interest_a.transition(Status.UNDER_REVIEW, by=coordinator_a)
    interest_a.transition(
        Status.INFORMATION_REQUESTED, by=coordinator_a, reason=Reason.CERTIFICATE, comment="Please attach it."
    )

    content = client_a.get(change_url(interest_a)).content.decode()
    history = content.split('id="history-group"')[1]

    assert "Submitted → Under review" in history
    assert "Under review → Information requested" in history
    assert "under_review" not in history
    assert str(Reason.CERTIFICATE.label) in history
    assert coordinator_a.get_username() in history
    assert formatting.format_moment(interest_a.history.last().at) in history


def test_nobody_may_add_or_delete_an_interest_in_the_admin(client, superuser, interest_a):
    client.force_login(superuser)

    assert client.get(reverse("admin:interests_expressionofinterest_add")).status_code == 403
    assert client.get(delete_url(interest_a)).status_code == 403
    assert client.post(delete_url(interest_a), {"post": "yes"}).status_code == 403
    assert ExpressionOfInterest.objects.filter(pk=interest_a.pk).exists()


def test_the_history_is_read_only_even_for_a_superuser(rf, superuser, interest_a):
    request = rf.get("/")
    request.user = superuser
    inline = StatusChangeInline(ExpressionOfInterest, admin.site)

    assert inline.has_view_permission(request, interest_a)
    assert not inline.has_add_permission(request, interest_a)
    assert not inline.has_change_permission(request, interest_a)
    assert not inline.has_delete_permission(request, interest_a)
    assert not admin.site.is_registered(StatusChange)
    with pytest.raises(NoReverseMatch):
        reverse("admin:interests_statuschange_changelist")


def test_the_change_form_cannot_touch_the_history_or_the_status(client, superuser, interest_a):
    client.force_login(superuser)
    step = interest_a.history.get()

    response = client.post(
        change_url(interest_a),
        {
            "status": Status.ACCEPTED,
            "end_user": "Someone else",
            "reviewer": "",
            "history-TOTAL_FORMS": "1",
            "history-INITIAL_FORMS": "1",
            "history-0-id": step.pk,
            "history-0-comment": "rewritten",
            "history-0-DELETE": "on",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": interest_a.lines.get().pk,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    interest_a.refresh_from_db()
    assert (interest_a.status, interest_a.end_user) == (Status.SUBMITTED, "Alpha Battalion")
    assert list(interest_a.history.values_list("pk", "comment")) == [(step.pk, "")]


# Assigning a reviewer: in the review form, on its own or with a step.


def test_coordinator_assigns_themselves_as_reviewer_without_a_step(client_a, coordinator_a, interest_a):
    response = client_a.post(transition_url(interest_a), {"to_status": "", "reviewer": coordinator_a.pk})

    assert response.status_code == 302
    interest_a.refresh_from_db()
    assert interest_a.reviewer == coordinator_a
    assert (interest_a.status, interest_a.history.count()) == (Status.SUBMITTED, 1)


def test_the_reviewer_is_saved_with_the_step_in_one_submit(client_a, coordinator_a, interest_a):
    response = client_a.post(
        transition_url(interest_a),
        {"to_status": Status.UNDER_REVIEW, "reviewer": coordinator_a.pk, "internal_note": "Mine."},
    )

    assert response.status_code == 302
    interest_a.refresh_from_db()
    assert (interest_a.status, interest_a.reviewer) == (Status.UNDER_REVIEW, coordinator_a)
    assert interest_a.history.last().internal_note == "Mine."


def test_a_refused_step_saves_no_reviewer_either(client_a, coordinator_a, interest_a):
    client_a.post(transition_url(interest_a), {"to_status": Status.ACCEPTED, "reviewer": coordinator_a.pk})

    interest_a.refresh_from_db()
    assert (interest_a.status, interest_a.reviewer) == (Status.SUBMITTED, None)


def test_nothing_chosen_is_told_and_changes_nothing(client_a, interest_a):
    response = client_a.post(transition_url(interest_a), {"to_status": "", "reviewer": ""})

    assert any("Choose a step, or another reviewer" in message for message in messages_of(response))
    interest_a.refresh_from_db()
    assert interest_a.history.count() == 1


def test_coordinator_cannot_assign_a_coordinator_of_another_hub(client_a, coordinator_b, interest_a):
    response = client_a.post(transition_url(interest_a), {"to_status": "", "reviewer": coordinator_b.pk})

    assert response.status_code == 302
    assert any("Reviewer" in message for message in messages_of(response))
    interest_a.refresh_from_db()
    assert interest_a.reviewer is None


def test_the_change_page_has_one_form_that_saves(client_a, interest_a):
    content = client_a.get(change_url(interest_a)).content.decode()

    assert content.count('value="Record this step"') == 1
    assert 'name="_save"' not in content and 'name="_continue"' not in content
    assert 'name="reviewer"' in content.split(f'action="{transition_url(interest_a)}"')[1].split("</form>")[0]


def test_the_assigned_to_me_filter_lists_the_users_reviews(client_a, coordinator_a, buyer_a, listing_a):
    mine = make_interest(buyer_a, [listing_a])
    ExpressionOfInterest.objects.filter(pk=mine.pk).update(reviewer=coordinator_a)

    assert listed_references(client_a.get(CHANGELIST, {"assigned": "me"})) == {mine.reference}


# The review steps.


def test_coordinator_starts_the_review(client_a, coordinator_a, interest_a):
    response = transition(client_a, interest_a, Status.UNDER_REVIEW, internal_note="Looks complete.")

    assert response.status_code == 302
    assert response["Location"] == change_url(interest_a)
    interest_a.refresh_from_db()
    assert interest_a.status == Status.UNDER_REVIEW
    step = interest_a.history.last()
    assert (step.from_status, step.to_status, step.actor, step.internal_note) == (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        coordinator_a,
        "Looks complete.",
    )


def test_coordinator_requests_information_with_a_reason_and_a_comment(client_a, coordinator_a, interest_a):
    interest_a.start_review(by=coordinator_a)

    response = transition(
        client_a,
        interest_a,
        Status.INFORMATION_REQUESTED,
        reason=Reason.CERTIFICATE,
        comment="Please send the draft certificate.",
    )

    assert response.status_code == 302
    interest_a.refresh_from_db()
    assert interest_a.status == Status.INFORMATION_REQUESTED
    step = interest_a.history.last()
    assert (step.reason, step.comment) == (Reason.CERTIFICATE, "Please send the draft certificate.")


def test_coordinator_accepts_an_interest(client_a, coordinator_a, interest_a):
    interest_a.start_review(by=coordinator_a)

    transition(client_a, interest_a, Status.ACCEPTED, comment="Forwarded.")

    interest_a.refresh_from_db()
    assert interest_a.status == Status.ACCEPTED
    assert interest_a.decided_at is not None


def test_coordinator_declines_an_interest_with_a_reason(client_a, coordinator_a, interest_a):
    interest_a.start_review(by=coordinator_a)

    transition(client_a, interest_a, Status.DECLINED, reason=Reason.SURPLUS_UNAVAILABLE, comment="Sold out.")

    interest_a.refresh_from_db()
    assert interest_a.status == Status.DECLINED
    assert interest_a.history.last().reason == Reason.SURPLUS_UNAVAILABLE


def test_the_change_page_offers_only_the_staff_steps_allowed_now(client_a, interest_a):
    form = client_a.get(change_url(interest_a)).context["review_form"]

    assert [value for value, _label in form.fields["to_status"].choices] == ["", Status.UNDER_REVIEW]


def test_a_decided_interest_offers_no_further_step(client_a, coordinator_a, interest_a):
    interest_a.start_review(by=coordinator_a)
    interest_a.accept(by=coordinator_a)

    response = client_a.get(change_url(interest_a))

    assert "review_form" not in response.context


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": Status.ACCEPTED},  # not allowed from "submitted"
        {"to_status": Status.WITHDRAWN},  # the buyer's step, not staff's
        {"to_status": Status.ANSWERED, "comment": "x"},
        {"to_status": "shipped"},
        {},
    ],
)
def test_coordinator_cannot_post_a_step_the_workflow_does_not_allow(client_a, interest_a, data):
    response = client_a.post(transition_url(interest_a), data)

    assert response.status_code == 302
    assert messages_of(response)
    interest_a.refresh_from_db()
    assert interest_a.status == Status.SUBMITTED
    assert interest_a.history.count() == 1


@pytest.mark.parametrize("target", [Status.INFORMATION_REQUESTED, Status.DECLINED])
def test_coordinator_cannot_request_information_or_decline_without_a_reason(
    client_a, coordinator_a, interest_a, target
):
    interest_a.start_review(by=coordinator_a)

    response = transition(client_a, interest_a, target, comment="Why not.")

    assert response.status_code == 302
    assert any("Choose a reason" in message for message in messages_of(response))
    interest_a.refresh_from_db()
    assert interest_a.status == Status.UNDER_REVIEW


def test_coordinator_cannot_post_an_unknown_reason(client_a, coordinator_a, interest_a):
    interest_a.start_review(by=coordinator_a)

    transition(client_a, interest_a, Status.DECLINED, reason="because", comment="No.")

    interest_a.refresh_from_db()
    assert interest_a.status == Status.UNDER_REVIEW


def test_it_refuses_a_step_from_a_stale_page(client_a, coordinator_a, interest_a):
    """Another reviewer moved it meanwhile: the model refuses, the page says so."""
    page_copy = ExpressionOfInterest.objects.get(pk=interest_a.pk)
    interest_a.withdraw(by=interest_a.submitted_by)

    response = transition(client_a, page_copy, Status.UNDER_REVIEW)

    assert response.status_code == 302
    assert messages_of(response)
    interest_a.refresh_from_db()
    assert interest_a.status == Status.WITHDRAWN


def test_the_review_step_accepts_only_post(client_a, interest_a):
    assert client_a.get(transition_url(interest_a)).status_code == 405


# Filters and export.


def test_it_filters_overdue_interests(client_a, buyer_a, listing_a, interest_a, settings):
    late = make_interest(buyer_a, [listing_a], submitted_at=timezone.now() - datetime.timedelta(days=40))
    decided_late = make_interest(
        buyer_a, [listing_a], submitted_at=timezone.now() - datetime.timedelta(days=40)
    )
    decided_late.withdraw(by=buyer_a.user)

    assert listed_references(client_a.get(CHANGELIST, {"overdue": "yes"})) == {late.reference}
    assert listed_references(client_a.get(CHANGELIST, {"overdue": "no"})) == {
        interest_a.reference,
        decided_late.reference,
    }


def test_it_filters_by_age_and_status(client_a, coordinator_a, buyer_a, listing_a, interest_a):
    old = make_interest(buyer_a, [listing_a], submitted_at=timezone.now() - datetime.timedelta(days=12))
    old.start_review(by=coordinator_a)

    assert listed_references(client_a.get(CHANGELIST, {"age": "week"})) == {interest_a.reference}
    assert listed_references(client_a.get(CHANGELIST, {"age": "month"})) == {old.reference}
    assert listed_references(client_a.get(CHANGELIST, {"status__exact": "under_review"})) == {old.reference}


def test_it_exports_one_row_per_line_with_the_snapshot(client, superuser, buyer_a, listing_a, listing_b):
    interest = make_interest(buyer_a, [listing_a, listing_b], quantity=15)
    client.force_login(superuser)

    rows = csv_rows(client.get(EXPORT))

    assert [(row["hub"], row["product"]) for row in rows] == [
        ("Hub A", "Alpha Interceptor"),
        ("Hub B", "Bravo Jammer"),
    ]
    first = rows[0]
    assert first["reference"] == interest.reference
    assert first["status"] == "Submitted"
    assert first["organisation"] == "Organisation A"
    assert (first["country"], first["delivery country"]) == ("DE", "DE")
    assert (first["quantity"], first["listed quantity"], first["more than listed"]) == ("15", "12", "yes")
    assert rows[1]["more than listed"] == "no"
    assert first["review due"] == interest.review_due_on.isoformat()


def test_the_export_follows_the_change_list_filters(client_a, coordinator_a, buyer_a, listing_a, interest_a):
    reviewed = make_interest(buyer_a, [listing_a])
    reviewed.start_review(by=coordinator_a)

    rows = csv_rows(client_a.get(EXPORT, {"status__exact": "under_review"}))

    assert {row["reference"] for row in rows} == {reviewed.reference}
    assert {row["reference"] for row in csv_rows(client_a.get(EXPORT, {"q": "Alpha Battalion"}))} == {
        interest_a.reference
    }


def test_the_change_list_links_the_export_with_its_filters(client_a):
    content = client_a.get(CHANGELIST, {"status__exact": "submitted"}).content.decode()

    assert f'href="{EXPORT}?status__exact=submitted"' in content


def test_the_export_answers_a_bad_filter_with_the_admins_error_page(client_a):
    response = client_a.get(EXPORT, {"product": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_the_change_list_shows_age_overdue_and_hubs_in_short(client_a, buyer_a, listing_a):
    make_interest(buyer_a, [listing_a], submitted_at=timezone.now() - datetime.timedelta(days=45))

    response = client_a.get(CHANGELIST)
    content = response.content.decode()

    assert '<td class="field-age">45 d</td>' in content
    assert '<td class="field-hub_cities"><span title="Hub A">Berlin</span></td>' in content
    assert '<strong class="hc-overdue">overdue</strong>' in content


# Query counts.


def make_interests(buyer, hubs, count):
    for index in range(count):
        make_interest(buyer, [make_listing(hub=hub) for hub in hubs], end_user=f"Unit {index}")


@pytest.mark.parametrize("count", [2, 12])
def test_the_change_list_makes_a_fixed_number_of_queries(
    client, coordinator_a, hub_a, hub_b, django_assert_max_num_queries, count
):
    hub_b.coordinators.add(coordinator_a)
    make_interests(make_buyer(), [hub_a, hub_b], count)
    client.force_login(coordinator_a)

    # session, user, the user's permissions (own and through groups), the hub filter's hubs, the delivery
    # country filter's countries, the product filter's products, the filtered count, the full count, the
    # page of EOIs (with organisation and reviewer), their lines with hubs (one prefetch).
    with django_assert_max_num_queries(11):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [2, 12])
def test_the_export_makes_a_fixed_number_of_queries(
    client, superuser, hub_a, hub_b, django_assert_max_num_queries, count
):
    make_interests(make_buyer(), [hub_a, hub_b], count)
    client.force_login(superuser)

    # session, user, the change list's filters (hubs, delivery countries, products) and its two counts, the
    # audit log's record of the export (its object type, cached after a process's first use, and the row),
    # the EOIs (with organisation and reviewer), their lines (with hub and product, one prefetch).
    with django_assert_max_num_queries(11):
        rows = csv_rows(client.get(EXPORT))

    assert len(rows) == 2 * count


def test_the_model_admin_is_the_interests_admin():
    assert isinstance(admin.site.get_model_admin(ExpressionOfInterest), ExpressionOfInterestAdmin)
