import importlib

Migration = importlib.import_module("costsharing.municipal.migrations.0001_initial").Migration
