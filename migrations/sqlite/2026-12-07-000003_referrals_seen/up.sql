-- The visibility rule (`policy::visible_sql`) gathers the transactions an employee is tied to, one branch per tie:
-- each branch reads one of these indexes (and `referrals_from_user_idx`, `transactions_created_by_idx`,
-- `transactions_registry_idx`), so the set is found without reading every transaction.
CREATE INDEX referrals_seen_user_idx ON referrals (to_user_id, transaction_id);
CREATE INDEX referrals_seen_unit_idx ON referrals (to_unit_id, to_user_id, transaction_id);
CREATE INDEX referrals_seen_from_unit_idx ON referrals (from_unit_id, transaction_id);
-- Who received or completed a referral is nearly always the one it was sent to; only the other cases are kept (the
-- conditions are the rule's own, written identically).
CREATE INDEX referrals_seen_received_idx ON referrals (received_by, transaction_id)
    WHERE received_by IS NOT NULL AND (to_user_id IS NULL OR received_by <> to_user_id);
CREATE INDEX referrals_seen_completed_idx ON referrals (completed_by, transaction_id)
    WHERE completed_by IS NOT NULL AND (to_user_id IS NULL OR completed_by <> to_user_id)
    AND (received_by IS NULL OR completed_by <> received_by);
