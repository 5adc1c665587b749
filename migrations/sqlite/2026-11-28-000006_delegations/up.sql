-- Delegation: a manager hands their authority to a deputy for a period; it ends by itself at `ends_at`, or earlier
-- when revoked.
CREATE TABLE delegations (
    id INTEGER PRIMARY KEY,
    delegator_user_id BIGINT NOT NULL REFERENCES users (id),
    deputy_user_id BIGINT NOT NULL REFERENCES users (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    note TEXT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES users (id)
);
CREATE INDEX delegations_deputy_idx ON delegations (deputy_user_id, ends_at);
CREATE INDEX delegations_delegator_idx ON delegations (delegator_user_id, ends_at);
