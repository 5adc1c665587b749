DROP INDEX transactions_open_due_idx;
DROP TRIGGER report_days_update ON transactions;
DROP TRIGGER report_days_insert_delete ON transactions;
DROP FUNCTION report_days_count();
DROP TABLE report_days;
