"""The soak harness (soak/run.py, soak/smtp.py): its fake mail server on a real local port, the shortlist form
as its clients fill it in (against the real view), and the checks it makes of what the database, the outbox
and the mail server hold, without servers, chaos or PostgreSQL restarts of its own."""

import random
import smtplib
import socket
import time
from collections import Counter
from datetime import date
from email.message import EmailMessage

import pytest
from django.urls import reverse

from interests.models import ExpressionOfInterest, ShortlistItem
from soak import run
from soak.smtp import FakeSMTPServer, address_of, describe_message
from tests.factories import make_hub, make_listing, make_published_product

# The fake mail server, for real on a local port


@pytest.fixture
def mail_server(tmp_path):
    server = FakeSMTPServer("127.0.0.1", 0, tmp_path / "received.jsonl")
    server.start("up")
    yield server
    server.stop()


def email(subject="Your expression of interest EOI-2026-00001 was received", to=("buyer@example.org",)):
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "no-reply@hubcatalog.invalid"
    message["To"] = ", ".join(to)
    message["Message-ID"] = f"<{random.randrange(10**9)}@soak.test>"
    message.set_content("Thank you.\n.A line that starts with a dot.\n")
    return message


def test_the_mail_server_records_what_it_accepts(mail_server):
    with smtplib.SMTP("127.0.0.1", mail_server.port, timeout=5) as client:
        client.send_message(email())
        client.send_message(
            email("New expression of interest EOI-2026-00001 for your hub", ["a@x.org", "b@x.org"])
        )

    received = mail_server.snapshot()["received"]
    assert [message["subject"] for message in received] == [
        "Your expression of interest EOI-2026-00001 was received",
        "New expression of interest EOI-2026-00001 for your hub",
    ]
    assert received[1]["rcpt_to"] == ["a@x.org", "b@x.org"]
    assert received[0]["mail_from"] == "no-reply@hubcatalog.invalid"
    assert received[0]["message_id"].endswith("@soak.test>")
    assert (mail_server.record_path.read_text().count("\n")) == 2


def test_the_mail_server_is_refused_when_down_and_keeps_its_port_when_back(mail_server):
    port = mail_server.port
    mail_server.set_mode("down")

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)

    mail_server.set_mode("up")
    assert mail_server.port == port
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        assert client.noop()[0] == 250


def test_a_hanging_mail_server_never_answers_until_the_client_gives_up(mail_server):
    mail_server.set_mode("hang")

    started = time.monotonic()
    with pytest.raises((smtplib.SMTPServerDisconnected, TimeoutError)):
        smtplib.SMTP("127.0.0.1", mail_server.port, timeout=0.3)

    assert time.monotonic() - started >= 0.3
    time.sleep(0.2)  # the server sees the client close at its next look
    connection = mail_server.snapshot()["connections"][-1]
    assert connection["mode"] == "hang"
    assert connection["closed_by"] == "client"
    assert connection["hung_seconds"] >= 0.2
    assert mail_server.snapshot()["received"] == []


def test_connections_held_in_a_hang_are_closed_when_the_server_comes_back(mail_server):
    mail_server.set_mode("hang")
    held = socket.create_connection(("127.0.0.1", mail_server.port), timeout=5)
    time.sleep(0.2)

    mail_server.set_mode("up")

    assert held.recv(100) == b""  # closed without a greeting
    held.close()
    time.sleep(0.1)
    assert mail_server.snapshot()["connections"][-1]["closed_by"] == "server"


def test_an_open_session_is_told_421_when_the_server_goes_down(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.port, timeout=5)
    client.ehlo()

    mail_server.set_mode("down")

    with pytest.raises((smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException)):
        client.send_message(email())
    client.close()
    assert mail_server.snapshot()["received"] == []


def test_an_open_session_stops_answering_when_the_server_hangs(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.port, timeout=0.5)
    client.ehlo()

    mail_server.set_mode("hang")

    with pytest.raises((smtplib.SMTPServerDisconnected, TimeoutError)):
        client.send_message(email())
    client.close()
    assert mail_server.snapshot()["received"] == []


def test_the_mail_server_refuses_an_unknown_mode(mail_server):
    with pytest.raises(ValueError, match="unknown mode"):
        mail_server.set_mode("slow")


def test_it_reads_the_headers_a_check_needs():
    raw = (
        b"Subject: =?utf-8?q?Interesse_EOI-2026-00007_=C3=BCbermittelt?=\r\n"
        b"Message-ID: <1@x>\r\nTo: a@x.org\r\n\r\nbody\r\n"
    )

    assert describe_message(raw) == {
        "subject": "Interesse EOI-2026-00007 übermittelt",
        "message_id": "<1@x>",
        "to": "a@x.org",
        "bytes": len(raw),
    }


@pytest.mark.parametrize(
    ("argument", "address"),
    [("FROM:<a@x.org>", "a@x.org"), ("TO:<b@x.org> NOTIFY=NEVER", "b@x.org"), ("FROM: c@x.org", "c@x.org")],
)
def test_it_reads_an_envelope_address(argument, address):
    assert address_of(argument) == address


# The plan


def test_only_a_postgresql_database_named_for_the_soak_is_used():
    assert run.is_soak_database("postgres://postgres@127.0.0.1:5432/hubcatalog_soak")
    assert not run.is_soak_database("postgres://postgres@127.0.0.1:5432/hubcatalog")
    assert not run.is_soak_database("postgres://postgres@127.0.0.1:5432/hubcatalog_bench")
    assert not run.is_soak_database("sqlite:////tmp/soak.sqlite3")


def test_eois_are_due_evenly_over_the_duration():
    assert run.due_times(4, 10.0) == [0.0, 2.5, 5.0, 7.5]


@pytest.mark.parametrize("pool_size", [1, 2, 3, 7, 88])
def test_each_eoi_asks_for_one_to_three_distinct_products_of_the_pool(pool_size):
    pool = list(range(100, 100 + pool_size))

    for number in range(30):
        products = run.products_for(number, pool)
        assert 1 <= len(products) <= 3
        assert len(set(products)) == len(products)
        assert set(products) <= set(pool)
    assert {len(run.products_for(number, list(range(88)))) for number in range(3)} == {1, 2, 3}


def test_the_chaos_brings_the_mail_server_back_before_restarting_the_database():
    plan = run.chaos_plan(100, restart_database=True)

    assert [(event.at, event.what) for event in plan] == [
        (15.0, "mail down"),
        (35.0, "mail hang"),
        (55.0, "mail up"),
        (70.0, "database restart"),
    ]
    assert [event.what for event in run.chaos_plan(100, restart_database=False)][-1] == "mail up"


def test_a_restart_stops_the_database_for_a_while_or_restarts_it_at_once():
    url = "postgres://postgres@127.0.0.1:5432/hubcatalog_soak"

    held = run.PostgreSQL(url, "15 main", 5).restart_script()
    plain = run.PostgreSQL(url, "15 main", 0).restart_script()

    control = "pg_ctlcluster --skip-systemctl-redirect 15 main"
    assert held == f"{control} stop; sleep 5; {control} start"
    assert plain == f"{control} restart"


def test_retries_back_off_and_heed_retry_after_up_to_a_cap():
    rng = random.Random(1)

    delays = [run.retry_delay(attempt, None, rng) for attempt in range(1, 8)]

    assert 0.4 <= delays[0] <= 0.6
    assert delays[2] > delays[0]
    assert all(delay <= run.RETRY_CAP_SECONDS * 1.2 for delay in delays)
    assert 2.4 <= run.retry_delay(1, 3, rng) <= 3.6  # Retry-After: 3 beats the first 0.5 s
    assert run.retry_delay(1, 600, rng) <= run.RETRY_CAP_SECONDS * 1.2  # a person does not wait ten minutes


@pytest.mark.parametrize(
    ("value", "seconds"), [("10", 10.0), ("0", 0.0), (None, None), ("Wed, 21 Oct", None)]
)
def test_it_reads_retry_after(value, seconds):
    assert run.parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    ("status", "error", "outcome", "retryable"),
    [
        (302, None, "ok", False),
        (503, None, "503", True),
        (500, None, "500", True),
        (400, None, "unexpected 400", False),
        (None, "timeout", "timeout", True),
        (None, "connection error: ConnectionResetError", "connection error", True),
    ],
)
def test_it_retries_server_errors_and_broken_connections_only(status, error, outcome, retryable):
    assert run.request_outcome(status, error, expected=302) == outcome
    assert run.is_retryable(outcome) is retryable


def test_a_timeout_is_told_apart_from_a_broken_connection():
    assert run.error_name(TimeoutError("timed out")) == "timeout"
    assert run.error_name(ConnectionResetError()) == "connection error: ConnectionResetError"


# The shortlist form as a client fills it in

SHORTLIST_PAGE = """
<form method="post" action="/i18n/setlang/"><input type="hidden" name="language" value="en"></form>
<form method="post" action="/interests/shortlist/" id="interest-form" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="token">
  <input type="hidden" name="lines-TOTAL_FORMS" value="2">
  <input type="hidden" name="lines-INITIAL_FORMS" value="2">
  <input type="hidden" name="idempotency_key" value="8d3c3d3e-4a6b-4f57-9a0e-6c9f0b0d1a2b">
  <input type="hidden" name="lines-0-product" value="11">
  <input type="checkbox" name="lines-0-include" checked>
  <select name="lines-0-listing"><option value="">Choose a hub</option><option value="101">A</option>
    <option value="102">B</option></select>
  <input type="number" name="lines-0-quantity">
  <input type="hidden" name="lines-1-product" value="12">
  <input type="checkbox" name="lines-1-include" checked>
  <select name="lines-1-listing"><option value="">Choose a hub</option><option value="201" selected>C</option>
    </select>
  <input type="text" name="end_user" value="">
  <input type="radio" name="intended_use" value="training">
  <input type="radio" name="intended_use" value="other">
  <select name="delivery_country"><option value="PL">Poland</option>
    <option value="DE" selected>Germany</option></select>
  <textarea name="message">Hello &amp; welcome</textarea>
  <input type="checkbox" name="declaration_accepted">
  <button type="submit">Submit</button>
</form>
<form method="post" action="/interests/shortlist/remove/" id="remove-11">
  <input name="product" value="11"></form>
"""


def test_it_reads_the_interest_form_as_a_browser_would_send_it():
    form = run.parse_interest_form(SHORTLIST_PAGE)

    assert form.values["csrfmiddlewaretoken"] == "token"
    assert form.values["lines-0-include"] == "on"
    assert form.values["lines-0-listing"] == ""  # nothing selected: the first option
    assert form.values["lines-1-listing"] == "201"
    assert form.values["delivery_country"] == "DE"
    assert form.values["message"] == "Hello & welcome"
    assert "declaration_accepted" not in form.values
    assert "language" not in form.values and "product" not in form.values  # the page's other forms
    assert form.options["lines-0-listing"] == ["", "101", "102"]
    assert form.radios["intended_use"] == ["training", "other"]


def test_a_page_without_the_interest_form_is_no_form():
    assert run.parse_interest_form("<html><form id='login'></form></html>") is None


def test_it_fills_in_the_eois_own_products_and_leaves_others_on_the_shortlist_out():
    form = run.parse_interest_form(SHORTLIST_PAGE)

    data = run.fill_interest_form(form, products=[11], number=4, today=date(2026, 12, 2))

    assert data["lines-0-include"] == "on"
    assert data["lines-0-listing"] == "101"  # hub number 4 % 2 of its two
    assert data["lines-0-quantity"] == "5"
    assert data["lines-0-delivery_from"] == "2027-01-01"
    assert data["lines-0-delivery_until"] == "2027-04-01"
    assert "lines-1-include" not in data  # left over from an EOI given up: not part of this one
    assert data["idempotency_key"] == "8d3c3d3e-4a6b-4f57-9a0e-6c9f0b0d1a2b"
    assert data["declaration_accepted"] == "on"
    assert data["intended_use"] == "evaluation"


def test_it_refuses_to_fill_in_a_form_missing_a_product():
    form = run.parse_interest_form(SHORTLIST_PAGE)

    with pytest.raises(ValueError, match=r"products \[13\]"):
        run.fill_interest_form(form, products=[11, 13], number=0, today=date(2026, 12, 2))


@pytest.mark.django_db
def test_the_real_shortlist_accepts_the_form_as_filled_in_and_a_retry_finds_the_first_eoi(client, buyer_a):
    """The harness's contract with interests.views.shortlist, in-process: what a client sends makes one EOI
    with the chosen products, leaves the rest of the shortlist alone, and the same form sent again (a reload
    after a lost answer) answers with the same EOI."""
    hub = make_hub(country="DE")
    chosen, stale = make_published_product("Kestrel FPV"), make_published_product("Heron ISR")
    make_listing(chosen, hub)
    make_listing(stale, hub)
    for product in (chosen, stale):
        ShortlistItem.objects.create(user=buyer_a.user, product=product)
    client.force_login(buyer_a.user)
    page = client.get(reverse("shortlist")).content.decode()

    data = run.fill_interest_form(
        run.parse_interest_form(page), products=[chosen.pk], number=1, today=date.today()
    )
    first = client.post(reverse("shortlist"), data)
    again = client.post(reverse("shortlist"), data)

    assert first.status_code == 302
    reference = run.SUBMITTED_PATH.match(first.url).group(1)
    assert again.status_code == 302 and again.url == first.url
    interest = ExpressionOfInterest.objects.get()
    assert interest.reference == reference
    assert [line.product_id for line in interest.lines.all()] == [chosen.pk]
    assert list(ShortlistItem.objects.filter(user=buyer_a.user).values_list("product", flat=True)) == [
        stale.pk
    ]


# The checks


def stored(reference="EOI-2026-00001", key="k1", products=(11,), **changes):
    row = {
        "pk": 1,
        "reference": reference,
        "key": key,
        "buyer_email": "buyer@example.org",
        "lines": [
            {
                "product": product,
                "hub": 1,
                "listing_product": product,
                "listing_hub": 1,
                "listed_quantity": 20,
                "listed_quantity_unit": "units",
                "listed_lead_time_weeks": 6,
                "listed_licence_status": "required",
                "listed_availability": "available",
            }
            for product in products
        ],
        "history": [{"from": "", "to": "submitted"}],
    }
    row.update(changes)
    return row


def eoi(number=0, key="k1", outcome="confirmed", reference="EOI-2026-00001", products=(11,)):
    return run.EoiRecord(
        number=number,
        client=1,
        products=list(products),
        due=0.0,
        key=key,
        posts=1,
        outcome=outcome,
        reference=reference if outcome == "confirmed" else None,
    )


def test_a_whole_stored_eoi_has_no_problems():
    assert run.interest_problems(stored(products=(11, 12)), [12, 11]) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"lines": []}, "no lines"),
        ({"history": []}, "no history"),
        ({"history": [{"from": "submitted", "to": "under_review"}]}, "first history row"),
        ({"reference": None}, "no reference"),
    ],
)
def test_a_half_written_eoi_is_found(changes, problem):
    problems = run.interest_problems(stored(**changes), [11])

    assert any(found.startswith(problem) for found in problems), problems


def test_a_line_without_its_snapshot_or_with_other_products_is_found():
    row = stored(products=(11,))
    row["lines"][0]["listed_quantity_unit"] = ""

    problems = run.interest_problems(row, [11, 12])

    assert "a line without its snapshot (listed_quantity_unit)" in problems
    assert "lines for products [11], not [11, 12]" in problems


def test_confirmed_eois_must_be_stored_under_their_key_and_reference():
    eois = [eoi(0, "k1"), eoi(1, "k2", reference="EOI-2026-00002"), eoi(2, "k3", reference="EOI-2026-00003")]
    rows = [stored("EOI-2026-00001", "k1"), stored("EOI-2026-00009", "k3")]

    result = run.check_interests(eois, rows)

    assert [missing["eoi"] for missing in result["missing"]] == [1]
    assert result["wrong_reference"] == [
        {"eoi": 2, "confirmed": "EOI-2026-00003", "stored": "EOI-2026-00009"}
    ]


def test_stored_eois_that_no_client_confirmed_are_listed_and_unknown_ones_found():
    eois = [eoi(0, "k1"), eoi(1, "k2", outcome="gave up")]
    rows = [stored("EOI-2026-00001", "k1"), stored("EOI-2026-00002", "k2"), stored("EOI-2026-00003", "k9")]

    result = run.check_interests(eois, rows)

    assert [row["reference"] for row in result["stored_unconfirmed"]] == ["EOI-2026-00002"]
    assert result["unknown"] == [{"reference": "EOI-2026-00003", "key": "k9"}]
    assert result["duplicated"] == [] and result["missing"] == []


def test_an_eoi_stored_twice_is_a_duplicate():
    rows = [stored("EOI-2026-00001", "k1"), stored("EOI-2026-00001", "k2")]

    result = run.check_interests([eoi(0, "k1"), eoi(1, "k2", reference="EOI-2026-00001")], rows)

    assert result["duplicated"] == [{"reference": "EOI-2026-00001", "stored": 2}]


def test_each_eoi_should_email_its_buyer_and_each_coordinator_of_its_hubs_once():
    row = stored(products=(11, 12))
    row["lines"][1]["hub"] = 2
    coordinators = {1: {"one@hub.org", "both@hub.org"}, 2: {"both@hub.org"}, 3: {"other@hub.org"}}

    assert run.expected_emails([row], coordinators) == {
        ("EOI-2026-00001", "buyer@example.org"),
        ("EOI-2026-00001", "one@hub.org"),
        ("EOI-2026-00001", "both@hub.org"),
    }


def test_emails_are_counted_per_eoi_and_recipient():
    messages = [
        {"subject": "Your expression of interest EOI-2026-00001 was received", "to": ["Buyer@Example.org"]},
        {
            "subject": "New expression of interest EOI-2026-00001 for your hub",
            "rcpt_to": ["a@hub.org", "b@hub.org"],
        },
        {"subject": "New expression of interest EOI-2026-00001 for your hub", "to": ["a@hub.org"]},
        {
            "subject": "New expression of interest EOI-2025-00001 for your hub",
            "to": ["a@hub.org"],
        },  # not ours
        {"subject": "Choose your password", "to": ["someone@example.org"]},
    ]

    counted = run.email_pairs(messages, {"EOI-2026-00001"})

    assert counted == Counter(
        {
            ("EOI-2026-00001", "buyer@example.org"): 1,
            ("EOI-2026-00001", "a@hub.org"): 2,
            ("EOI-2026-00001", "b@hub.org"): 1,
        }
    )


def test_emails_missing_sent_twice_or_unexpected_are_found():
    expected = {("EOI-2026-00001", "Buyer@example.org"), ("EOI-2026-00001", "a@hub.org")}
    counted = Counter({("EOI-2026-00001", "a@hub.org"): 2, ("EOI-2026-00001", "c@hub.org"): 1})

    comparison = run.compare_emails(expected, counted)

    assert comparison["missing"] == [("EOI-2026-00001", "buyer@example.org")]
    assert comparison["duplicated"] == [(("EOI-2026-00001", "a@hub.org"), 2)]
    assert comparison["unexpected"] == [("EOI-2026-00001", "c@hub.org")]
    assert not run.emails_ok(comparison)
    each_once = Counter({("EOI-2026-00001", "buyer@example.org"): 1, ("EOI-2026-00001", "a@hub.org"): 1})
    assert run.emails_ok(run.compare_emails(expected, each_once))


def test_message_ids_show_an_email_sent_again_after_its_log_was_lost():
    subject = "New expression of interest EOI-2026-00001 for your hub"
    sent = [{"subject": subject, "message_id": "<1@x>"}]
    received = [{"subject": subject, "message_id": "<0@x>"}, {"subject": subject, "message_id": "<1@x>"}]

    problems = run.message_id_problems(sent, received, {"EOI-2026-00001"})

    assert problems == {"logged_not_received": [], "received_not_logged": ["<0@x>"], "received_twice": []}


def poll(t, status=200, port=8141, error=None, seconds=0.01):
    return {"t": t, "seconds": seconds, "port": port, "status": status, "error": error}


def test_healthz_must_answer_outside_the_database_outage_only():
    polls = [
        poll(1.0),
        poll(2.0, status=503),  # outside: a failure
        poll(10.5, status=503),  # inside the outage: expected
        poll(11.0, status=None, error="timeout"),  # inside: a hang, counted
        poll(20.0, status=None, error="connection error: ConnectionResetError", port=8142),  # a killed worker
        poll(30.0, status=None, error="connection error: RemoteDisconnected"),  # nothing explains it
    ]
    kills = [{"t": 20.005, "port": 8142, "pid": 1}]

    result = run.check_healthz(polls, (10.0, 12.0), kills)

    assert [failure["t"] for failure in result["failures_outside_outage"]] == [2.0, 30.0]
    assert [broken["t"] for broken in result["broken_by_worker_kills"]] == [20.0]
    assert result["during_outage"] == {"503": 1, "timeout": 1}
    assert result["slow_polls"] == 0


def test_a_poll_under_way_when_the_outage_began_is_part_of_it():
    polls = [poll(9.8, status=503, seconds=0.4), poll(9.0, seconds=0.5)]

    result = run.check_healthz(polls, (10.0, 12.0), kills=[])

    assert result["failures_outside_outage"] == []
    assert result["during_outage"] == {"503": 1}


def test_healthz_recovery_is_the_first_200_after_the_database_was_ready():
    polls = [poll(9.0), poll(10.5, status=503), poll(12.0, seconds=0.5), poll(11.0, port=8142, status=503)]

    assert run.healthz_recovery(polls, 11.5, [8141, 8142]) == {8141: 12.5, 8142: None}


def test_the_mail_servers_periods_come_from_the_chaos_events():
    events = [
        {"t": 6.8, "what": "mail down"},
        {"t": 15.7, "what": "mail hang"},
        {"t": 24.8, "what": "mail up"},
        {"t": 31.5, "what": "database restart: command sent"},
    ]

    phases = run.mail_phases(events, load_finished=45.0)

    assert phases["down"] == {"from": 6.8, "to": 15.7, "seconds": 8.9}
    assert phases["hang"] == {"from": 15.7, "to": 24.8, "seconds": 9.1}
    assert phases["up_again"] == 24.8


def test_it_tells_who_ended_each_hung_connection():
    connections = [
        {"opened": 105.0, "hung_seconds": 5.0, "closed_by": "client", "mode": "hang"},
        {"opened": 111.0, "hung_seconds": 2.0, "closed_by": "server", "mode": "hang"},
        {"opened": 101.0, "hung_seconds": None, "closed_by": "client", "mode": "up"},
    ]

    result = run.hung_connections(connections, started=100.0)

    assert result == {
        "connections": 2,
        "closed_by_client": 1,
        "closed_by_server": 1,
        "held_seconds_median": 3.5,
        "held_seconds_max": 5.0,
        "first_at": 5.0,
    }


def request(step="submit", outcome="ok", attempt=1, t=1.0, seconds=0.05, status=302):
    return run.RequestRecord(
        t=t,
        seconds=seconds,
        client=1,
        eoi=0,
        step=step,
        port=8141,
        attempt=attempt,
        status=status,
        error=None,
        outcome=outcome,
    )


def test_requests_are_summed_up_by_step_and_failure():
    requests = [
        request("add", status=302),
        request("submit", "503", status=503),
        request("submit", "connection error", attempt=2, status=None),
        request("submit", attempt=3, seconds=0.2),
    ]

    summary = run.summarise_requests(requests)

    assert summary["sent"] == 4
    assert summary["failed"] == 2
    assert summary["failed_by_kind"] == {"503": 1, "connection error": 1}
    assert summary["retried"] == 2
    assert summary["by_step"]["submit"] == {"503": 1, "connection error": 1, "ok": 1}
    assert summary["submit_latency_ms"]["max"] == 200.0
