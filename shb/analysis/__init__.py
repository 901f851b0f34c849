"""Measures and comparisons: numbers only, no sentences."""
