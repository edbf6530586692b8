"""Benchmarks: each module prints figures (never asserts); ``python -m bench`` runs them all."""
