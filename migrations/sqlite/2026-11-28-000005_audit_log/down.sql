DROP TRIGGER audit_log_no_rewrite;
DROP TRIGGER audit_log_no_delete;
DROP TABLE audit_log;
