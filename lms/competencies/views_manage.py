"""Competency editing pages: the dictionary with its CSV export and import, the standards of
position types and positions, assessor ratings and external training (HR, supervisors)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts.models import JENJANG_BY_TYPE, Employee, Organisation, Position, PositionType
from lms.accounts.reference import JENJANG_LABELS, POSITION_TYPE_LABELS
from lms.accounts.views_people import current_organisation
from lms.competencies import dictionary, dictionary_import, evidence, ledger, policy
from lms.competencies.forms import (
    ACTIVITY_KIND_LABELS,
    ACTIVITY_STATUS_LABELS,
    KIND_LABELS,
    LAYER_LABELS,
    PLAN_STATUS_LABELS,
    ActiveForm,
    CompetencyForm,
    DictionaryImportForm,
    ExternalTrainingForm,
    LevelMatrixForm,
    RatingForm,
)
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    EmployeeCompetency,
    Evidence,
    EvidenceSource,
    ExternalTraining,
)
from lms.competencies.profile import (
    LAYER_POSITION,
    dictionary_scope,
    profile,
    standard_layers,
)
from lms.competencies.profile import dictionary as organisation_dictionary
from lms.core.db import contains
from lms.core.errors import DomainError
from lms.core.forms import ConfirmImportForm, choices
from lms.core.pagination import paginate, parse_page
from lms.core.previews import PreviewStore, read_upload
from lms.extensions import db
from lms.media import storage

bp = Blueprint("competency_admin", __name__)

#: a previewed dictionary import can be confirmed for this long
DICTIONARY_IMPORTS = PreviewStore("competency-dictionary", max_age=24 * 3600)
#: ratings listed on the rating page
RECENT_RATINGS = 20
_KIND_ORDER = {CompetencyKind.MANAGERIAL: 0, CompetencyKind.SOCIO_CULTURAL: 1}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {
        "kind_labels": KIND_LABELS,
        "layer_labels": LAYER_LABELS,
        "plan_status_labels": PLAN_STATUS_LABELS,
        "activity_kind_labels": ACTIVITY_KIND_LABELS,
        "activity_status_labels": ACTIVITY_STATUS_LABELS,
        "competency_policy": policy,
    }


def _manager_organisation() -> Organisation:
    """The organisation HR (or an admin) works on, refusing everyone else."""
    organisation = current_organisation()
    if not policy.can_manage_dictionary(current_user, organisation.id):
        abort(403)
    return organisation


def _reader_organisation_id() -> int | None:
    """The organisation whose dictionary the user reads (none: the national one only)."""
    if people.is_admin(current_user) or people.is_hr(current_user):
        return current_organisation().id
    return current_user.organisation_id


def _sorted(competencies: list[Competency]) -> list[Competency]:
    return sorted(competencies, key=lambda c: (_KIND_ORDER.get(c.kind, 2), c.code))


def _kind_filter() -> CompetencyKind | None:
    try:
        return CompetencyKind(request.args.get("jenis", ""))
    except ValueError:
        return None


def _competencies(organisation_id: int | None, kind: CompetencyKind | None, *, active_only: bool):
    query = (
        select(Competency)
        .options(selectinload(Competency.levels))
        .where(dictionary_scope(organisation_id))
    )
    if kind is not None:
        query = query.where(Competency.kind == kind)
    if active_only:
        query = query.where(Competency.is_active.is_(True))
    return _sorted(list(db.session.scalars(query)))


def _competency(competency_id: int) -> Competency:
    """A competency of the user's dictionary (admins: any), or 404."""
    query = (
        select(Competency)
        .options(selectinload(Competency.levels))
        .where(Competency.id == competency_id)
    )
    if not people.is_admin(current_user):
        query = query.where(dictionary_scope(current_user.organisation_id))
    return db.session.scalar(query) or abort(404)


# --- the dictionary -------------------------------------------------------------------------------


@bp.get("/kamus-kompetensi")
@login_required
def dictionary_index() -> str:
    """The dictionary: national and the organisation's technical competencies with their levels
    and indicators; HR and admins also see retired ones and the editing actions."""
    organisation_id = _reader_organisation_id()
    can_manage = policy.can_manage_dictionary(current_user, organisation_id)
    kind = _kind_filter()
    return render_template(
        "competencies/manage/dictionary.html",
        competencies=_competencies(organisation_id, kind, active_only=not can_manage),
        kind=kind,
        can_manage=can_manage,
        organisation=db.session.get(Organisation, organisation_id) if organisation_id else None,
        active_form=ActiveForm(),
    )


@bp.route("/kamus-kompetensi/baru", methods=["GET", "POST"], defaults={"competency_id": None})
@bp.route("/kamus-kompetensi/<int:competency_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_competency(competency_id: int | None) -> str | Response | tuple[str, int]:
    """Create a technical competency of the organisation, or edit one (national ones: admins)."""
    if competency_id is None:
        competency, owner, kind = None, _manager_organisation().id, CompetencyKind.TECHNICAL
    else:
        competency = _competency(competency_id)
        if not policy.can_edit_competency(current_user, competency):
            abort(403)
        owner, kind = competency.organisation_id, competency.kind
    form = CompetencyForm()
    if request.method == "GET" and competency is not None:
        form.fill(competency)
    if competency is not None:
        # courses and questions refer to the code: it stays as created
        form.code.data = competency.code
    status = 200
    if form.validate_on_submit():
        try:
            saved = dictionary.save_competency(
                owner, competency, form.entry(kind), actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Kompetensi %(name)s disimpan.", name=saved.name), "success")
            return redirect(url_for(".dictionary_index", jenis=saved.kind.value) + f"#k-{saved.id}")
    elif request.method == "POST":
        status = 400
    organisation = db.session.get(Organisation, owner) if owner else None
    return render_template(
        "competencies/manage/competency_form.html",
        form=form,
        competency=competency,
        kind=kind,
        organisation=organisation,
    ), status


@bp.post("/kamus-kompetensi/<int:competency_id>/status")
@login_required
def set_active(competency_id: int) -> Response:
    """Retire a competency or bring it back."""
    competency = _competency(competency_id)
    if not policy.can_edit_competency(current_user, competency):
        abort(403)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    dictionary.set_active(competency, active, actor=current_user)
    db.session.commit()
    if active:
        flash(_("Kompetensi %(name)s diaktifkan lagi.", name=competency.name), "success")
    else:
        flash(_("Kompetensi %(name)s dinonaktifkan.", name=competency.name), "success")
    return redirect(url_for(".dictionary_index") + f"#k-{competency.id}")


@bp.get("/kamus-kompetensi/ekspor")
@login_required
def export_dictionary() -> Response:
    """The dictionary as CSV, one row per level (the import's format), streamed."""
    organisation = _manager_organisation()
    competencies = _competencies(organisation.id, _kind_filter(), active_only=False)

    def rows() -> Iterator[str]:
        # everything is loaded above: the generator needs neither the request nor the database
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield from dictionary.export_csv(competencies)

    response = Response(rows(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="kamus-kompetensi-{organisation.code}.csv"'
    )
    return response


@bp.route("/kamus-kompetensi/impor", methods=["GET", "POST"])
@login_required
def import_dictionary() -> str | tuple[str, int]:
    """Upload a dictionary CSV and preview it with every problem's line; nothing is saved."""
    organisation = _manager_organisation()
    form = DictionaryImportForm()
    result = token = None
    status = 200
    if form.validate_on_submit():
        content = read_upload(form.file, current_app.config["IMPORT_MAX_MB"])
        if content is None:
            status = 413
        else:
            result = dictionary_import.preview(
                organisation.id, content, national=people.is_admin(current_user)
            )
            status = 200 if result.can_import else 422
            if result.can_import:
                token = DICTIONARY_IMPORTS.save(
                    content, user_id=current_user.id, organisation_id=organisation.id
                )
    elif request.method == "POST":
        status = 400
    return render_template(
        "competencies/manage/import.html",
        organisation=organisation,
        form=form,
        result=result,
        confirm=ConfirmImportForm(token=token),
        max_mb=current_app.config["IMPORT_MAX_MB"],
    ), status


@bp.post("/kamus-kompetensi/impor/konfirmasi")
@login_required
def confirm_import() -> Response:
    """Import the previewed file whole, or nothing of it."""
    organisation = _manager_organisation()
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    pending = DICTIONARY_IMPORTS.load(
        form.token.data, user_id=current_user.id, organisation_id=organisation.id
    )
    if pending is None:
        flash(_("Pratinjau impor sudah tidak berlaku. Unggah berkas lagi."), "warning")
        return redirect(url_for(".import_dictionary"))
    try:
        counts = dictionary_import.apply(
            organisation.id,
            pending.content,
            national=people.is_admin(current_user),
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(_("Tidak ada yang diimpor. %(problem)s", problem=error.message), "danger")
        return redirect(url_for(".import_dictionary"))
    db.session.commit()
    DICTIONARY_IMPORTS.discard(pending.token)
    flash(
        _(
            "Impor selesai: %(create)d kompetensi baru, %(change)d diubah, %(unchanged)d tetap.",
            create=counts[dictionary_import.CREATE],
            change=counts[dictionary_import.CHANGE],
            unchanged=counts[dictionary_import.UNCHANGED],
        ),
        "success",
    )
    return redirect(url_for(".dictionary_index"))


# --- standards ------------------------------------------------------------------------------------


def _type_options() -> list[tuple[str, PositionType, str, str]]:
    """(value, position type, jenjang, label) of every column of the defaults."""
    options = []
    for position_type, type_label in POSITION_TYPE_LABELS.items():
        jenjang_list = JENJANG_BY_TYPE.get(position_type, ())
        label = _("%(type)s – semua jenjang", type=type_label) if jenjang_list else str(type_label)
        options.append((f"{position_type.value}.", position_type, "", label))
        for jenjang in jenjang_list:
            options.append(
                (
                    f"{position_type.value}.{jenjang.value}",
                    position_type,
                    jenjang.value,
                    f"{type_label} – {JENJANG_LABELS[jenjang]}",
                )
            )
    return options


def _level_changes(
    form: LevelMatrixForm,
    competencies: list[Competency],
    current: dict[int, int],
    *,
    inherit: bool,
) -> list[tuple[Competency, int | None]] | None:
    """The competencies whose posted level differs from ``current``, with that level; None
    (with the form's error) when the posted levels are not understood."""
    levels = form.chosen_levels(request.form, [c.id for c in competencies], inherit=inherit)
    if levels is None:
        return None
    return [(c, levels[c.id]) for c in competencies if levels[c.id] != current.get(c.id)]


@bp.route("/standar-kompetensi", methods=["GET", "POST"])
@login_required
def type_standards() -> str | Response | tuple[str, int]:
    """The organisation's default required levels per position type and jenjang, and the way
    to each position's own standard."""
    organisation = _manager_organisation()
    options = _type_options()
    chosen = request.args.get("tipe") or options[0][0]
    option = next((o for o in options if o[0] == chosen), None)
    if option is None:
        abort(400)
    value, position_type, jenjang, label = option
    competencies = organisation_dictionary(organisation.id)
    layers = standard_layers(organisation.id, position_type, jenjang, competencies)
    form = LevelMatrixForm()
    status = 200
    if form.validate_on_submit():
        current = {c.id: layers.get(c.id, (0, ""))[0] for c in competencies}
        changes = _level_changes(form, competencies, current, inherit=False)
        if changes is None:
            status = 400
        else:
            for competency, level in changes:
                dictionary.set_type_standard(
                    organisation.id, position_type, jenjang, competency, level, actor=current_user
                )
            db.session.commit()
            flash(
                _("Standar %(type)s disimpan (%(n)d perubahan).", type=label, n=len(changes)),
                "success",
            )
            return redirect(url_for(".type_standards", tipe=value))
    elif request.method == "POST":
        status = 400
    q = request.args.get("q", "").strip()[:100]
    query = (
        select(Position)
        .options(joinedload(Position.unit))
        .where(Position.organisation_id == organisation.id, Position.is_active.is_(True))
        .order_by(Position.name, Position.id)
    )
    if q:
        query = query.where(contains(Position.name, q))
    page = paginate(query, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"])
    return render_template(
        "competencies/manage/standards.html",
        organisation=organisation,
        options=options,
        chosen=value,
        chosen_label=label,
        competencies=competencies,
        layers=layers,
        form=form,
        page=page,
        q=q,
    ), status


def _position(position_id: int) -> Position:
    """A position of the organisation the user manages (admins: any), or 404."""
    query = select(Position).options(joinedload(Position.unit)).where(Position.id == position_id)
    if not people.is_admin(current_user):
        if not people.is_hr(current_user):
            abort(403)
        query = query.where(Position.organisation_id == current_user.organisation_id)
    return db.session.scalar(query) or abort(404)


@bp.route("/standar-kompetensi/jabatan/<int:position_id>", methods=["GET", "POST"])
@login_required
def position_standards(position_id: int) -> str | Response | tuple[str, int]:
    """A position's required level of each competency and the layer it comes from."""
    position = _position(position_id)
    if not policy.can_manage_dictionary(current_user, position.organisation_id):
        abort(403)
    competencies = organisation_dictionary(position.organisation_id)
    jenjang = position.jenjang.value if position.jenjang else ""
    arguments = (position.organisation_id, position.position_type, jenjang, competencies)
    inherited = standard_layers(*arguments)
    effective = standard_layers(*arguments, position_id=position.id)
    own = {cid: level for cid, (level, layer) in effective.items() if layer == LAYER_POSITION}
    form = LevelMatrixForm()
    status = 200
    if form.validate_on_submit():
        changes = _level_changes(form, competencies, own, inherit=True)
        if changes is None:
            status = 400
        else:
            for competency, level in changes:
                dictionary.set_position_standard(position, competency, level, actor=current_user)
            db.session.commit()
            flash(
                _("Standar jabatan %(name)s disimpan (%(n)d perubahan).", name=position.name,
                  n=len(changes)),
                "success",
            )  # fmt: skip
            return redirect(url_for(".position_standards", position_id=position.id))
    elif request.method == "POST":
        status = 400
    holders = db.session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(Employee.position_id == position.id, Employee.is_active.is_(True))
    )
    return render_template(
        "competencies/manage/position_standards.html",
        position=position,
        competencies=competencies,
        inherited=inherited,
        effective=effective,
        own=own,
        form=form,
        holders=holders or 0,
    ), status


# --- assessor ratings and external training ------------------------------------------------------


def _employee(nip: str, scope: ColumnElement[bool]) -> Employee:
    """The employee with that NIP among those ``scope`` lets through, or 404."""
    clean = policy.clean_nip(nip)
    if clean is None:
        abort(404)
    found = db.session.scalar(
        select(Employee)
        .options(
            joinedload(Employee.organisation),
            joinedload(Employee.unit),
            joinedload(Employee.position),
        )
        .where(Employee.nip == clean, scope)
    )
    return found or abort(404)


def _competency_choices(competencies: list[Competency]) -> list:
    return [(c.id, f"{c.code} · {c.name}") for c in competencies]


@bp.route("/kompetensi/pegawai/<nip>/penilaian", methods=["GET", "POST"])
@login_required
def rate(nip: str) -> str | Response | tuple[str, int]:
    """An assessor's rating (the direct supervisor, HR of the organisation) with a note."""
    employee = _employee(nip, policy.rating_scope(current_user))
    competencies = organisation_dictionary(employee.organisation_id)
    by_id = {c.id: c for c in competencies}
    form = RatingForm()
    form.competency_id.choices = choices(_competency_choices(competencies))
    if request.method == "GET":
        code = request.args.get("kompetensi", "").strip().upper()
        form.competency_id.data = next((c.id for c in competencies if c.code == code), None)
    status = 200
    if form.validate_on_submit():
        competency = by_id[form.competency_id.data]
        try:
            evidence.record_rating(
                employee,
                competency,
                form.level.data,
                form.note.data,
                observed_on=form.observed_on.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            level = db.session.scalar(
                select(EmployeeCompetency.level).where(
                    EmployeeCompetency.employee_id == employee.id,
                    EmployeeCompetency.competency_id == competency.id,
                )
            )
            db.session.commit()
            flash(
                _("Penilaian disimpan. Level %(name)s saat ini: %(level)d.", name=competency.name,
                  level=level or 0),
                "success",
            )  # fmt: skip
            return redirect(url_for(".rate", nip=employee.nip))
    elif request.method == "POST":
        status = 400
    ratings = db.session.scalars(
        select(Evidence)
        .options(joinedload(Evidence.competency), joinedload(Evidence.recorded_by))
        .where(Evidence.employee_id == employee.id, Evidence.source == EvidenceSource.ASSESSOR)
        .order_by(Evidence.observed_on.desc(), Evidence.id.desc())
        .limit(RECENT_RATINGS)
    ).all()
    return render_template(
        "competencies/manage/rating.html",
        employee=employee,
        form=form,
        rows=profile(employee),
        ratings=ratings,
    ), status


@bp.route("/kompetensi/pegawai/<nip>/pelatihan-eksternal", methods=["GET", "POST"])
@login_required
def external_training(nip: str) -> str | Response | tuple[str, int]:
    """HR record an employee's training held elsewhere, with its certificate; and list it."""
    employee = _employee(nip, people.employee_scope(current_user))
    if not policy.can_record_training(current_user, employee):
        abort(403)
    competencies = organisation_dictionary(employee.organisation_id)
    by_id = {c.id: c for c in competencies}
    form = ExternalTrainingForm()
    form.competency_id.choices = choices(
        [("", _("— tidak ada —")), *_competency_choices(competencies)]
    )
    status = 200
    if form.validate_on_submit():
        upload = form.certificate.data
        certificate = None
        if upload is not None and getattr(upload, "filename", None):
            certificate = (Path(upload.filename).name, upload.stream)
        try:
            training = ledger.record_external(
                employee,
                title=form.title.data,
                provider=form.provider.data or "",
                jp=form.jp.data,
                completed_on=form.completed_on.data,
                certificate=certificate,
                competency=by_id.get(form.competency_id.data),
                level=form.level.data,
                expires_on=form.expires_on.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Pelatihan %(title)s dicatat.", title=training.title), "success")
            return redirect(url_for(".external_training", nip=employee.nip))
    elif request.method == "POST":
        status = 400
    trainings = db.session.scalars(
        select(ExternalTraining)
        .options(joinedload(ExternalTraining.competency))
        .where(ExternalTraining.employee_id == employee.id)
        .order_by(ExternalTraining.completed_on.desc(), ExternalTraining.id.desc())
    ).all()
    year = date.today().year
    _items, earned = ledger.ledger(employee, year)
    return render_template(
        "competencies/manage/external_training.html",
        employee=employee,
        form=form,
        trainings=trainings,
        year=year,
        earned=earned,
        target=ledger.target(),
    ), status


@bp.get("/kompetensi/pegawai/<nip>/pelatihan-eksternal/<int:training_id>/sertifikat")
@login_required
def certificate(nip: str, training_id: int) -> Response:
    """The certificate file of an external training, for HR and the employee themselves."""
    clean = policy.clean_nip(nip)
    if clean is None:
        abort(404)
    training = db.session.scalar(
        select(ExternalTraining)
        .join(Employee, Employee.id == ExternalTraining.employee_id)
        .options(joinedload(ExternalTraining.employee))
        .where(
            ExternalTraining.id == training_id,
            Employee.nip == clean,
            people.employee_scope(current_user),
        )
    )
    if training is None or not training.certificate_path:
        abort(404)
    if not policy.can_download_certificate(current_user, training):
        abort(403)
    suffix = Path(training.certificate_path).suffix
    name = training.certificate_name or "sertifikat"
    if not name.lower().endswith(suffix):
        name += suffix
    return storage.send(
        training.certificate_path,
        mimetype=storage.content_type(training.certificate_path),
        download_name=name,
        as_attachment=True,
        private=True,
        max_age=0,
    )
