-- The working calendar: the working week and hours (one row), and the days off. Business time — dwell, deadlines,
-- escalation — is counted within it. Minutes are after Riyadh midnight; days are `YYYY-MM-DD` text (Riyadh dates) on
-- both backends. The server writes the default row and the generated holidays (both Eids by Umm al-Qura, the Founding
-- Day and the National Day) when they are missing, keyed by kind and year, so a holiday an administrator moved stays
-- where they put it.
CREATE TABLE working_calendar (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- Bit 0 is Sunday, bit 6 Saturday.
    working_days INTEGER NOT NULL CHECK (working_days > 0 AND working_days < 128),
    day_start_minute INTEGER NOT NULL,
    day_end_minute INTEGER NOT NULL,
    ramadan_start_minute INTEGER,
    ramadan_end_minute INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    CHECK (0 <= day_start_minute AND day_start_minute < day_end_minute AND day_end_minute <= 1440),
    CHECK ((ramadan_start_minute IS NULL) = (ramadan_end_minute IS NULL)),
    CHECK (ramadan_start_minute IS NULL
        OR (0 <= ramadan_start_minute AND ramadan_start_minute < ramadan_end_minute AND ramadan_end_minute <= 1440))
);

CREATE TABLE holidays (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('founding_day', 'national_day', 'eid_al_fitr', 'eid_al_adha', 'other')),
    -- The Hijri year of an Eid, the Gregorian year of a national day; null for a day off an administrator added.
    year INTEGER,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    CHECK (first_day <= last_day),
    CHECK ((kind = 'other') = (year IS NULL)),
    UNIQUE (kind, year)
);
CREATE INDEX holidays_first_day_idx ON holidays (first_day);
