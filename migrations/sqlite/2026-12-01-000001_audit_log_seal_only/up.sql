-- Nothing in an audit entry ever changes, sealed or not: the one update allowed is sealing, which fills in the
-- sequence number and hashes of an entry that has none yet. (Before, an entry could be rewritten until the sealer
-- reached it, and the chain would then have sealed the rewritten text as genuine.)
DROP TRIGGER audit_log_no_rewrite;
CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE ON audit_log
WHEN OLD.seq IS NOT NULL OR OLD.prev_hash IS NOT NULL OR OLD.hash IS NOT NULL
    OR NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
    OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.user_id IS NOT OLD.user_id
    OR NEW.on_behalf_of_user_id IS NOT OLD.on_behalf_of_user_id OR NEW.client_id IS NOT OLD.client_id
    OR NEW.origin IS NOT OLD.origin OR NEW.action IS NOT OLD.action OR NEW.object_type IS NOT OLD.object_type
    OR NEW.object_id IS NOT OLD.object_id OR NEW.transaction_id IS NOT OLD.transaction_id
    OR NEW.details IS NOT OLD.details
BEGIN
    SELECT RAISE(ABORT, 'an audit_log entry cannot change: only sealing fills in its sequence number and hashes');
END;
