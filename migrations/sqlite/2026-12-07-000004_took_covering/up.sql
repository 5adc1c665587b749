-- Nothing to do on SQLite: it reads an indexed expression from its index already, so the walk along
-- referrals_took_idx reads the index only. (PostgreSQL's migration of this name adds completed_at to that index.)
SELECT 1;
