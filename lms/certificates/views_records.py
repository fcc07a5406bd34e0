"""The certification record: the learner's certificates, HR's registry with exports, revocation
and reissue, and the organisation's certificate template. On the ``certificates`` blueprint."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts.models import Organisation
from lms.accounts.tree import units_in_tree_order
from lms.accounts.views_people import current_organisation
from lms.certificates import policy, records, registry, render, services, settings
from lms.certificates.forms import ReissueForm, RevokeForm, TemplateForm
from lms.certificates.jobs import render_certificate
from lms.certificates.models import Certificate, RenderStatus
from lms.certificates.verification import mask_nip, today
from lms.certificates.views import bp
from lms.core.errors import DomainError
from lms.core.exports import csv_response, xlsx_response
from lms.core.forms import choices
from lms.core.pagination import paginate_rows, parse_page
from lms.core.queue import after_commit
from lms.extensions import db
from lms.media import storage

#: how often the "PDF is being made" page reloads itself, in seconds
PENDING_REFRESH_SECONDS = 5


def _file_name(number: str) -> str:
    """A certificate number as a file name (numbers hold slashes)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", number).strip("-") or "sertifikat"


# --- the learner ---------------------------------------------------------------------------------


@bp.get("/sertifikat")
@login_required
def mine() -> str:
    """The learner's certificates: valid, expiring, expired and revoked, and external ones."""
    if current_user.employee_id is None:
        abort(404)
    day = today()
    return render_template(
        "certificates/mine.html",
        record=records.learner_record(current_user.employee_id, day),
        nip=current_user.employee.nip,
        state_label=records.state_label,
    )


@bp.get("/sertifikat/<int:certificate_id>/pdf")
@login_required
def pdf(certificate_id: int) -> Response | tuple[str, int, dict[str, str]]:
    """A certificate's PDF for its holder, HR of the holder's or the issuer's organisation and
    admins; a "being made" page while the queue renders it."""
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.id == certificate_id, policy.certificate_scope(current_user)
        )
    )
    if certificate is None:
        abort(404)
    if certificate.pdf_status is RenderStatus.READY and certificate.pdf_path:
        return storage.send(
            certificate.pdf_path,
            mimetype="application/pdf",
            download_name=f"sertifikat-{_file_name(certificate.number)}.pdf",
            private=True,
            max_age=3600,
        )
    if certificate.pdf_status is RenderStatus.FAILED:
        # try again (a missing font or image may have been fixed); the page below waits for it
        certificate.pdf_status = RenderStatus.PENDING
        after_commit(render_certificate, certificate.id)
        db.session.commit()
    page = render_template("certificates/pdf_pending.html", certificate=certificate)
    return page, 202, {"Refresh": str(PENDING_REFRESH_SECONDS), "Cache-Control": "no-store"}


@bp.post("/sertifikat/<int:certificate_id>/sertifikasi-ulang")
@login_required
def recertify(certificate_id: int) -> Response:
    """The holder takes the course again for a new certificate (the old one stays on record)."""
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .where(Certificate.employee_id == current_user.employee_id)
    )
    if certificate is None or current_user.employee_id is None:
        abort(404)
    try:
        course = records.recertify(certificate, actor=current_user, today=today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("certificates.mine"))
    db.session.commit()
    flash(
        _("Sertifikasi ulang dimulai. Selesaikan kursus ini lagi untuk sertifikat baru."),
        "success",
    )
    return redirect(url_for("courses.course", code=course.code))


# --- the organisation's template -----------------------------------------------------------------


def _hr_organisation() -> Organisation:
    """The organisation HR (or an admin, the one picked) works on; 403 for anyone else."""
    organisation = current_organisation()
    if not policy.can_manage_template(current_user, organisation.id):
        abort(403)
    return organisation


def _form_settings(form: TemplateForm) -> settings.TemplateSettings:
    def upload(field: Any) -> bytes | None:
        file = field.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return file.stream.read(settings.IMAGE_MAX_BYTES + 1)

    return settings.TemplateSettings(
        number_pattern=form.number_pattern.data or "",
        signer_name=form.signer_name.data or "",
        signer_title=form.signer_title.data or "",
        layout=form.layout.data or "",
        accent=form.accent.data or "",
        logo=upload(form.logo),
        signature=upload(form.signature),
        remove_logo=bool(form.remove_logo.data),
        remove_signature=bool(form.remove_signature.data),
    )


@bp.route("/sertifikat/templat", methods=["GET", "POST"])
@login_required
def template_settings() -> Response | str | tuple[str, int]:
    """HR set their organisation's certificate numbering, signer, logo and design, and preview a
    sample PDF of unsaved settings."""
    organisation = _hr_organisation()
    template = services.template_for(organisation.id)
    form = TemplateForm(obj=template)
    form.layout.choices = choices(render.layout_choices())
    status = 200
    if form.validate_on_submit():
        wanted = _form_settings(form)
        try:
            clean = settings.validate(wanted)
            if "pratinjau" in request.form:
                return _preview(template, clean, organisation)
            changed = settings.update_template(template, clean, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(
                _("Templat sertifikat disimpan.") if changed else _("Tidak ada yang berubah."),
                "success",
            )
            return redirect(url_for("certificates.template_settings"))
    elif request.method == "POST":
        status = 400
    try:
        next_number = settings.next_number(form.number_pattern.data or "", organisation)
    except DomainError:
        next_number = None
    return render_template(
        "certificates/template_settings.html",
        organisation=organisation,
        template=template,
        form=form,
        next_number=next_number,
    ), status


def _preview(
    template: Any, clean: settings.TemplateSettings, organisation: Organisation
) -> Response:
    """A sample certificate with the settings as entered, marked CONTOH; nothing is saved."""
    design = settings.preview_design(template, clean, organisation)
    content = render.render_pdf(
        settings.sample_certificate(clean, organisation), design, sample=True
    )
    db.session.rollback()
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="contoh-sertifikat.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- HR's registry -------------------------------------------------------------------------------


def _registry_organisation() -> Organisation:
    organisation = current_organisation()
    if not policy.can_view_registry(current_user, organisation.id):
        abort(403)
    return organisation


@bp.get("/sertifikat/registri")
@login_required
def registry_index() -> str:
    """HR's registry of the organisation's certificates, filtered and paginated."""
    organisation = _registry_organisation()
    day = today()
    filters = registry.Filters.parse(request.args)
    page = paginate_rows(
        registry.registry_query(organisation.id, filters, day),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "certificates/registry.html",
        organisation=organisation,
        filters=filters,
        page=page,
        counts=registry.state_counts(organisation.id, day),
        courses=registry.course_choices(organisation.id),
        units=[
            (u.id, "\u2003" * depth + u.name) for u, depth in units_in_tree_order(organisation.id)
        ],
        states=[(state, records.state_label(state)) for state in registry.STATES],
        state_label=records.state_label,
        expiring_days=records.EXPIRING_DAYS,
    )


def _export_name(organisation: Organisation) -> str:
    return f"registri-sertifikat-{organisation.code.lower()}-{today().isoformat()}"


@bp.get("/sertifikat/registri/ekspor.csv")
@login_required
def registry_csv() -> Response:
    """The filtered registry as CSV, streamed row by row."""
    organisation = _registry_organisation()
    query = registry.registry_query(organisation.id, registry.Filters.parse(request.args), today())
    return csv_response(
        _export_name(organisation), registry.export_headers(), registry.export_rows(query)
    )


@bp.get("/sertifikat/registri/ekspor.xlsx")
@login_required
def registry_xlsx() -> Response:
    """The filtered registry as an XLSX workbook, written with constant memory."""
    organisation = _registry_organisation()
    query = registry.registry_query(organisation.id, registry.Filters.parse(request.args), today())
    return xlsx_response(
        _export_name(organisation),
        _("Registri sertifikat"),
        registry.export_headers(),
        registry.export_rows(query),
    )


def _managed_certificate(certificate_id: int) -> Certificate:
    """A certificate HR of the holder's or the issuer's organisation (or an admin) may manage."""
    certificate = db.session.scalar(
        select(Certificate)
        .options(joinedload(Certificate.employee), joinedload(Certificate.organisation))
        .where(Certificate.id == certificate_id, policy.hr_certificate_scope(current_user))
    )
    if certificate is None:
        abort(404)
    return certificate


def _render_detail(
    certificate: Certificate,
    revoke_form: RevokeForm | None = None,
    reissue_form: ReissueForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    day = today()
    if reissue_form is None:
        reissue_form = ReissueForm(formdata=None, holder_name=certificate.employee.name)
    return render_template(
        "certificates/registry_detail.html",
        certificate=certificate,
        state=records.certificate_state(certificate, day),
        history=[(c, records.certificate_state(c, day)) for c in services.history(certificate)],
        can_revoke=policy.can_revoke(current_user, certificate),
        # the issuer's HR see another organisation's employee as the public page does
        holder_nip=certificate.holder_nip
        if people.is_admin(current_user)
        or certificate.employee.organisation_id == current_user.organisation_id
        else mask_nip(certificate.holder_nip),
        revoke_form=revoke_form or RevokeForm(formdata=None),
        reissue_form=reissue_form,
        state_label=records.state_label,
    ), status


@bp.get("/sertifikat/registri/<int:certificate_id>")
@login_required
def registry_detail(certificate_id: int) -> tuple[str, int]:
    """One certificate with its number history, and the revoke and reissue actions."""
    return _render_detail(_managed_certificate(certificate_id))


@bp.post("/sertifikat/registri/<int:certificate_id>/cabut")
@login_required
def revoke(certificate_id: int) -> Response | tuple[str, int]:
    """The issuer's HR or an admin revoke a certificate with a reason (audited)."""
    certificate = _managed_certificate(certificate_id)
    if not policy.can_revoke(current_user, certificate):
        abort(403)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _render_detail(certificate, revoke_form=form, status=400)
    try:
        services.revoke(certificate, form.reason.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return _render_detail(_managed_certificate(certificate_id), revoke_form=form, status=400)
    db.session.commit()
    flash(_("Sertifikat %(number)s dicabut.", number=certificate.number), "success")
    return redirect(url_for("certificates.registry_detail", certificate_id=certificate.id))


@bp.post("/sertifikat/registri/<int:certificate_id>/terbitkan-ulang")
@login_required
def reissue(certificate_id: int) -> Response | tuple[str, int]:
    """The issuer's HR or an admin reissue a corrected copy under the same number."""
    certificate = _managed_certificate(certificate_id)
    if not policy.can_revoke(current_user, certificate):
        abort(403)
    form = ReissueForm()
    if not form.validate_on_submit():
        return _render_detail(certificate, reissue_form=form, status=400)
    try:
        copy = services.reissue(certificate, actor=current_user, holder_name=form.holder_name.data)
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return _render_detail(_managed_certificate(certificate_id), reissue_form=form, status=400)
    db.session.commit()
    flash(
        _("Sertifikat %(number)s diterbitkan ulang dengan kode verifikasi baru.",
          number=copy.number),
        "success",
    )  # fmt: skip
    return redirect(url_for("certificates.registry_detail", certificate_id=copy.id))
