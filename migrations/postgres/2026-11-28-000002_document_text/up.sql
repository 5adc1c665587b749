-- The text of each version, extracted after the upload for search: 'pending', then 'extracted', 'failed' (with
-- the error) or 'unsupported' (a kind of file whose text is not read, such as a scanned image).
ALTER TABLE document_versions ADD COLUMN text_status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE document_versions ADD COLUMN text_content TEXT;
ALTER TABLE document_versions ADD COLUMN text_error TEXT;
