DROP TABLE submission_documents;
DROP TABLE submissions;
