"""The text syntax of automation rules: conditions and actions as admins type them, parsed into the
JSON shape stored in Rule.conditions / Rule.actions and formatted back. Pure: no ORM, no clock.

It checks shape only (identifiers, operators, action words, required parameters, the form of a notify
recipient); whether a field, value or user exists is for the validator that knows them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Operator as typed -> JSON op, in the order the "expected an operator" message lists them.
OPERATORS: Mapping[str, str] = {
    "=": "eq",
    "!=": "ne",
    "in": "in",
    "not in": "not_in",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "contains": "contains",
    "not contains": "not_contains",
    "is set": "is_set",
    "is not set": "is_not_set",
}
OPERATOR_TEXT: Mapping[str, str] = {op: text for text, op in OPERATORS.items()}
LIST_OPS = frozenset({"in", "not_in"})
VALUELESS_OPS = frozenset({"is_set", "is_not_set"})

# The words that start an action line -> its JSON type, in the order the "unknown action" message lists them.
ACTION_PHRASES: Mapping[str, str] = {
    "escalate to": "escalate",
    "assign to": "assign",
    "unassign": "assign",
    "set priority": "set_priority",
    "notify": "notify",
    "add tag": "add_tag",
    "add note": "add_note",
    "remind requester": "remind_requester",
    "close": "close",
}
# The one text parameter of these action types (notify has two, "to" and "message").
PARAMETERS: Mapping[str, str] = {
    "escalate": "to_level",
    "assign": "user",
    "set_priority": "priority",
    "add_tag": "tag",
    "add_note": "text",
}
FIXED_RECIPIENTS = ("case_manager", "assignee")

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_USERNAME = re.compile(r"[\w.@+-]+")
# Whitespace, quotes and the characters of operators, lists and comments end a bare word.
_BARE = re.compile(r'[^\s,()"#=!<>]+')
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<symbol>!=|>=|<=|[=<>(),])|(?P<word>' + _BARE.pattern + r")|(?P<other>.))",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_INTEGER = re.compile(r"-?[0-9]+")
# Quoted on output although they would parse as strings: a reader would take them for numbers.
_NUMBER_LOOKALIKE = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")
_KEYWORDS = frozenset({"and", "in", "not", "contains", "is", "set", "true", "false"})
# 18 digits fit a signed 64-bit integer, and Python's int() refuses very long digit strings anyway.
MAX_DIGITS = 18

Scalar = str | int | bool


class SyntaxProblem(ValueError):
    """A rule text that does not parse. `line` is 1-based; the message (translated) says what was expected."""

    def __init__(self, line: int, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(_("line %(line)d: %(problem)s") % {"line": line, "problem": problem})


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "string" (its text unquoted) or "symbol"
    text: str
    raw: str  # as typed, for messages


class _Cursor:
    """The tokens of one line, read left to right."""

    def __init__(self, line: str, number: int) -> None:
        self.number = number
        self.tokens = _tokenize(line, number)
        self.position = 0

    def fail(self, problem: str, **values: str) -> SyntaxProblem:
        return SyntaxProblem(self.number, problem % values if values else problem)

    @property
    def previous(self) -> str:
        return self.tokens[self.position - 1].raw

    def at_end(self) -> bool:
        return self.position == len(self.tokens)

    def accept(self, *phrases: str) -> str | None:
        """The longest of `phrases` (lower-case words or symbols) the next tokens spell, consumed; else None.
        A quoted token never spells one: its raw text keeps the quotes."""
        for size in (3, 2, 1):
            ahead = self.tokens[self.position : self.position + size]
            typed = " ".join(token.raw.lower() for token in ahead)
            if len(ahead) == size and typed in phrases:
                self.position += size
                return typed
        return None

    def text(self, missing: str) -> str:
        """A bare word or a quoted string; `missing` is the message when there is none."""
        if self.at_end() or self.tokens[self.position].kind == "symbol":
            raise self.fail(missing)
        self.position += 1
        return self.tokens[self.position - 1].text

    def end(self) -> None:
        if not self.at_end():
            message = _('expected the end of the line after "%(previous)s" (put text with spaces in double quotes)')
            raise self.fail(message, previous=self.previous)


def _tokenize(line: str, number: int) -> list[_Token]:
    tokens: list[_Token] = []
    # Each match starts where the previous ended: the "other" group takes any character.
    for match in _TOKEN.finditer(line.rstrip()):
        kind = match.lastgroup or "other"
        raw = match.group(kind)
        if kind == "string":
            tokens.append(_Token(kind, _unescape(raw[1:-1], number), raw))
        elif kind != "other":
            tokens.append(_Token(kind, raw, raw))
        elif raw == '"':
            raise SyntaxProblem(number, _('a quoted text is not closed: add the closing double quote (")'))
        elif raw == "#":
            message = _('a comment must be a line of its own starting with "#"; put text with "#" in double quotes')
            raise SyntaxProblem(number, message)
        else:  # the only other character left is a "!" not followed by "="
            raise SyntaxProblem(number, _('expected "=" after "!"'))
    return tokens


def _unescape(body: str, number: int) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) not in '"\\':
            message = _(
                'unknown escape "\\%(char)s" in quoted text: write \\" for a double quote and \\\\ for a backslash'
            )
            raise SyntaxProblem(number, message % {"char": match.group(1)})
        return match.group(1)

    return _ESCAPE.sub(replace, body)


def _lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines that carry content: no blank lines, no comment lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [
        (number, line) for number, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")
    ]


def parse_conditions(text: str) -> list[dict[str, Any]]:
    """The conditions of `text`: one per line, or several on a line joined by AND."""
    conditions: list[dict[str, Any]] = []
    for number, line in _lines(text):
        cursor = _Cursor(line, number)
        conditions.append(_condition(cursor))
        while not cursor.at_end():
            if cursor.accept("and") is None:
                message = _('expected AND or the end of the line after "%(previous)s"')
                raise cursor.fail(message, previous=cursor.previous)
            if cursor.at_end():
                raise cursor.fail(_("expected a condition after AND"))
            conditions.append(_condition(cursor))
    return conditions


def _condition(cursor: _Cursor) -> dict[str, Any]:
    if cursor.accept("and"):
        raise cursor.fail(_("expected a condition before AND"))
    field = cursor.tokens[cursor.position].raw
    if not _IDENTIFIER.fullmatch(field):
        message = _(
            '"%(found)s" is not a field name: use lower-case letters, digits and "_", not starting with a digit'
        )
        raise cursor.fail(message, found=field)
    cursor.position += 1
    operator = cursor.accept(*OPERATORS)
    if operator is None:
        message = _('expected an operator (%(operators)s) after "%(field)s"')
        raise cursor.fail(message, operators=", ".join(OPERATORS), field=field)
    op = OPERATORS[operator]
    if op in VALUELESS_OPS:
        return {"field": field, "op": op}
    if op not in LIST_OPS:
        return {"field": field, "op": op, "value": _scalar(cursor)}
    if not cursor.accept("("):
        raise cursor.fail(_('expected "(" after "%(operator)s"'), operator=operator)
    if cursor.accept(")"):
        raise cursor.fail(_('expected at least one value between "(" and ")"'))
    values = [_scalar(cursor)]
    while not cursor.accept(")"):
        if not cursor.accept(","):
            raise cursor.fail(_('expected "," or ")" after "%(previous)s"'), previous=cursor.previous)
        values.append(_scalar(cursor))
    return {"field": field, "op": op, "value": values}


def _scalar(cursor: _Cursor) -> Scalar:
    """A value: a quoted string, true/false, an integer, or a bare word (a string). A bare AND is a separator."""
    missing = _('expected a value after "%(previous)s"') % {"previous": cursor.previous}
    if not cursor.at_end() and cursor.tokens[cursor.position].raw.lower() == "and":
        raise cursor.fail(missing)
    quoted = not cursor.at_end() and cursor.tokens[cursor.position].kind == "string"
    value = cursor.text(missing)
    if quoted:
        return value
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not _INTEGER.fullmatch(value):
        return value
    if len(value.lstrip("-")) > MAX_DIGITS:
        message = _('the number "%(number)s" is too long: at most %(digits)s digits')
        raise cursor.fail(message, number=value, digits=str(MAX_DIGITS))
    return int(value)


def parse_actions(text: str) -> list[dict[str, Any]]:
    """The actions of `text`, one per line, in order."""
    actions = []
    for number, line in _lines(text):
        cursor = _Cursor(line, number)
        actions.append(_action(cursor))
        cursor.end()
    return actions


def _action(cursor: _Cursor) -> dict[str, Any]:
    phrase = cursor.accept(*ACTION_PHRASES)
    if phrase is None:
        message = _('unknown action "%(action)s": an action line starts with one of %(actions)s')
        raise cursor.fail(message, action=cursor.tokens[0].raw, actions=", ".join(ACTION_PHRASES))
    kind = ACTION_PHRASES[phrase]
    if phrase == "unassign":
        return {"type": kind, "user": None}
    if kind in PARAMETERS:
        return {
            "type": kind,
            PARAMETERS[kind]: cursor.text(_('expected a value after "%(words)s"') % {"words": phrase}),
        }
    if kind != "notify":
        return {"type": kind}
    recipients = _("case_manager, assignee, role:<role> or user:<username>")
    target = cursor.text(_('expected a recipient (%(recipients)s) after "notify"') % {"recipients": recipients})
    recipient = _recipient(target)
    if recipient is None:
        message = _('unknown recipient "%(recipient)s": expected %(recipients)s')
        raise cursor.fail(message, recipient=target, recipients=recipients)
    message = (
        ""
        if cursor.at_end()
        else cursor.text(_('expected a message in double quotes after "%(recipient)s"') % {"recipient": target})
    )
    return {"type": "notify", "to": recipient, "message": message}


def _recipient(target: str) -> str | None:
    """The canonical notify recipient (keywords lower-cased), or None if `target` is not one."""
    prefix, separator, name = target.partition(":")
    if not separator and target.lower() in FIXED_RECIPIENTS:
        return target.lower()
    if prefix.lower() == "role" and _IDENTIFIER.fullmatch(name):
        return f"role:{name}"
    if prefix.lower() == "user" and _USERNAME.fullmatch(name):
        return f"user:{name}"
    return None


def format_conditions(conditions: Sequence[Mapping[str, Any]]) -> str:
    """The text of `conditions`, one per line; parse_conditions reads it back to the same list."""
    return "\n".join(_format_condition(condition) for condition in conditions)


def _format_condition(condition: Mapping[str, Any]) -> str:
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if not isinstance(field, str) or not _IDENTIFIER.fullmatch(field) or field == "and":
        raise ValueError(f"not a field name: {field!r}")
    if not isinstance(op, str) or op not in OPERATOR_TEXT:
        raise ValueError(f"unknown operator: {op!r}")
    head = f"{field} {OPERATOR_TEXT[op]}"
    if op in VALUELESS_OPS:
        return head
    if op not in LIST_OPS:
        return f"{head} {_format_scalar(value)}"
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"{op} needs a non-empty list, not {value!r}")
    return f"{head} ({', '.join(_format_scalar(item) for item in value)})"


def _format_scalar(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        if len(str(abs(value))) > MAX_DIGITS:
            raise ValueError(f"number with more than {MAX_DIGITS} digits: {value}")
        return str(value)
    return _quote(value)


def _quote(value: object) -> str:
    """`value` bare if it reads back as the same string, else in double quotes with \\ and \" escaped."""
    if not isinstance(value, str):
        raise ValueError(f"not a text, number or true/false: {value!r}")
    if "\n" in value or "\r" in value:
        raise ValueError(f"a rule's text cannot hold a line break: {value!r}")
    if _BARE.fullmatch(value) and value.lower() not in _KEYWORDS and not _NUMBER_LOOKALIKE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_actions(actions: Sequence[Mapping[str, Any]]) -> str:
    """The text of `actions`, one per line; parse_actions reads it back to the same list."""
    return "\n".join(_format_action(action) for action in actions)


def _format_action(action: Mapping[str, Any]) -> str:
    kind = action.get("type")
    if kind == "assign" and action.get("user") is None:
        return "unassign"
    # The first phrase of a type is its canonical one ("assign to" before "unassign").
    phrase = next((words for words, of_type in ACTION_PHRASES.items() if of_type == kind), None)
    if phrase is None or not isinstance(kind, str):
        raise ValueError(f"unknown action type: {kind!r}")
    if kind in PARAMETERS:
        return f"{phrase} {_quote(action.get(PARAMETERS[kind]))}"
    if kind != "notify":
        return phrase
    target, message = action.get("to"), action.get("message") or ""
    if not isinstance(target, str) or _recipient(target) != target:
        raise ValueError(f"not a notify recipient: {target!r}")
    return f"notify {target} {_quote(message)}" if message else f"notify {target}"
