"""The bare endpoint: a Flask app whose ``/`` returns a short text, served like Lentera.

It is the ceiling the pages are compared with: the same gunicorn, workers and worker class, the
same load generator and cookies, but no database, session, templates, compression or extensions.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """A short text response."""
    return "Lentera bare endpoint\n"
