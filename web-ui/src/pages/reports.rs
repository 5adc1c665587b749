//! Reports and dashboards (`/office/reports`): pick a report, a period (Hijri or Gregorian days) and a unit with or
//! without its sub-units; the figures show as a bar chart drawn in SVG (right-to-left in Arabic, the user's digits,
//! printable) and as a table, and download as CSV or XLSX. The choice lives in the page's address, so a report can be
//! bookmarked and shared. Every figure is counted by the server within the caller's access rules.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared_types::{
    Measure, Report, ReportFormat, ReportKey, ReportLanguage, ReportName, ReportQuery, ReportRow, Unit,
};

use crate::api::{self, ApiError};
use crate::components::{ProblemMessage, unit_name, user_name};
use crate::i18n::{I18n, Lang, use_i18n};

fn wire_key(prefix: &str, wire: &str) -> String {
    format!("{prefix}-{}", wire.replace('_', "-"))
}

/// The name of a row's key in the user's language.
fn key_label(i18n: I18n, key: &ReportKey) -> String {
    let lang = i18n.lang.get();
    match key {
        ReportKey::Kind { kind } => i18n.t(&wire_key("transaction-kind", kind.as_str())),
        ReportKey::Unit { unit } => unit_name(lang, unit),
        ReportKey::Holder { user, unit } => format!("{} — {}", user_name(lang, user), unit_name(lang, unit)),
        ReportKey::Month { first_day, .. } => i18n.hijri_month(*first_day),
        ReportKey::Age { bucket } => i18n.t(&wire_key("report-age", bucket.as_str())),
    }
}

fn shown(i18n: I18n, measure: Measure, value: i64) -> String {
    if measure.is_duration() { i18n.duration(value) } else { i18n.number(value) }
}

/// The measure the chart draws: the first count, or for duration reports the average.
fn charted(report: &Report) -> usize {
    report.measures.iter().position(|m| *m == Measure::AverageSeconds).unwrap_or(0)
}

/// The most bars a chart draws (the table lists every row).
const MAX_BARS: usize = 30;

/// A horizontal bar chart of one measure, as SVG: bars grow from the start edge (the right in Arabic).
#[component]
fn BarChart(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let column = charted(&report);
    let measure = report.measures[column];
    let rows: Vec<ReportRow> = report.rows.iter().take(MAX_BARS).cloned().collect();
    let max = rows.iter().filter_map(|r| r.values.get(column)).copied().max().unwrap_or(0).max(1);
    let (width, label_width, bar_height, gap) = (720.0_f64, 250.0_f64, 22.0_f64, 8.0_f64);
    let value_width = 110.0;
    let span = width - label_width - value_width;
    let height = rows.len() as f64 * (bar_height + gap) + gap;
    move || {
        let rtl = i18n.lang.get() == Lang::Ar;
        let bars = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let value = row.values.get(column).copied().unwrap_or(0);
                let length = (value as f64 / max as f64 * span).max(if value > 0 { 2.0 } else { 0.0 });
                let y = gap + i as f64 * (bar_height + gap);
                let middle = y + bar_height / 2.0 + 5.0;
                // Left to right: label, bar, value; mirrored in Arabic. Text anchors are `start` in both: the
                // direction the page inherits (rtl in Arabic) makes `start` the right end of the text there.
                let (label_x, bar_x, value_x) = if rtl {
                    (width - 4.0, width - label_width - length, width - label_width - length - 6.0)
                } else {
                    (4.0, label_width, label_width + length + 6.0)
                };
                let label = key_label(i18n, &row.key);
                view! {
                    <g class="bar">
                        <title>{format!("{label}: {}", shown(i18n, measure, value))}</title>
                        <text x=label_x y=middle text-anchor="start" class="bar-label">{label.clone()}</text>
                        <rect x=bar_x y=y width=length height=bar_height rx="3" />
                        <text x=value_x y=middle text-anchor="start" class="bar-value">{shown(i18n, measure, value)}</text>
                    </g>
                }
            })
            .collect_view();
        view! {
            <figure class="report-chart">
                <svg role="img" viewBox=format!("0 0 {width} {height}") width="100%" preserveAspectRatio="xMidYMin meet"
                    aria-label=move || i18n.t(&wire_key("report-measure", measure.as_str()))>
                    {bars}
                </svg>
                <figcaption>{move || i18n.t(&wire_key("report-measure", measure.as_str()))}</figcaption>
            </figure>
        }
    }
}

/// The report as a table: its key and every measure.
#[component]
fn ReportTable(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let measures = report.measures.clone();
    let heading = move || i18n.t(&wire_key("report-key", key_kind(report.name)));
    view! {
        <table class="report-table">
            <thead>
                <tr>
                    <th scope="col">{heading}</th>
                    {measures.iter().map(|m| {
                        let m = *m;
                        view! { <th scope="col">{move || i18n.t(&wire_key("report-measure", m.as_str()))}</th> }
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {report.rows.iter().map(|row| {
                    let row = row.clone();
                    let measures = measures.clone();
                    let key = row.key.clone();
                    view! {
                        <tr>
                            <th scope="row">{move || key_label(i18n, &key)}</th>
                            {measures.into_iter().zip(row.values).map(|(m, v)| view! {
                                <td class="number">{move || shown(i18n, m, v)}</td>
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What a report's rows are about, as the wire form of its key (for the table's first heading).
fn key_kind(name: ReportName) -> &'static str {
    match name {
        ReportName::VolumeByKind => "kind",
        ReportName::VolumeByMonth => "month",
        ReportName::DwellByHolder => "holder",
        ReportName::Ageing => "age",
        ReportName::VolumeByUnit | ReportName::OpenByUnit | ReportName::ProcessingByUnit | ReportName::Bottlenecks => {
            "unit"
        }
    }
}

fn blank(v: String) -> Option<String> {
    (!v.trim().is_empty()).then_some(v.trim().to_string())
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let params = use_query_map();
    let name = Memo::new(move |_| {
        params.with(|p| p.get("name").and_then(|n| n.parse::<ReportName>().ok())).unwrap_or(ReportName::VolumeByKind)
    });
    let query = Memo::new(move |_| {
        params.with(|p| ReportQuery {
            from: p.get("from").and_then(blank),
            to: p.get("to").and_then(blank),
            unit_id: p.get("unit_id").and_then(|v| v.parse().ok()),
            subtree: p.get("subtree").and_then(|v| v.parse().ok()),
            format: None,
            lang: None,
        })
    });
    let units = LocalResource::new(|| async { api::units().await.unwrap_or_default() });
    let report = LocalResource::new(move || {
        let (name, query) = (name.get(), query.get());
        async move { api::report(name, &query).await }
    });
    let (error, set_error) = signal(None::<ApiError>);

    // The form's fields, filled from the address.
    let chosen = RwSignal::new(ReportName::VolumeByKind);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let subtree = RwSignal::new(true);
    Effect::new(move |_| {
        let q = query.get();
        chosen.set(name.get());
        from.set(q.from.unwrap_or_default());
        to.set(q.to.unwrap_or_default());
        unit.set(q.unit_id.map(|u| u.to_string()).unwrap_or_default());
        subtree.set(q.subtree.unwrap_or(true));
    });
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = ReportQuery {
            from: blank(from.get_untracked()),
            to: blank(to.get_untracked()),
            unit_id: unit.get_untracked().parse().ok(),
            subtree: (!subtree.get_untracked()).then_some(false),
            format: None,
            lang: None,
        };
        let pairs = api::report_path(chosen.get_untracked(), &q);
        let (_, pairs) = pairs.split_once('?').unwrap_or_default();
        let sep = if pairs.is_empty() { "" } else { "&" };
        navigate(
            &format!("/office/reports?name={}{sep}{pairs}", chosen.get_untracked().as_str()),
            NavigateOptions::default(),
        );
    };
    let download = move |format: ReportFormat| {
        let (name, mut q) = (name.get_untracked(), query.get_untracked());
        q.format = Some(format);
        q.lang = Some(if i18n.lang.get_untracked() == Lang::Ar { ReportLanguage::Ar } else { ReportLanguage::En });
        let file = format!("{}.{}", name.as_str().replace('_', "-"), format.as_str());
        leptos::task::spawn_local(async move {
            set_error.set(api::download_report(name, &q, &file).await.err());
        });
    };
    let unit_options = move || {
        let lang = i18n.lang.get();
        let all: Vec<Unit> = units.get().unwrap_or_default();
        super::admin::with_depth(&all)
            .into_iter()
            .map(|(depth, u)| {
                let id = u.id.to_string();
                let name = if lang == Lang::En && !u.name_en.is_empty() { u.name_en } else { u.name_ar };
                let selected = {
                    let id = id.clone();
                    move || unit.get() == id
                };
                view! { <option value=id selected=selected>{format!("{}{name}", "\u{a0}\u{a0}".repeat(depth))}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="reports">
            <h1>{i18n.tr("reports-title")}</h1>
            <form class="report-form" on:submit=show>
                <label>{i18n.tr("report-choose")}
                    <select id="report-name" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse() { chosen.set(n) }
                    }>
                        {ReportName::ALL.iter().map(|n| {
                            let n = *n;
                            view! { <option value=n.as_str() selected=move || chosen.get() == n>
                                {move || i18n.t(&wire_key("report-name", n.as_str()))}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{i18n.tr("report-from")}
                    <input id="report-from" dir="ltr" inputmode="numeric" placeholder=move || i18n.t("search-date-hint")
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>{i18n.tr("report-to")}
                    <input id="report-to" dir="ltr" inputmode="numeric" placeholder=move || i18n.t("search-date-hint")
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <label>{i18n.tr("report-unit")}
                    <select id="report-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                        <option value="" selected=move || unit.get().is_empty()>{i18n.tr("report-all-units")}</option>
                        {unit_options}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" id="report-subtree" prop:checked=move || subtree.get()
                        on:change=move |ev| subtree.set(event_target_checked(&ev)) />
                    {i18n.tr("report-subtree")}
                </label>
                <button type="submit" id="report-show">{i18n.tr("report-show")}</button>
            </form>
            <ProblemMessage error=error />
            <Suspense fallback=move || view! { <p class="loading">{i18n.tr("loading")}</p> }>
                {move || report.get().map(|answer| match answer {
                    Err(e) => view! { <p class="error" role="alert">{e.code().map(|c| i18n.error(c)).unwrap_or_else(|| i18n.t("error-network"))}</p> }.into_any(),
                    Ok(r) => {
                        let title = i18n.t(&wire_key("report-name", r.name.as_str()));
                        let period = match (r.from, r.to) {
                            (None, None) => i18n.t("report-all-time"),
                            (f, t) => format!("{} – {}", f.map(|d| d.to_string()).unwrap_or_default(), t.map(|d| d.to_string()).unwrap_or_default()),
                        };
                        let scope = r.unit.as_ref().map(|u| unit_name(i18n.lang.get(), u)).unwrap_or_else(|| i18n.t("report-all-units"));
                        let empty = r.rows.is_empty();
                        let name = r.name.as_str();
                        view! {
                            <article class="report" id="report" data-name=name>
                                <header class="report-head">
                                    <h2>{title}</h2>
                                    <p class="report-scope">{scope} " · " <span dir="ltr">{period}</span></p>
                                    <div class="report-downloads">
                                        <button type="button" class="secondary" id="report-csv" on:click=move |_| download(ReportFormat::Csv)>{i18n.tr("report-csv")}</button>
                                        <button type="button" class="secondary" id="report-xlsx" on:click=move |_| download(ReportFormat::Xlsx)>{i18n.tr("report-xlsx")}</button>
                                    </div>
                                </header>
                                {if empty {
                                    view! { <p class="empty">{i18n.tr("report-empty")}</p> }.into_any()
                                } else {
                                    view! { <BarChart report=r.clone() /> <ReportTable report=r /> }.into_any()
                                }}
                            </article>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
