-- The audit log: one append-only entry per state change and per document read, hash-chained.
-- An entry is written in the same database transaction as the change it records (seq, prev_hash and hash empty);
-- the sealer then gives pending entries, in id order, the next sequence number and the hash that chains them.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id BIGINT,
    on_behalf_of_user_id BIGINT,
    client_id BIGINT,
    origin TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT,
    transaction_id BIGINT,
    details TEXT NOT NULL,
    seq BIGINT,
    prev_hash TEXT,
    hash TEXT
);
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
CREATE INDEX audit_log_pending_idx ON audit_log (id) WHERE seq IS NULL;
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);
CREATE INDEX audit_log_transaction_idx ON audit_log (transaction_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- Append-only: no entry is deleted, and a sealed entry never changes. (Someone who owns the database can drop
-- these triggers; the hash chain is what catches that.)
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE ON audit_log WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed audit_log entry cannot change');
END;
