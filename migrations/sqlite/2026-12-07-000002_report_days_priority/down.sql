DROP TRIGGER report_days_insert;
DROP TRIGGER report_days_update;
DROP TRIGGER report_days_delete;
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
SELECT date(registered_at, '+3 hours'), kind, status, confidentiality, COUNT(*)
FROM transactions WHERE registered_at IS NOT NULL
GROUP BY 1, 2, 3, 4;

CREATE TRIGGER report_days_insert AFTER INSERT ON transactions WHEN NEW.registered_at IS NOT NULL
BEGIN
    INSERT INTO report_days (day, kind, status, confidentiality, transactions)
    VALUES (date(NEW.registered_at, '+3 hours'), NEW.kind, NEW.status, NEW.confidentiality, 1)
    ON CONFLICT (day, kind, status, confidentiality) DO UPDATE SET transactions = transactions + 1;
END;

CREATE TRIGGER report_days_update AFTER UPDATE OF registered_at, kind, status, confidentiality ON transactions
WHEN OLD.registered_at IS NOT NEW.registered_at OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
    OR OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    UPDATE report_days SET transactions = transactions - 1
    WHERE OLD.registered_at IS NOT NULL AND day = date(OLD.registered_at, '+3 hours') AND kind = OLD.kind
        AND status = OLD.status AND confidentiality = OLD.confidentiality;
    INSERT INTO report_days (day, kind, status, confidentiality, transactions)
    SELECT date(NEW.registered_at, '+3 hours'), NEW.kind, NEW.status, NEW.confidentiality, 1
    WHERE NEW.registered_at IS NOT NULL
    ON CONFLICT (day, kind, status, confidentiality) DO UPDATE SET transactions = transactions + 1;
END;

CREATE TRIGGER report_days_delete AFTER DELETE ON transactions WHEN OLD.registered_at IS NOT NULL
BEGIN
    UPDATE report_days SET transactions = transactions - 1
    WHERE day = date(OLD.registered_at, '+3 hours') AND kind = OLD.kind AND status = OLD.status
        AND confidentiality = OLD.confidentiality;
END;
