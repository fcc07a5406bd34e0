"""Binding the extension instances of :mod:`lms.extensions` to an application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import joinedload

from lms.core.db import configure_sqlite, render_migration_item
from lms.extensions import babel, compress, csrf, db, limiter, login_manager, migrate


def select_locale() -> str:
    """The user's chosen language, else the session's, else Indonesian."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_extensions(app: Flask) -> None:
    """Initialise every extension and the SQLite engine settings."""
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Silakan masuk kembali untuk melanjutkan.")

    from lms.accounts import policy
    from lms.accounts.models import User
    from lms.notifications import services as notifications

    # One statement per request, built once: every page asks the roles, whether the user
    # supervises anyone (the menu) and the unread notifications (the bell), and most show the
    # employee's name.
    load_user_query = (
        select(
            User,
            policy.supervises(User.employee_id).label("is_supervising"),
            notifications.unread_count_of(User.id).label("unread"),
        )
        .options(joinedload(User.role_assignments), joinedload(User.employee))
        .where(User.id == bindparam("user_id"))
    )
    for name, forget in (
        ("after_flush", notifications.forget_unread),
        ("do_orm_execute", notifications.forget_unread_on_write),
    ):
        if not event.contains(OrmSession, name, forget):
            event.listen(OrmSession, name, forget)

    @login_manager.user_loader
    def load_user(identity: str) -> User | None:
        user_id, _sep, token = identity.partition(":")
        if not user_id.isdigit() or not token:
            return None
        row = db.session.execute(load_user_query, {"user_id": int(user_id)}).unique().one_or_none()
        user = row.User if row is not None else None
        if user is None or user.session_token != token or not user.is_active:
            return None
        policy.remember_supervisor(user, bool(row.is_supervising))
        notifications.remember_unread(row.unread)
        g.setdefault("_loaded_user", user)
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from lms.core.errors_views import wants_json

        if wants_json():
            from lms.core.errors_views import json_error

            return json_error(401, "unauthorized", _l("Autentikasi diperlukan."))
        from flask import flash, redirect, url_for

        flash(str(login_manager.login_message), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
