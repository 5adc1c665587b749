DROP INDEX referrals_seen_completed_idx;
DROP INDEX referrals_seen_received_idx;
DROP INDEX referrals_seen_from_unit_idx;
DROP INDEX referrals_seen_unit_idx;
DROP INDEX referrals_seen_user_idx;
