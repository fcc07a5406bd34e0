"""Notification pages: the list, opening one, marking all read, and what to mute; the bell."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.forms import BaseForm, choices
from lms.core.pagination import paginate, parse_page
from lms.core.urls import safe_next
from lms.extensions import db
from lms.notifications import services
from lms.notifications.models import OPTIONAL, Kind, Mute, Notification

bp = Blueprint("notifications", __name__, url_prefix="/pemberitahuan")

#: notifications per page
PER_PAGE = 20
#: requests that never show the navigation, so never count
NO_BELL = {"static", "core.healthz"}

KIND_LABELS = {
    Kind.ASSIGNED: _l("Penugasan kursus"),
    Kind.DUE_SOON: _l("Tenggat sepekan lagi"),
    Kind.OVERDUE: _l("Pelatihan terlambat"),
    Kind.CERTIFICATE_ISSUED: _l("Sertifikat terbit"),
    Kind.CERTIFICATE_EXPIRING: _l("Sertifikat segera kedaluwarsa"),
    Kind.ESSAY_GRADED: _l("Esai sudah dinilai"),
    Kind.CERTIFICATE_REVOKED: _l("Sertifikat dicabut"),
    Kind.PLAN_SUBMITTED: _l("Rencana pengembangan menunggu keputusan"),
    Kind.PLAN_DECIDED: _l("Keputusan atas rencana pengembangan"),
}


class SettingsForm(BaseForm):
    """The optional kinds the user wants to receive (the others are always on)."""

    active = SelectMultipleField(
        _l("Pemberitahuan yang ingin diterima"),
        choices=choices((kind.value, KIND_LABELS[kind]) for kind in OPTIONAL),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # validate_active says it in the user's language
    )

    def validate_active(self, field: SelectMultipleField) -> None:
        """Only optional kinds can be chosen; the others cannot be muted."""
        optional = {kind.value for kind in OPTIONAL}
        if any(value not in optional for value in field.data or []):
            raise ValidationError(_("Pemberitahuan wajib tidak dapat dimatikan."))


@bp.get("")
@login_required
def index() -> str:
    """The user's notifications, newest first, unread ones highlighted."""
    page = paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        parse_page(request.args.get("page")),
        PER_PAGE,
    )
    return render_template("notifications/index.html", page=page, kind_label=KIND_LABELS.get)


@bp.get("/<int:notification_id>")
@login_required
def follow(notification_id: int) -> Response:
    """Mark one notification read and go where it points (only to a page of this site)."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    if notification is None:
        abort(404)
    services.mark_read(current_user, notification.id)
    db.session.commit()
    return redirect(safe_next(notification.link) or url_for("notifications.index"))


@bp.post("/baca-semua")
@login_required
def read_all() -> Response:
    """Mark every notification of the user read."""
    count = services.mark_read(current_user)
    db.session.commit()
    flash(
        _("%(num)d pemberitahuan ditandai sudah dibaca.", num=count)
        if count
        else _("Tidak ada pemberitahuan yang belum dibaca."),
        "info",
    )
    return redirect(url_for("notifications.index"))


@bp.route("/pengaturan", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    """Choose which optional notifications to receive; the mandatory ones are listed as on."""
    muted = set(db.session.scalars(select(Mute.kind).where(Mute.user_id == current_user.id)))
    form = SettingsForm(
        formdata=request.form if request.method == "POST" else None,
        active=[kind.value for kind in OPTIONAL if kind not in muted],
    )
    status = 200
    if request.method == "POST":
        if form.validate():
            wanted = set(form.active.data or [])
            for kind in OPTIONAL:
                services.set_muted(current_user, kind, kind.value not in wanted)
            db.session.commit()
            flash(_("Pengaturan pemberitahuan disimpan."), "success")
            return redirect(url_for("notifications.settings"))
        status = 422
    return render_template(
        "notifications/settings.html",
        form=form,
        mandatory=[KIND_LABELS[kind] for kind in Kind if kind not in OPTIONAL],
    ), status


def _unread_for_page() -> int:
    """The bell's count: one COUNT per page, only for logged-in users, only when shown."""
    if "unread_notifications" not in g:
        g.unread_notifications = (
            services.unread_count(current_user.id)
            if current_user.is_authenticated and request.endpoint not in NO_BELL
            else 0
        )
    return g.unread_notifications


@bp.app_context_processor
def _bell() -> dict[str, object]:
    return {"unread_notifications": _unread_for_page}
