-- The search index: one entry per transaction, holding the terms of its text as the server's one folding and
-- stemming (api/src/text.rs) makes them, so that SQLite and PostgreSQL index and look up the same terms. The server
-- hands the terms over as they are (`array_to_tsvector`, no text search parser or dictionary), weighted A for the
-- numbers (registration number, sender reference), B for the subject and D for the rest (summary, names, notes,
-- decisions, document titles and texts). Written by the server in the same database transaction as each change it
-- reflects; rows that have none yet are filled in when the server starts. The key is named `rowid` as on SQLite,
-- where the index is an FTS5 table keyed by its rowid.
CREATE TABLE transaction_search (
    rowid BIGINT PRIMARY KEY REFERENCES transactions (id) ON DELETE CASCADE,
    terms TSVECTOR NOT NULL
);
CREATE INDEX transaction_search_terms_idx ON transaction_search USING GIN (terms);

-- The number-first ranking of a registration number asked for, and the entity and date filters.
CREATE INDEX transactions_sequence_idx ON transactions (sequence, hijri_year);
CREATE INDEX transactions_entity_idx ON transactions (external_entity_id, id);
CREATE INDEX transactions_registered_idx ON transactions (registered_at);
