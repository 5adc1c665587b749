-- Core schema: organisation, accounts, transactions, referrals, timeline events, idempotency.
-- Times are UTC. Enumerations are TEXT with CHECK constraints; levels are integers (0 normal .. 2 top secret).

CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('amanah', 'central_registry', 'general_department', 'agency', 'municipality',
                                       'department', 'section', 'communications_unit')),
    parent_id BIGINT REFERENCES units (id),
    head_user_id BIGINT REFERENCES users (id),
    registry_code TEXT UNIQUE,
    -- Materialised path of ids, '/1/4/9/': the subtree of a unit is every path that starts with its own.
    path TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX units_parent_idx ON units (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name_ar TEXT NOT NULL,
    full_name_en TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    clearance INTEGER NOT NULL DEFAULT 0 CHECK (clearance BETWEEN 0 AND 2),
    phone TEXT,
    email TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_unit_idx ON users (unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'registry_clerk', 'manager', 'employee', 'auditor')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE external_entities (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ministry', 'government_agency', 'company', 'individual', 'other')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    -- Every token rotated from the same login shares a family; reuse of a rotated token revokes the family.
    family_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Gapless numbering: one row per registry and Hijri year, incremented in the registering transaction.
CREATE TABLE registration_counters (
    registry_unit_id BIGINT NOT NULL REFERENCES units (id),
    hijri_year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (registry_unit_id, hijri_year)
);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incoming', 'outgoing', 'internal')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    registry_unit_id BIGINT REFERENCES units (id),
    hijri_year INTEGER,
    sequence BIGINT,
    registration_number TEXT,
    subject TEXT NOT NULL,
    summary TEXT,
    external_entity_id BIGINT REFERENCES external_entities (id),
    sender_reference TEXT,
    sender_reference_date DATE,
    priority TEXT NOT NULL CHECK (priority IN ('normal', 'urgent', 'very_urgent')),
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    due_at TIMESTAMP,
    attachments_count INTEGER NOT NULL DEFAULT 0,
    origin_unit_id BIGINT NOT NULL REFERENCES units (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    registered_at TIMESTAMP,
    registered_by BIGINT REFERENCES users (id),
    closed_at TIMESTAMP,
    closed_by BIGINT REFERENCES users (id),
    resolution TEXT,
    archived_at TIMESTAMP,
    archived_by BIGINT REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (registry_unit_id, hijri_year, sequence)
);
CREATE INDEX transactions_status_idx ON transactions (status, id);
CREATE INDEX transactions_due_idx ON transactions (due_at);
CREATE INDEX transactions_registry_idx ON transactions (registry_unit_id, id);
CREATE INDEX transactions_created_by_idx ON transactions (created_by, id);
CREATE INDEX transactions_number_idx ON transactions (registration_number);

CREATE TABLE transaction_links (
    id INTEGER PRIMARY KEY,
    from_transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    to_transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    kind TEXT NOT NULL CHECK (kind IN ('reply_to', 'related', 'follow_up')),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (from_transaction_id, to_transaction_id, kind),
    CHECK (from_transaction_id <> to_transaction_id)
);
CREATE INDEX transaction_links_to_idx ON transaction_links (to_transaction_id);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    parent_referral_id BIGINT REFERENCES referrals (id),
    from_unit_id BIGINT NOT NULL REFERENCES units (id),
    from_user_id BIGINT NOT NULL REFERENCES users (id),
    to_unit_id BIGINT NOT NULL REFERENCES units (id),
    to_user_id BIGINT REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('action', 'information', 'opinion', 'signature')),
    instructions TEXT,
    due_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('sent', 'received', 'completed')),
    outcome TEXT CHECK (outcome IN ('forwarded', 'returned', 'completed', 'closed')),
    action_note TEXT,
    sent_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP,
    received_by BIGINT REFERENCES users (id),
    completed_at TIMESTAMP,
    completed_by BIGINT REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_transaction_idx ON referrals (transaction_id, id);
-- Inboxes list open referrals newest first: partial indexes hold only the open ones, in id order, work apart from
-- copies, so every page is a short walk down one index (the queries repeat these predicates literally).
CREATE INDEX referrals_open_work_user_idx ON referrals (to_user_id, id)
    WHERE status <> 'completed' AND purpose <> 'information';
CREATE INDEX referrals_open_work_unit_idx ON referrals (to_unit_id, id)
    WHERE status <> 'completed' AND purpose <> 'information';
CREATE INDEX referrals_open_copy_user_idx ON referrals (to_user_id, id)
    WHERE status <> 'completed' AND purpose = 'information';
CREATE INDEX referrals_open_copy_unit_idx ON referrals (to_unit_id, id)
    WHERE status <> 'completed' AND purpose = 'information';
-- The manager overview: everything open in a set of units.
CREATE INDEX referrals_open_to_unit_idx ON referrals (to_unit_id, id) WHERE status <> 'completed';
CREATE INDEX referrals_from_user_idx ON referrals (from_user_id, id);
CREATE INDEX referrals_status_due_idx ON referrals (status, due_at);

-- The timeline: append-only.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    referral_id BIGINT REFERENCES referrals (id),
    kind TEXT NOT NULL,
    actor_user_id BIGINT NOT NULL REFERENCES users (id),
    actor_unit_id BIGINT NOT NULL REFERENCES units (id),
    on_behalf_of_user_id BIGINT REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX events_transaction_idx ON events (transaction_id, id);

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
