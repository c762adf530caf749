"""Benchmarks, run apart from the test suite by `make bench`."""
