"""The rules engine: conditions, actions, evaluation and timers of automation rules."""
