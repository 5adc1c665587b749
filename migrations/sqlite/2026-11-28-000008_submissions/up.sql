-- What external agencies submit over the API: it waits in the central registry's intake queue until a registry
-- clerk registers it (it then becomes an incoming transaction, numbered) or rejects it.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    api_client_id BIGINT NOT NULL REFERENCES api_clients (id),
    external_entity_id BIGINT NOT NULL REFERENCES external_entities (id),
    subject TEXT NOT NULL,
    summary TEXT,
    sender_reference TEXT NOT NULL,
    sender_reference_date DATE,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    transaction_id BIGINT REFERENCES transactions (id),
    submitted_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES users (id),
    decision_note TEXT,
    version INTEGER NOT NULL
);
CREATE INDEX submissions_client_idx ON submissions (api_client_id, id);
CREATE INDEX submissions_pending_idx ON submissions (id) WHERE status = 'pending';

CREATE TABLE submission_documents (
    id INTEGER PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL
);
CREATE INDEX submission_documents_submission_idx ON submission_documents (submission_id, id);
