"""Notifications: in-app and by email, once per event, mutable where optional."""
