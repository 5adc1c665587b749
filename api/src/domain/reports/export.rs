//! A report as a file: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Arabic) or XLSX (one sheet,
//! right-to-left in Arabic), with headings and names in the language asked for. Counts stay whole numbers; durations
//! become hours with two decimals, which people read (the JSON answer keeps exact seconds).
//!
//! Names come from the directory and are typed by people, so no cell ever becomes a formula: XLSX cells are written
//! as strings, and a CSV cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return
//! first) is prefixed with an apostrophe.

use rust_xlsxwriter::{Format, Workbook};
use shared_types::{AgeBucket, Measure, Report, ReportFormat, ReportKey, ReportLanguage, ReportName, TransactionKind};

use crate::error::ApiError;

/// A report written as a file.
pub struct Download {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub file_name: String,
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

enum Cell {
    Text(String),
    Count(i64),
    Hours(f64),
}

fn pick(lang: ReportLanguage, ar: &'static str, en: &'static str) -> &'static str {
    match lang {
        ReportLanguage::Ar => ar,
        ReportLanguage::En => en,
    }
}

/// The report's title, which is also the sheet's name (at most 31 characters).
pub fn title(name: ReportName, lang: ReportLanguage) -> &'static str {
    match name {
        ReportName::VolumeByKind => pick(lang, "المعاملات حسب النوع", "Transactions by kind"),
        ReportName::VolumeByUnit => pick(lang, "المعاملات حسب الوحدة", "Transactions by unit"),
        ReportName::VolumeByMonth => pick(lang, "المعاملات حسب الشهر الهجري", "Transactions by Hijri month"),
        ReportName::OpenByUnit => pick(lang, "المفتوح والمتأخر حسب الوحدة", "Open and overdue by unit"),
        ReportName::ProcessingByUnit => pick(lang, "مدة الإنجاز حسب الوحدة", "Processing time by unit"),
        ReportName::DwellByHolder => pick(lang, "مدة البقاء حسب الموظف", "Dwell time by person"),
        ReportName::Ageing => pick(lang, "أعمار المعاملات المفتوحة", "Ageing of open transactions"),
        ReportName::Bottlenecks => pick(lang, "نقاط الاختناق", "Bottlenecks"),
    }
}

fn key_headings(name: ReportName, lang: ReportLanguage) -> Vec<&'static str> {
    match name {
        ReportName::VolumeByKind => vec![pick(lang, "النوع", "Kind")],
        ReportName::VolumeByMonth => {
            vec![pick(lang, "الشهر الهجري", "Hijri month"), pick(lang, "من", "From"), pick(lang, "إلى", "To")]
        }
        ReportName::DwellByHolder => {
            vec![pick(lang, "اسم المستخدم", "Username"), pick(lang, "الموظف", "Person"), pick(lang, "الوحدة", "Unit")]
        }
        ReportName::Ageing => vec![pick(lang, "العمر", "Age")],
        ReportName::VolumeByUnit | ReportName::OpenByUnit | ReportName::ProcessingByUnit | ReportName::Bottlenecks => {
            vec![pick(lang, "رمز الوحدة", "Unit code"), pick(lang, "الوحدة", "Unit")]
        }
    }
}

pub fn measure_heading(measure: Measure, lang: ReportLanguage) -> &'static str {
    match measure {
        Measure::Transactions => pick(lang, "المعاملات", "Transactions"),
        Measure::Referrals => pick(lang, "الإحالات", "Referrals"),
        Measure::Open => pick(lang, "مفتوحة", "Open"),
        Measure::Closed => pick(lang, "مغلقة", "Closed"),
        Measure::Overdue => pick(lang, "متأخرة", "Overdue"),
        Measure::TotalSeconds => pick(lang, "إجمالي المدة (ساعات)", "Total time (hours)"),
        Measure::AverageSeconds => pick(lang, "متوسط المدة (ساعات)", "Average (hours)"),
        Measure::MedianSeconds => pick(lang, "الوسيط (ساعات)", "Median (hours)"),
        Measure::P90Seconds => pick(lang, "المئين التسعون (ساعات)", "90th percentile (hours)"),
        Measure::MaxSeconds => pick(lang, "أطول انتظار قائم (ساعات)", "Longest open wait (hours)"),
    }
}

fn kind_name(kind: TransactionKind, lang: ReportLanguage) -> &'static str {
    match kind {
        TransactionKind::Incoming => pick(lang, "وارد", "Incoming"),
        TransactionKind::Outgoing => pick(lang, "صادر", "Outgoing"),
        TransactionKind::Internal => pick(lang, "داخلي", "Internal"),
    }
}

fn bucket_name(bucket: AgeBucket, lang: ReportLanguage) -> &'static str {
    match bucket {
        AgeBucket::UpTo2Days => pick(lang, "حتى يومين", "Up to 2 days"),
        AgeBucket::UpTo7Days => pick(lang, "من 3 إلى 7 أيام", "3 to 7 days"),
        AgeBucket::UpTo30Days => pick(lang, "من 8 إلى 30 يومًا", "8 to 30 days"),
        AgeBucket::UpTo90Days => pick(lang, "من 31 إلى 90 يومًا", "31 to 90 days"),
        AgeBucket::Over90Days => pick(lang, "أكثر من 90 يومًا", "Over 90 days"),
    }
}

fn name<'a>(lang: ReportLanguage, ar: &'a str, en: &'a str) -> String {
    let chosen = match lang {
        ReportLanguage::Ar => ar,
        ReportLanguage::En => en,
    };
    if chosen.is_empty() { ar.to_string() } else { chosen.to_string() }
}

fn key_cells(key: &ReportKey, lang: ReportLanguage) -> Vec<Cell> {
    match key {
        ReportKey::Kind { kind } => vec![Cell::Text(kind_name(*kind, lang).into())],
        ReportKey::Unit { unit } => {
            vec![Cell::Text(unit.code.clone()), Cell::Text(name(lang, &unit.name_ar, &unit.name_en))]
        }
        ReportKey::Holder { user, unit } => vec![
            Cell::Text(user.username.clone()),
            Cell::Text(name(lang, &user.full_name_ar, &user.full_name_en)),
            Cell::Text(name(lang, &unit.name_ar, &unit.name_en)),
        ],
        ReportKey::Month { year, month, first_day, last_day } => vec![
            Cell::Text(super::month_label(*year, *month)),
            Cell::Text(first_day.to_string()),
            Cell::Text(last_day.to_string()),
        ],
        ReportKey::Age { bucket } => vec![Cell::Text(bucket_name(*bucket, lang).into())],
    }
}

/// The headings and the rows of cells.
fn table(report: &Report, lang: ReportLanguage) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let mut headings = key_headings(report.name, lang);
    headings.extend(report.measures.iter().map(|m| measure_heading(*m, lang)));
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let mut cells = key_cells(&row.key, lang);
            for (measure, value) in report.measures.iter().zip(&row.values) {
                cells.push(if measure.is_duration() {
                    Cell::Hours((*value as f64 / 36.0).round() / 100.0)
                } else {
                    Cell::Count(*value)
                });
            }
            cells
        })
        .collect();
    (headings, rows)
}

/// A text cell as a spreadsheet will not read it as a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

fn csv(report: &Report, lang: ReportLanguage) -> Result<Vec<u8>, ApiError> {
    let (headings, rows) = table(report, lang);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&headings).map_err(ApiError::internal)?;
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| match c {
                Cell::Text(t) => inert(&t),
                Cell::Count(n) => n.to_string(),
                Cell::Hours(h) => format!("{h:.2}"),
            })
            .collect();
        out.write_record(&cells).map_err(ApiError::internal)?;
    }
    out.into_inner().map_err(|e| ApiError::internal(e.to_string()))
}

fn xlsx(report: &Report, lang: ReportLanguage) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let (headings, rows) = table(report, lang);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(title(report.name, lang))?;
    if lang == ReportLanguage::Ar {
        sheet.set_right_to_left(true);
    }
    let bold = Format::new().set_bold();
    let hours = Format::new().set_num_format("0.00");
    for (col, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *heading, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(t) => sheet.write_string(r, col, t)?,
                Cell::Count(n) => sheet.write_number(r, col, *n as f64)?,
                Cell::Hours(h) => sheet.write_number_with_format(r, col, *h, &hours)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// The report as a file of the format asked for (`json` is not a file: the route answers it itself).
pub fn download(report: &Report, format: ReportFormat, lang: ReportLanguage) -> Result<Download, ApiError> {
    let day = report.generated_at.format("%Y-%m-%d");
    let stem = format!("{}-{day}", report.name.as_str().replace('_', "-"));
    match format {
        ReportFormat::Xlsx => Ok(Download {
            bytes: xlsx(report, lang).map_err(ApiError::internal)?,
            media_type: XLSX,
            file_name: format!("{stem}.xlsx"),
        }),
        ReportFormat::Csv | ReportFormat::Json => {
            Ok(Download { bytes: csv(report, lang)?, media_type: CSV, file_name: format!("{stem}.csv") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_inert_in_csv() {
        assert_eq!(inert("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(inert("+966"), "'+966");
        assert_eq!(inert("-1"), "'-1");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("بلدية الخبر"), "بلدية الخبر");
    }

    #[test]
    fn every_title_fits_a_sheet_name() {
        for name in ReportName::ALL {
            for lang in ReportLanguage::ALL {
                let t = title(*name, *lang);
                assert!(t.chars().count() <= 31, "{t}");
                assert!(!t.contains(['[', ']', ':', '*', '?', '/', '\\']), "{t}");
            }
        }
    }
}
