ALTER TABLE external_entities DROP COLUMN search_name;
ALTER TABLE users DROP COLUMN search_name;
