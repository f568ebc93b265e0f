"""The Red Talks portal: the application factory."""

from pathlib import Path

from flask import Flask, request
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import (
    DEFAULTS,
    engine_options,
    persistent_secret_key,
    settings_from_environment,
)
from portal.paths import TEMPLATES, TRANSLATIONS


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. ``config`` overrides the environment (tests pass their database)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        # Served by portal/static_files.py: hashed names, compressed, cached for a year.
        static_folder=None,
    )
    app.config.update(DEFAULTS)
    app.config.update(settings_from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = persistent_secret_key(Path(app.instance_path))

    from portal.logs import register_request_ids

    register_request_ids(app)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _bind_extensions(app)
    from portal.navigation import RowIdConverter, favicon

    app.url_map.converters["int"] = RowIdConverter
    app.add_url_rule("/favicon.ico", view_func=favicon)
    _register_blueprints(app)

    from portal.static_files import register_static_files

    register_static_files(app)

    from portal.errors import register_error_pages
    from portal.rate_limits import init_rate_limits
    from portal.security import register_security_headers
    from portal.templating import register_template_globals

    register_error_pages(app)
    init_rate_limits(app)
    register_security_headers(app)
    register_template_globals(app)
    _register_area_templates(app)

    _register_commands(app)
    # Every model's relationships resolved now (a tenth of a second), not by the first query of
    # the first visitor, or of the thousand phones reconnecting after a restart.
    configure_mappers()
    return app


def _bind_extensions(app: Flask) -> None:
    # Socket.IO handlers must be declared before the first init_app: the SocketIO object
    # keeps them then and binds them to the server of every app it is given.
    import consultations.live  # noqa: F401  (the consultation room kind)
    import portal.live  # noqa: F401  (connect, join and leave)
    import recommendations.live  # noqa: F401  (cast_vote, the round and recommendation rooms)
    from portal import i18n
    from portal.accounts.operations import load_signed_in_user
    from portal.extensions import babel, csrf, db, login_manager, migrate, socketio
    from portal.security import socket_origin_check

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)

    login_manager.init_app(app)
    login_manager.user_loader(load_signed_in_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    app.config["INTERFACE_LOCALES"] = i18n.interface_locales(TRANSLATIONS)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.login_message = i18n.SIGN_IN_REQUIRED
    login_manager.localize_callback = str

    from portal.live import PacketJson, followers_check
    from portal.message_queue import MessageQueue
    from portal.websockets import serve_websockets

    # Between processes, Redis carries the live events; None: this process only (and no
    # queue kept from an app made earlier in the same process).
    queue = MessageQueue(app.config["REDIS_URL"]) if app.config["REDIS_URL"] else None
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        client_manager=queue,
        # Pages of the portal's own origin (or PUBLIC_ORIGINS) only: never "*".
        cors_allowed_origins=socket_origin_check(app.config["PUBLIC_ORIGINS"],
                                                 app.config["TRUSTED_PROXIES"]),
        max_http_buffer_size=app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        manage_session=False,
        json=PacketJson,
    )
    followers_check.init_app(app, queue)
    serve_websockets(app, socketio)
    _register_request_hooks(app)


def _register_request_hooks(app: Flask) -> None:
    """Each request's writing lock, savepoint and one commit (portal/refusals.py)."""
    from portal import database, refusals
    from portal.extensions import db

    @app.before_request
    def _declare_writes():
        # Form POSTs write: on SQLite their transactions take the write lock first.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.environ["portal.writing"] = database.start_writing()
            # A refusal rolls the request back to here (portal/refusals.py).
            refusals.begin_request(db.session)

    @app.teardown_request
    def _end_writes(error=None):
        token = request.environ.pop("portal.writing", None)
        if token is not None:
            database.stop_writing(token)

    @app.after_request
    def _finish_transaction(response):
        # One commit per request, here: a response below 500 keeps what the request did,
        # unless a refusal was raised in it (portal/refusals.py).
        refusals.end_transaction(db.session, keep=response.status_code < 500)
        return response


def _register_area_templates(app: Flask) -> None:
    import consultations.templating
    import recommendations.templating

    consultations.templating.register_template_globals(app)
    recommendations.templating.register_template_globals(app)


def _register_commands(app: Flask) -> None:
    import consultations.cli
    import demo.cli
    import portal.cli
    import recommendations.cli
    import reviews.cli

    for commands in (portal.cli, consultations.cli, recommendations.cli, reviews.cli,
                     demo.cli):
        commands.register_commands(app)


def _register_blueprints(app: Flask) -> None:
    # What each area holds about a person (portal/accounts/personal_records.py).
    import consultations.personal_data  # noqa: F401
    import recommendations.personal_data  # noqa: F401
    import reviews.personal_data  # noqa: F401
    from consultations.views import blueprint as consultations_blueprint
    from portal.accounts.views import blueprint as accounts_blueprint
    from portal.audit.views import blueprint as audit_blueprint
    from portal.health import blueprint as health_blueprint
    from portal.i18n import blueprint as language_blueprint
    from recommendations.outcome.views import blueprint as outcome_blueprint
    from recommendations.views import blueprint as recommendations_blueprint
    from reviews.views import blueprint as reviews_blueprint

    app.register_blueprint(consultations_blueprint)
    app.register_blueprint(accounts_blueprint)
    app.register_blueprint(audit_blueprint)
    app.register_blueprint(health_blueprint)
    app.register_blueprint(language_blueprint)
    app.register_blueprint(recommendations_blueprint)
    app.register_blueprint(outcome_blueprint)
    app.register_blueprint(reviews_blueprint)
