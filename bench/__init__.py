"""Benchmarks: every figure next to a baseline measured in the same run (``python -m bench``).

Never run by pytest. See README.md "Benchmarks".
"""
