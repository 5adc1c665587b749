-- Progressive lockout: failed sign-ins in a row, and until when the account refuses sign-in.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
