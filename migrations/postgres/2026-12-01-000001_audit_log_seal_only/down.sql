CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF OLD.seq IS NOT NULL THEN
        RAISE EXCEPTION 'a sealed audit_log entry cannot change';
    END IF;
    RETURN NEW;
END;
$$;
