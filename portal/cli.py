"""The portal's own Flask CLI commands: ``flask --app wsgi create-admin``, ``backup`` and
``send-mail``. The areas add theirs (consultations/cli.py, recommendations/cli.py, and
demo/cli.py for ``seed-demo``); the app factory registers them all."""

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(send_mail_command)


@click.command("send-mail")
@with_appcontext
@click.option("--once", is_flag=True,
              help="Send what is due now, then stop (by default: keep watching the outbox).")
def send_mail_command(once: bool) -> None:
    """Send the outbox's e-mails (run one beside the portal's processes)."""
    import signal
    import threading

    from portal.logs import configure_logging
    from portal.mail.sending import run_worker, send_due_mail

    configure_logging()
    stop = threading.Event()
    if once:
        done = send_due_mail()
        click.echo(f"Sent {done.sent}, to try again {done.retrying}, given up {done.failed}.")
        return
    # systemd and make stop it with SIGTERM: the message being sent is finished and recorded.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    run_worker(stop)


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




@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Copy the SQLite database to TARGET while the portal serves (PostgreSQL: pg_dump)."""
    from flask import current_app

    from portal.backups import BackupRefused, back_up_sqlite

    started = time.perf_counter()
    try:
        size = back_up_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Backed up to {target} ({size / 1e6:.1f} MB) in "
               f"{time.perf_counter() - started:.1f} s.")
