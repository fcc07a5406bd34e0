"""The ``flask lms`` command group."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.certificates.cli import certificates_cli
from lms.extensions import db
from lms.reports.cli import generate_dataset_command


@click.group("lms")
def lms_cli() -> None:
    """Lentera administration commands."""


@lms_cli.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo organisations, people and accounts into an empty database."""
    from lms.accounts.demo import seed_demo
    from lms.competencies.demo import seed_profiles

    if seed_demo():
        seed_profiles()
        db.session.commit()
        click.echo("Demo data loaded.")
    else:
        click.echo("The database already holds organisations; demo data not loaded.")


@lms_cli.command("seed-demo-assignments")
@with_appcontext
def seed_demo_assignments_command() -> None:
    """Give the demo organisations' mandatory training (after the course library's import)."""
    from lms.courses.demo import seed_assignments

    given = seed_assignments()
    db.session.commit()
    for line in given:
        click.echo(f"Penugasan demo: {line}")


@lms_cli.command("load-dictionary")
@with_appcontext
def load_dictionary_command() -> None:
    """Create or update the national competency dictionary from the shipped file."""
    from lms.competencies.dictionary import load_national

    count = load_national()
    db.session.commit()
    click.echo(f"{count} kompetensi nasional dimuat.")


@lms_cli.command("import-employees")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. SLK.")
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@with_appcontext
def import_employees_command(file: Path, org_code: str, dry_run: bool) -> None:
    """Import employees from a CSV or XLSX file; bad rows are listed and skipped."""
    from lms.accounts.importing import apply_import, preview_import
    from lms.accounts.models import Organisation

    organisation = db.session.scalar(
        select(Organisation).where(Organisation.code == org_code.strip().upper())
    )
    if organisation is None:
        raise click.ClickException(f"Instansi dengan kode {org_code} tidak ditemukan.")
    preview = preview_import(organisation, file.name, file.read_bytes())
    for error in preview.errors:
        column = f", kolom {error.column}" if error.column else ""
        click.echo(f"{file.name}: baris {error.line}{column}: {error.message}", err=True)
    counts = preview.counts
    click.echo(
        f"{counts['create']} baru, {counts['update']} diperbarui, {counts['unchanged']} tetap, "
        f"{counts['error_rows']} baris bermasalah."
    )
    if preview.file_error or not preview.rows:
        raise click.ClickException("Tidak ada yang diimpor.")
    if dry_run:
        click.echo("Uji coba: tidak ada yang ditulis.")
        return
    apply_import(organisation, preview, actor=None, filename=file.name)
    db.session.commit()
    click.echo("Impor selesai.")
    if preview.errors:
        raise SystemExit(1)


@lms_cli.command("import-course")
@click.argument(
    "folders",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@with_appcontext
def import_course_command(folders: tuple[Path, ...]) -> None:
    """Create or update courses from course folders (see courses/README.md)."""
    from lms.courses.library import LibraryError, import_course

    failed = False
    for folder in folders:
        try:
            course, outcome = import_course(folder)
        except LibraryError as error:
            db.session.rollback()
            click.echo(f"{error}", err=True)
            failed = True
            continue
        db.session.commit()
        click.echo(f"{course.code}: {outcome}")
    from lms.media.services import enqueue_waiting

    queued = enqueue_waiting()
    if queued:
        click.echo(f"{queued} video menunggu diproses oleh worker.")
    if failed:
        raise SystemExit(1)


@lms_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running tasks.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background queue worker (video processing) until interrupted."""
    from lms.core.errors import StorageUnavailable
    from lms.core.queue import run_worker
    from lms.media.storage import backend

    try:
        backend().check()  # a wrong bucket or key shows in the worker's log at once
    except StorageUnavailable:
        click.echo("Penyimpanan media tidak dapat dipakai; lihat log. Worker tetap berjalan.")
    run_worker(workers)


@lms_cli.command("storage-check")
@with_appcontext
def storage_check_command() -> None:
    """Check that the media storage (folder or S3 bucket) can be used; exit 1 if not."""
    from lms.core.errors import StorageUnavailable
    from lms.media.storage import backend

    store = backend()
    try:
        store.check()
    except StorageUnavailable as error:
        click.echo(f"Penyimpanan media tidak dapat dipakai: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Penyimpanan media siap: {store.describe()}")


lms_cli.add_command(certificates_cli)
lms_cli.add_command(generate_dataset_command)
