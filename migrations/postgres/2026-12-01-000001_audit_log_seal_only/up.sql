-- Nothing in an audit entry ever changes, sealed or not: the one update allowed is sealing, which fills in the
-- sequence number and hashes of an entry that has none yet. (Before, an entry could be rewritten until the sealer
-- reached it, and the chain would then have sealed the rewritten text as genuine.)
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF OLD.seq IS NOT NULL OR OLD.prev_hash IS NOT NULL OR OLD.hash IS NOT NULL
        OR NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
        OR (NEW.id, NEW.at, NEW.user_id, NEW.on_behalf_of_user_id, NEW.client_id, NEW.origin, NEW.action,
            NEW.object_type, NEW.object_id, NEW.transaction_id, NEW.details)
           IS DISTINCT FROM
           (OLD.id, OLD.at, OLD.user_id, OLD.on_behalf_of_user_id, OLD.client_id, OLD.origin, OLD.action,
            OLD.object_type, OLD.object_id, OLD.transaction_id, OLD.details)
    THEN
        RAISE EXCEPTION 'an audit_log entry cannot change: only sealing fills in its sequence number and hashes';
    END IF;
    RETURN NEW;
END;
$$;
