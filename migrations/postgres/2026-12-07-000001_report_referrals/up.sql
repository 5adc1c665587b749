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


-- The changes of a database transaction not yet committed, by transaction id. Several transactions at once change
-- the same rows of the two tables (today's, of a busy unit): were each row taken as each referral changes, two
-- transactions taking two rows in opposite orders would wait on each other. So a referral's change is noted here,
-- and at commit the transaction's changes are summed by key and applied in the order of the keys (the units' rows,
-- then the holders'): rows of the two tables are only ever locked at commit, in one order, so no two transactions
-- deadlock on them.
CREATE TABLE report_referral_changes (
    xact BIGINT NOT NULL,
    day TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    holder_id BIGINT,
    confidentiality INTEGER NOT NULL,
    is_action BOOLEAN NOT NULL,
    referrals BIGINT NOT NULL,
    arrivals BIGINT NOT NULL,
    actions_open BIGINT NOT NULL,
    open_sent_seconds BIGINT NOT NULL,
    actions_completed BIGINT NOT NULL,
    completed_seconds BIGINT NOT NULL
);
CREATE INDEX report_referral_changes_xact_idx ON report_referral_changes (xact);

-- No referral may change between the fill and the triggers below (a server still running the previous version would
-- otherwise commit a change that neither counts): hold off writers, not readers, until this migration commits.
LOCK TABLE referrals IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open, open_sent_seconds,
    actions_completed, completed_seconds)
SELECT to_char(r.sent_at + INTERVAL '3 hours', 'YYYY-MM-DD'), r.to_unit_id, t.confidentiality, COUNT(*),
    SUM(CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = r.transaction_id
        AND p.to_unit_id = r.to_unit_id AND p.id < r.id) THEN 0 ELSE 1 END),
    SUM(CASE WHEN r.purpose = 'action' AND r.status <> 'completed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.purpose = 'action' AND r.status <> 'completed' THEN CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT) ELSE 0 END),
    SUM(CASE WHEN r.purpose = 'action' AND r.status = 'completed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.purpose = 'action' AND r.status = 'completed'
        THEN COALESCE(CAST(EXTRACT(EPOCH FROM date_trunc('second', r.completed_at)) AS BIGINT) - CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT), 0) ELSE 0 END)
FROM referrals r JOIN transactions t ON t.id = r.transaction_id
GROUP BY 1, 2, 3;

INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open, open_sent_seconds,
    completed_seconds)
SELECT to_char(r.sent_at + INTERVAL '3 hours', 'YYYY-MM-DD'), COALESCE(r.to_user_id, r.received_by), r.to_unit_id,
    t.confidentiality, COUNT(*),
    SUM(CASE WHEN r.status <> 'completed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status <> 'completed' THEN CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT) ELSE 0 END),
    SUM(CASE WHEN r.status = 'completed' THEN COALESCE(CAST(EXTRACT(EPOCH FROM date_trunc('second', r.completed_at)) AS BIGINT) - CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT), 0) ELSE 0 END)
FROM referrals r JOIN transactions t ON t.id = r.transaction_id
WHERE r.purpose = 'action' AND COALESCE(r.to_user_id, r.received_by) IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- A statement's referrals change the figures under their keys: added when written, taken away (the same figures,
-- negated) as they were before a change. Noted per statement, summed by key, as changes of the current transaction.
-- Which referral is the first of its transaction to a unit depends on the others, so a referral never changes its
-- transaction or unit and is never deleted (nothing committed is lost); nor does a transaction that has referrals
-- change its confidentiality (only drafts do).
CREATE FUNCTION report_referrals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_referral_changes (xact, day, unit_id, holder_id, confidentiality, is_action, referrals,
        arrivals, actions_open, open_sent_seconds, actions_completed, completed_seconds)
    SELECT txid_current(), day, unit_id, holder_id, confidentiality, is_action, SUM(delta), SUM(delta * arrival),
        SUM(delta * open), SUM(delta * open * sent), SUM(delta * done), SUM(delta * done * took)
    FROM (
        SELECT to_char(r.sent_at + INTERVAL '3 hours', 'YYYY-MM-DD') AS day, r.to_unit_id AS unit_id,
            COALESCE(r.to_user_id, r.received_by) AS holder_id, t.confidentiality, r.purpose = 'action' AS is_action,
            r.delta,
            CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = r.transaction_id
                AND p.to_unit_id = r.to_unit_id AND p.id < r.id) THEN 0 ELSE 1 END AS arrival,
            CASE WHEN r.purpose = 'action' AND r.status <> 'completed' THEN 1 ELSE 0 END AS open,
            CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT) AS sent,
            CASE WHEN r.purpose = 'action' AND r.status = 'completed' THEN 1 ELSE 0 END AS done,
            COALESCE(CAST(EXTRACT(EPOCH FROM date_trunc('second', r.completed_at)) AS BIGINT) - CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT), 0) AS took
        FROM (SELECT n.*, CAST(1 AS BIGINT) AS delta FROM inserted n) r JOIN transactions t ON t.id = r.transaction_id
    ) f
    GROUP BY day, unit_id, holder_id, confidentiality, is_action;
    RETURN NULL;
END
$$;

CREATE FUNCTION report_referrals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_referral_changes (xact, day, unit_id, holder_id, confidentiality, is_action, referrals,
        arrivals, actions_open, open_sent_seconds, actions_completed, completed_seconds)
    SELECT txid_current(), day, unit_id, holder_id, confidentiality, is_action, SUM(delta), SUM(delta * arrival),
        SUM(delta * open), SUM(delta * open * sent), SUM(delta * done), SUM(delta * done * took)
    FROM (
        SELECT to_char(r.sent_at + INTERVAL '3 hours', 'YYYY-MM-DD') AS day, r.to_unit_id AS unit_id,
            COALESCE(r.to_user_id, r.received_by) AS holder_id, t.confidentiality, r.purpose = 'action' AS is_action,
            r.delta,
            CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = r.transaction_id
                AND p.to_unit_id = r.to_unit_id AND p.id < r.id) THEN 0 ELSE 1 END AS arrival,
            CASE WHEN r.purpose = 'action' AND r.status <> 'completed' THEN 1 ELSE 0 END AS open,
            CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT) AS sent,
            CASE WHEN r.purpose = 'action' AND r.status = 'completed' THEN 1 ELSE 0 END AS done,
            COALESCE(CAST(EXTRACT(EPOCH FROM date_trunc('second', r.completed_at)) AS BIGINT) - CAST(EXTRACT(EPOCH FROM date_trunc('second', r.sent_at)) AS BIGINT), 0) AS took
        FROM (SELECT o.*, CAST(-1 AS BIGINT) AS delta FROM before_change o JOIN after_change n ON n.id = o.id
            WHERE o.to_user_id IS DISTINCT FROM n.to_user_id OR o.received_by IS DISTINCT FROM n.received_by
                OR o.purpose IS DISTINCT FROM n.purpose OR o.status IS DISTINCT FROM n.status
                OR o.sent_at IS DISTINCT FROM n.sent_at OR o.completed_at IS DISTINCT FROM n.completed_at
            UNION ALL
            SELECT n.*, CAST(1 AS BIGINT) AS delta FROM before_change o JOIN after_change n ON n.id = o.id
            WHERE o.to_user_id IS DISTINCT FROM n.to_user_id OR o.received_by IS DISTINCT FROM n.received_by
                OR o.purpose IS DISTINCT FROM n.purpose OR o.status IS DISTINCT FROM n.status
                OR o.sent_at IS DISTINCT FROM n.sent_at OR o.completed_at IS DISTINCT FROM n.completed_at) r JOIN transactions t ON t.id = r.transaction_id
    ) f
    GROUP BY day, unit_id, holder_id, confidentiality, is_action;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_referrals_insert AFTER INSERT ON referrals REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION report_referrals_inserted();
CREATE TRIGGER report_referrals_update AFTER UPDATE ON referrals
    REFERENCING OLD TABLE AS before_change NEW TABLE AS after_change
    FOR EACH STATEMENT EXECUTE FUNCTION report_referrals_updated();

-- At commit: the transaction's changes, summed by key, applied in the order of the keys (once: the first of the
-- deferred calls applies them all and marks the transaction done).
CREATE FUNCTION report_referral_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('muamalat.report_referrals_applied', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('muamalat.report_referrals_applied', txid_current()::text, true);
    INSERT INTO report_unit_days (day, unit_id, confidentiality, referrals, arrivals, actions_open, open_sent_seconds,
        actions_completed, completed_seconds)
    SELECT day, unit_id, confidentiality, SUM(referrals), SUM(arrivals), SUM(actions_open), SUM(open_sent_seconds),
        SUM(actions_completed), SUM(completed_seconds)
    FROM report_referral_changes WHERE xact = txid_current() GROUP BY day, unit_id, confidentiality
    ORDER BY day, unit_id, confidentiality
    ON CONFLICT (day, unit_id, confidentiality) DO UPDATE SET
        referrals = report_unit_days.referrals + EXCLUDED.referrals,
        arrivals = report_unit_days.arrivals + EXCLUDED.arrivals,
        actions_open = report_unit_days.actions_open + EXCLUDED.actions_open,
        open_sent_seconds = report_unit_days.open_sent_seconds + EXCLUDED.open_sent_seconds,
        actions_completed = report_unit_days.actions_completed + EXCLUDED.actions_completed,
        completed_seconds = report_unit_days.completed_seconds + EXCLUDED.completed_seconds;
    INSERT INTO report_holder_days (day, holder_id, unit_id, confidentiality, actions, actions_open, open_sent_seconds,
        completed_seconds)
    SELECT day, holder_id, unit_id, confidentiality, SUM(referrals), SUM(actions_open), SUM(open_sent_seconds),
        SUM(completed_seconds)
    FROM report_referral_changes WHERE xact = txid_current() AND is_action AND holder_id IS NOT NULL
    GROUP BY day, holder_id, unit_id, confidentiality
    ORDER BY day, holder_id, unit_id, confidentiality
    ON CONFLICT (day, holder_id, unit_id, confidentiality) DO UPDATE SET
        actions = report_holder_days.actions + EXCLUDED.actions,
        actions_open = report_holder_days.actions_open + EXCLUDED.actions_open,
        open_sent_seconds = report_holder_days.open_sent_seconds + EXCLUDED.open_sent_seconds,
        completed_seconds = report_holder_days.completed_seconds + EXCLUDED.completed_seconds;
    DELETE FROM report_referral_changes WHERE xact = txid_current();
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER report_referral_apply AFTER INSERT ON report_referral_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_referral_apply();

CREATE FUNCTION referrals_keep_their_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'referrals are never deleted';
    END IF;
    RAISE EXCEPTION 'a referral keeps its transaction and its unit';
END
$$;
CREATE TRIGGER referrals_keep_their_place BEFORE UPDATE OF transaction_id, to_unit_id ON referrals
    FOR EACH ROW
    WHEN (OLD.transaction_id IS DISTINCT FROM NEW.transaction_id OR OLD.to_unit_id IS DISTINCT FROM NEW.to_unit_id)
    EXECUTE FUNCTION referrals_keep_their_place();
CREATE TRIGGER referrals_are_kept BEFORE DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_keep_their_place();

CREATE FUNCTION transactions_referred_keep_confidentiality() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM referrals WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'a referred transaction keeps its confidentiality';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER transactions_referred_keep_confidentiality BEFORE UPDATE OF confidentiality ON transactions
    FOR EACH ROW WHEN (OLD.confidentiality IS DISTINCT FROM NEW.confidentiality)
    EXECUTE FUNCTION transactions_referred_keep_confidentiality();

-- Exact median and 90th percentile of a unit's processing times: the n-th duration of the unit, walked in order
-- along this index (completed referrals for action only; the expression is the reports' own, written identically).
CREATE INDEX referrals_took_idx ON referrals (to_unit_id,
    (CAST(EXTRACT(EPOCH FROM date_trunc('second', completed_at)) AS BIGINT)
        - CAST(EXTRACT(EPOCH FROM date_trunc('second', sent_at)) AS BIGINT)), sent_at, transaction_id)
    WHERE status = 'completed' AND purpose = 'action';
-- The longest wait of open work for action, per unit and per holder: the first entry of each.
CREATE INDEX referrals_open_action_unit_idx ON referrals (to_unit_id, sent_at)
    WHERE status <> 'completed' AND purpose = 'action';
CREATE INDEX referrals_open_action_holder_idx ON referrals ((COALESCE(to_user_id, received_by)), sent_at)
    WHERE status <> 'completed' AND purpose = 'action';
