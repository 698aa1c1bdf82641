"""costsharing_municipal's migrations plus a test-only 0002 that takes a while in every schema
(pg_sleep between two schema changes), so that a test can kill `migrate` in the middle of one.
Used by tests/tenants/test_migration_kill.py through tests/tenants/slow_settings.py.
"""
