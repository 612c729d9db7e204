"""The benchmark harness (bench/run.py, bench/*.lua): what it builds, parses and reports, without a server of
the project's own. The wrk tests drive the Lua scripts against a tiny local HTTP server, and are skipped where
wrk is not installed."""

import http.server
import random
import re
import shutil
import threading
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from bench import run

STOP_WORDS = frozenset({"the", "and", "with", "for"})


def test_it_reads_the_result_line_among_wrks_own_output():
    output = 'Running 1s test @ http://127.0.0.1:8123/\nBENCH_RESULT {"requests": 12}\nRequests/sec: 12\n'

    assert run.parse_wrk_output(output) == {"requests": 12}


def test_it_says_so_when_wrk_printed_no_result():
    with pytest.raises(ValueError, match="no BENCH_RESULT"):
        run.parse_wrk_output("unable to connect to 127.0.0.1:8123 Connection refused\n")


@pytest.mark.parametrize("size", [0, 10, 120, 121, 4096, 49_308, 250_001])
def test_the_static_baseline_is_exactly_as_large_as_asked(size):
    body = run.static_baseline_body(size)

    assert len(body) == size


def test_the_static_baseline_is_an_html_page():
    body = run.static_baseline_body(50_000)

    assert body.startswith(b"<!doctype html>")
    assert body.endswith(b"</body></html>\n")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.500"), "12.5"),
        (Decimal("1500.000"), "1500"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000"), "0"),
        (Decimal("-2.250"), "-2.25"),
    ],
)
def test_decimals_are_written_as_a_form_field_takes_them(value, text):
    assert run.decimal_text(value) == text


def test_the_median_is_the_lower_middle_value():
    assert run.median_value([Decimal(3), Decimal(1), Decimal(2), Decimal(4)]) == Decimal(2)


def categories():
    return [
        run.CategoryChoices(
            slug="jamming",
            spec_values={"output-power": [Decimal("10"), Decimal("25.5"), Decimal("50")], "weight": []},
            manufacturers=["kvant", "polis"],
        ),
        run.CategoryChoices(
            slug="maritime-drones", spec_values={"range": [Decimal("800"), Decimal("1200")]}, manufacturers=[]
        ),
        run.CategoryChoices(slug="no-numbers", spec_values={"weight": []}, manufacturers=["kvant"]),
    ]


def test_cold_filter_paths_are_distinct_with_three_filters_each():
    paths = run.filter_paths(categories(), ["berlin", "rzeszow"], ["DE", "PL"], 500, random.Random(1))

    assert len(paths) == len(set(paths)) == 500
    for path in paths:
        query = parse_qsl(urlsplit(path).query)
        names = [name for name, _value in query]
        assert urlsplit(path).path == "/catalogue/"
        assert len(query) == 3
        assert names[0] == "category"
        assert names[1].startswith("spec_") and names[1].endswith(("_min", "_max"))


def test_cold_filter_paths_use_values_seen_in_the_category_and_its_makers():
    paths = run.filter_paths(categories(), ["berlin"], ["DE"], 300, random.Random(2))

    for path in paths:
        query = parse_qs(urlsplit(path).query)
        category = query["category"][0]
        assert category != "no-numbers"  # no value to filter by
        if category == "jamming":
            assert query.get("spec_output-power_min", query.get("spec_output-power_max")) in (
                ["10"],
                ["25.5"],
                ["50"],
            )
        if "manufacturer" in query:
            assert category == "jamming"
            assert query["manufacturer"][0] in ("kvant", "polis")


def test_cold_filter_paths_stop_when_the_combinations_run_out():
    few = [run.CategoryChoices(slug="one", spec_values={"range": [Decimal(1)]}, manufacturers=[])]

    paths = run.filter_paths(few, [], [], 10_000, random.Random(3))

    assert 0 < len(paths) < 10_000
    assert len(paths) == len(set(paths))


def test_cold_filter_paths_are_the_same_for_the_same_seed():
    first = run.filter_paths(categories(), ["berlin"], ["DE"], 50, random.Random(7))
    again = run.filter_paths(categories(), ["berlin"], ["DE"], 50, random.Random(7))

    assert first == again


def test_search_words_leave_out_stop_words_numbers_and_short_words():
    words = run.search_words("The KR-90 jammer, with 12 channels and GPS for EW", STOP_WORDS)

    assert words == ["jammer", "channels", "gps"]


def test_a_typo_keeps_the_first_letter_and_changes_the_word():
    rng = random.Random(4)
    for _ in range(200):
        slip = run.typo("kestrel", rng)
        assert slip != "kestrel"
        assert slip[0] == "k"
        assert abs(len(slip) - len("kestrel")) <= 1


def test_cold_search_paths_are_distinct_and_made_of_product_words():
    texts = [
        "Kestrel reconnaissance drone Aerotechnika Long endurance with thermal camera",
        "Zhalo strike drone Polis FPV with a night camera",
        "Tuman jammer Kvant Wideband jamming of drone control links",
    ]
    vocabulary = {word for text in texts for word in run.search_words(text, STOP_WORDS)}

    paths = run.search_paths(texts, STOP_WORDS, 300, random.Random(5))

    assert len(paths) == len(set(paths)) == 300
    queries = [parse_qs(urlsplit(path).query)["q"][0] for path in paths]
    assert any(" " in query for query in queries)  # two words of one product
    assert any(query in vocabulary for query in queries)  # a word as it is
    assert any(" " not in query and query not in vocabulary for query in queries)  # a typo


def test_the_eoi_form_fills_in_as_the_lua_script_fills_it():
    template = run.eoi_form_template(date(2027, 1, 1), date(2027, 4, 1), "DE")

    body = run.fill_eoi_form(template, csrf="token", key="key-1", product=12, listing=34)

    form = dict(parse_qsl(body))
    assert form["csrfmiddlewaretoken"] == "token"
    assert form["idempotency_key"] == "key-1"
    assert form["lines-TOTAL_FORMS"] == "1"
    assert form["lines-0-product"] == "12"
    assert form["lines-0-listing"] == "34"
    assert form["lines-0-delivery_from"] == "2027-01-01"
    assert form["delivery_country"] == "DE"
    assert form["declaration_accepted"] == "on"
    assert "{" not in body


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([], 50, None),
        ([5.0], 99, 5.0),
        ([1, 2, 3, 4], 50, 2),
        ([1, 2, 3, 4], 95, 4),
        (list(range(1, 101)), 95, 95),
    ],
)
def test_percentiles_are_nearest_rank(values, percent, expected):
    assert run.percentile(values, percent) == expected


def wrk_result(**overrides):
    result = {
        "duration_us": 2_000_000,
        "requests": 400,
        "bytes": 4_000_000,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "latency_us": {
            "p50": 10_000,
            "p90": 20_000,
            "p95": 25_000,
            "p99": 40_000,
            "mean": 12_000,
            "max": 90_000,
        },
        "statuses": {"200": 400},
        "extra": {},
    }
    result.update(overrides)
    return result


def test_a_scenarios_figures_come_in_requests_per_second_and_milliseconds():
    summary = run.summarise(wrk_result(), expected={"200"})

    assert summary["requests_per_second"] == 200
    assert summary["latency_ms"]["p95"] == 25
    assert summary["bytes_per_response"] == 10_000
    assert summary["errors"]["total"] == 0


def test_a_redirect_where_a_page_was_expected_is_an_error():
    raw = wrk_result(statuses={"200": 390, "302": 10})

    summary = run.summarise(raw, expected={"200"})

    assert summary["errors"]["unexpected_status"] == 10
    assert summary["errors"]["total"] == 10


def test_socket_errors_and_timeouts_are_errors():
    raw = wrk_result(errors={"connect": 1, "read": 2, "write": 0, "status": 0, "timeout": 3})

    assert run.summarise(raw, expected={"200"})["errors"]["total"] == 6


def test_a_scenario_that_completed_nothing_has_no_latencies():
    raw = wrk_result(requests=0, bytes=0, statuses={}, errors={**wrk_result()["errors"], "timeout": 8})

    summary = run.summarise(raw, expected={"200"})

    assert summary["requests_per_second"] == 0
    assert summary["latency_ms"]["p95"] is None
    assert summary["bytes_per_response"] is None
    assert summary["errors"]["total"] == 8


def test_the_eoi_scenario_counts_submitted_eois_and_times_the_submission():
    raw = wrk_result(
        requests=30,
        statuses={"302": 20, "200": 10},
        extra={
            "step_ms": {"add": [5.0] * 10, "form": [20.0] * 10, "submit": [30.0] * 9 + [90.0]},
            "step_ok": {"add": 10, "form": 10, "submit": 9},
            "step_failed": {"add": 0, "form": 0, "submit": 1, "remove": 0},
            "failures": {"submit 400": 1},
        },
    )

    summary = run.summarise_eoi(raw)

    assert summary["requests"] == 9
    assert summary["requests_per_second"] == 4.5
    assert summary["latency_ms"]["p50"] == 30.0
    assert summary["latency_ms"]["p99"] == 90.0
    assert summary["steps"]["form"]["latency_ms"]["p50"] == 20.0
    assert summary["errors"]["failed_steps"] == 1
    assert summary["errors"]["total"] == 1
    assert summary["failures"] == {"submit 400": 1}


def row(key, ratio, p95):
    return {"key": key, "ratio": ratio, "latency_ms": {"p95": p95}}


def test_the_targets_of_the_issue_are_checked_for_the_scenarios_that_ran():
    rows = [
        row("catalogue", 0.01, 900),
        row("catalogue-filters", 0.30, 50),
        row("search", 0.10, 50),
        row("search-cold", 0.05, 151),
    ]

    targets = {(target["scenario"], target["what"]): target["met"] for target in run.evaluate_targets(rows)}

    assert targets == {
        ("catalogue-filters", "ratio ≥ 0.25"): True,
        ("search", "ratio ≥ 0.2"): False,
        ("search-cold", "ratio ≥ 0.02"): True,
        ("search-cold", "p95 ≤ 150 ms"): False,
    }


def test_a_missing_p95_misses_its_target():
    targets = run.evaluate_targets([row("catalogue-filters-cold", 0.0, None)])

    assert [target["met"] for target in targets] == [False, False]


def table_row(**overrides):
    result = {
        "key": "catalogue",
        "label": "Catalogue",
        "requests_per_second": 123.456,
        "ratio": 0.0456,
        "latency_ms": {"p50": 12.34, "p95": 150.2, "p99": None},
        "errors": {"total": 0},
        "queries": 14,
        "bytes_per_response": 51_234,
    }
    result.update(overrides)
    return result


def test_the_markdown_table_has_a_row_per_scenario():
    rows = [table_row(), table_row(key="search-cold", label="Search (cold)", queries=15.25, ratio=None)]
    targets = run.evaluate_targets([row("search-cold", 0.05, 100)])

    table = run.markdown_table(rows, targets).splitlines()

    assert table[0].startswith(
        "| page | req/s | ratio to static | p50 | p95 | p99 | errors | queries | bytes |"
    )
    assert table[2] == "| Catalogue | 123 | 0.046 | 12.3 ms | 150 ms | — | 0 | 14 | 51,234 |  |"
    assert table[3] == (
        "| Search (cold) | 123 | — | 12.3 ms | 150 ms | — | 0 | 15.2 | 51,234 | "
        "ratio ≥ 0.02: yes, p95 ≤ 150 ms: yes |"
    )


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("postgres://postgres@127.0.0.1:5432/hubcatalog_bench", True),
        ("sqlite:////work/main/bench/data/bench-10000.sqlite3", True),
        ("postgres://postgres@127.0.0.1:5432/hubcatalog", False),
        ("postgres://postgres@127.0.0.1:5432/test_hubcatalog", False),
        ("sqlite:////work/main/db.sqlite3", False),
    ],
)
def test_only_a_database_named_for_the_bench_is_written_to(url, accepted):
    assert run.is_bench_database(url) is accepted


# The Lua scripts, run by wrk against a tiny server.


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200, or 302 under /redirect, and remembers each path and Cookie header it was sent."""

    seen: list[tuple[str, str]] = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Cookie", "")))
        status = 302 if self.path.startswith("/redirect") else 200
        body = b"ok"
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/accounts/login/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        """The shortlist's endpoints as eoi.lua expects them; every third submission is refused (400)."""
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.seen.append((f"POST {self.path} {body}", self.headers.get("Cookie", "")))
        location = "/interests/shortlist/"
        status = 302
        if self.path == "/interests/shortlist/":
            submissions = sum(
                1 for path, _cookie in self.seen if path.startswith("POST /interests/shortlist/ ")
            )
            if submissions % 3 == 0:
                status = 400
            location = f"/interests/EOI-2026-{submissions:05d}/submitted/"
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@needs_wrk
def test_the_get_script_counts_statuses_and_sends_the_cookie(server):
    result = run.run_wrk(
        server + "/redirect",
        "get.lua",
        connections=2,
        threads=2,
        duration=1,
        timeout=5,
        headers=("Cookie: sessionid=abc; csrftoken=def",),
    )

    assert result["requests"] > 0
    assert result["statuses"] == {"302": result["requests"]}
    assert run.summarise(result, expected={"200"})["errors"]["unexpected_status"] == result["requests"]
    assert {cookie for _path, cookie in Recorder.seen} == {"sessionid=abc; csrftoken=def"}


@needs_wrk
def test_the_paths_script_sends_each_path_once_before_any_again(server, tmp_path):
    paths = [f"/catalogue/?q=word{number}" for number in range(100_000)]
    paths_file = tmp_path / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")

    result = run.run_wrk(
        server + "/catalogue/",
        "paths.lua",
        connections=2,
        threads=2,
        duration=1,
        timeout=5,
        script_args=(str(paths_file), "2"),
    )

    sent = [path for path, _cookie in Recorder.seen]
    assert result["extra"]["distinct_paths"] == 100_000
    assert result["extra"]["sent"] >= result["requests"] > 0
    assert len(sent) == len(set(sent))
    assert set(sent) <= set(paths)


def test_the_cpu_of_a_run_is_shared_out_between_the_site_the_database_wrk_and_the_rest():
    before = {"time": 100.0, "busy": 1000.0, "site": 50.0, "database": 10.0, "wrk": 2.0}
    after = {"time": 110.0, "busy": 1019.0, "site": 62.0, "database": 14.0, "wrk": 3.0}

    cores = run.CpuMeter.cores(before, after)

    assert cores == {"site": 1.2, "database": 0.4, "wrk": 0.1, "other": 0.2}


def test_other_processes_cpu_is_summed_up_for_the_report():
    rows = [{"cpu_cores": {"other": 0.1}}, {"cpu_cores": {"other": 0.5}}, {"cpu_cores": {}}]

    assert run.other_cpu(rows) == "0.30 cores on average, 0.50 at most"
    assert run.other_cpu([]) == "no measure of CPU"


@needs_wrk
def test_the_paths_script_shares_the_paths_when_there_are_fewer_than_threads(server, tmp_path):
    paths_file = tmp_path / "paths.txt"
    paths_file.write_text("/catalogue/?q=only\n")

    result = run.run_wrk(
        server + "/catalogue/",
        "paths.lua",
        connections=2,
        threads=2,
        duration=1,
        timeout=5,
        script_args=(str(paths_file), "2"),
    )

    assert result["requests"] > 0
    assert {path for path, _cookie in Recorder.seen} == {"/catalogue/?q=only"}


@needs_wrk
def test_the_eoi_script_adds_opens_submits_and_cleans_up_after_a_refusal(server, tmp_path):
    sessions = tmp_path / "sessions.txt"
    sessions.write_text("sessionid=one; csrftoken=tok1\ttok1\nsessionid=two; csrftoken=tok2\ttok2\n")
    lines = tmp_path / "lines.txt"
    lines.write_text("11\t101\n12\t102\n13\t103\n")
    form = tmp_path / "form.txt"
    form.write_text(run.eoi_form_template(date(2027, 1, 1), date(2027, 4, 1), "DE"))

    result = run.run_wrk(
        server + "/interests/shortlist/",
        "eoi.lua",
        connections=2,
        threads=2,
        duration=1,
        timeout=5,
        script_args=(str(sessions), str(lines), str(form), "0badcafe", "2"),
    )

    summary = run.summarise_eoi(result)
    steps = summary["steps"]
    assert steps["submit"]["ok"] > 0
    assert steps["submit"]["failed"] > 0  # every third
    assert summary["failures"] == {"submit 400": steps["submit"]["failed"]}
    assert steps["add"]["failed"] == steps["form"]["failed"] == 0
    submitted = [path for path, _cookie in Recorder.seen if path.startswith("POST /interests/shortlist/ ")]
    forms = [dict(parse_qsl(path.split(" ", 2)[2])) for path in submitted]
    keys = [form["idempotency_key"] for form in forms]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"0badcafe-000[12]-4000-8000-[0-9a-f]{12}", key) for key in keys)
    assert {
        (form["csrfmiddlewaretoken"], form["lines-0-product"], form["lines-0-listing"]) for form in forms
    } <= {
        (token, product, listing)
        for token in ("tok1", "tok2")
        for product, listing in (("11", "101"), ("12", "102"), ("13", "103"))
    }
    # A refused submission is followed by removing its product from the shortlist.
    removals = [
        path for path, _cookie in Recorder.seen if path.startswith("POST /interests/shortlist/remove/")
    ]
    assert (
        len(removals) >= steps["submit"]["failed"] - 2
    )  # the last ones may be cut off by the end of the run
    assert {cookie for _path, cookie in Recorder.seen} == {
        "sessionid=one; csrftoken=tok1",
        "sessionid=two; csrftoken=tok2",
    }


def test_latencies_are_lower_bounds_when_wrk_timed_requests_out():
    rows = [table_row(errors={"total": 3, "timeout": 3})]

    table = run.markdown_table(rows, []).splitlines()

    assert table[2] == "| Catalogue | 123 | 0.046 | ≥ 12.3 ms | ≥ 150 ms | — | 3 | 14 | 51,234 |  |"


def test_postgresql_cpu_counts_the_bench_databases_backends_their_workers_and_ended_children():
    meter = run.CpuMeter(server_pid=1, database="hubcatalog_bench")
    table = {
        2197: (1, 500, 9000, "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main "),
        2198: (2197, 50, 0, "postgres: 15/main: checkpointer "),
        3000: (2197, 100, 0, "postgres: 15/main: postgres hubcatalog_bench 127.0.0.1(5000) idle "),
        3001: (2197, 30, 0, "postgres: 15/main: parallel worker for PID 3000 "),
        3002: (2197, 70, 0, "postgres: 15/main: postgres hubcatalog 127.0.0.1(5001) SELECT "),
        3003: (2197, 20, 0, "postgres: 15/main: parallel worker for PID 3002 "),
    }

    assert meter.database_ticks(table) == 100 + 30 + 9000


def test_the_servers_errors_are_read_from_gunicorns_log():
    log = "\n".join(
        [
            "[2026-12-02 07:41:08 +0200] [14408] [INFO] Starting gunicorn 27.0.1",
            '127.0.0.1 - - [02/Dec/2026:07:41:09 +0200] "GET /catalogue/ HTTP/1.1" 200 51868 "-" "-"',
            "Internal Server Error: /catalogue/gen-0000008-holub-10/",
            "Traceback (most recent call last):",
            '  File "/work/main/products/views.py", line 83, in product_detail',
            "    raise",
            "psycopg.errors.UndefinedColumn: column hubs_listingdestination.product_id does not exist",
            "",
            "The above exception was the direct cause of the following exception:",
            "",
            "Traceback (most recent call last):",
            "django.db.utils.ProgrammingError: column hubs_listingdestination.product_id does not exist",
            '127.0.0.1 - - [02/Dec/2026:07:41:09 +0200] "GET /catalogue/gen-0000008-holub-10/ HTTP/1.1" 500',
            "Internal Server Error: /hubs/",
            "Traceback (most recent call last):",
            '  File "/work/main/hubs/views.py", line 1, in hub_list',
            "psycopg.errors.UndefinedColumn: column hubs_listingdestination.product_id does not exist",
            "[2026-12-02 07:41:40 +0200] [14408] [CRITICAL] WORKER TIMEOUT (pid:14409)",
        ]
    )

    assert run.server_errors(log) == [
        "2 × psycopg.errors.UndefinedColumn: column hubs_listingdestination.product_id does not exist",
        "1 × gunicorn: worker timeout (a request took longer than gunicorn's timeout)",
    ]


def test_a_quiet_log_has_no_errors():
    assert run.server_errors("[2026-12-02 07:41:08 +0200] [14408] [INFO] Starting gunicorn 27.0.1\n") == []
