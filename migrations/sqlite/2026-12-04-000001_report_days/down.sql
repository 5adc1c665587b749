DROP INDEX transactions_open_due_idx;
DROP TRIGGER report_days_delete;
DROP TRIGGER report_days_update;
DROP TRIGGER report_days_insert;
DROP TABLE report_days;
