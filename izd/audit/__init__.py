"""The audit trail: who changed what, when, with the values before and after.

One table in the public schema for the whole deployment, written by every write service in the
same transaction (and on the same connection) as its change; see README "Änderungsprotokoll".
"""
