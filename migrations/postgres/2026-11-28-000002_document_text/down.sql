ALTER TABLE document_versions DROP COLUMN text_error;
ALTER TABLE document_versions DROP COLUMN text_content;
ALTER TABLE document_versions DROP COLUMN text_status;
