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
