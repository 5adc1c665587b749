-- PostgreSQL answers a query from an index alone only when every column the query names is in it, and an indexed
-- expression does not count for its columns: the walk to a unit's n-th processing time (`Scope::processing_times`)
-- fetched a table row for every entry it passed. With `completed_at` beside `sent_at` it reads the index only.
-- (SQLite reads an indexed expression from its index already.)
DROP INDEX referrals_took_idx;
CREATE INDEX referrals_took_idx ON referrals (to_unit_id,
    (CAST(EXTRACT(EPOCH FROM date_trunc('second', completed_at)) AS BIGINT)
        - CAST(EXTRACT(EPOCH FROM date_trunc('second', sent_at)) AS BIGINT)), sent_at, transaction_id)
    INCLUDE (completed_at)
    WHERE status = 'completed' AND purpose = 'action';
