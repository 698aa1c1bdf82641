"""The trail is append-only in the database itself, not just in the portal.

UPDATE is refused always. DELETE is refused unless the transaction has named a cut-off in
`izd.audit_prune_before` (SET LOCAL, as `audit_entries_prune` does), and then only for entries
older than it: a bug or a stray statement elsewhere cannot remove or rewrite history.
"""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION audit_entry_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('izd.audit_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(GUARD, DROP)]
