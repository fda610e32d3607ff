"""The ticket list in a real browser against a real server: an agent opens the list, ticks two
tickets, sets their priority in bulk, and opens the keyboard-shortcut overlay with `?` (Esc
closes it and gives the focus back)."""

from __future__ import annotations

import pytest

from tests.e2e.test_ticket_lifecycle import sign_in

pytestmark = pytest.mark.browser

CONSOLE_ERRORS: list[str] = []


def test_bulk_priority_and_shortcut_overlay(browser, desk, tmp_path):
    context = browser.new_context(locale="en-GB")
    page = sign_in(context, desk, "agent1")
    page.on("console", lambda message: CONSOLE_ERRORS.append(message.text) if message.type == "error" else None)

    # given the ticket list, sorted by number so that the first two rows are known
    page.goto(f"{desk.base_url}/desk/tickets/?sort=number&dir=asc")
    rows = page.locator("[data-list-row]")
    rows.first.wait_for()
    assert rows.count() >= 2
    numbers = [rows.nth(i).get_attribute("data-testid").removeprefix("list-row-") for i in range(2)]

    # when two tickets are ticked, one with the mouse and one with the keyboard (j j x)
    page.get_by_test_id(f"select-{numbers[0]}").check()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.get_by_test_id(f"select-{numbers[1]}").is_checked()
    assert page.locator("[data-selected-count]").inner_text().strip() == "2"

    # and their priority is set to P1 in bulk
    bulk = page.get_by_test_id("bulk-form")
    bulk.locator("select[name=action]").select_option("set_priority")
    assert bulk.locator("select[name=priority]").is_visible()
    assert not bulk.locator("select[name=macro]").is_visible()  # only the chosen action's fields show
    bulk.locator("select[name=priority]").select_option("p1")
    bulk.get_by_test_id("bulk-submit").click()
    page.wait_for_load_state("networkidle")

    # then both show P1 and the desk confirms it (the demo agent reads Dutch: no texts compared)
    for number in numbers:
        assert page.get_by_test_id(f"priority-{number}").get_attribute("data-priority") == "p1"
    assert page.get_by_test_id("messages").locator(".message-success").count() == 1
    page.screenshot(path=str(tmp_path / "1-list-after-bulk.png"), full_page=True)

    # when "?" is pressed outside any field, the overlay opens with the focus inside it
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("kbd").count() >= 10  # every shortcut is listed
    assert page.evaluate("document.activeElement.dataset.testid") == "shortcuts-close"
    page.screenshot(path=str(tmp_path / "2-shortcuts.png"))

    # and Esc closes it
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # and "?" typed in the search field is just text
    search = page.locator("#list-search")
    search.click()
    page.keyboard.type("?")
    assert not dialog.is_visible()
    assert search.input_value() == "?"

    assert CONSOLE_ERRORS == []
    context.close()
