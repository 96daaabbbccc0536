"""Benchmarks of Digit Canvas against the obvious alternatives (issue 5).

Run ``python -m benchmarks`` from the repository root; see ``benchmarks/README.md``. Every row measures
this project and its alternative in the same run, so machine load affects both sides alike.
"""
