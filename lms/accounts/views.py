"""Logging in and out, changing one's password and managing one's API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts import audit, policy, services
from lms.accounts.forms import ChangePasswordForm, ConfirmForm, LoginForm, TokenForm
from lms.accounts.models import ApiToken
from lms.accounts.reference import PANGKAT, position_label
from lms.core.errors import DomainError
from lms.core.urls import safe_next
from lms.extensions import db, limiter

bp = Blueprint("accounts", __name__)

#: endpoints a user who must change their password may still reach
_ALLOWED_BEFORE_CHANGE = {"accounts.change_password", "accounts.logout", "static", "core.healthz",
                          "core.set_language"}  # fmt: skip

DEMO_ACCOUNTS = (
    ("admin@lentera.test", _l("Admin platform")),
    ("bkpsdm.solok@lentera.test", _l("Admin BKPSDM Kota Solok")),
    ("bkpsdm.serang@lentera.test", _l("Admin BKPSDM Kota Serang")),
    # Sawahlunto owns the shared course Manajemen Proyek Pemerintahan and signs its certificates
    ("bkpsdm.swl@lentera.test", _l("Admin BKPSDM Kota Sawahlunto")),
    ("pelatih@lentera.test", _l("Pelatih")),
    ("atasan.solok@lentera.test", _l("Atasan, Dinas Kesehatan Kota Solok")),
    ("pegawai.solok@lentera.test", _l("Pegawai, Dinas Kesehatan Kota Solok")),
    ("pegawai.serang@lentera.test", _l("Pegawai, Kota Serang")),
)
DEMO_PASSWORD = "lentera-demo"  # noqa: S105 - the published demo password, only in demo mode


@bp.app_context_processor
def _inject_policy() -> dict[str, object]:
    return {
        "policy": policy,
        "audit_label": audit.action_label,
        "audit_details": audit.details,
        "audit_target": audit.target_label,
        "pangkat": lambda golongan: PANGKAT.get(golongan or ""),
        "position_type_label": position_label,
    }


@bp.before_app_request
def _force_password_change() -> Response | None:
    if request.endpoint in _ALLOWED_BEFORE_CHANGE:
        return None  # static files and health checks never load the user
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and not request.path.startswith("/api/")
    ):
        return redirect(url_for("accounts.change_password"))
    return None


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    """Log in with an NIP or email address and a password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.login.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            session.clear()
            login_user(result.user, remember=form.remember.data)
            session.permanent = True
            if result.user.locale:
                session["locale"] = result.user.locale
            if result.user.must_change_password:
                flash(_("Silakan ganti kata sandi sementara Anda sebelum melanjutkan."), "warning")
                return redirect(url_for("accounts.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.form_errors.append(result.error or "")
        status = 401
    elif request.method == "POST":
        status = 400
    demo = DEMO_ACCOUNTS if current_app.config["DEMO_MODE"] else ()
    return render_template(
        "accounts/login.html", form=form, demo_accounts=demo, demo_password=DEMO_PASSWORD
    ), status


@bp.post("/keluar")
@login_required
def logout() -> Response:
    """Log out and forget the session."""
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password (forced after a reset)."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            # The session token rotated: log in again under the new one, keep this session.
            login_user(current_user._get_current_object())
            flash(_("Kata sandi berhasil diganti."), "success")
            return redirect(url_for("home.index"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/akun/token", methods=["GET", "POST"])
@login_required
def tokens() -> str | Response:
    """List, create and revoke one's API tokens."""
    form = TokenForm()
    new_token = None
    status = 200
    if form.validate_on_submit():
        new_token, _token = services.issue_api_token(current_user, form.name.data)
        db.session.commit()
        flash(_("Token dibuat. Salin sekarang: token tidak akan ditampilkan lagi."), "success")
    elif request.method == "POST":
        status = 400
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/tokens.html", form=form, tokens=rows, new_token=new_token, confirm=ConfirmForm()
    ), status


@bp.post("/akun/token/<int:token_id>/cabut")
@login_required
def revoke_token(token_id: int) -> Response:
    """Revoke one of one's own tokens (admins: anyone's)."""
    query = select(ApiToken).where(ApiToken.id == token_id)
    if not policy.is_admin(current_user):
        query = query.where(ApiToken.user_id == current_user.id)
    token = db.session.scalar(query)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_api_token(token, actor=current_user)
    except DomainError as error:
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash(_("Token dicabut."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.tokens"))
