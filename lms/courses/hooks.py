"""What the courses domain does when other domains report events."""

from __future__ import annotations

from typing import Any

from lms.core import signals


@signals.employees_changed.connect
def _catch_employees(sender: Any, employee_ids: list[int], **_extra: Any) -> None:
    """Assignment rules also catch employees added or moved later."""
    from lms.courses.enrollment import apply_rules_to_employees

    apply_rules_to_employees(employee_ids)
