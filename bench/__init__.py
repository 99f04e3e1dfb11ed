"""Benchmarks: speed, memory and quality figures, run as `python -m bench.NAME`; never timed assertions in tests."""
