"""From a change to the rules: every history row of a ticket notes its action here, and once the
transaction commits, one evaluation task per ticket and transaction runs the rules with all the
actions of that transaction (tasks.rules_evaluate).

The rule chain travels with it: changes made by a rule's actions are noted with the chain's id
and one level deeper than the evaluation that fired the rule, so that the engine can tell a loop
of rules (a rule about to fire again for a state it fired for in the same chain, or a chain that
grows past its limit) and stop it with an error in the log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tierdesk.core.events import publish
from tierdesk.tickets.events import TicketUpdated


@dataclass(frozen=True)
class Chain:
    """Where a change stands in a chain of rules: `id` is "" for a change made by a person."""

    id: str = ""
    depth: int = 0


_NO_CHAIN = Chain()
_chain: ContextVar[Chain] = ContextVar("tierdesk_rule_chain", default=_NO_CHAIN)
_BATCHES = "_tierdesk_rule_batches"  # attribute on the database connection: its pending batches


def current_chain() -> Chain:
    return _chain.get()


@contextlib.contextmanager
def in_chain(chain: Chain) -> Iterator[None]:
    """Changes made inside are noted as part of `chain` (the engine wraps a rule's actions in it)."""
    token = _chain.set(chain)
    try:
        yield
    finally:
        _chain.reset(token)


@dataclass
class _Batch:
    ticket_id: int
    actions: set[str] = field(default_factory=set)
    chain: Chain = _NO_CHAIN
    flushed: bool = False

    def flush(self) -> None:
        """Enqueue the evaluation once, however many of the batch's commit hooks run."""
        if self.flushed:
            return
        self.flushed = True
        connection = transaction.get_connection()
        batches: dict[int, _Batch] = getattr(connection, _BATCHES, {})
        if batches.get(self.ticket_id) is self:
            del batches[self.ticket_id]
        # Imported here: the task module imports the services, which import the history, which imports this.
        from tierdesk.tickets.tasks import rules_evaluate

        # Flush runs after the commit (or outside any transaction), where publish delivers at once;
        # should it ever run inside one, publish still waits for that commit.
        publish(TicketUpdated(self.ticket_id, tuple(sorted(self.actions))))
        rules_evaluate.enqueue(self.ticket_id, sorted(self.actions), self.chain.depth, self.chain.id)


def note_change(ticket_id: int, action: str) -> None:
    """Record that the ticket underwent `action` (a HistoryAction value) in this transaction."""
    connection = transaction.get_connection()
    chain = current_chain()
    if not connection.in_atomic_block:
        _Batch(ticket_id, {action}, chain).flush()
        return
    batches: dict[int, _Batch] = connection.__dict__.setdefault(_BATCHES, {})
    batch = batches.get(ticket_id)
    if batch is None or batch.flushed or not _registered(connection, batch):
        # A batch whose commit hooks a rollback discarded is dead: start a new one.
        batch = _Batch(ticket_id)
        batches[ticket_id] = batch
    # A hook per change, not per batch: whichever runs first sends them all (the others do
    # nothing), and a rollback of a savepoint cannot take the batch's only hook with it.
    transaction.on_commit(batch.flush)
    batch.actions.add(action)
    if chain.depth > batch.chain.depth:
        batch.chain = chain


def _registered(connection: Any, batch: _Batch) -> bool:
    return any(callback == batch.flush for _savepoints, callback, _robust in connection.run_on_commit)
