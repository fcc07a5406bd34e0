"""``flask lms certificates``: the organisations' signing keys."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.extensions import db


@click.group("certificates")
def certificates_cli() -> None:
    """Certificates: signing keys of the Open Badges credentials."""


@certificates_cli.command("rotate-key")
@click.argument("org_code")
@with_appcontext
def rotate_key_command(org_code: str) -> None:
    """Retire an organisation's signing key and make a new one (old credentials still verify)."""
    from lms.accounts.models import Organisation
    from lms.certificates import keys

    organisation = db.session.scalar(
        select(Organisation).where(Organisation.code == org_code.upper())
    )
    if organisation is None:
        raise click.ClickException(f"No organisation with code {org_code}.")
    key = keys.rotate(organisation, actor=None)
    db.session.commit()
    click.echo(f"{organisation.code}: signing with {key.kid}; earlier keys stay published.")


@certificates_cli.command("rewrap-keys")
@with_appcontext
def rewrap_keys_command() -> None:
    """After changing LMS_SECRET_KEY: re-encrypt the stored signing keys under the new one.

    The old secret key is read from LMS_OLD_SECRET_KEY, or asked for.
    """
    from lms.certificates import keys

    old = os.environ.get("LMS_OLD_SECRET_KEY") or click.prompt(
        "The previous secret key", hide_input=True
    )
    try:
        changed, unchanged = keys.rewrap(old)
    except ValueError:
        db.session.rollback()
        raise click.ClickException(
            "A signing key opens with neither the old nor the current secret key."
        ) from None
    db.session.commit()
    click.echo(f"{changed} key(s) re-wrapped, {unchanged} already under the current secret key.")
