LOCK TABLE transactions IN SHARE ROW EXCLUSIVE MODE;

DROP TRIGGER report_days_update ON transactions;
DROP TABLE report_days;

CREATE TABLE report_days (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    confidentiality INTEGER NOT NULL,
    transactions BIGINT NOT NULL,
    PRIMARY KEY (day, kind, status, confidentiality)
);

INSERT INTO report_days (day, kind, status, confidentiality, transactions)
SELECT to_char(registered_at + INTERVAL '3 hours', 'YYYY-MM-DD'), kind, status, confidentiality, COUNT(*)
FROM transactions WHERE registered_at IS NOT NULL
GROUP BY 1, 2, 3, 4;

CREATE OR REPLACE FUNCTION report_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER report_days_update AFTER UPDATE OF registered_at, kind, status, confidentiality ON transactions
    FOR EACH ROW
    WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.confidentiality IS DISTINCT FROM NEW.confidentiality)
    EXECUTE FUNCTION report_days_count();
