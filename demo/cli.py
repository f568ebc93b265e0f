"""The demo's command: ``flask --app wsgi seed-demo``."""

import time

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--participants", "generated", type=click.IntRange(min=0), default=0,
    help="Also have this many generated participants registered and approved (for benchmarks).",
)
def seed_demo_command(generated: int) -> None:
    """Bring the schema up to date and add the demo consultation and its people."""
    from demo import DEMO_PASSWORD, seed_demo

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
