"""Collision detection between two real browser pages: two agents of the demo open the same
ticket on a live server (uvicorn + Channels). Each sees the other on the page, sees the other
typing, and the agent whose answer was overtaken by the colleague's reply is asked to confirm,
with the text kept."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

AGENT_A = ("agent1", "Sanne Wielinga")  # demo staff (src/tierdesk/demo/dataset/people.py)
AGENT_B = ("agent2", "Kasia Nowacka-Lind")
DRAFT = "Could you send us a photo of the error on the terminal?"
B_REPLY = "We restarted the service on your server; please try again."
CONSOLE_ERRORS: list[str] = []
WAIT_MS = 15_000  # how long an expected change may take to show; the test never sleeps


def record_console_error(username: str, message) -> None:
    # The reply refused with 409 is the point of this test; Chromium logs every 4xx answer.
    if message.type == "error" and "status of 409" not in message.text:
        CONSOLE_ERRORS.append(f"{username}: {message.text}")


def sign_in(context, desk, username: str):
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("console", lambda message: record_console_error(username, message))
    page.goto(f"{desk.base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"demo-{username}")
    page.get_by_test_id("login-button").click()
    page.wait_for_load_state("networkidle")
    return page


def presence_line(page, state: str, name: str):
    return page.get_by_test_id("presence-list").locator(f"[data-testid=presence-{state}]", has_text=name)


def test_two_agents_on_one_ticket(browser, desk, tmp_path):
    context_a = browser.new_context(locale="en-GB")
    context_b = browser.new_context(locale="en-GB")
    a = sign_in(context_a, desk, AGENT_A[0])
    b = sign_in(context_b, desk, AGENT_B[0])

    # given an open ticket of the demo on agent A's board
    row = a.locator("[data-testid=board-column-first] [data-testid^=ticket-row-]").first
    number = (row.get_attribute("data-testid") or "").removeprefix("ticket-row-")
    assert re.fullmatch(r"\d+", number)

    # when both open it
    a.goto(f"{desk.base_url}/desk/tickets/{number}/")
    b.goto(f"{desk.base_url}/desk/tickets/{number}/")

    # then each sees the other viewing it (B arrived later: A's page is told; B's page is told at
    # once about A, without waiting for A's heartbeat)
    presence_line(b, "viewing", AGENT_A[1]).wait_for()
    presence_line(a, "viewing", AGENT_B[1]).wait_for()
    assert presence_line(a, "viewing", AGENT_A[1]).count() == 0  # nobody is told about themself

    # when A starts typing a reply, B sees it
    a.get_by_test_id("reply-form").locator("textarea[name=body]").fill(DRAFT)
    presence_line(b, "typing", AGENT_A[1]).wait_for()
    # (the wording is in each agent's own language: the demo agents read Dutch, Polish, ...)
    assert presence_line(b, "viewing", AGENT_A[1]).count() == 0
    b.screenshot(path=str(tmp_path / "1-b-sees-a-typing.png"), full_page=True)

    # when B sends a public reply first
    reply_b = b.get_by_test_id("reply-form")
    reply_b.locator("textarea[name=body]").fill(B_REPLY)
    version = b.get_by_test_id("ticket").get_attribute("data-version")
    reply_b.get_by_test_id("reply-form-submit").click()
    b.wait_for_selector(f'[data-testid=ticket]:not([data-version="{version}"])')
    assert B_REPLY in b.get_by_test_id("timeline").inner_text()

    # then A's page learns of it live
    notice = a.get_by_test_id("presence-reply-notice")
    notice.wait_for(state="visible")
    assert AGENT_B[1] in notice.inner_text()

    # and A's send is stopped: B's reply is shown, A's text is kept, nothing was sent
    a.get_by_test_id("reply-form").get_by_test_id("reply-form-submit").click()
    conflict = a.get_by_test_id("reply-conflict")
    conflict.wait_for()
    assert B_REPLY in conflict.inner_text()
    assert a.get_by_test_id("form-error").get_attribute("data-error-code") == "ticket.reply_conflict"
    reply_a = a.get_by_test_id("reply-form")
    assert reply_a.locator("textarea[name=body]").input_value() == DRAFT
    assert DRAFT not in a.get_by_test_id("timeline").inner_text()
    a.screenshot(path=str(tmp_path / "2-a-asked-to-confirm.png"), full_page=True)

    # when A sends anyway
    reply_a.locator("input[name=confirm_despite_newer]").check()
    reply_a.get_by_test_id("reply-form-submit").click()

    # then A's reply is on the ticket, after B's
    a.get_by_test_id("notice").wait_for()
    timeline = a.get_by_test_id("timeline").inner_text()
    assert timeline.index(B_REPLY) < timeline.index(DRAFT)
    assert a.get_by_test_id("reply-conflict").count() == 0

    # and B's page hears of A's reply in turn
    b.get_by_test_id("presence-reply-notice").filter(has_text=AGENT_A[1]).wait_for()

    # when A leaves, B's page drops A at once
    a.close()
    presence_line(b, "viewing", AGENT_A[1]).wait_for(state="detached")
    presence_line(b, "typing", AGENT_A[1]).wait_for(state="detached")

    # and no page broke a script or the Content-Security-Policy on the way
    assert CONSOLE_ERRORS == []

    context_a.close()
    context_b.close()
