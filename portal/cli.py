"""Flask CLI commands: ``flask --app wsgi seed-demo`` and ``flask --app wsgi create-admin``."""

import time

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--participants", "generated", type=click.IntRange(min=0), default=0,
    help="Also have this many generated participants registered and approved (for benchmarks).",
)
def seed_demo_command(generated: int) -> None:
    """Bring the schema up to date and add the demo consultation and its people."""
    from portal.demo import DEMO_PASSWORD, seed_demo

    started = time.perf_counter()
    upgrade()
    report = seed_demo(generated)
    db.session.commit()
    elapsed = time.perf_counter() - started

    click.echo(f"Demo consultation: /c/{report.consultation.slug}")
    click.echo(f"Every demo account signs in with the password: {DEMO_PASSWORD}")
    click.echo(f"  {'platform admin':<14} {report.admin_email}")
    by_role: dict[str, list[str]] = {}
    for person in report.people:
        by_role.setdefault(person.role.value, []).append(person.email)
    for role, emails in by_role.items():
        shown = emails if len(emails) <= 2 else [emails[0], "...", emails[-1]]
        click.echo(f"  {role:<14} {' '.join(shown)} ({len(emails)})" if len(emails) > 2
                   else f"  {role:<14} {' '.join(shown)}")
    if generated or report.generated_total:
        click.echo(
            f"Generated participants: {report.generated_total} "
            f"({report.generated_added} added now)"
        )
    click.echo(f"Done in {elapsed:.1f} s.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--country", prompt="Country (ISO 3166 alpha-2, e.g. SN)")
@click.password_option()
def create_admin_command(email: str, name: str, country: str, password: str) -> None:
    """Create a platform admin, or make an existing account one."""
    from portal.accounts.models import StakeholderGroup
    from portal.accounts.operations import AccountExists, create_account, find_account
    from portal.audit.operations import record_event
    from portal.countries import is_country_code

    country = country.strip().upper()
    if not is_country_code(country):
        raise click.BadParameter(
            f"{country!r} is not an ISO 3166 alpha-2 code", param_hint="country"
        )
    user = find_account(email)
    if user is None:
        try:
            user = create_account(
                email=email, password=password, name=name, organisation="Red Talks portal",
                stakeholder_group=StakeholderGroup.other, country=country,
            )
        except AccountExists:
            raise click.ClickException(f"An account with {email} exists already.") from None
    user.is_admin = True
    record_event("account.admin_granted", target=user, by="create-admin")
    db.session.commit()
    click.echo(f"{user.email} is a platform admin.")
