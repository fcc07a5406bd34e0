"""Competency profiles: the dictionary, position standards, evidence, gaps, plans, JP ledger."""
