"""Signals through which a lower domain tells higher ones what happened."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent with ``sender=None, employee_ids=[...]`` after employees were created or changed
#: (unit, position, golongan or status), so assignment rules can catch them
employees_changed = _signals.signal("employees-changed")
