-- The search index: one entry per transaction (its rowid is the transaction's id), holding the terms of its text as
-- the server's one folding and stemming (api/src/text.rs) makes them, so that SQLite and PostgreSQL index and look up
-- the same terms. The terms are runs of letters and digits separated by single spaces; the `ascii` tokenizer only
-- splits them there (it keeps every non-ASCII character as part of a term). Three columns, weighted by the ranking:
-- the numbers (registration number, sender reference), the subject, and the rest (summary, names, notes, decisions,
-- document titles and texts). Written by the server in the same database transaction as each change it reflects;
-- rows that have none yet are filled in when the server starts.
CREATE VIRTUAL TABLE transaction_search USING fts5 (numbers, subject, body, tokenize = 'ascii', detail = 'column');

-- The number-first ranking of a registration number asked for, and the entity and date filters.
CREATE INDEX transactions_sequence_idx ON transactions (sequence, hijri_year);
CREATE INDEX transactions_entity_idx ON transactions (external_entity_id, id);
CREATE INDEX transactions_registered_idx ON transactions (registered_at);
