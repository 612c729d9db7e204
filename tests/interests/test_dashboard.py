"""The staff dashboard: open expressions of interest per hub and state, their age, and what is overdue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from interests.models import ExpressionOfInterest
from tests.factories import make_buyer, make_hub, make_interest, make_listing

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:interests_expressionofinterest_dashboard")


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def rows_by_hub(response):
    assert response.status_code == 200
    return {row["name"]: row for row in response.context["table"]}


@pytest.fixture
def interests(buyer_a, coordinator_a, hub_a, hub_b):
    """At hub A: one new, one under review and overdue (40 days), one decided; at hub B: one new; and one
    with lines at both hubs, answered."""
    listing_a, listing_b = make_listing(hub=hub_a), make_listing(hub=hub_b)
    make_interest(buyer_a, [listing_a], submitted_at=days_ago(3))
    late = make_interest(buyer_a, [listing_a], submitted_at=days_ago(40))
    late.start_review(by=coordinator_a)
    decided = make_interest(buyer_a, [listing_a], submitted_at=days_ago(50))
    decided.withdraw(by=buyer_a.user)
    make_interest(buyer_a, [listing_b], submitted_at=days_ago(1))
    shared = make_interest(buyer_a, [listing_a, listing_b], submitted_at=days_ago(10))
    shared.start_review(by=coordinator_a)
    shared.request_information(by=coordinator_a, reason="other", comment="?")
    shared.answer(by=buyer_a.user, comment="!")


def test_it_counts_open_interests_per_hub_and_state(client, coordinator_a, interests):
    client.force_login(coordinator_a)

    row = rows_by_hub(client.get(DASHBOARD))["Hub A"]

    # columns: submitted, under review, information requested, answered
    assert row["cells"] == [1, 1, 0, 1]
    assert (row["total"], row["overdue"], row["oldest_days"]) == (3, 1, 40)


def test_coordinator_sees_only_their_hubs(client, coordinator_a, interests):
    client.force_login(coordinator_a)

    response = client.get(DASHBOARD)

    assert set(rows_by_hub(response)) == {"Hub A"}
    assert "Hub B" not in response.content.decode()


def test_an_interest_at_two_hubs_counts_at_both(client, superuser, interests):
    client.force_login(superuser)

    rows = rows_by_hub(client.get(DASHBOARD))

    assert set(rows) == {"Hub A", "Hub B"}
    assert rows["Hub B"]["cells"] == [1, 0, 0, 1]
    assert (rows["Hub B"]["overdue"], rows["Hub B"]["oldest_days"]) == (0, 10)


def test_it_draws_the_chart_and_the_table(client, coordinator_a, interests):
    client.force_login(coordinator_a)

    content = client.get(DASHBOARD).content.decode()
    main = content.split('<div id="content-main"')[1].split("<!-- END Content -->")[0]

    assert main.count("<svg ") == 1  # one bar: hub A's
    assert '<title id="chart-' in main
    assert "Submitted: 1; Under review: 1; Answered: 1</desc>" in main
    assert main.count('<rect class="hc-state--') == 3
    assert '<th scope="row">' in main
    assert "1 overdue" in main
    assert "style=" not in main
    assert "<script" not in main


def test_it_says_when_nothing_is_open(client, coordinator_a, hub_a):
    client.force_login(coordinator_a)

    response = client.get(DASHBOARD)

    assert response.context["table"] == []
    assert "There are no open expressions of interest at your hubs." in response.content.decode()


def test_catalogue_editor_cannot_see_the_dashboard(client, editor):
    client.force_login(editor)

    assert client.get(DASHBOARD).status_code == 403


def test_buyer_cannot_see_the_dashboard(client, buyer_a):
    client.force_login(buyer_a.user)

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_change_list_links_to_the_dashboard(client, coordinator_a):
    client.force_login(coordinator_a)

    assert (
        f'href="{DASHBOARD}"'
        in client.get(reverse("admin:interests_expressionofinterest_changelist")).content.decode()
    )


@pytest.mark.parametrize("hub_count", [2, 8])
def test_it_makes_a_fixed_number_of_queries(client, superuser, django_assert_max_num_queries, hub_count):
    buyer = make_buyer()
    for _index in range(hub_count):
        hub = make_hub()
        make_interest(buyer, [make_listing(hub=hub)], submitted_at=days_ago(35))
        make_interest(buyer, [make_listing(hub=hub)])
        decided = make_interest(buyer, [make_listing(hub=hub)], submitted_at=days_ago(20))
        decided.start_review(by=superuser)
        decided.accept(by=superuser)
    client.force_login(superuser)

    # session, user, the grouped counts per hub and state, the decisions per week, their durations.
    with django_assert_max_num_queries(5):
        response = client.get(DASHBOARD)

    assert len(response.context["table"]) == hub_count
    assert all(row["overdue"] == 1 for row in response.context["table"])
    assert response.context["decisions"]["total"] == hub_count


# Decided expressions of interest: per week, median days to decision, decided after the review date.


def decide(interest, coordinator, *, decided_days_ago, accept=True):
    """Decide an EOI, then date the decision `decided_days_ago` days back."""
    interest.start_review(by=coordinator)
    if accept:
        interest.accept(by=coordinator)
    else:
        interest.decline(by=coordinator, reason="unavailable", comment="Sold.")
    ExpressionOfInterest.objects.filter(pk=interest.pk).update(decided_at=days_ago(decided_days_ago))


@pytest.fixture
def decided(buyer_a, coordinator_a, coordinator_b, hub_a, hub_b):
    """At hub A: decided after 2, 4 and 35 days (the last after its review date), one 100 days ago (outside
    the weeks shown); at hub B: one decided after 1 day."""
    listing_a, listing_b = make_listing(hub=hub_a), make_listing(hub=hub_b)
    for submitted, took in ((10, 2), (20, 4), (40, 35), (130, 5)):
        interest = make_interest(buyer_a, [listing_a], submitted_at=days_ago(submitted))
        decide(interest, coordinator_a, decided_days_ago=submitted - took)
    other = make_interest(buyer_a, [listing_b], submitted_at=days_ago(5))
    decide(other, coordinator_b, decided_days_ago=4, accept=False)


def test_it_counts_decisions_per_week_at_the_coordinators_hubs(client, coordinator_a, decided):
    client.force_login(coordinator_a)

    stats = client.get(DASHBOARD).context["decisions"]

    assert len(stats["weeks"]) == 12
    assert [week["week"].weekday() for week in stats["weeks"]] == [0] * 12
    assert sum(week["count"] for week in stats["weeks"]) == stats["total"] == 3
    assert (stats["median_days"], stats["late"], stats["overdue_percent"]) == (4.0, 1, 33)


def test_a_superuser_sees_the_decisions_of_every_hub(client, superuser, decided):
    client.force_login(superuser)

    stats = client.get(DASHBOARD).context["decisions"]

    assert stats["total"] == 4
    assert stats["median_days"] == 3.0


def test_it_shows_the_decisions_without_open_interests(client, coordinator_a, hub_a):
    client.force_login(coordinator_a)

    response = client.get(DASHBOARD)

    assert response.context["decisions"]["total"] == 0
    assert response.context["decisions"]["median_days"] is None
    assert "Median days to decision" in response.content.decode()
