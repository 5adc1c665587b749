//! Dates as the municipality reads them: Riyadh time, Hijri (Umm al-Qura) beside Gregorian. Conversion is
//! `icu_calendar`'s Umm al-Qura calendar, not a hand-made table.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use icu_calendar::Date;
use icu_calendar::cal::Hijri;
use shared_types::DualDate;

/// Saudi Arabia keeps UTC+3 all year (no daylight saving), so a fixed offset is exact.
pub const RIYADH: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+3 is a valid offset"),
};

/// The calendar date in Riyadh at an instant.
pub fn riyadh_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&RIYADH).date_naive()
}

/// A Hijri (Umm al-Qura) date: year, month (1–12), day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HijriDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for HijriDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Convert a Gregorian date to Hijri (Umm al-Qura). Dates outside the calendar's range (years beyond ±9999)
/// cannot occur for correspondence and give `None`.
pub fn to_hijri(date: NaiveDate) -> Option<HijriDate> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    let iso = Date::try_new_iso(date.year(), month, day).ok()?;
    let hijri = iso.to_calendar(Hijri::new_umm_al_qura());
    Some(HijriDate { year: hijri.era_year().year, month: hijri.month().ordinal, day: hijri.day_of_month().0 })
}

/// Convert a Hijri (Umm al-Qura) date to Gregorian; `None` for a day the calendar does not have (30 Safar in a year
/// where Safar has 29 days, month 13).
pub fn from_hijri(h: HijriDate) -> Option<NaiveDate> {
    let hijri = Date::try_new_hijri_with_calendar(h.year, h.month, h.day, Hijri::new_umm_al_qura()).ok()?;
    let iso = hijri.to_calendar(icu_calendar::Iso);
    NaiveDate::from_ymd_opt(iso.era_year().year, u32::from(iso.month().ordinal), u32::from(iso.day_of_month().0))
}

/// A day as people type it: `YYYY-MM-DD`, Gregorian, or Hijri (Umm al-Qura) when the year is before 1700 (Hijri
/// years of this era are 14xx; Gregorian ones 20xx). Arabic-Indic digits are accepted. A Hijri month has 29 or 30
/// days, and which depends on the moon: a day past the end of its month (the 30th of a 29-day month) is read as the
/// month's last day. `None` if it is no such day (a Gregorian 30 February, month 13).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let folded = shared_types::text::fold(text.trim());
    let mut parts = folded.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    let (year, month, day): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if year < 1700 {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        (1..=day).rev().find_map(|day| from_hijri(HijriDate { year, month, day }))
    } else {
        NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day))
    }
}

/// The instant a Riyadh day begins, as the database stores instants (UTC).
pub fn riyadh_midnight(date: NaiveDate) -> chrono::NaiveDateTime {
    date.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::hours(3)
}

/// The Hijri year of an instant, by the Riyadh calendar date: registration numbers restart with it.
pub fn hijri_year_at(at: DateTime<Utc>) -> i32 {
    let date = riyadh_date(at);
    // Falling back to an approximation keeps numbering working even if the calendar data were ever out of range.
    to_hijri(date).map(|h| h.year).unwrap_or_else(|| ((date.year() - 622) * 33) / 32)
}

/// The Riyadh date of an instant in both calendars.
pub fn dual_date(at: DateTime<Utc>) -> DualDate {
    let gregorian = riyadh_date(at);
    DualDate { gregorian, hijri: to_hijri(gregorian).map(|h| h.to_string()).unwrap_or_default() }
}

/// `1448/000123`, or `KHB-1448/000123` for a registry with its own prefix.
pub fn format_registration_number(prefix: Option<&str>, year: i32, sequence: i64) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{p}-{year}/{sequence:06}"),
        _ => format!("{year}/{sequence:06}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn umm_al_qura_known_dates() {
        // 1 Muharram 1434 (the start of the municipality's records) was 15 November 2012.
        assert_eq!(to_hijri(d(2012, 11, 15)), Some(HijriDate { year: 1434, month: 1, day: 1 }));
        // 1 Muharram 1447 was 26 June 2025 by Umm al-Qura.
        assert_eq!(to_hijri(d(2025, 6, 26)), Some(HijriDate { year: 1447, month: 1, day: 1 }));
        assert_eq!(to_hijri(d(2025, 6, 25)).map(|h| h.year), Some(1446));
    }

    #[test]
    fn days_are_read_in_either_calendar() {
        assert_eq!(from_hijri(HijriDate { year: 1434, month: 1, day: 1 }), Some(d(2012, 11, 15)));
        assert_eq!(parse_day("1447-01-01"), Some(d(2025, 6, 26)));
        assert_eq!(parse_day("١٤٤٧-٠١-٠١"), Some(d(2025, 6, 26)));
        assert_eq!(parse_day("2025-06-26"), Some(d(2025, 6, 26)));
        // The 30th of a 29-day Hijri month (and any 31st) is the month's last day.
        let short: Vec<u8> =
            (1..=12).filter(|&month| from_hijri(HijriDate { year: 1447, month, day: 30 }).is_none()).collect();
        assert!(!short.is_empty(), "1447 has months of 29 days");
        for month in short {
            assert_eq!(parse_day(&format!("1447-{month:02}-30")), parse_day(&format!("1447-{month:02}-29")));
        }
        assert_eq!(parse_day("1447-01-31"), parse_day("1447-01-30"));
        assert_eq!(parse_day("1447-01-30").map(|d| d.to_string()), Some("2025-07-25".into()));
        for bad in
            ["2025-02-30", "1447-13-01", "1447-00-01", "1447-01-00", "25-06-26", "2025/06/26", "2025-06-26-1", "", "x"]
        {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        for day in [d(2012, 11, 15), d(2024, 3, 11), d(2026, 12, 3)] {
            assert_eq!(to_hijri(day).and_then(from_hijri), Some(day));
        }
        assert_eq!(riyadh_midnight(d(2026, 12, 3)).to_string(), "2026-12-02 21:00:00");
    }

    #[test]
    fn year_follows_riyadh_midnight_not_utc() {
        // 22:30 UTC on 25 June 2025 is 01:30 on 26 June in Riyadh: already 1447.
        let at = Utc.with_ymd_and_hms(2025, 6, 25, 22, 30, 0).unwrap();
        assert_eq!(hijri_year_at(at), 1447);
        let before = Utc.with_ymd_and_hms(2025, 6, 25, 20, 59, 0).unwrap();
        assert_eq!(hijri_year_at(before), 1446);
    }

    #[test]
    fn registration_numbers() {
        assert_eq!(format_registration_number(None, 1448, 123), "1448/000123");
        assert_eq!(format_registration_number(Some("KHB"), 1448, 7), "KHB-1448/000007");
        assert_eq!(format_registration_number(Some(""), 1448, 1_234_567), "1448/1234567");
    }
}
