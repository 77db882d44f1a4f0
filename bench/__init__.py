"""Benchmarks: `make bench` (see bench/phi3_cpu.py)."""
