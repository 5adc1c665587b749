-- The folded form of a person's or an entity's names (and username or code), which the pickers search: Arabic
-- spelling variants, digits and case folded by the server's one folding (api/src/text.rs), filled in by the server
-- for rows that have none yet.
ALTER TABLE users ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
ALTER TABLE external_entities ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
