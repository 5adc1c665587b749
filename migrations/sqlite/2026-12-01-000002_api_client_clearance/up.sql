-- What an external agency may receive: outgoing letters addressed to it up to this confidentiality level (0 normal,
-- 1 confidential, 2 top secret). Existing clients receive normal letters only.
ALTER TABLE api_clients ADD COLUMN clearance INTEGER NOT NULL DEFAULT 0;
