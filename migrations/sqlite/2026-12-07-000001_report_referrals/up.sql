-- Referral reports at volume, kept exact by triggers in the same database transaction as every change to a referral,
-- and filled here from the referrals already there. The reports read them, instead of millions of referrals, when the
-- caller sees every transaction within their clearance (administrators, auditors). Days are Riyadh days of sending,
-- `YYYY-MM-DD`; sums of instants are epoch seconds, so that the total wait of open work at any moment is
-- open × now − that sum; durations are sent → completed, in whole seconds.
--
-- report_unit_days: what was sent to each unit on each day, by the transaction's confidentiality — referrals, arrivals
-- (referrals that were the first of their transaction to reach the unit), and referrals for action open or completed.
CREATE TABLE report_unit_days (
    day TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    confidentiality INTEGER NOT NULL,
    referrals BIGINT NOT NULL,
    arrivals BIGINT NOT NULL,
    actions_open BIGINT NOT NULL,
    open_sent_seconds BIGINT NOT NULL,
    actions_completed BIGINT NOT NULL,
    completed_seconds BIGINT NOT NULL,
    PRIMARY KEY (day, unit_id, confidentiality)
);

-- report_holder_days: the referrals for action someone holds or held (addressed to them, or received by them from
-- their unit's queue), by sending day, unit and confidentiality.
CREATE TABLE report_holder_days (
    day TEXT NOT NULL,
    holder_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    confidentiality INTEGER NOT NULL,
    actions BIGINT NOT NULL,
    actions_open BIGINT NOT NULL,
    open_sent_seconds BIGINT NOT NULL,
    completed_seconds BIGINT NOT NULL,
    PRIMARY KEY (day, holder_id, unit_id, confidentiality)
);

INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open, open_sent_seconds,
    actions_completed, completed_seconds)
SELECT date(r.sent_at, '+3 hours'), r.to_unit_id, t.confidentiality, COUNT(*),
    SUM(CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = r.transaction_id
        AND p.to_unit_id = r.to_unit_id AND p.id < r.id) THEN 0 ELSE 1 END),
    SUM(r.purpose = 'action' AND r.status <> 'completed'),
    SUM(CASE WHEN r.purpose = 'action' AND r.status <> 'completed'
        THEN CAST(strftime('%s', r.sent_at) AS BIGINT) ELSE 0 END),
    SUM(r.purpose = 'action' AND r.status = 'completed'),
    SUM(CASE WHEN r.purpose = 'action' AND r.status = 'completed'
        THEN COALESCE(CAST(strftime('%s', r.completed_at) AS BIGINT) - CAST(strftime('%s', r.sent_at) AS BIGINT), 0)
        ELSE 0 END)
FROM referrals r JOIN transactions t ON t.id = r.transaction_id
GROUP BY 1, 2, 3;

INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open, open_sent_seconds,
    completed_seconds)
SELECT date(r.sent_at, '+3 hours'), COALESCE(r.to_user_id, r.received_by), r.to_unit_id, t.confidentiality, COUNT(*),
    SUM(r.status <> 'completed'),
    SUM(CASE WHEN r.status <> 'completed' THEN CAST(strftime('%s', r.sent_at) AS BIGINT) ELSE 0 END),
    SUM(CASE WHEN r.status = 'completed'
        THEN COALESCE(CAST(strftime('%s', r.completed_at) AS BIGINT) - CAST(strftime('%s', r.sent_at) AS BIGINT), 0)
        ELSE 0 END)
FROM referrals r JOIN transactions t ON t.id = r.transaction_id
WHERE r.purpose = 'action' AND COALESCE(r.to_user_id, r.received_by) IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- A referral counts under its keys: added when it is written, taken away (the same figures, negated) before it
-- changes. Which referral is the first of its transaction to a unit depends on the others, so a referral never changes
-- its transaction or unit and is never deleted (nothing committed is lost); nor does a transaction that has referrals
-- change its confidentiality (only drafts do).
CREATE TRIGGER report_referrals_insert AFTER INSERT ON referrals
BEGIN
    INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open,
        open_sent_seconds, actions_completed, completed_seconds)
    SELECT date(NEW.sent_at, '+3 hours'), NEW.to_unit_id, t.confidentiality, 1,
        CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = NEW.transaction_id
            AND p.to_unit_id = NEW.to_unit_id AND p.id < NEW.id) THEN 0 ELSE 1 END,
        (NEW.purpose = 'action' AND NEW.status <> 'completed'),
        CASE WHEN NEW.purpose = 'action' AND NEW.status <> 'completed'
            THEN CAST(strftime('%s', NEW.sent_at) AS BIGINT) ELSE 0 END,
        (NEW.purpose = 'action' AND NEW.status = 'completed'),
        CASE WHEN NEW.purpose = 'action' AND NEW.status = 'completed'
            THEN COALESCE(CAST(strftime('%s', NEW.completed_at) AS BIGINT) - CAST(strftime('%s', NEW.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = NEW.transaction_id
    ON CONFLICT (day, unit_id, confidentiality) DO UPDATE SET
        referrals = referrals + excluded.referrals, arrivals = arrivals + excluded.arrivals,
        actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        actions_completed = actions_completed + excluded.actions_completed,
        completed_seconds = completed_seconds + excluded.completed_seconds;
    INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open,
        open_sent_seconds, completed_seconds)
    SELECT date(NEW.sent_at, '+3 hours'), COALESCE(NEW.to_user_id, NEW.received_by), NEW.to_unit_id, t.confidentiality,
        1,
        (NEW.status <> 'completed'),
        CASE WHEN NEW.status <> 'completed' THEN CAST(strftime('%s', NEW.sent_at) AS BIGINT) ELSE 0 END,
        CASE WHEN NEW.status = 'completed'
            THEN COALESCE(CAST(strftime('%s', NEW.completed_at) AS BIGINT) - CAST(strftime('%s', NEW.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = NEW.transaction_id AND NEW.purpose = 'action'
        AND COALESCE(NEW.to_user_id, NEW.received_by) IS NOT NULL
    ON CONFLICT (day, holder_id, unit_id, confidentiality) DO UPDATE SET
        actions = actions + excluded.actions, actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        completed_seconds = completed_seconds + excluded.completed_seconds;
END;

CREATE TRIGGER report_referrals_update AFTER UPDATE OF to_user_id, received_by, purpose, status, sent_at,
    completed_at ON referrals
WHEN OLD.to_user_id IS NOT NEW.to_user_id OR OLD.received_by IS NOT NEW.received_by
    OR OLD.purpose IS NOT NEW.purpose OR OLD.status IS NOT NEW.status OR OLD.sent_at IS NOT NEW.sent_at
    OR OLD.completed_at IS NOT NEW.completed_at
BEGIN
    INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open,
        open_sent_seconds, actions_completed, completed_seconds)
    SELECT date(OLD.sent_at, '+3 hours'), OLD.to_unit_id, t.confidentiality, -1,
        CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = OLD.transaction_id
            AND p.to_unit_id = OLD.to_unit_id AND p.id < OLD.id) THEN 0 ELSE -1 END,
        -(OLD.purpose = 'action' AND OLD.status <> 'completed'),
        CASE WHEN OLD.purpose = 'action' AND OLD.status <> 'completed'
            THEN -CAST(strftime('%s', OLD.sent_at) AS BIGINT) ELSE 0 END,
        -(OLD.purpose = 'action' AND OLD.status = 'completed'),
        CASE WHEN OLD.purpose = 'action' AND OLD.status = 'completed'
            THEN -COALESCE(CAST(strftime('%s', OLD.completed_at) AS BIGINT) - CAST(strftime('%s', OLD.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = OLD.transaction_id
    ON CONFLICT (day, unit_id, confidentiality) DO UPDATE SET
        referrals = referrals + excluded.referrals, arrivals = arrivals + excluded.arrivals,
        actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        actions_completed = actions_completed + excluded.actions_completed,
        completed_seconds = completed_seconds + excluded.completed_seconds;
    INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open,
        open_sent_seconds, completed_seconds)
    SELECT date(OLD.sent_at, '+3 hours'), COALESCE(OLD.to_user_id, OLD.received_by), OLD.to_unit_id, t.confidentiality,
        -1,
        -(OLD.status <> 'completed'),
        CASE WHEN OLD.status <> 'completed' THEN -CAST(strftime('%s', OLD.sent_at) AS BIGINT) ELSE 0 END,
        CASE WHEN OLD.status = 'completed'
            THEN -COALESCE(CAST(strftime('%s', OLD.completed_at) AS BIGINT) - CAST(strftime('%s', OLD.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = OLD.transaction_id AND OLD.purpose = 'action'
        AND COALESCE(OLD.to_user_id, OLD.received_by) IS NOT NULL
    ON CONFLICT (day, holder_id, unit_id, confidentiality) DO UPDATE SET
        actions = actions + excluded.actions, actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        completed_seconds = completed_seconds + excluded.completed_seconds;
    INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open,
        open_sent_seconds, actions_completed, completed_seconds)
    SELECT date(NEW.sent_at, '+3 hours'), NEW.to_unit_id, t.confidentiality, 1,
        CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = NEW.transaction_id
            AND p.to_unit_id = NEW.to_unit_id AND p.id < NEW.id) THEN 0 ELSE 1 END,
        (NEW.purpose = 'action' AND NEW.status <> 'completed'),
        CASE WHEN NEW.purpose = 'action' AND NEW.status <> 'completed'
            THEN CAST(strftime('%s', NEW.sent_at) AS BIGINT) ELSE 0 END,
        (NEW.purpose = 'action' AND NEW.status = 'completed'),
        CASE WHEN NEW.purpose = 'action' AND NEW.status = 'completed'
            THEN COALESCE(CAST(strftime('%s', NEW.completed_at) AS BIGINT) - CAST(strftime('%s', NEW.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = NEW.transaction_id
    ON CONFLICT (day, unit_id, confidentiality) DO UPDATE SET
        referrals = referrals + excluded.referrals, arrivals = arrivals + excluded.arrivals,
        actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        actions_completed = actions_completed + excluded.actions_completed,
        completed_seconds = completed_seconds + excluded.completed_seconds;
    INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open,
        open_sent_seconds, completed_seconds)
    SELECT date(NEW.sent_at, '+3 hours'), COALESCE(NEW.to_user_id, NEW.received_by), NEW.to_unit_id, t.confidentiality,
        1,
        (NEW.status <> 'completed'),
        CASE WHEN NEW.status <> 'completed' THEN CAST(strftime('%s', NEW.sent_at) AS BIGINT) ELSE 0 END,
        CASE WHEN NEW.status = 'completed'
            THEN COALESCE(CAST(strftime('%s', NEW.completed_at) AS BIGINT) - CAST(strftime('%s', NEW.sent_at) AS BIGINT), 0)
            ELSE 0 END
    FROM transactions t WHERE t.id = NEW.transaction_id AND NEW.purpose = 'action'
        AND COALESCE(NEW.to_user_id, NEW.received_by) IS NOT NULL
    ON CONFLICT (day, holder_id, unit_id, confidentiality) DO UPDATE SET
        actions = actions + excluded.actions, actions_open = actions_open + excluded.actions_open,
        open_sent_seconds = open_sent_seconds + excluded.open_sent_seconds,
        completed_seconds = completed_seconds + excluded.completed_seconds;
END;

CREATE TRIGGER referrals_keep_their_place BEFORE UPDATE OF transaction_id, to_unit_id ON referrals
WHEN OLD.transaction_id IS NOT NEW.transaction_id OR OLD.to_unit_id IS NOT NEW.to_unit_id
BEGIN
    SELECT RAISE(ABORT, 'a referral keeps its transaction and its unit');
END;

CREATE TRIGGER referrals_are_kept BEFORE DELETE ON referrals
BEGIN
    SELECT RAISE(ABORT, 'referrals are never deleted');
END;

CREATE TRIGGER transactions_referred_keep_confidentiality BEFORE UPDATE OF confidentiality ON transactions
WHEN OLD.confidentiality IS NOT NEW.confidentiality
    AND EXISTS (SELECT 1 FROM referrals WHERE transaction_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'a referred transaction keeps its confidentiality');
END;

-- Exact median and 90th percentile of a unit's processing times: the n-th duration of the unit, walked in order
-- along this index (completed referrals for action only; the expression is the reports' own, written identically).
CREATE INDEX referrals_took_idx ON referrals (to_unit_id,
    (CAST(strftime('%s', completed_at) AS BIGINT) - CAST(strftime('%s', sent_at) AS BIGINT)), sent_at, transaction_id)
    WHERE status = 'completed' AND purpose = 'action';
-- The longest wait of open work for action, per unit and per holder: the first entry of each.
CREATE INDEX referrals_open_action_unit_idx ON referrals (to_unit_id, sent_at)
    WHERE status <> 'completed' AND purpose = 'action';
CREATE INDEX referrals_open_action_holder_idx ON referrals ((COALESCE(to_user_id, received_by)), sent_at)
    WHERE status <> 'completed' AND purpose = 'action';
