-- Documents of a transaction and every version of each. Blobs are content-addressed (SHA-256) in the object
-- store; a row here records each distinct content once. Version 1 is the original and is never changed; nothing is
-- ever deleted (a document is withdrawn: hidden from normal views, kept).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    versions INTEGER NOT NULL DEFAULT 0,
    withdrawn_at TIMESTAMP,
    withdrawn_by BIGINT REFERENCES users (id),
    withdrawn_reason TEXT
);
CREATE INDEX documents_transaction_idx ON documents (transaction_id, id);

CREATE TABLE document_versions (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    note TEXT,
    author_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, version)
);
