//! The working calendar as the database keeps it: the working week and hours (one row) and the days off, read by
//! everyone and changed by administrators; and the [`BusinessClock`] built from it, which every business-time figure
//! uses.
//!
//! The server writes the default week and the generated holidays when they are missing (at every start, for the
//! Hijri years from 1434 to the next one), keyed by kind and year, so an Eid an administrator moved to the announced
//! day stays where they put it. Every change writes a new random version into `server_settings`; a clock is built
//! once per version and kept, so every server reading the database sees a change with its next request.

use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use diesel::prelude::*;
use serde_json::json;
use shared_types::limits::MAX_NAME;
use shared_types::{
    AuditAction, DualDate, ErrorCode, Holiday, HolidayChange, HolidayKind, NewHoliday, Weekday, WireEnum,
    WorkingCalendar, WorkingHours, WorkingWeek,
};

use super::actor::Actor;
use super::audit::{self, Object, Who};
use super::{now, policy, utc};
use crate::calendar;
use crate::db::{self, DbConn};
use crate::error::{ApiError, Validator};
use crate::schema::{holidays, working_calendar};
use crate::working_time::{self, BusinessClock, Calendar, DaysOff, Hours};

/// The first Hijri year the municipality's records reach.
const FIRST_HIJRI_YEAR: i32 = 1434;
/// The longest single holiday an administrator may add, in days.
const MAX_HOLIDAY_DAYS: i64 = 60;
const VERSION: &str = "working_calendar_version";

#[derive(Queryable, Selectable)]
#[diesel(table_name = working_calendar)]
struct WeekRow {
    working_days: i32,
    day_start_minute: i32,
    day_end_minute: i32,
    ramadan_start_minute: Option<i32>,
    ramadan_end_minute: Option<i32>,
    updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = holidays)]
struct HolidayRow {
    id: i64,
    kind: String,
    year: Option<i32>,
    name_ar: String,
    name_en: String,
    first_day: String,
    last_day: String,
}

fn minute(t: NaiveTime) -> i32 {
    (t.hour() * 60 + t.minute()) as i32
}

fn time_of(minute: i32) -> NaiveTime {
    let m = minute.clamp(0, 24 * 60 - 1) as u32;
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN)
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn stored_day(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(ApiError::internal)
}

fn bit(day: Weekday) -> i32 {
    1 << Weekday::ALL.iter().position(|d| *d == day).unwrap_or(0)
}

fn mask_days(mask: i32) -> [bool; 7] {
    std::array::from_fn(|i| mask & (1 << i) != 0)
}

fn new_version(conn: &mut DbConn) -> Result<(), ApiError> {
    db::setting_set(conn, VERSION, &crate::auth::random_token())?;
    Ok(())
}

/// Write the default working week if there is none, and every generated holiday missing from the Hijri years
/// 1434 to the one after the current.
pub fn ensure_defaults(conn: &mut DbConn) -> Result<(), ApiError> {
    let at = now();
    db::write_tx(conn, |conn| {
        let default = Calendar::saudi_government(FIRST_HIJRI_YEAR..=FIRST_HIJRI_YEAR);
        let days = default.working_days();
        let mask = (0..7).filter(|i| days[*i]).fold(0, |m, i| m | (1 << i));
        let ramadan = default.ramadan_hours();
        let week = (
            working_calendar::id.eq(1),
            working_calendar::working_days.eq(mask),
            working_calendar::day_start_minute.eq(minute(default.hours().start)),
            working_calendar::day_end_minute.eq(minute(default.hours().end)),
            working_calendar::ramadan_start_minute.eq(ramadan.map(|h| minute(h.start))),
            working_calendar::ramadan_end_minute.eq(ramadan.map(|h| minute(h.end))),
            working_calendar::updated_at.eq(at),
        );
        let mut changed = crate::insert_or_ignore!(conn, working_calendar::table, week)?;
        let week: WeekRow = working_calendar::table.select(WeekRow::as_select()).first(conn)?;
        let last_year = calendar::hijri_year_at(utc(at)) + 1;
        for h in working_time::default_holidays(FIRST_HIJRI_YEAR..=last_year, &mask_days(week.working_days)) {
            let (name_ar, name_en) = working_time::default_names(h.kind);
            let row = (
                holidays::kind.eq(h.kind.as_str()),
                holidays::year.eq(h.year),
                holidays::name_ar.eq(name_ar),
                holidays::name_en.eq(name_en),
                holidays::first_day.eq(day_text(h.first_day)),
                holidays::last_day.eq(day_text(h.last_day)),
                holidays::updated_at.eq(at),
            );
            changed += crate::insert_or_ignore!(conn, holidays::table, row)?;
        }
        if changed > 0 || db::setting_get(conn, VERSION)?.is_none() {
            new_version(conn)?;
        }
        Ok(())
    })
}

fn load_rows(conn: &mut DbConn) -> Result<(WeekRow, Vec<HolidayRow>), ApiError> {
    let week =
        working_calendar::table.select(WeekRow::as_select()).first(conn).optional()?.ok_or_else(|| {
            ApiError::internal("the working calendar has no working week: ensure_defaults did not run")
        })?;
    let rows = holidays::table.order((holidays::first_day, holidays::id)).select(HolidayRow::as_select()).load(conn)?;
    Ok((week, rows))
}

fn hours_of(start: i32, end: i32) -> Option<Hours> {
    Hours::new(time_of(start), time_of(end))
}

fn calendar_of(week: &WeekRow, rows: &[HolidayRow]) -> Result<Calendar, ApiError> {
    let hours = hours_of(week.day_start_minute, week.day_end_minute)
        .ok_or_else(|| ApiError::internal("the working day ends before it begins"))?;
    let ramadan = week.ramadan_start_minute.zip(week.ramadan_end_minute).and_then(|(s, e)| hours_of(s, e));
    let mut days_off = Vec::with_capacity(rows.len());
    for r in rows {
        days_off.push(DaysOff {
            kind: HolidayKind::from_wire(&r.kind).unwrap_or(HolidayKind::Other),
            year: r.year,
            first_day: stored_day(&r.first_day)?,
            last_day: stored_day(&r.last_day)?,
        });
    }
    Calendar::new(mask_days(week.working_days), hours, ramadan, days_off).map_err(ApiError::internal)
}

/// The clocks built so far, by calendar version: a few, for the databases this process serves (tests serve many).
static CLOCKS: Mutex<Vec<(String, Arc<BusinessClock>)>> = Mutex::new(Vec::new());
const CLOCKS_KEPT: usize = 16;

/// The business clock of the calendar as it is now: one read of its version, and a build only when it changed.
pub fn clock(conn: &mut DbConn) -> Result<Arc<BusinessClock>, ApiError> {
    let version = db::setting_get(conn, VERSION)?.unwrap_or_default();
    if let Some((_, clock)) =
        CLOCKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().find(|(v, _)| *v == version)
    {
        return Ok(clock.clone());
    }
    let (week, rows) = load_rows(conn)?;
    let calendar = calendar_of(&week, &rows)?;
    let first = calendar::from_hijri(calendar::HijriDate { year: FIRST_HIJRI_YEAR, month: 1, day: 1 })
        .unwrap_or(NaiveDate::MIN);
    let last = calendar::riyadh_date(utc(now())) + Duration::days(3 * 366);
    let clock = Arc::new(BusinessClock::new(calendar, first, last));
    let mut clocks = CLOCKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // Another request may have built the same version meanwhile: keep one.
    if let Some((_, built)) = clocks.iter().find(|(v, _)| *v == version) {
        return Ok(built.clone());
    }
    if clocks.len() >= CLOCKS_KEPT {
        clocks.remove(0);
    }
    clocks.push((version, clock.clone()));
    Ok(clock)
}

fn dual(day: NaiveDate) -> DualDate {
    DualDate { gregorian: day, hijri: calendar::to_hijri(day).map(|h| h.to_string()).unwrap_or_default() }
}

fn holiday_view(r: &HolidayRow) -> Result<Holiday, ApiError> {
    let (first, last) = (stored_day(&r.first_day)?, stored_day(&r.last_day)?);
    Ok(Holiday {
        id: r.id,
        kind: HolidayKind::from_wire(&r.kind).unwrap_or(HolidayKind::Other),
        year: r.year,
        name_ar: r.name_ar.clone(),
        name_en: r.name_en.clone(),
        first_day: dual(first),
        last_day: dual(last),
        days: (last - first).num_days() + 1,
    })
}

fn hours_view(start: i32, end: i32) -> WorkingHours {
    let text = |m: i32| time_of(m).format("%H:%M").to_string();
    WorkingHours { start: text(start), end: text(end) }
}

/// The working week and the holidays that touch the days `from` to `to` (Gregorian or Hijri `YYYY-MM-DD`; by
/// default the current Hijri year and the next). Any signed-in user.
pub fn get(
    conn: &mut DbConn,
    _actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<WorkingCalendar, ApiError> {
    let mut v = Validator::new();
    let mut day = |field: &str, text: Option<&str>| {
        let parsed = text.map(|t| calendar::parse_day(t).ok_or(t));
        match parsed {
            Some(Err(_)) => {
                v.add(field, "invalid", "must be a day as YYYY-MM-DD, Gregorian or Hijri");
                None
            }
            Some(Ok(day)) => Some(day),
            None => None,
        }
    };
    let (from, to) = (day("from", from), day("to", to));
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        v.add("to", "out_of_range", "must not be before `from`");
    }
    v.finish()?;
    let year = calendar::hijri_year_at(utc(now()));
    let hijri_start = |year| calendar::from_hijri(calendar::HijriDate { year, month: 1, day: 1 });
    let from = from.or_else(|| hijri_start(year)).unwrap_or(NaiveDate::MIN);
    let to = to.or_else(|| hijri_start(year + 2).map(|d| d - Duration::days(1))).unwrap_or(NaiveDate::MAX);
    let week: WeekRow = load_rows(conn)?.0;
    let rows: Vec<HolidayRow> = holidays::table
        .filter(holidays::last_day.ge(day_text(from)).and(holidays::first_day.le(day_text(to))))
        .order((holidays::first_day, holidays::id))
        .select(HolidayRow::as_select())
        .load(conn)?;
    Ok(WorkingCalendar {
        working_days: Weekday::ALL.iter().copied().filter(|d| week.working_days & bit(*d) != 0).collect(),
        hours: hours_view(week.day_start_minute, week.day_end_minute),
        ramadan_hours: week.ramadan_start_minute.zip(week.ramadan_end_minute).map(|(s, e)| hours_view(s, e)),
        holidays: rows.iter().map(holiday_view).collect::<Result<_, _>>()?,
        updated_at: utc(week.updated_at),
    })
}

/// `HH:MM`, 24-hour.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

fn parse_hours(v: &mut Validator, field: &str, hours: &WorkingHours) -> Option<Hours> {
    let (start, end) = (parse_time(&hours.start), parse_time(&hours.end));
    if start.is_none() {
        v.add(format!("{field}.start"), "invalid", "must be a time as HH:MM");
    }
    if end.is_none() {
        v.add(format!("{field}.end"), "invalid", "must be a time as HH:MM");
    }
    let parsed = Hours::new(start?, end?);
    if parsed.is_none() {
        v.add(format!("{field}.end"), "out_of_range", "must be after the start");
    }
    parsed
}

/// Set the working week and hours (administrators). Audited.
pub fn set_week(conn: &mut DbConn, actor: &Actor, req: &WorkingWeek) -> Result<WorkingCalendar, ApiError> {
    policy::ensure_admin(actor)?;
    let mut v = Validator::new();
    let mask = req.working_days.iter().fold(0, |m, d| m | bit(*d));
    if req.working_days.is_empty() {
        v.add("working_days", "required", "at least one working day");
    } else if mask.count_ones() as usize != req.working_days.len() {
        v.add("working_days", "duplicate", "each day at most once");
    }
    let hours = parse_hours(&mut v, "hours", &req.hours);
    let ramadan = req.ramadan_hours.as_ref().map(|h| parse_hours(&mut v, "ramadan_hours", h));
    v.finish()?;
    let (Some(hours), ramadan) = (hours, ramadan.flatten()) else {
        return Err(ApiError::internal("validated hours did not parse"));
    };
    let at = now();
    diesel::update(working_calendar::table.find(1))
        .set((
            working_calendar::working_days.eq(mask),
            working_calendar::day_start_minute.eq(minute(hours.start)),
            working_calendar::day_end_minute.eq(minute(hours.end)),
            working_calendar::ramadan_start_minute.eq(ramadan.map(|h| minute(h.start))),
            working_calendar::ramadan_end_minute.eq(ramadan.map(|h| minute(h.end))),
            working_calendar::updated_at.eq(at),
            working_calendar::updated_by.eq(actor.id()),
        ))
        .execute(conn)?;
    new_version(conn)?;
    audit::record(conn, &Who::of(actor), AuditAction::WorkingWeekChanged, Object::WorkingCalendar, json!(req))?;
    get(conn, actor, None, None)
}

fn validate_days(v: &mut Validator, first: &str, last: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (a, b) = (calendar::parse_day(first), calendar::parse_day(last));
    if a.is_none() {
        v.add("first_day", "invalid", "must be a day as YYYY-MM-DD, Gregorian or Hijri");
    }
    if b.is_none() {
        v.add("last_day", "invalid", "must be a day as YYYY-MM-DD, Gregorian or Hijri");
    }
    let (a, b) = (a?, b?);
    if b < a {
        v.add("last_day", "out_of_range", "must not be before the first day");
        return None;
    }
    if (b - a).num_days() + 1 > MAX_HOLIDAY_DAYS {
        v.add("last_day", "out_of_range", format!("a holiday lasts at most {MAX_HOLIDAY_DAYS} days"));
        return None;
    }
    if !(2000..=2200).contains(&a.year()) {
        v.add("first_day", "out_of_range", "must be between 2000 and 2200 (1420 and 1625 Hijri)");
        return None;
    }
    Some((a, b))
}

fn holiday_row(conn: &mut DbConn, id: i64) -> Result<HolidayRow, ApiError> {
    holidays::table
        .find(id)
        .select(HolidayRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::HolidayNotFound, format!("No holiday {id}.")))
}

/// Add a day off (administrators). Audited.
pub fn add_holiday(conn: &mut DbConn, actor: &Actor, req: &NewHoliday) -> Result<Holiday, ApiError> {
    policy::ensure_admin(actor)?;
    let mut v = Validator::new();
    v.text("name_ar", &req.name_ar, MAX_NAME);
    v.text("name_en", &req.name_en, MAX_NAME);
    let days = validate_days(&mut v, &req.first_day, &req.last_day);
    v.finish()?;
    let Some((first, last)) = days else { return Err(ApiError::internal("validated days did not parse")) };
    let id: i64 = diesel::insert_into(holidays::table)
        .values((
            holidays::kind.eq(HolidayKind::Other.as_str()),
            holidays::name_ar.eq(req.name_ar.trim()),
            holidays::name_en.eq(req.name_en.trim()),
            holidays::first_day.eq(day_text(first)),
            holidays::last_day.eq(day_text(last)),
            holidays::updated_at.eq(now()),
            holidays::updated_by.eq(actor.id()),
        ))
        .returning(holidays::id)
        .get_result(conn)?;
    new_version(conn)?;
    let row = holiday_row(conn, id)?;
    audit::record(conn, &Who::of(actor), AuditAction::HolidayAdded, Object::Holiday(id), json!(req))?;
    holiday_view(&row)
}

/// Rename or move a holiday, generated ones included (administrators). Audited.
pub fn change_holiday(conn: &mut DbConn, actor: &Actor, id: i64, req: &HolidayChange) -> Result<Holiday, ApiError> {
    policy::ensure_admin(actor)?;
    let row = holiday_row(conn, id)?;
    if *req == HolidayChange::default() {
        // Nothing asked: nothing written, no new version, no audit entry.
        return holiday_view(&row);
    }
    let mut v = Validator::new();
    if let Some(name) = &req.name_ar {
        v.text("name_ar", name, MAX_NAME);
    }
    if let Some(name) = &req.name_en {
        v.text("name_en", name, MAX_NAME);
    }
    let first = req.first_day.clone().unwrap_or_else(|| row.first_day.clone());
    let last = req.last_day.clone().unwrap_or_else(|| row.last_day.clone());
    let days = validate_days(&mut v, &first, &last);
    v.finish()?;
    let Some((first, last)) = days else { return Err(ApiError::internal("validated days did not parse")) };
    diesel::update(holidays::table.find(id))
        .set((
            holidays::name_ar.eq(req.name_ar.as_deref().map_or(row.name_ar.as_str(), str::trim)),
            holidays::name_en.eq(req.name_en.as_deref().map_or(row.name_en.as_str(), str::trim)),
            holidays::first_day.eq(day_text(first)),
            holidays::last_day.eq(day_text(last)),
            holidays::updated_at.eq(now()),
            holidays::updated_by.eq(actor.id()),
        ))
        .execute(conn)?;
    new_version(conn)?;
    let details = json!({"change": req, "was": {"first_day": row.first_day, "last_day": row.last_day}});
    audit::record(conn, &Who::of(actor), AuditAction::HolidayChanged, Object::Holiday(id), details)?;
    holiday_view(&holiday_row(conn, id)?)
}

/// Remove a day off an administrator added; a generated holiday can be moved, not removed (it would come back at
/// the next start). Audited.
pub fn remove_holiday(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<(), ApiError> {
    policy::ensure_admin(actor)?;
    let row = holiday_row(conn, id)?;
    if row.kind != HolidayKind::Other.as_str() {
        return Err(ApiError::conflict(
            ErrorCode::HolidayGenerated,
            "A generated holiday can be moved to another day, not removed.",
        ));
    }
    diesel::delete(holidays::table.find(id)).execute(conn)?;
    new_version(conn)?;
    let details = json!({"name_en": row.name_en, "first_day": row.first_day, "last_day": row.last_day});
    audit::record(conn, &Who::of(actor), AuditAction::HolidayRemoved, Object::Holiday(id), details)
}
