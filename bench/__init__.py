"""Benchmark: how fast replies are and whether memory stays flat (`make bench`).

Not a test: it measures, prints a table and compares with the obvious way of doing the same
work (recompute from CSV and redraw with pyplot on every request, no cache).
"""
