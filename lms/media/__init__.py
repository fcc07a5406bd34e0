"""Uploads and stored files: type checks by content, the local media folder."""
