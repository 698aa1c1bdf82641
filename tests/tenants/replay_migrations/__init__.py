"""costsharing_municipal's migrations plus two test-only ones, for the migrate executor's tests
(tests/tenants/test_migration.py, through MIGRATION_MODULES): 0002 changes the schema the way a
release does (a field with a default for the existing rows, a new model with a foreign key, an
index), 0003 is a data migration that fills them from each schema's own rows.
"""
