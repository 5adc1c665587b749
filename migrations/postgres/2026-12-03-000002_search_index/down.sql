DROP INDEX transactions_registered_idx;
DROP INDEX transactions_entity_idx;
DROP INDEX transactions_sequence_idx;
DROP TABLE transaction_search;
