//! Working time: the municipality's working week and hours, its public holidays and Ramadan's shorter hours, and the
//! two questions every deadline asks — how much working time lies between two instants, and when N working days or
//! hours from now end.
//!
//! All instants are UTC as the database stores them (`NaiveDateTime`); days and hours are read in Riyadh time. The
//! Eid holidays are placed by the Umm al-Qura calendar (`calendar::from_hijri`, which is `icu_calendar`), and an
//! administrator may move them when the official announcement differs.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use shared_types::HolidayKind;

use crate::calendar::{self, HijriDate};

/// Riyadh is UTC+3 all year.
const RIYADH_OFFSET: Duration = Duration::hours(3);
/// The most days `add_seconds` and `add_days` walk (a century): far beyond any deadline.
const MAX_DAYS_WALKED: u32 = 36_600;

/// The hours of a working day, in Riyadh time; `start` before `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Hours {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    fn hm(start: (u32, u32), end: (u32, u32)) -> Self {
        let time = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        Self { start: time(start), end: time(end) }
    }
}

/// Days off, from `first_day` to `last_day` inclusive (Riyadh dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaysOff {
    pub kind: HolidayKind,
    /// The Hijri year of an Eid, the Gregorian year of a national day, none for others.
    pub year: Option<i32>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl DaysOff {
    fn days(kind: HolidayKind, year: i32, first_day: NaiveDate, count: i64) -> Self {
        Self { kind, year: Some(year), first_day, last_day: first_day + Duration::days(count - 1) }
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.first_day <= day && day <= self.last_day
    }
}

/// Why a calendar cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the working week has no working day")]
    NoWorkingDay,
    #[error("a holiday ends before it begins")]
    HolidayReversed,
}

/// The working week, the working hours (and Ramadan's), and the holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Indexed by days from Sunday: 0 is Sunday, 6 is Saturday.
    working_days: [bool; 7],
    hours: Hours,
    /// Hours during the Hijri month of Ramadan, if they differ.
    ramadan_hours: Option<Hours>,
    /// Sorted by first day.
    holidays: Vec<DaysOff>,
}

impl Calendar {
    pub fn new(
        working_days: [bool; 7],
        hours: Hours,
        ramadan_hours: Option<Hours>,
        mut holidays: Vec<DaysOff>,
    ) -> Result<Self, CalendarError> {
        if !working_days.contains(&true) {
            return Err(CalendarError::NoWorkingDay);
        }
        if holidays.iter().any(|h| h.last_day < h.first_day) {
            return Err(CalendarError::HolidayReversed);
        }
        holidays.sort_by_key(|h| (h.first_day, h.kind));
        Ok(Self { working_days, hours, ramadan_hours, holidays })
    }

    /// The Saudi government's calendar: Sunday to Thursday, 07:30–14:30, in Ramadan 10:00–15:00, with the Founding
    /// Day, the National Day and both Eids of the given Hijri years (see [`default_holidays`]).
    pub fn saudi_government(hijri_years: std::ops::RangeInclusive<i32>) -> Self {
        let working_days = [true, true, true, true, true, false, false];
        let holidays = default_holidays(hijri_years, &working_days);
        Self {
            working_days,
            hours: Hours::hm((7, 30), (14, 30)),
            ramadan_hours: Some(Hours::hm((10, 0), (15, 0))),
            holidays,
        }
    }

    pub fn working_days(&self) -> [bool; 7] {
        self.working_days
    }

    pub fn hours(&self) -> Hours {
        self.hours
    }

    pub fn ramadan_hours(&self) -> Option<Hours> {
        self.ramadan_hours
    }

    pub fn holidays(&self) -> &[DaysOff] {
        &self.holidays
    }

    /// The holiday a day falls in, if any.
    pub fn holiday_on(&self, day: NaiveDate) -> Option<&DaysOff> {
        // Holidays are few (a handful a year) and sorted: stop at the first that starts after the day.
        self.holidays.iter().take_while(|h| h.first_day <= day).find(|h| h.contains(day))
    }

    fn is_working_weekday(&self, day: NaiveDate) -> bool {
        self.working_days[day.weekday().num_days_from_sunday() as usize]
    }

    /// The working hours of a Riyadh day, or `None` for a weekend day or a holiday.
    pub fn hours_on(&self, day: NaiveDate) -> Option<Hours> {
        if !self.is_working_weekday(day) || self.holiday_on(day).is_some() {
            return None;
        }
        let in_ramadan = calendar::to_hijri(day).is_some_and(|h| h.month == 9);
        Some(if in_ramadan { self.ramadan_hours.unwrap_or(self.hours) } else { self.hours })
    }

    /// The working window of a Riyadh day as UTC instants.
    fn window(&self, day: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        self.hours_on(day).map(|h| (day.and_time(h.start) - RIYADH_OFFSET, day.and_time(h.end) - RIYADH_OFFSET))
    }

    fn day_seconds(&self, day: NaiveDate) -> i64 {
        self.window(day).map_or(0, |(start, end)| (end - start).num_seconds())
    }
}

/// The Riyadh date of a UTC instant.
fn riyadh_day(at: NaiveDateTime) -> NaiveDate {
    (at + RIYADH_OFFSET).date()
}

/// The names a generated holiday is given, Arabic and English.
pub fn default_names(kind: HolidayKind) -> (&'static str, &'static str) {
    match kind {
        HolidayKind::FoundingDay => ("يوم التأسيس", "Founding Day"),
        HolidayKind::NationalDay => ("اليوم الوطني", "National Day"),
        HolidayKind::EidAlFitr => ("إجازة عيد الفطر", "Eid al-Fitr holiday"),
        HolidayKind::EidAlAdha => ("إجازة عيد الأضحى", "Eid al-Adha holiday"),
        HolidayKind::Other => ("إجازة", "Holiday"),
    }
}

/// The default holidays of the Hijri years given, by the Labour Law's rule, which an administrator may then move:
/// Eid al-Fitr four days from the day after 29 Ramadan, Eid al-Adha four days from the day of Arafat (9 Dhu
/// al-Hijjah), both by Umm al-Qura; the Founding Day (22 February, from 2022) and the National Day (23 September) of
/// the Gregorian years those Hijri years touch. A national day that falls on a weekend day moves to the working day
/// before it, or if that is not a working day either, to the working day after (Friday → Thursday, Saturday → Sunday).
pub fn default_holidays(hijri_years: std::ops::RangeInclusive<i32>, working_days: &[bool; 7]) -> Vec<DaysOff> {
    let mut holidays = Vec::new();
    let mut gregorian_years = std::collections::BTreeSet::new();
    for year in hijri_years {
        let day = |month, day| calendar::from_hijri(HijriDate { year, month, day });
        if let Some(ramadan_29) = day(9, 29) {
            holidays.push(DaysOff::days(HolidayKind::EidAlFitr, year, ramadan_29 + Duration::days(1), 4));
        }
        if let Some(arafat) = day(12, 9) {
            holidays.push(DaysOff::days(HolidayKind::EidAlAdha, year, arafat, 4));
        }
        for (month, d) in [(1, 1), (12, 29)] {
            if let Some(date) = day(month, d) {
                gregorian_years.insert(date.year());
            }
        }
    }
    let is_working = |day: NaiveDate| working_days[day.weekday().num_days_from_sunday() as usize];
    let observed = |day: NaiveDate| {
        if is_working(day) {
            return day;
        }
        let before = day - Duration::days(1);
        if is_working(before) {
            return before;
        }
        (1..=7).map(|n| day + Duration::days(n)).find(|d| is_working(*d)).unwrap_or(day)
    };
    for year in gregorian_years {
        let fixed = [(HolidayKind::FoundingDay, 2, 22, 2022), (HolidayKind::NationalDay, 9, 23, 2005)];
        for (kind, month, d, since) in fixed {
            if let Some(date) = NaiveDate::from_ymd_opt(year, month, d).filter(|_| year >= since) {
                holidays.push(DaysOff::days(kind, year, observed(date), 1));
            }
        }
    }
    holidays.sort_by_key(|h| (h.first_day, h.kind));
    holidays
}

/// A working calendar with the working seconds of every day of a span of years added up in advance, so that the
/// working time between two instants costs two lookups however far apart they are (reports sum it over millions of
/// referrals). Days outside the span are still right, counted one by one.
#[derive(Debug, Clone)]
pub struct BusinessClock {
    calendar: Calendar,
    first: NaiveDate,
    /// `before[i]`: working seconds from the start of `first` to the start of `first + i` days.
    before: Vec<i64>,
}

impl BusinessClock {
    pub fn new(calendar: Calendar, first: NaiveDate, last: NaiveDate) -> Self {
        let days = (last - first).num_days().max(0) + 1;
        let mut before = Vec::with_capacity(days as usize + 1);
        let mut total = 0;
        before.push(0);
        for i in 0..days {
            total += calendar.day_seconds(first + Duration::days(i));
            before.push(total);
        }
        Self { calendar, first, before }
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Working seconds from the start of `first` to the start of `day` (negative before `first`).
    fn seconds_before(&self, day: NaiveDate) -> i64 {
        let index = (day - self.first).num_days();
        let covered = self.before.len() as i64 - 1;
        if index < 0 {
            -(index..0).map(|i| self.calendar.day_seconds(self.first + Duration::days(i))).sum::<i64>()
        } else if index <= covered {
            self.before[index as usize]
        } else {
            let tail: i64 = (covered..index).map(|i| self.calendar.day_seconds(self.first + Duration::days(i))).sum();
            self.before[covered as usize] + tail
        }
    }

    /// Working seconds from the start of `first` to an instant.
    fn seconds_at(&self, at: NaiveDateTime) -> i64 {
        let day = riyadh_day(at);
        let within = self.calendar.window(day).map_or(0, |(start, end)| (at.clamp(start, end) - start).num_seconds());
        self.seconds_before(day) + within
    }

    /// Working seconds between two instants (0 if `to` is not after `from`).
    pub fn between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        if to <= from { 0 } else { self.seconds_at(to) - self.seconds_at(from) }
    }

    /// The instant at which `seconds` of working time have passed since `from`. Zero seconds is `from` itself.
    pub fn add_seconds(&self, from: NaiveDateTime, seconds: i64) -> NaiveDateTime {
        if seconds <= 0 {
            return from;
        }
        let mut remaining = seconds;
        let mut day = riyadh_day(from);
        if let Some((start, end)) = self.calendar.window(day) {
            let start = from.clamp(start, end);
            let available = (end - start).num_seconds();
            if remaining <= available {
                return start + Duration::seconds(remaining);
            }
            remaining -= available;
        }
        // The week has a working day and holidays last at most weeks, so this ends well within the bound, which only
        // stops an absurd request (centuries of working time) from walking on.
        for _ in 0..MAX_DAYS_WALKED {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if let Some((start, end)) = self.calendar.window(day) {
                let available = (end - start).num_seconds();
                if remaining <= available {
                    return start + Duration::seconds(remaining);
                }
                remaining -= available;
            }
        }
        day.and_time(NaiveTime::MIN)
    }

    /// The close of the `days`-th working day after the day of `from`: what "due in N working days" means. Zero is
    /// the close of the day of `from` if that is a working day not yet closed, else of the next working day.
    pub fn add_days(&self, from: NaiveDateTime, days: u32) -> NaiveDateTime {
        let mut day = riyadh_day(from);
        if days == 0
            && let Some((_, end)) = self.calendar.window(day).filter(|(_, end)| from < *end)
        {
            return end;
        }
        let mut counted = 0;
        for _ in 0..MAX_DAYS_WALKED {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if let Some((_, end)) = self.calendar.window(day) {
                counted += 1;
                if counted >= days.max(1) {
                    return end;
                }
            }
        }
        day.and_time(NaiveTime::MIN)
    }

    /// `add_seconds` by whole working hours.
    pub fn add_hours(&self, from: NaiveDateTime, hours: u32) -> NaiveDateTime {
        self.add_seconds(from, i64::from(hours) * 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A Riyadh wall-clock time as the UTC instant the database stores.
    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap() - RIYADH_OFFSET
    }

    fn clock() -> BusinessClock {
        BusinessClock::new(Calendar::saudi_government(1446..=1449), d(2025, 1, 1), d(2027, 12, 31))
    }

    fn hijri(year: i32, month: u8, day: u8) -> NaiveDate {
        calendar::from_hijri(HijriDate { year, month, day }).unwrap()
    }

    const HOUR: i64 = 3600;

    #[test]
    fn a_plain_week_counts_the_hours_between_07_30_and_14_30() {
        let c = clock();
        // Sunday 6 December 2026 08:00 to Monday 08:00: 6.5 hours on Sunday, half an hour on Monday.
        assert_eq!(c.between(at(2026, 12, 6, 8, 0), at(2026, 12, 7, 8, 0)), 7 * HOUR);
        // Within one day; before opening and after closing count nothing.
        assert_eq!(c.between(at(2026, 12, 6, 9, 15), at(2026, 12, 6, 10, 45)), 90 * 60);
        assert_eq!(c.between(at(2026, 12, 6, 5, 0), at(2026, 12, 6, 7, 30)), 0);
        assert_eq!(c.between(at(2026, 12, 6, 14, 30), at(2026, 12, 6, 23, 59)), 0);
        // A full working week (Sunday to Thursday) is 35 hours.
        assert_eq!(c.between(at(2026, 12, 6, 0, 0), at(2026, 12, 13, 0, 0)), 35 * HOUR);
        // Backwards is nothing.
        assert_eq!(c.between(at(2026, 12, 7, 8, 0), at(2026, 12, 6, 8, 0)), 0);
    }

    #[test]
    fn the_weekend_counts_nothing() {
        let c = clock();
        // Thursday 10 December 2026 13:30 to Sunday 13 December 08:30: one hour each side of Friday and Saturday.
        assert_eq!(c.between(at(2026, 12, 10, 13, 30), at(2026, 12, 13, 8, 30)), 2 * HOUR);
        assert_eq!(c.between(at(2026, 12, 11, 9, 0), at(2026, 12, 12, 23, 0)), 0);
        // Due in one working day from Thursday: the close of Sunday.
        assert_eq!(c.add_days(at(2026, 12, 10, 10, 0), 1), at(2026, 12, 13, 14, 30));
        // Three working hours from Thursday 13:00: 1.5 hours on Thursday, 1.5 on Sunday.
        assert_eq!(c.add_hours(at(2026, 12, 10, 13, 0), 3), at(2026, 12, 13, 9, 0));
        // Zero working days from a working morning is its close; from Friday it is Sunday's close.
        assert_eq!(c.add_days(at(2026, 12, 10, 10, 0), 0), at(2026, 12, 10, 14, 30));
        assert_eq!(c.add_days(at(2026, 12, 11, 10, 0), 0), at(2026, 12, 13, 14, 30));
    }

    #[test]
    fn national_days_are_off_and_move_off_the_weekend() {
        let cal = Calendar::saudi_government(1447..=1448);
        // 23 September 2026 is a Wednesday.
        assert_eq!(cal.holiday_on(d(2026, 9, 23)).map(|h| h.kind), Some(HolidayKind::NationalDay));
        assert_eq!(cal.hours_on(d(2026, 9, 23)), None);
        // 22 February 2026 is a Sunday: the Founding Day is that day.
        assert_eq!(cal.holiday_on(d(2026, 2, 22)).map(|h| h.kind), Some(HolidayKind::FoundingDay));
        // 23 September 2027 is a Thursday; 22 February 2027 a Monday.
        assert_eq!(cal.holiday_on(d(2027, 9, 23)).map(|h| h.kind), Some(HolidayKind::NationalDay));
        // 22 February 2025 was a Saturday: the Sunday after is off (the Friday before is not a working day).
        let cal = Calendar::saudi_government(1446..=1446);
        assert_eq!(cal.holiday_on(d(2025, 2, 23)).map(|h| h.kind), Some(HolidayKind::FoundingDay));
        // 23 September 2022 was a Friday: the Thursday before.
        let cal = Calendar::saudi_government(1444..=1444);
        assert_eq!(cal.holiday_on(d(2022, 9, 22)).map(|h| h.kind), Some(HolidayKind::NationalDay));
        // A span over the National Day of 2026 loses that day's seven hours.
        let c = clock();
        assert_eq!(c.between(at(2026, 9, 22, 0, 0), at(2026, 9, 25, 0, 0)), 14 * HOUR);
        // Due in one working day from Tuesday 22 September 2026: Thursday's close, not Wednesday's.
        assert_eq!(c.add_days(at(2026, 9, 22, 9, 0), 1), at(2026, 9, 24, 14, 30));
    }

    #[test]
    fn the_eids_follow_umm_al_qura_and_ramadan_works_shorter_hours() {
        let c = clock();
        let cal = c.calendar();
        // Ramadan 1448 begins on a weekday; its working days are 10:00–15:00.
        let first_of_ramadan = hijri(1448, 9, 1);
        let weekday = (0..7).map(|n| first_of_ramadan + Duration::days(n)).find(|day| cal.hours_on(*day).is_some());
        let weekday = weekday.unwrap();
        assert_eq!(cal.hours_on(weekday), Some(Hours::hm((10, 0), (15, 0))));
        let (y, m, day) = (weekday.year(), weekday.month(), weekday.day());
        assert_eq!(c.between(at(y, m, day, 0, 0), at(y, m, day, 23, 0)), 5 * HOUR);
        assert_eq!(c.between(at(y, m, day, 9, 0), at(y, m, day, 10, 30)), 30 * 60);
        // Eid al-Fitr: four days from the day after 29 Ramadan.
        let eid = hijri(1448, 9, 29) + Duration::days(1);
        for n in 0..4 {
            let day = eid + Duration::days(n);
            assert_eq!(cal.holiday_on(day).map(|h| h.kind), Some(HolidayKind::EidAlFitr), "{day}");
        }
        assert_eq!(cal.holiday_on(eid + Duration::days(4)), None);
        assert_eq!(cal.holiday_on(eid - Duration::days(1)), None);
        // Eid al-Adha: four days from the day of Arafat.
        let arafat = hijri(1448, 12, 9);
        assert_eq!(cal.holiday_on(arafat).map(|h| h.kind), Some(HolidayKind::EidAlAdha));
        assert_eq!(cal.holiday_on(arafat + Duration::days(3)).map(|h| h.kind), Some(HolidayKind::EidAlAdha));
        assert_eq!(cal.holiday_on(arafat + Duration::days(4)), None);
        // A deadline of one working day set on 29 Ramadan falls after the holiday, on the first working day of
        // Shawwal, at the ordinary close (Ramadan's hours have ended).
        let ramadan_29 = hijri(1448, 9, 29);
        let due = c.add_days(ramadan_29.and_hms_opt(8, 0, 0).unwrap(), 1);
        let due_day = riyadh_day(due);
        assert!(due_day > eid + Duration::days(3), "{due_day}");
        assert_eq!(calendar::to_hijri(due_day).map(|h| h.month), Some(10));
        assert_eq!((due + RIYADH_OFFSET).time(), NaiveTime::from_hms_opt(14, 30, 0).unwrap());
        // The working time over the whole holiday is nothing.
        let holiday_start = (eid.and_hms_opt(0, 0, 0).unwrap()) - RIYADH_OFFSET;
        assert_eq!(c.between(holiday_start, holiday_start + Duration::days(4)), 0);
    }

    #[test]
    fn the_hijri_new_year_is_an_ordinary_working_day_and_each_year_has_its_own_eids() {
        let c = clock();
        let cal = c.calendar();
        // 1 Muharram 1448 is not a holiday; across it the hours are the ordinary ones.
        let new_year = hijri(1448, 1, 1);
        assert_eq!(cal.holiday_on(new_year), None);
        let eve = new_year - Duration::days(1);
        let span = c.between(eve.and_hms_opt(0, 0, 0).unwrap(), new_year.and_hms_opt(23, 0, 0).unwrap());
        let expected: i64 = [eve, new_year].iter().map(|day| cal.day_seconds(*day)).sum();
        assert_eq!(span, expected);
        // It fell on a Tuesday (16 June 2026), worked 07:30–14:30.
        assert_eq!(new_year, d(2026, 6, 16));
        assert_eq!(cal.hours_on(new_year), Some(cal.hours()));
        assert_eq!(span, 14 * HOUR);
        // Both Eids of 1447 and of 1448 are there, about 354 days apart.
        let fitr: Vec<NaiveDate> =
            cal.holidays().iter().filter(|h| h.kind == HolidayKind::EidAlFitr).map(|h| h.first_day).collect();
        assert!(fitr.windows(2).all(|w| (350..=356).contains(&(w[1] - w[0]).num_days())), "{fitr:?}");
        assert_eq!(fitr.len(), 4);
    }

    #[test]
    fn adding_working_time_and_measuring_it_agree() {
        let c = clock();
        let starts = [
            at(2026, 12, 10, 13, 0),
            at(2026, 12, 11, 3, 0),
            at(2026, 9, 22, 14, 29),
            at(2027, 3, 1, 9, 59),
            riyadh_midnight(hijri(1448, 9, 27)),
            riyadh_midnight(hijri(1448, 12, 8)),
        ];
        for from in starts {
            for seconds in [1, 59, HOUR, 7 * HOUR, 7 * HOUR + 1, 40 * HOUR, 400 * HOUR] {
                let to = c.add_seconds(from, seconds);
                assert_eq!(c.between(from, to), seconds, "{from} + {seconds}");
                // And it is the earliest such instant.
                assert_eq!(c.between(from, to - Duration::seconds(1)), seconds - 1, "{from} + {seconds}");
            }
        }
    }

    fn riyadh_midnight(day: NaiveDate) -> NaiveDateTime {
        day.and_hms_opt(0, 0, 0).unwrap() - RIYADH_OFFSET
    }

    #[test]
    fn the_table_agrees_with_counting_day_by_day_inside_and_outside_its_span() {
        let calendar = Calendar::saudi_government(1440..=1452);
        let short = BusinessClock::new(calendar.clone(), d(2026, 1, 1), d(2026, 1, 31));
        let long = BusinessClock::new(calendar.clone(), d(2018, 1, 1), d(2031, 12, 31));
        let pairs = [
            (at(2019, 5, 5, 9, 0), at(2026, 1, 15, 12, 0)),
            (at(2025, 12, 31, 8, 0), at(2026, 2, 2, 8, 0)),
            (at(2026, 1, 4, 8, 0), at(2030, 6, 1, 12, 0)),
        ];
        for (from, to) in pairs {
            let by_days: i64 = {
                let (a, b) = (riyadh_day(from), riyadh_day(to));
                let whole: i64 = (1..(b - a).num_days()).map(|n| calendar.day_seconds(a + Duration::days(n))).sum();
                let head = calendar.window(a).map_or(0, |(s, e)| (e - from.clamp(s, e)).num_seconds());
                let tail = calendar.window(b).map_or(0, |(s, e)| (to.clamp(s, e) - s).num_seconds());
                whole + head + tail
            };
            assert_eq!(short.between(from, to), by_days, "{from} → {to}");
            assert_eq!(long.between(from, to), by_days, "{from} → {to}");
        }
    }

    #[test]
    fn a_calendar_without_working_days_or_with_a_reversed_holiday_is_refused() {
        let hours = Hours::hm((8, 0), (16, 0));
        assert_eq!(Calendar::new([false; 7], hours, None, vec![]), Err(CalendarError::NoWorkingDay));
        let reversed =
            DaysOff { kind: HolidayKind::Other, year: None, first_day: d(2026, 1, 2), last_day: d(2026, 1, 1) };
        assert_eq!(Calendar::new([true; 7], hours, None, vec![reversed]), Err(CalendarError::HolidayReversed));
        assert_eq!(Hours::new(hours.end, hours.start), None);
    }
}
