//! Reports (`GET /api/v1/reports/{name}`): figures over the transactions the caller may see, by period and unit
//! subtree — volumes, open and overdue work, processing and dwell times, ageing and bottlenecks. Every report has the
//! same shape, a table: the measures it gives, and one row per key (a kind, a unit, a person, a Hijri month, an age
//! bucket) with one value per measure. The same table downloads as CSV or XLSX.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::org::{UnitRef, UserRef};
use crate::transactions::TransactionKind;
use crate::wire::wire_enum;

wire_enum! {
    /// Which report.
    ReportName {
        /// Transactions registered in the period, by kind: how many, and how many are open, closed, overdue now.
        VolumeByKind = "volume_by_kind",
        /// Per unit: the transactions referred to it in the period, and the referrals.
        VolumeByUnit = "volume_by_unit",
        /// Transactions registered per Hijri (Umm al-Qura) month, Riyadh time.
        VolumeByMonth = "volume_by_month",
        /// Per unit: the referrals for action it holds now, and how many of them are overdue.
        OpenByUnit = "open_by_unit",
        /// Per unit: referrals for action completed, and the time each took from sent to completed — average,
        /// median and 90th percentile (nearest rank).
        ProcessingByUnit = "processing_by_unit",
        /// Per person: the referrals for action they held, open now, and their dwell time (sent to completed, or to
        /// now while open) — total, average and longest; the slowest holders (highest average) first.
        DwellByHolder = "dwell_by_holder",
        /// Open transactions by age since registration in whole Riyadh days: up to 2 days, 7, 30, 90, and older.
        Ageing = "ageing",
        /// Where transactions wait longest: per unit, the open referrals for action and how long they have waited
        /// so far — total, average, longest; the longest total wait first.
        Bottlenecks = "bottlenecks",
    }
}

wire_enum! {
    /// What a report's answer is: the JSON table, or the same table as a file to download.
    ReportFormat {
        Json = "json",
        /// UTF-8 with a byte-order mark, comma-separated, headings in `lang`.
        Csv = "csv",
        /// An Excel workbook of one sheet (right-to-left in Arabic), headings in `lang`.
        Xlsx = "xlsx",
    }
}

wire_enum! {
    /// The language of a downloaded report's headings and names.
    ReportLanguage {
        Ar = "ar",
        En = "en",
    }
}

wire_enum! {
    /// A column of a report. Durations are wall-clock seconds.
    Measure {
        Transactions = "transactions",
        Referrals = "referrals",
        Open = "open",
        Closed = "closed",
        Overdue = "overdue",
        TotalSeconds = "total_seconds",
        AverageSeconds = "average_seconds",
        MedianSeconds = "median_seconds",
        P90Seconds = "p90_seconds",
        /// The longest wait of work still open (referrals for action not yet completed), until now.
        MaxSeconds = "max_seconds",
    }
}

impl Measure {
    /// Whether the values are durations in seconds (rather than counts).
    pub fn is_duration(self) -> bool {
        matches!(
            self,
            Measure::TotalSeconds
                | Measure::AverageSeconds
                | Measure::MedianSeconds
                | Measure::P90Seconds
                | Measure::MaxSeconds
        )
    }
}

wire_enum! {
    /// How long an open transaction has been open: the whole Riyadh days from its registration day to today
    /// (registered today: 0). (Each variant names its wire form:
    /// serde's snake_case would not put an underscore before a digit.)
    AgeBucket {
        #[serde(rename = "up_to_2_days")]
        UpTo2Days = "up_to_2_days",
        #[serde(rename = "up_to_7_days")]
        UpTo7Days = "up_to_7_days",
        #[serde(rename = "up_to_30_days")]
        UpTo30Days = "up_to_30_days",
        #[serde(rename = "up_to_90_days")]
        UpTo90Days = "up_to_90_days",
        #[serde(rename = "over_90_days")]
        Over90Days = "over_90_days",
    }
}

/// The period and scope of a report, and the form of its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// From this day (Riyadh time), `YYYY-MM-DD`: Gregorian, or Hijri (Umm al-Qura) when the year is before 1700.
    /// Transaction reports count transactions registered from it; unit and person reports, referrals sent from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub from: Option<String>,
    /// To this day, included; same forms as `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub to: Option<String>,
    /// Only this unit: transactions that were referred to it, or created or registered there; referrals to it.
    /// A unit that does not exist has nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    /// With `unit_id`: its sub-units too, to any depth (the default); `false` for the unit alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtree: Option<bool>,
    /// `json` (the default), `csv` or `xlsx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ReportFormat>,
    /// The language of a download's headings and names: `ar` (the default) or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<ReportLanguage>,
}

impl ReportQuery {
    /// The query as `name=value` pairs, in a fixed order (for building a URL).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut add = |name, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((name, v));
            }
        };
        add("from", self.from.clone());
        add("to", self.to.clone());
        add("unit_id", self.unit_id.map(|v| v.to_string()));
        add("subtree", self.subtree.map(|v| v.to_string()));
        add("format", self.format.map(|v| v.as_str().to_string()));
        add("lang", self.lang.map(|v| v.as_str().to_string()));
        pairs
    }
}

/// What a row of a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReportKey {
    Kind {
        kind: TransactionKind,
    },
    Unit {
        unit: UnitRef,
    },
    /// A person, with the unit they belong to.
    Holder {
        user: UserRef,
        unit: UnitRef,
    },
    /// A Hijri (Umm al-Qura) month, and its first and last days in the Gregorian calendar.
    Month {
        year: i32,
        /// 1–12.
        month: u8,
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
    Age {
        bucket: AgeBucket,
    },
}

/// One row of a report: its key, and one value per measure, in the order of the report's `measures`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub key: ReportKey,
    pub values: Vec<i64>,
}

/// A report: what it covers, its measures, and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub name: ReportName,
    /// The first day of the period (Gregorian), when one was given.
    pub from: Option<NaiveDate>,
    /// The last day of the period (Gregorian), included, when one was given.
    pub to: Option<NaiveDate>,
    /// The unit the report is limited to, if any.
    pub unit: Option<UnitRef>,
    /// Whether the unit's sub-units are included.
    pub subtree: bool,
    pub generated_at: DateTime<Utc>,
    pub measures: Vec<Measure>,
    pub rows: Vec<ReportRow>,
}

impl Report {
    /// The value of a measure in a row, if the report has that measure.
    pub fn value(&self, row: &ReportRow, measure: Measure) -> Option<i64> {
        self.measures.iter().position(|m| *m == measure).and_then(|i| row.values.get(i).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::WireEnum;

    fn serde_form_is_the_wire_form<T: WireEnum + Serialize + serde::de::DeserializeOwned>() {
        for value in T::ALL {
            let json = serde_json::to_value(value).unwrap_or_default();
            assert_eq!(json, serde_json::Value::from(value.as_str()), "{value:?}");
            assert_eq!(serde_json::from_value::<T>(json).ok(), Some(*value));
        }
    }

    #[test]
    fn every_value_reads_and_writes_its_wire_form() {
        serde_form_is_the_wire_form::<ReportName>();
        serde_form_is_the_wire_form::<ReportFormat>();
        serde_form_is_the_wire_form::<ReportLanguage>();
        serde_form_is_the_wire_form::<Measure>();
        serde_form_is_the_wire_form::<AgeBucket>();
    }
}
