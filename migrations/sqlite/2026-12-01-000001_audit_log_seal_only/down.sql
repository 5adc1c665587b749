DROP TRIGGER audit_log_no_rewrite;
CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE ON audit_log WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed audit_log entry cannot change');
END;
