"""Benchmarks: `make bench` measures the demo build and every named query, and writes results."""
