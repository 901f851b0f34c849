"""Who may load data: viewing needs no login; importing, restoring and fetching need an analyst."""

from __future__ import annotations


def register(sub, with_db) -> None:
    """Add the analyst-access commands to the command line."""
