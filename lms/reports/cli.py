"""``flask lms generate-dataset``: a province-scale dataset for benchmarks."""

from __future__ import annotations

import time
from datetime import datetime

import click
from flask.cli import with_appcontext


@click.command("generate-dataset")
@click.option("--employees", default=50_000, show_default=True, type=click.IntRange(30))
@click.option("--courses", default=200, show_default=True, type=click.IntRange(1, 250))
@click.option("--seed", default=1, show_default=True, help="Same seed and day, same data.")
@click.option("--organisation-code", default="PROV", show_default=True)
@click.option(
    "--enrolments-per-employee", default=21, show_default=True, type=click.IntRange(1, 250)
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The last day of the history (default: today in WIB).",
)
@click.option("--no-vacuum", is_flag=True, help="Skip VACUUM ANALYZE at the end (PostgreSQL).")
@with_appcontext
def generate_dataset_command(
    employees: int,
    courses: int,
    seed: int,
    organisation_code: str,
    enrolments_per_employee: int,
    today: datetime | None,
    no_vacuum: bool,
) -> None:
    """Generate a province-scale dataset in a new organisation (for test databases only:
    every account gets the same published password)."""
    from lms.reports.dataset import DatasetError, DatasetOptions, generate, vacuum

    options = DatasetOptions(
        employees=employees,
        courses=courses,
        seed=seed,
        organisation_code=organisation_code,
        enrolments_per_employee=enrolments_per_employee,
        today=today.date() if today else None,
    )
    started = time.monotonic()
    try:
        summary = generate(options, echo=click.echo)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    if not no_vacuum:
        click.echo("VACUUM ANALYZE …")
        vacuum(summary.tables)
    for table, count in sorted(summary.counts.items()):
        click.echo(f"  {table:24} {count:>12,}")
    click.echo(
        f"Done in {time.monotonic() - started:.0f} s. HR login: {summary.hr_email}, a supervisor: "
        f"{summary.supervisor_email}; password of every account: {summary.password}"
    )
