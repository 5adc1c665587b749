DROP INDEX referrals_took_idx;
CREATE INDEX referrals_took_idx ON referrals (to_unit_id,
    (CAST(EXTRACT(EPOCH FROM date_trunc('second', completed_at)) AS BIGINT)
        - CAST(EXTRACT(EPOCH FROM date_trunc('second', sent_at)) AS BIGINT)), sent_at, transaction_id)
    WHERE status = 'completed' AND purpose = 'action';
