"""Fetch indicator values from SCB (PxWeb API v2) and Kolada (API v3) and load them like an imported file."""

from __future__ import annotations


def register(sub, with_db) -> None:
    """Add `fetch scb` and `fetch kolada` to the command line."""
