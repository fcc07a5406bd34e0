"""Lentera: learning and competency platform for Indonesian civil servants."""

from __future__ import annotations

import gc
import os
import time
from typing import Any

from flask import Flask

from lms.config import PROJECT_ROOT, load_config


def _use_local_days(zone: str) -> None:
    """Make ``date.today()`` the day in WIB for the whole process.

    Due dates, overdue training, certificate expiry and the JP year are all counted in WIB days;
    stored times stay in UTC (``lms.core.db.utcnow``), so only "which day is it" changes.
    """
    os.environ["TZ"] = zone
    time.tzset()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, errors, Jinja globals."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(config))
    app.instance_path = app.config["INSTANCE_DIR"]
    _use_local_days(app.config["BABEL_DEFAULT_TIMEZONE"])

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
    from lms.core.input_guard import init_input_guard

    init_input_guard(app)

    from lms.accounts.views import bp as accounts_bp
    from lms.accounts.views_people import bp as people_bp
    from lms.api import bp as api_bp
    from lms.certificates import hooks as certificate_hooks  # noqa: F401 - connects its handler
    from lms.certificates.views import bp as certificates_bp
    from lms.competencies import hooks as competency_hooks  # noqa: F401 - connects its handlers
    from lms.competencies import views_plans  # noqa: F401 - adds the plan pages to competency_admin
    from lms.competencies.views import bp as competencies_bp
    from lms.competencies.views_manage import bp as competency_admin_bp
    from lms.core.views import bp as core_bp
    from lms.courses import hooks  # noqa: F401 - connects the courses' signal handlers
    from lms.courses import views_evaluation as evaluation_pages  # noqa: F401 - adds its pages
    from lms.courses.views import bp as courses_bp
    from lms.courses.views_authoring import bp as authoring_bp
    from lms.home.views import bp as home_bp
    from lms.notifications import hooks as notification_hooks  # noqa: F401 - connects its handlers
    from lms.notifications.views import bp as notifications_bp
    from lms.quizzes import library as quiz_library  # noqa: F401 - connects its handler
    from lms.quizzes.views import bp as quizzes_bp
    from lms.reports.views import bp as reports_bp

    for blueprint in (
        core_bp,
        accounts_bp,
        people_bp,
        courses_bp,
        authoring_bp,
        home_bp,
        quizzes_bp,
        competencies_bp,
        competency_admin_bp,
        certificates_bp,
        reports_bp,
        notifications_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)

    from lms.cli import lms_cli

    app.cli.add_command(lms_cli)
    if not app.testing:
        # What starting made (modules, mappings, catalogs: some 200,000 objects) lives as long
        # as the process. Left to the cyclic garbage collector, each full collection walks it
        # all: 110 ms every few report pages. Frozen, a full collection takes about 10 ms.
        gc.collect()
        gc.freeze()
    return app
