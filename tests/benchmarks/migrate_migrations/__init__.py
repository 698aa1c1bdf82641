"""costsharing_municipal's migrations plus benchmark-only ones (tests/benchmarks/bench_migrate.py):
0002 and 0003 are the same kind of release (a field with a default for the existing rows, a new
model with a foreign key, an index), one applied by django-tenants' standard executor and one by
ours; 0004 and 0005 are the same data migration (RunPython over each schema's rows), likewise.
"""
