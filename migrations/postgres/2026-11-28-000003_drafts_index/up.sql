-- A user's drafts (GET /drafts) without walking every transaction they created (registry clerks create many).
CREATE INDEX transactions_drafts_idx ON transactions (created_by, id) WHERE status = 'draft';
