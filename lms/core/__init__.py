"""Shared kernel: database helpers, forms base, errors, security and template helpers."""
