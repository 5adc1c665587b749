-- External agencies as API clients (OAuth2 client credentials). The secret is stored as its SHA-256: it is 32
-- random bytes, so a fast hash is enough, and it is shown only when created or rotated.
CREATE TABLE api_clients (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    external_entity_id BIGINT NOT NULL REFERENCES external_entities (id),
    scopes TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    secret_rotated_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
