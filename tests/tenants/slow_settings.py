"""Settings for the `migrate` process that tests/tenants/test_migration_kill.py kills."""

from config.settings import *  # noqa: F403

MIGRATION_MODULES = {"costsharing_municipal": "tests.tenants.slow_migrations"}
