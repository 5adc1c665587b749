//! Registration numbers: which registry numbers what a unit registers, and taking numbers from its counter for the
//! current Hijri year, unique and gapless.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared_types::UnitKind;

use super::utc;
use crate::calendar;
use crate::columns::AsText;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::models::UnitRow;
use crate::schema::units;

/// The registry that numbers what a unit registers: the nearest unit at or above it that runs one, else the
/// central registry.
pub fn registry_of(conn: &mut DbConn, unit: &UnitRow) -> Result<UnitRow, ApiError> {
    let chain: Vec<UnitRow> = units::table
        .filter(units::id.eq_any(path_ids(unit)))
        .filter(units::registry_code.is_not_null())
        .select(UnitRow::as_select())
        .load(conn)?;
    registry_among(conn, unit, &chain)
}

/// The registry that numbers what `unit` registers, found among `units` (which hold at least every unit on its path
/// that runs a registry), else the central registry.
pub(super) fn registry_among(conn: &mut DbConn, unit: &UnitRow, units: &[UnitRow]) -> Result<UnitRow, ApiError> {
    match nearest_registry(unit, units) {
        Some(registry) => Ok(registry.clone()),
        None => central_registry(conn, unit),
    }
}

/// The ids of a unit and every unit above it.
pub(super) fn path_ids(unit: &UnitRow) -> Vec<i64> {
    unit.path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// Of the units given, the deepest on `unit`'s path that runs a registry.
fn nearest_registry<'u>(unit: &UnitRow, units: &'u [UnitRow]) -> Option<&'u UnitRow> {
    let path = path_ids(unit);
    units.iter().filter(|u| u.registry_code.is_some() && path.contains(&u.id)).max_by_key(|u| u.path.len())
}

/// Units with no registry of their own above them register through the central registry.
fn central_registry(conn: &mut DbConn, unit: &UnitRow) -> Result<UnitRow, ApiError> {
    units::table
        .filter(units::kind.eq(AsText(UnitKind::CentralRegistry)))
        .order(units::id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("unit {} has no registry and there is no central registry", unit.id)))
}

/// A registration number taken from a registry's counter.
pub struct Number {
    pub hijri_year: i32,
    pub sequence: i64,
    pub text: String,
}

/// The next numbers of the registries for the current Hijri year: one per entry, in order (`None` for an entry
/// with no registry). Each registry's counter is bumped once, by its count, in registry order, so that concurrent
/// writers lock counters in the same order. The counter row stays locked until commit and rolls back with it:
/// numbers are unique and gapless.
pub fn take_numbers(
    conn: &mut DbConn,
    registries: &[Option<&UnitRow>],
    at: NaiveDateTime,
) -> Result<Vec<Option<Number>>, ApiError> {
    let year = calendar::hijri_year_at(utc(at));
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for registry in registries.iter().flatten() {
        *counts.entry(registry.id).or_default() += 1;
    }
    let mut next: HashMap<i64, i64> = HashMap::with_capacity(counts.len());
    for (&registry, &count) in &counts {
        let last = db::take_sequences(conn, registry, year, count)?;
        next.insert(registry, last - count + 1);
    }
    Ok(registries
        .iter()
        .map(|registry| {
            let registry = (*registry)?;
            let sequence = next.get_mut(&registry.id)?;
            let taken = *sequence;
            *sequence += 1;
            let prefix =
                if registry.kind == UnitKind::CentralRegistry { None } else { registry.registry_code.as_deref() };
            Some(Number {
                hijri_year: year,
                sequence: taken,
                text: calendar::format_registration_number(prefix, year, taken),
            })
        })
        .collect())
}
