DROP INDEX transactions_drafts_idx;
