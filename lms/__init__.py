"""Lentera: learning and competency platform for Indonesian civil servants."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.config import PROJECT_ROOT, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, errors, Jinja globals."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(config))
    app.instance_path = app.config["INSTANCE_DIR"]

    from lms.core.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added

    from lms.core import extensions_setup, security, templating
    from lms.core.errors_views import register_error_handlers

    extensions_setup.init_extensions(app)
    from lms.core.queue import init_queue

    init_queue(app)
    security.init_security(app)
    templating.init_templating(app)
    register_error_handlers(app)

    from lms.accounts.views import bp as accounts_bp
    from lms.accounts.views_people import bp as people_bp
    from lms.api import bp as api_bp
    from lms.core.views import bp as core_bp
    from lms.courses import hooks  # noqa: F401 - connects the courses' signal handlers
    from lms.courses.views import bp as courses_bp
    from lms.courses.views_authoring import bp as authoring_bp
    from lms.home.views import bp as home_bp

    for blueprint in (core_bp, accounts_bp, people_bp, courses_bp, authoring_bp, home_bp, api_bp):
        app.register_blueprint(blueprint)

    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)
    return app
