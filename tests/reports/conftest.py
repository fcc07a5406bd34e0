"""Fixtures shared by the report tests."""

from tests.reports.test_views import solok  # noqa: F401 - the Solok report data, a fixture
