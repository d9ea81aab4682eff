"""Benchmarks and benchmark data generators for KMS."""
