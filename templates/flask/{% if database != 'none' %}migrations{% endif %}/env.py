"""Alembic's environment under Flask-Migrate: Flask-Migrate's own env.py (``flask db init``),
typed, for Flask-SQLAlchemy 3, and fit for several runs in one process (the tests)."""

import logging
from logging.config import fileConfig

from alembic import context
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from flask import current_app
from sqlalchemy import Engine, MetaData

# The Alembic Config object: access to the values in alembic.ini.
config = context.config

# Logging from alembic.ini: `flask db upgrade` says what it runs. Loggers made before (the
# app's, when migrations run inside it as in the tests) stay enabled.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine() -> Engine:
    return current_app.extensions["migrate"].db.engine


def get_engine_url() -> str:
    # configparser reads % as interpolation: a password may hold one.
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata() -> MetaData:
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline() -> None:
    """``flask db upgrade --sql``: print the SQL instead of running it."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection of the app's engine."""

    def process_revision_directives(
        context: MigrationContext, revision: object, directives: list[MigrationScript]
    ) -> None:
        """`flask db migrate` with no model change writes no empty revision."""
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops is not None and script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    # A copy: the app keeps its configure_args across runs (the tests upgrade, then migrate).
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
