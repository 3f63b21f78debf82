"""Benchmarks for rota: seeded scenario generator, baseline schedulers and a runner.

Not part of the installed package nor of the test suite (a smoke test runs the tiny
size). Run ``python -m benchmarks.run --help`` from the repository root.
"""
