"""costsharing_municipal's migrations plus a test-only 0002, for the migrate/rollback test.

Used through MIGRATION_MODULES in tests/tenants/test_schemas.py only; 0001 is the real one.
"""
