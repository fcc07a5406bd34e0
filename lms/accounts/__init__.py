"""Organisations, units, positions, employees, users, roles, tokens and the audit log."""
