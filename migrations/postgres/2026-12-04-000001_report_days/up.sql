-- Reports at volume: how many transactions were registered on each Riyadh day, by kind, current status and
-- confidentiality. Kept exact by a trigger in the same database transaction as every change to a transaction, and
-- filled here from the transactions already there. The reports read it instead of counting millions of rows when the
-- caller sees every transaction within their clearance (administrators, auditors) and asks for the whole organisation.
-- The day is text, `YYYY-MM-DD`, on both backends.
CREATE TABLE report_days (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    confidentiality INTEGER NOT NULL,
    transactions BIGINT NOT NULL,
    PRIMARY KEY (day, kind, status, confidentiality)
);

-- No transaction may change between the fill and the triggers below (a server still running the previous version
-- would otherwise commit a change that neither counts): hold off writers, not readers, until this migration commits.
LOCK TABLE transactions IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO report_days (day, kind, status, confidentiality, transactions)
SELECT to_char(registered_at + INTERVAL '3 hours', 'YYYY-MM-DD'), kind, status, confidentiality, COUNT(*)
FROM transactions WHERE registered_at IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- A change moves one count from its old key to its new one. The two rows are always taken in the order of their
-- keys, so two changes at once (a close and a reopen of transactions of the same day) cannot deadlock.
CREATE FUNCTION report_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day TEXT;
    new_day TEXT;
    old_first BOOLEAN;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.registered_at IS NOT NULL THEN
        old_day := to_char(OLD.registered_at + INTERVAL '3 hours', 'YYYY-MM-DD');
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.registered_at IS NOT NULL THEN
        new_day := to_char(NEW.registered_at + INTERVAL '3 hours', 'YYYY-MM-DD');
    END IF;
    old_first := new_day IS NULL OR (old_day IS NOT NULL
        AND ROW(old_day, OLD.kind, OLD.status, OLD.confidentiality) < ROW(new_day, NEW.kind, NEW.status, NEW.confidentiality));
    IF old_day IS NOT NULL AND old_first THEN
        UPDATE report_days SET transactions = transactions - 1
        WHERE day = old_day AND kind = OLD.kind AND status = OLD.status AND confidentiality = OLD.confidentiality;
    END IF;
    IF new_day IS NOT NULL THEN
        INSERT INTO report_days (day, kind, status, confidentiality, transactions)
        VALUES (new_day, NEW.kind, NEW.status, NEW.confidentiality, 1)
        ON CONFLICT (day, kind, status, confidentiality) DO UPDATE SET transactions = report_days.transactions + 1;
    END IF;
    IF old_day IS NOT NULL AND NOT old_first THEN
        UPDATE report_days SET transactions = transactions - 1
        WHERE day = old_day AND kind = OLD.kind AND status = OLD.status AND confidentiality = OLD.confidentiality;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_days_insert_delete AFTER INSERT OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION report_days_count();
CREATE TRIGGER report_days_update AFTER UPDATE OF registered_at, kind, status, confidentiality ON transactions
    FOR EACH ROW
    WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.confidentiality IS DISTINCT FROM NEW.confidentiality)
    EXECUTE FUNCTION report_days_count();

-- Overdue is counted live (it depends on the hour): from the few open transactions past their due date.
CREATE INDEX transactions_open_due_idx ON transactions (due_at) WHERE status = 'open';
