"""The text syntax of automation rules (tickets/automation/syntax.py): every example of the rules spec
both ways, errors with their line numbers, and parse(format(x)) == x on lists hypothesis draws.

Pure: no database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierdesk.tickets.automation.syntax import (
    SyntaxProblem,
    format_actions,
    format_conditions,
    parse_actions,
    parse_conditions,
)

OPERATOR_LIST = "=, !=, in, not in, >, >=, <, <=, contains, not contains, is set, is not set"
ACTION_LIST = "escalate to, assign to, unassign, set priority, notify, add tag, add note, remind requester, close"
RECIPIENTS = "case_manager, assignee, role:<role> or user:<username>"

# The examples of the rules spec, in canonical text.
SPEC_CONDITIONS: list[tuple[str, dict[str, Any]]] = [
    ("level = first", {"field": "level", "op": "eq", "value": "first"}),
    ("status != closed", {"field": "status", "op": "ne", "value": "closed"}),
    ("status in (new, open)", {"field": "status", "op": "in", "value": ["new", "open"]}),
    ("status not in (resolved, closed)", {"field": "status", "op": "not_in", "value": ["resolved", "closed"]}),
    ("worked_or_open_minutes > 30", {"field": "worked_or_open_minutes", "op": "gt", "value": 30}),
    ("worked_or_open_minutes >= 30", {"field": "worked_or_open_minutes", "op": "gte", "value": 30}),
    ("worked_or_open_minutes < 30", {"field": "worked_or_open_minutes", "op": "lt", "value": 30}),
    ("worked_or_open_minutes <= 30", {"field": "worked_or_open_minutes", "op": "lte", "value": 30}),
    ("tags contains vip", {"field": "tags", "op": "contains", "value": "vip"}),
    ("tags not contains vip", {"field": "tags", "op": "not_contains", "value": "vip"}),
    ("assignee is set", {"field": "assignee", "op": "is_set"}),
    ("assignee is not set", {"field": "assignee", "op": "is_not_set"}),
    ("has_first_response = false", {"field": "has_first_response", "op": "eq", "value": False}),
    ('subject = "two words"', {"field": "subject", "op": "eq", "value": "two words"}),
]

SPEC_ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("escalate to second", {"type": "escalate", "to_level": "second"}),
    ("assign to alice", {"type": "assign", "user": "alice"}),
    ("unassign", {"type": "assign", "user": None}),
    ("set priority p1", {"type": "set_priority", "priority": "p1"}),
    (
        'notify case_manager "P1 without answer"',
        {"type": "notify", "to": "case_manager", "message": "P1 without answer"},
    ),
    ("notify assignee", {"type": "notify", "to": "assignee", "message": ""}),
    ("notify role:case_manager", {"type": "notify", "to": "role:case_manager", "message": ""}),
    ("notify user:l.example@desk.test hello", {"type": "notify", "to": "user:l.example@desk.test", "message": "hello"}),
    ("add tag vip", {"type": "add_tag", "tag": "vip"}),
    ('add note "Checked by the rule"', {"type": "add_note", "text": "Checked by the rule"}),
    ("remind requester", {"type": "remind_requester"}),
    ("close", {"type": "close"}),
]


def exactly(value: Any) -> str:
    """A comparable form that tells true from 1 (in Python, True == 1)."""
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize(("text", "condition"), SPEC_CONDITIONS)
def test_spec_condition_parses(text: str, condition: dict[str, Any]) -> None:
    # when
    parsed = parse_conditions(text)
    # then
    assert exactly(parsed) == exactly([condition])


@pytest.mark.parametrize(("text", "condition"), SPEC_CONDITIONS)
def test_spec_condition_formats(text: str, condition: dict[str, Any]) -> None:
    # then
    assert format_conditions([condition]) == text


@pytest.mark.parametrize(("text", "action"), SPEC_ACTIONS)
def test_spec_action_parses(text: str, action: dict[str, Any]) -> None:
    # then
    assert exactly(parse_actions(text)) == exactly([action])


@pytest.mark.parametrize(("text", "action"), SPEC_ACTIONS)
def test_spec_action_formats(text: str, action: dict[str, Any]) -> None:
    # then
    assert format_actions([action]) == text


def test_a_whole_rule_one_per_line() -> None:
    # given
    conditions = [condition for _text, condition in SPEC_CONDITIONS]
    actions = [action for _text, action in SPEC_ACTIONS]
    # when
    condition_text, action_text = format_conditions(conditions), format_actions(actions)
    # then
    assert condition_text == "\n".join(text for text, _condition in SPEC_CONDITIONS)
    assert action_text == "\n".join(text for text, _action in SPEC_ACTIONS)
    assert exactly(parse_conditions(condition_text)) == exactly(conditions)
    assert exactly(parse_actions(action_text)) == exactly(actions)


def test_conditions_joined_by_and_on_one_line() -> None:
    # when
    parsed = parse_conditions(
        'level = first AND status in (new, open) and subject = "cats AND dogs"\ntags contains vip'
    )
    # then
    assert parsed == [
        {"field": "level", "op": "eq", "value": "first"},
        {"field": "status", "op": "in", "value": ["new", "open"]},
        {"field": "subject", "op": "eq", "value": "cats AND dogs"},
        {"field": "tags", "op": "contains", "value": "vip"},
    ]


def test_keywords_are_case_insensitive_values_keep_their_case() -> None:
    # given
    text = "status NOT IN (New, OPEN) And assignee IS NOT SET aND tags Not Contains VIP\nflag = TRUE AND other = False"
    # when
    parsed = parse_conditions(text)
    # then
    assert exactly(parsed) == exactly(
        [
            {"field": "status", "op": "not_in", "value": ["New", "OPEN"]},
            {"field": "assignee", "op": "is_not_set"},
            {"field": "tags", "op": "not_contains", "value": "VIP"},
            {"field": "flag", "op": "eq", "value": True},
            {"field": "other", "op": "eq", "value": False},
        ]
    )
    assert parse_actions("ESCALATE To second\nNotify CASE_MANAGER\nnotify Role:l1_agents\nAdd Note Hi\nClose") == [
        {"type": "escalate", "to_level": "second"},
        {"type": "notify", "to": "case_manager", "message": ""},
        {"type": "notify", "to": "role:l1_agents", "message": ""},
        {"type": "add_note", "text": "Hi"},
        {"type": "close"},
    ]


def test_values_numbers_booleans_and_spacing() -> None:
    # when
    parsed = parse_conditions('a=-7 AND b>=0 AND c in(1,true,x) AND d = 1.5 AND e = +4 AND f = "12"\t')
    # then: integers become int, true/false booleans, everything else (quoted or not) a string
    assert exactly(parsed) == exactly(
        [
            {"field": "a", "op": "eq", "value": -7},
            {"field": "b", "op": "gte", "value": 0},
            {"field": "c", "op": "in", "value": [1, True, "x"]},
            {"field": "d", "op": "eq", "value": "1.5"},
            {"field": "e", "op": "eq", "value": "+4"},
            {"field": "f", "op": "eq", "value": "12"},
        ]
    )
    assert format_conditions(parsed) == ('a = -7\nb >= 0\nc in (1, true, x)\nd = "1.5"\ne = "+4"\nf = "12"')


def test_action_parameters_are_always_text() -> None:
    # then: a priority or level that looks like a number or a keyword stays a string
    assert parse_actions("set priority 1\nadd tag true\nescalate to AND") == [
        {"type": "set_priority", "priority": "1"},
        {"type": "add_tag", "tag": "true"},
        {"type": "escalate", "to_level": "AND"},
    ]
    assert format_actions(parse_actions("set priority 1\nadd tag true")) == 'set priority "1"\nadd tag "true"'


def test_comments_blank_lines_and_line_endings() -> None:
    # given
    text = "# first-level tickets only\r\n\r\n   level = first\r\n  # and still open\n\t\nstatus != closed\r"
    # then
    assert parse_conditions(text) == [
        {"field": "level", "op": "eq", "value": "first"},
        {"field": "status", "op": "ne", "value": "closed"},
    ]
    assert parse_actions("# tell the case manager\n\nnotify case_manager\n") == [
        {"type": "notify", "to": "case_manager", "message": ""}
    ]
    assert parse_conditions("") == parse_conditions("# nothing\n\n") == parse_actions("  \n") == []
    assert format_conditions([]) == format_actions([]) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ("café-crème_2", "café-crème_2"),
        ("", '""'),
        ("two words", '"two words"'),
        ("a,b", '"a,b"'),
        ("(x)", '"(x)"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", "back\\slash"),
        ('back\\"', '"back\\\\\\""'),
        ("#vip", '"#vip"'),
        ("x=y", '"x=y"'),
        ("and", '"and"'),
        ("AND", '"AND"'),
        ("in", '"in"'),
        ("Not", '"Not"'),
        ("true", '"true"'),
        ("FALSE", '"FALSE"'),
        ("12", '"12"'),
        ("-3", '"-3"'),
        ("2.5", '"2.5"'),
    ],
)
def test_strings_are_quoted_only_when_needed(value: str, text: str) -> None:
    # given
    condition = {"field": "subject", "op": "eq", "value": value}
    # when
    formatted = format_conditions([condition])
    # then
    assert formatted == f"subject = {text}"
    assert parse_conditions(formatted) == [condition]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('level = first\nsubject = "two words', 2, 'a quoted text is not closed: add the closing double quote (")'),
        ('subject = "ends in a backslash\\"', 1, 'a quoted text is not closed: add the closing double quote (")'),
        ("level = first\n\nstatus =", 3, 'expected a value after "="'),
        ("status = AND level = first", 1, 'expected a value after "="'),
        ("status in (new)\nstatus in new", 2, 'expected "(" after "in"'),
        ("status NOT IN new", 1, 'expected "(" after "not in"'),
        ("level = first AND", 1, "expected a condition after AND"),
        ("level = first\nlevel = first and  ", 2, "expected a condition after AND"),
        ("AND level = first", 1, "expected a condition before AND"),
        ("level = first AND AND status = new", 1, "expected a condition before AND"),
        ("# comment\nstatus in ()", 2, 'expected at least one value between "(" and ")"'),
        ("status in (new,)", 1, 'expected a value after ","'),
        ("status in (new, open", 1, 'expected "," or ")" after "open"'),
        ("status in (new open)", 1, 'expected "," or ")" after "new"'),
        ("status in ((new))", 1, 'expected a value after "("'),
        ("level = first second", 1, 'expected AND or the end of the line after "first"'),
        ("level = first\nlevel", 2, f'expected an operator ({OPERATOR_LIST}) after "level"'),
        ("assignee is", 1, f'expected an operator ({OPERATOR_LIST}) after "assignee"'),
        ("tags not vip", 1, f'expected an operator ({OPERATOR_LIST}) after "tags"'),
        ("level == first", 1, 'expected a value after "="'),
        ("level ! first", 1, 'expected "=" after "!"'),
        (
            "Level = first",
            1,
            '"Level" is not a field name: use lower-case letters, digits and "_", not starting with a digit',
        ),
        ("2nd = x", 1, '"2nd" is not a field name: use lower-case letters, digits and "_", not starting with a digit'),
        (
            '"level" = x',
            1,
            '""level"" is not a field name: use lower-case letters, digits and "_", not starting with a digit',
        ),
        (
            "level = first # first level only",
            1,
            'a comment must be a line of its own starting with "#"; put text with "#" in double quotes',
        ),
        (
            'subject = "C:\\temp"',
            1,
            'unknown escape "\\t" in quoted text: write \\" for a double quote and \\\\ for a backslash',
        ),
        ("minutes > 1234567890123456789", 1, 'the number "1234567890123456789" is too long: at most 18 digits'),
    ],
)
def test_condition_errors_name_the_line_and_what_was_expected(text: str, line: int, problem: str) -> None:
    # when
    with pytest.raises(SyntaxProblem) as caught:
        parse_conditions(text)
    # then
    assert caught.value.line == line
    assert caught.value.problem == problem
    assert str(caught.value) == f"line {line}: {problem}"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "close\nfrobnicate the ticket",
            2,
            f'unknown action "frobnicate": an action line starts with one of {ACTION_LIST}',
        ),
        ("escalate second", 1, f'unknown action "escalate": an action line starts with one of {ACTION_LIST}'),
        ("remind", 1, f'unknown action "remind": an action line starts with one of {ACTION_LIST}'),
        ('"close"', 1, f'unknown action ""close"": an action line starts with one of {ACTION_LIST}'),
        ("close\n\nescalate to", 3, 'expected a value after "escalate to"'),
        ("assign to", 1, 'expected a value after "assign to"'),
        ("set priority", 1, 'expected a value after "set priority"'),
        ("add tag (vip)", 1, 'expected a value after "add tag"'),
        ("add note", 1, 'expected a value after "add note"'),
        ("notify", 1, f'expected a recipient ({RECIPIENTS}) after "notify"'),
        ("notify boss", 1, f'unknown recipient "boss": expected {RECIPIENTS}'),
        ("notify role:Admins", 1, f'unknown recipient "role:Admins": expected {RECIPIENTS}'),
        ("notify role:", 1, f'unknown recipient "role:": expected {RECIPIENTS}'),
        ('notify "user:two words"', 1, f'unknown recipient "user:two words": expected {RECIPIENTS}'),
        ("notify assignee ,", 1, 'expected a message in double quotes after "assignee"'),
        ("add note two words", 1, 'expected the end of the line after "two" (put text with spaces in double quotes)'),
        ("close now", 1, 'expected the end of the line after "close" (put text with spaces in double quotes)'),
        ("unassign alice", 1, 'expected the end of the line after "unassign" (put text with spaces in double quotes)'),
        ('add note "unterminated', 1, 'a quoted text is not closed: add the closing double quote (")'),
    ],
)
def test_action_errors_name_the_line_and_what_was_expected(text: str, line: int, problem: str) -> None:
    # when
    with pytest.raises(SyntaxProblem) as caught:
        parse_actions(text)
    # then
    assert caught.value.line == line
    assert str(caught.value) == f"line {line}: {problem}"


def test_a_syntax_problem_is_a_value_error() -> None:
    # then: callers that catch ValueError (forms, the API) see it
    with pytest.raises(ValueError, match=r"^line 1: "):
        parse_actions("explode")


@pytest.mark.parametrize(
    "conditions",
    [
        [{"field": "Level", "op": "eq", "value": "first"}],
        [{"field": "and", "op": "eq", "value": "first"}],
        [{"field": "level", "op": "like", "value": "first"}],
        [{"field": "level", "op": "in", "value": []}],
        [{"field": "level", "op": "in", "value": "first"}],
        [{"field": "level", "op": "eq", "value": None}],
        [{"field": "level", "op": "eq", "value": 1.5}],
        [{"field": "level", "op": "eq", "value": ["first"]}],
        [{"field": "minutes", "op": "gt", "value": 10**18}],
        [{"field": "subject", "op": "eq", "value": "two\nlines"}],
        [{"field": "subject", "op": "eq", "value": "carriage\rreturn"}],
    ],
)
def test_format_conditions_refuses_what_would_not_read_back(conditions: list[dict[str, Any]]) -> None:
    # then
    with pytest.raises(ValueError, match=r"."):
        format_conditions(conditions)


@pytest.mark.parametrize(
    "actions",
    [
        [{"type": "explode"}],
        [{"type": "notify", "to": "boss", "message": ""}],
        [{"type": "notify", "to": "CASE_MANAGER", "message": ""}],
        [{"type": "notify", "to": "user:two words", "message": ""}],
        [{"type": "add_tag"}],
        [{"type": "add_tag", "tag": 5}],
        [{"type": "add_note", "text": "first line\nsecond line"}],
    ],
)
def test_format_actions_refuses_what_would_not_read_back(actions: list[dict[str, Any]]) -> None:
    # then
    with pytest.raises(ValueError, match=r"."):
        format_actions(actions)


# Strings that sit on the edges of the syntax, mixed into any text without a line break.
LOOKALIKES = ["", "and", "AND", "true", "False", "12", "-3", "+4", "1.5", "in", "not in", "is set", "contains"]
SPECIALS = [
    "a b",
    "a,b",
    "(x)",
    'say "hi"',
    "#vip",
    "back\\slash",
    '\\"',
    "x=y",
    "!",
    "<=",
    "tab\there",
    "line\u2028end",
]
EDGE_TEXTS = st.sampled_from([*LOOKALIKES, *SPECIALS, " padded "])
TEXTS = st.one_of(EDGE_TEXTS, st.text(st.characters(exclude_characters="\r\n"), max_size=20))
SCALARS = st.one_of(TEXTS, st.integers(-(10**18) + 1, 10**18 - 1), st.booleans())
FIELDS = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True).filter(lambda name: name != "and")
CONDITIONS = st.one_of(
    st.fixed_dictionaries(
        {
            "field": FIELDS,
            "op": st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte", "contains", "not_contains"]),
            "value": SCALARS,
        }
    ),
    st.fixed_dictionaries(
        {"field": FIELDS, "op": st.sampled_from(["in", "not_in"]), "value": st.lists(SCALARS, min_size=1, max_size=4)}
    ),
    st.fixed_dictionaries({"field": FIELDS, "op": st.sampled_from(["is_set", "is_not_set"])}),
)
RECIPIENTS_DRAWN = st.one_of(
    st.sampled_from(["case_manager", "assignee"]),
    FIELDS.map(lambda role: f"role:{role}"),
    st.from_regex(r"[\w.@+-]{1,20}", fullmatch=True).map(lambda username: f"user:{username}"),
)
ACTIONS = st.one_of(
    st.fixed_dictionaries({"type": st.just("escalate"), "to_level": TEXTS}),
    st.fixed_dictionaries({"type": st.just("assign"), "user": st.one_of(st.none(), TEXTS)}),
    st.fixed_dictionaries({"type": st.just("set_priority"), "priority": TEXTS}),
    st.fixed_dictionaries({"type": st.just("notify"), "to": RECIPIENTS_DRAWN, "message": TEXTS}),
    st.fixed_dictionaries({"type": st.just("add_tag"), "tag": TEXTS}),
    st.fixed_dictionaries({"type": st.just("add_note"), "text": TEXTS}),
    st.sampled_from([{"type": "remind_requester"}, {"type": "close"}]),
)


@pytest.mark.parametrize("value", [*LOOKALIKES, *SPECIALS, " padded "])
def test_edge_texts_read_back_in_every_position(value: str) -> None:
    # given: hypothesis draws these only now and then, so each is also checked here
    conditions: list[dict[str, Any]] = [
        {"field": "subject", "op": "contains", "value": value},
        {"field": "tags", "op": "not_in", "value": [value, value]},
    ]
    actions: list[dict[str, Any]] = [
        {"type": "escalate", "to_level": value},
        {"type": "assign", "user": value},
        {"type": "set_priority", "priority": value},
        {"type": "notify", "to": "assignee", "message": value},
        {"type": "add_tag", "tag": value},
        {"type": "add_note", "text": value},
    ]
    # then
    assert exactly(parse_conditions(format_conditions(conditions))) == exactly(conditions)
    assert exactly(parse_actions(format_actions(actions))) == exactly(actions)


@given(st.lists(CONDITIONS, max_size=6))
def test_conditions_read_back_as_written(conditions: list[dict[str, Any]]) -> None:
    # when
    text = format_conditions(conditions)
    # then: the same list, types included, and the same again when joined by AND on one line
    assert exactly(parse_conditions(text)) == exactly(conditions)
    assert exactly(parse_conditions(" AND ".join(text.split("\n")))) == exactly(conditions)
    assert format_conditions(parse_conditions(text)) == text


@given(st.lists(ACTIONS, max_size=6))
def test_actions_read_back_as_written(actions: list[dict[str, Any]]) -> None:
    # when
    text = format_actions(actions)
    # then
    assert exactly(parse_actions(text)) == exactly(actions)
    assert format_actions(parse_actions(text)) == text
