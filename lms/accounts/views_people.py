"""HR screens: organisations, units, positions, employees, accounts, imports and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from lms.accounts import audit, importing, policy, services
from lms.accounts.forms import (
    ConfirmForm,
    EmployeeForm,
    ImportForm,
    OrganisationForm,
    PositionForm,
    RolesForm,
    UnitForm,
)
from lms.accounts.models import (
    ApiToken,
    AuditEvent,
    Employee,
    EmployeeType,
    Organisation,
    Position,
    Role,
    Unit,
    User,
)
from lms.accounts.nip import normalise_nip
from lms.accounts.reference import golongan_choices
from lms.accounts.tree import unit_subtree_ids, units_in_tree_order
from lms.core.db import contains
from lms.core.errors import DomainError
from lms.core.forms import choices
from lms.core.pagination import paginate, parse_page
from lms.core.previews import PreviewStore, is_token, read_upload
from lms.core.urls import MAX_ID
from lms.extensions import db

bp = Blueprint("people", __name__)


def current_organisation() -> Organisation:
    """The organisation HR screens work on: HR's own, or the one an admin picked."""
    if policy.is_admin(current_user):
        org_id = session.get("admin_org_id")
        organisation = db.session.get(Organisation, org_id) if org_id else None
        if organisation is None:
            organisation = db.session.scalar(select(Organisation).order_by(Organisation.name))
        if organisation is None:
            abort(404)
        return organisation
    if policy.is_hr(current_user):
        return current_user.organisation
    abort(403)


def _require_hr() -> Organisation:
    organisation = current_organisation()
    if not policy.can_manage_people(current_user, organisation.id):
        abort(403)
    return organisation


def _managed(model: type, object_id: int) -> Any:
    """Fetch one object by id among those the user manages, or 404.

    HR get objects of their own organisation only (the condition is in the query); admins any.
    """
    query = select(model).where(model.id == object_id)
    if not policy.is_admin(current_user):
        if not policy.is_hr(current_user):
            abort(403)
        query = query.where(model.organisation_id == current_user.organisation_id)
    obj = db.session.scalar(query)
    if obj is None:
        abort(404)
    return obj


# --- organisations (admins) ---------------------------------------------------------------------


@bp.route("/admin/instansi", methods=["GET", "POST"])
@login_required
def organisations() -> str | Response:
    """List organisations and create new ones (platform admins)."""
    if not policy.can_manage_organisations(current_user):
        abort(403)
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                form.code.data, form.name.data, actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Instansi %(name)s dibuat.", name=organisation.name), "success")
            return redirect(url_for("people.organisations"))
    elif request.method == "POST":
        status = 400
    counts = dict(
        db.session.execute(
            select(Employee.organisation_id, func.count()).group_by(Employee.organisation_id)
        ).all()
    )
    rows = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "people/organisations.html",
        form=form,
        organisations=rows,
        counts=counts,
        current=session.get("admin_org_id"),
        confirm=ConfirmForm(),
    ), status


@bp.post("/admin/instansi/<int:org_id>/pilih")
@login_required
def select_organisation(org_id: int) -> Response:
    """An admin chooses which organisation the HR screens show."""
    if not policy.can_manage_organisations(current_user):
        abort(403)
    organisation = db.session.get(Organisation, org_id) or abort(404)
    session["admin_org_id"] = organisation.id
    flash(_("Sekarang mengelola %(name)s.", name=organisation.name), "info")
    return redirect(url_for("people.employees"))


# --- units --------------------------------------------------------------------------------------


@bp.get("/hr/unit")
@login_required
def units() -> str:
    """The unit tree of the organisation, with head counts."""
    organisation = _require_hr()
    rows = units_in_tree_order(organisation.id)
    counts = dict(
        db.session.execute(
            select(Employee.unit_id, func.count())
            .where(Employee.organisation_id == organisation.id, Employee.is_active.is_(True))
            .group_by(Employee.unit_id)
        ).all()
    )
    return render_template(
        "people/units.html", organisation=organisation, units=rows, counts=counts
    )


def _unit_choices(organisation: Organisation, exclude: set[int] | None = None) -> list:
    choices: list[tuple[object, str]] = [("", _("— tidak ada —"))]
    for unit, depth in units_in_tree_order(organisation.id):
        if exclude and unit.id in exclude:
            continue
        choices.append((unit.id, "\u2003" * depth + unit.name))
    return choices


@bp.route("/hr/unit/baru", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/hr/unit/<int:unit_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int | None) -> str | Response:
    """Create or edit a unit."""
    unit = _managed(Unit, unit_id) if unit_id is not None else None
    organisation = unit.organisation if unit else _require_hr()
    form = UnitForm(obj=unit)
    exclude = unit_subtree_ids(unit.id) if unit else None
    form.parent_id.choices = choices(_unit_choices(organisation, exclude))
    status = 200
    if form.validate_on_submit():
        try:
            saved = services.save_unit(
                organisation,
                unit,
                code=form.code.data,
                name=form.name.data,
                parent_id=form.parent_id.data,
                is_active=form.is_active.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Unit %(name)s disimpan.", name=saved.name), "success")
            return redirect(url_for("people.units"))
    elif request.method == "POST":
        status = 400
    return render_template("people/unit_form.html", form=form, unit=unit), status


# --- positions ----------------------------------------------------------------------------------


@bp.get("/hr/jabatan")
@login_required
def positions() -> str:
    """Positions of the organisation, with how many people hold each."""
    organisation = _require_hr()
    q = request.args.get("q", "").strip()[:100]
    query = (
        select(Position)
        .options(joinedload(Position.unit))
        .where(Position.organisation_id == organisation.id)
        .order_by(Position.name)
    )
    if q:
        query = query.where(contains(Position.name, q))
    page = paginate(query, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"])
    ids = [p.id for p in page.items]
    counts = dict(
        db.session.execute(
            select(Employee.position_id, func.count())
            .where(Employee.position_id.in_(ids), Employee.is_active.is_(True))
            .group_by(Employee.position_id)
        ).all()
    )
    return render_template(
        "people/positions.html", organisation=organisation, page=page, counts=counts, q=q
    )


@bp.route("/hr/jabatan/baru", methods=["GET", "POST"], defaults={"position_id": None})
@bp.route("/hr/jabatan/<int:position_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_position(position_id: int | None) -> str | Response:
    """Create or edit a position."""
    position = _managed(Position, position_id) if position_id is not None else None
    organisation = position.organisation if position else _require_hr()
    form = PositionForm(obj=position)
    if request.method == "GET" and position is not None:
        form.position_type.data = position.position_type.value
        form.jenjang.data = position.jenjang.value if position.jenjang else ""
    form.unit_id.choices = choices(_unit_choices(organisation))
    status = 200
    if form.validate_on_submit():
        try:
            saved = services.save_position(
                organisation,
                position,
                name=form.name.data,
                position_type=form.parsed_type(),
                jenjang=form.parsed_jenjang(),
                unit_id=form.unit_id.data,
                is_active=form.is_active.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Jabatan %(name)s disimpan.", name=saved.name), "success")
            return redirect(url_for("people.positions"))
    elif request.method == "POST":
        status = 400
    return render_template("people/position_form.html", form=form, position=position), status


# --- employees ----------------------------------------------------------------------------------


@bp.get("/hr/pegawai")
@login_required
def employees() -> str:
    """Browse and search the organisation's employees."""
    organisation = _require_hr()
    q = request.args.get("q", "").strip()[:100]
    unit_id = request.args.get("unit", type=int)
    status = request.args.get("status", "aktif")
    query = (
        select(Employee)
        .options(joinedload(Employee.unit), joinedload(Employee.position))
        .where(Employee.organisation_id == organisation.id)
        .order_by(Employee.name, Employee.id)
    )
    if q:
        digits = normalise_nip(q)
        if digits.isdigit():
            query = query.where(Employee.nip.startswith(digits))
        else:
            query = query.where(or_(contains(Employee.name, q), contains(Employee.email, q)))
    if unit_id and 0 < unit_id <= MAX_ID:
        query = query.where(Employee.unit_id.in_(unit_subtree_ids(unit_id, organisation.id)))
    if status == "aktif":
        query = query.where(Employee.is_active.is_(True))
    elif status == "nonaktif":
        query = query.where(Employee.is_active.is_(False))
    page = paginate(query, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"])
    return render_template(
        "people/employees.html",
        organisation=organisation,
        page=page,
        q=q,
        unit_id=unit_id,
        status=status,
        unit_choices=[("", _("Semua unit")), *_unit_choices(organisation)[1:]],
    )


def _employee_form(organisation: Organisation, employee: Employee | None) -> EmployeeForm:
    form = EmployeeForm(obj=employee)
    if request.method == "GET" and employee is not None:
        form.employee_type.data = employee.employee_type.value
        form.supervisor_nip.data = employee.supervisor.nip if employee.supervisor else ""
        form.email.data = employee.user.email if employee.user else employee.email
    form.golongan.choices = choices([("", _("— belum diisi —")), *golongan_choices()])
    form.unit_id.choices = choices(_unit_choices(organisation))
    positions = [
        (p.id, p.name)
        for p in db.session.scalars(
            select(Position)
            .where(Position.organisation_id == organisation.id, Position.is_active.is_(True))
            .order_by(Position.name)
        )
    ]
    if employee is not None and employee.position is not None and not employee.position.is_active:
        positions.append((employee.position.id, employee.position.name))
    form.position_id.choices = choices([("", _("— belum diisi —")), *positions])
    return form


@bp.route("/hr/pegawai/baru", methods=["GET", "POST"], defaults={"employee_id": None})
@bp.route("/hr/pegawai/<int:employee_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_employee(employee_id: int | None) -> str | Response:
    """Create or edit an employee and the login email of their account."""
    employee = _managed(Employee, employee_id) if employee_id is not None else None
    organisation = employee.organisation if employee else _require_hr()
    form = _employee_form(organisation, employee)
    status = 200
    if form.validate_on_submit():
        try:
            supervisor_id = None
            if form.supervisor_nip.data:
                supervisor_id = db.session.scalar(
                    select(Employee.id).where(
                        Employee.nip == normalise_nip(form.supervisor_nip.data),
                        Employee.organisation_id == organisation.id,
                    )
                )
                if supervisor_id is None:
                    raise DomainError(
                        _("Atasan dengan NIP tersebut tidak ditemukan di instansi ini."),
                        field="supervisor_nip",
                    )
            data = services.EmployeeData(
                nip=form.nip.data,
                name=form.name.data,
                employee_type=EmployeeType(form.employee_type.data),
                email=form.email.data,
                golongan=form.golongan.data or None,
                unit_id=form.unit_id.data,
                position_id=form.position_id.data,
                supervisor_id=supervisor_id,
                is_active=form.is_active.data,
            )
            saved = services.save_employee(organisation, employee, data, actor=current_user)
            user = services.ensure_account(saved, form.email.data)
            services.update_account_email(user, form.email.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Data pegawai %(name)s disimpan.", name=saved.name), "success")
            return redirect(url_for("people.employee", employee_id=saved.id))
    elif request.method == "POST":
        status = 400
    return render_template("people/employee_form.html", form=form, employee=employee), status


@bp.get("/pegawai/<int:employee_id>")
@login_required
def employee(employee_id: int) -> str:
    """One employee's record, for whoever may read it (self, supervisor, HR, admin)."""
    employee = db.session.scalar(
        select(Employee)
        .options(
            joinedload(Employee.unit),
            joinedload(Employee.position),
            joinedload(Employee.supervisor),
            joinedload(Employee.organisation),
            joinedload(Employee.user),
        )
        .where(Employee.id == employee_id, policy.employee_scope(current_user))
    )
    if employee is None:
        abort(404)
    reports = db.session.scalars(
        select(Employee)
        .options(joinedload(Employee.position))
        .where(Employee.supervisor_id == employee.id, Employee.is_active.is_(True))
        .order_by(Employee.name)
        .limit(100)
    ).all()
    can_edit = policy.can_edit_employee(current_user, employee)
    roles_form = None
    if can_edit and employee.user is not None:
        roles_form = RolesForm(formdata=None, roles=[r.value for r in employee.user.roles])
        allowed = {r.value for r in policy.grantable_roles(current_user)}
        roles_form.roles.choices = [c for c in roles_form.roles.choices if c.value in allowed]
    tokens = []
    if policy.is_admin(current_user) and employee.user is not None:
        tokens = [
            t
            for t in db.session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == employee.user.id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.created_at.desc())
            )
            if t.is_usable()
        ]
    return render_template(
        "people/employee.html",
        employee=employee,
        tokens=tokens,
        reports=reports,
        can_edit=can_edit,
        roles_form=roles_form,
        confirm=ConfirmForm(),
        temporary_password=session.pop("temporary_password", None),
    )


def _editable_user(employee_id: int) -> User:
    employee = _managed(Employee, employee_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return services.ensure_account(employee)


@bp.post("/hr/pegawai/<int:employee_id>/peran")
@login_required
def set_roles(employee_id: int) -> Response:
    """Grant or take away roles."""
    user = _editable_user(employee_id)
    grantable = policy.grantable_roles(current_user)
    requested: set[Role] = set()
    for value in request.form.getlist("roles"):
        try:
            requested.add(Role(value))
        except ValueError:
            abort(400)
    keep = user.roles - grantable
    try:
        services.set_roles(user, requested | keep, grantable, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Peran diperbarui."), "success")
    return redirect(url_for("people.employee", employee_id=employee_id))


@bp.post("/hr/pegawai/<int:employee_id>/reset-sandi")
@login_required
def reset_password(employee_id: int) -> Response:
    """Give the account a temporary password that must be changed at the next login."""
    user = _editable_user(employee_id)
    temporary = services.reset_password(user, actor=current_user)
    db.session.commit()
    session["temporary_password"] = temporary
    flash(_("Kata sandi sementara dibuat. Sampaikan kepada pegawai secara langsung."), "success")
    return redirect(url_for("people.employee", employee_id=employee_id))


@bp.post("/hr/pegawai/<int:employee_id>/akun")
@login_required
def set_account_active(employee_id: int) -> Response:
    """Enable or disable the employee's account."""
    user = _editable_user(employee_id)
    try:
        services.set_account_active(user, request.form.get("active") == "1", actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Status akun diperbarui."), "success")
    return redirect(url_for("people.employee", employee_id=employee_id))


# --- import -------------------------------------------------------------------------------------

#: a previewed employee file can be confirmed for this long
EMPLOYEE_IMPORTS = PreviewStore("employees", max_age=24 * 3600)


@bp.route("/hr/impor", methods=["GET", "POST"])
@login_required
def import_employees() -> str | Response:
    """Upload a CSV or XLSX file and see what importing it would do; nothing is written yet."""
    organisation = _require_hr()
    form = ImportForm()
    status = 200
    preview = token = None
    if form.validate_on_submit():
        filename = Path(form.file.data.filename or "").name
        content = read_upload(form.file, current_app.config["IMPORT_MAX_MB"])
        if content is None:
            status = 413
        else:
            preview = importing.preview_import(organisation, filename, content)
            status = 200 if preview.rows else 422
            if preview.rows:
                token = EMPLOYEE_IMPORTS.save(
                    content,
                    user_id=current_user.id,
                    organisation_id=organisation.id,
                    filename=filename,
                )
    elif request.method == "POST":
        status = 400
    return render_template(
        "people/import.html", form=form, preview=preview, token=token, confirm=ConfirmForm()
    ), status


@bp.post("/hr/impor/<token>")
@login_required
def confirm_import(token: str) -> Response:
    """Write the good rows of a previewed file."""
    organisation = _require_hr()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not is_token(token):
        abort(404)
    pending = EMPLOYEE_IMPORTS.load(token, organisation_id=organisation.id)
    if pending is None:
        flash(_("Pratinjau impor sudah tidak berlaku. Unggah berkas lagi."), "warning")
        return redirect(url_for("people.import_employees"))
    if pending.meta.get("user_id") != current_user.id:
        abort(404)  # a colleague's preview
    filename = pending.meta["filename"]
    preview = importing.preview_import(organisation, filename, pending.content)
    counts = importing.apply_import(organisation, preview, actor=current_user, filename=filename)
    db.session.commit()
    EMPLOYEE_IMPORTS.discard(token)
    flash(
        _(
            "Impor selesai: %(create)d pegawai baru, %(update)d diperbarui, %(unchanged)d tetap, "
            "%(error_rows)d baris dilewati karena bermasalah.",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("people.employees"))


# --- audit log ----------------------------------------------------------------------------------


@bp.get("/hr/audit")
@login_required
def audit_log() -> str:
    """Security and HR actions of the organisation (admins: of the platform, or one org)."""
    scope = request.args.get("lingkup")
    if policy.is_admin(current_user) and scope == "platform":
        organisation_id = None
        organisation = None
    else:
        organisation = current_organisation()
        organisation_id = organisation.id
    if not policy.can_view_audit(current_user, organisation_id):
        abort(403)
    query = audit.audit_query(organisation_id).options(
        selectinload(AuditEvent.actor).joinedload(User.employee)
    )
    action = request.args.get("aksi", "").strip()[:60]
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    page = paginate(query, parse_page(request.args.get("page")), 50)
    return render_template(
        "people/audit.html", page=page, organisation=organisation, action=action, scope=scope
    )
