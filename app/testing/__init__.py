"""Helpers that drive the real widgets as a person would (tests, benchmarks, screenshots)."""
