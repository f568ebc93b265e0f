"""The demo's command: ``flask --app wsgi seed-demo``."""

import time
from contextlib import nullcontext

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)


#: Where ``make demo`` serves the portal: the demo's e-mails link there unless SERVER_NAME
#: names the portal's address.
LOCAL_PORTAL = "http://127.0.0.1:5000"


def _links_to_the_portal():
    """A request context for the e-mails the demo writes (a silence procedure closed, say)."""
    if current_app.config.get("SERVER_NAME"):
        return nullcontext()
    return current_app.test_request_context(base_url=LOCAL_PORTAL)


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
    with _links_to_the_portal():
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
