"""`tierdesk demo`: tables, demo data and the printed table of logins."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tierdesk.demo.management.commands.demo import base_url
from tierdesk.tickets.models import Ticket


def table_row(output: str, username: str) -> list[str]:
    """The cells of the login table's row for `username` (cells are separated by 2+ spaces)."""
    for line in output.splitlines():
        cells = [cell for cell in line.strip().split("  ") if cell]
        if len(cells) == 4 and cells[1].strip() == username:
            return [cell.strip() for cell in cells]
    raise AssertionError(f"no row for {username!r} in:\n{output}")


@pytest.mark.django_db
def test_demo_command_loads_the_data_and_prints_the_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    # given HOST and PORT in the environment, as `make demo` passes them
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8765")
    out = io.StringIO()

    # when the command runs (with its migrate step, which has nothing left to do here)
    call_command("demo", stdout=out)

    # then the data is there and every role's login is printed with where to sign in
    output = out.getvalue()
    assert Ticket.objects.count() == 19
    assert output.splitlines()[0] == (
        "Demo data loaded: 5 organisations, 11 contacts, 13 users, 4 access notes, 19 tickets and 11 workspace "
        "settings (shared views, custom fields, e-mail domains, an assignment policy) added."
    )
    assert table_row(output, "admin") == ["Administrator", "admin", "demo-admin", "http://127.0.0.1:8765/login/"]
    assert table_row(output, "manager") == ["Case manager", "manager", "demo-manager", "http://127.0.0.1:8765/login/"]
    assert table_row(output, "agent1") == [
        "Agent, first level",
        "agent1",
        "demo-agent1",
        "http://127.0.0.1:8765/login/",
    ]
    assert table_row(output, "second")[0] == "Agent, second level"
    assert table_row(output, "dev")[0] == "Agent, development"
    assert table_row(output, "anneke")[0] == "Customer admin (Meeuwenhaven Transport B.V.)"
    assert table_row(output, "kari")[0] == "Customer user (Lysefjell Regnskap AS)"
    assert output.splitlines()[-1] == "API documentation: http://127.0.0.1:8765/api/v1/docs"


@pytest.mark.django_db
def test_second_run_says_nothing_was_added() -> None:
    # given the demo data loaded once
    call_command("demo", "--no-migrate", stdout=io.StringIO())
    out = io.StringIO()

    # when it runs again, with an explicit address
    call_command("demo", "--no-migrate", "--host", "0.0.0.0", "--port", "9000", stdout=out)

    # then nothing is added and the logins are printed all the same
    output = out.getvalue()
    assert output.splitlines()[0] == "The demo data is loaded already; nothing was added."
    assert table_row(output, "ewa") == [
        "Customer user (Biuro Rachunkowe Modrzew Sp. z o.o.)",
        "ewa",
        "demo-ewa",
        "http://127.0.0.1:9000/login/",
    ]
    assert Ticket.objects.count() == 19


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("", "http://127.0.0.1:8000"),
        ("::", "http://[::1]:8000"),
        ("::1", "http://[::1]:8000"),
        ("desk.example.org", "http://desk.example.org:8000"),
    ],
)
def test_base_url_is_what_a_browser_can_reach(host: str, expected: str) -> None:
    assert base_url(host, "8000") == expected
