//! The working calendar: the working week and hours (and Ramadan's), and the holidays of a Hijri year, within which
//! business time — dwell, deadlines, escalation — is counted. Everyone reads it; administrators change the week,
//! move a holiday to the announced days, and add or remove days off.

use leptos::prelude::*;
use shared_types::{
    FieldError, Holiday, HolidayChange, NewHoliday, Role, Weekday, WorkingCalendar, WorkingHours, WorkingWeek,
};

use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{ProblemMessage, invalid};
use crate::i18n::{I18n, Lang, use_i18n};

/// The Hijri year of today, by the browser's clock and Umm al-Qura.
fn this_hijri_year() -> i32 {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"calendar".into(), &"islamic-umalqura".into());
    let _ = js_sys::Reflect::set(&options, &"year".into(), &"numeric".into());
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"Asia/Riyadh".into());
    let locales = js_sys::Array::of1(&"en-u-nu-latn".into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let text =
        format.format().call1(&wasm_bindgen::JsValue::NULL, &js_sys::Date::new_0()).ok().and_then(|v| v.as_string());
    text.and_then(|t| t.chars().filter(char::is_ascii_digit).collect::<String>().parse().ok()).unwrap_or(1448)
}

/// A day of the calendar in both calendars, as the rest of the app shows dates.
fn day(i18n: I18n, d: &shared_types::DualDate) -> String {
    let noon = d.gregorian.and_hms_opt(9, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
    i18n.date(&noon)
}

fn holiday_name(lang: Lang, h: &Holiday) -> String {
    if lang == Lang::Ar { h.name_ar.clone() } else { h.name_en.clone() }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let admin = session.has(Role::Admin);
    let this_year = this_hijri_year();
    let year = RwSignal::new(this_year);
    // The week and the year's holidays load apart: paging through years or changing a holiday keeps the week's
    // form, and what was typed in it, as it is.
    let week_version = RwSignal::new(0_u32);
    let holidays_version = RwSignal::new(0_u32);
    let week = LocalResource::new(move || {
        week_version.track();
        api::calendar(this_year)
    });
    let holidays = LocalResource::new(move || {
        holidays_version.track();
        api::calendar(year.get())
    });
    let (error, set_error) = signal(None::<ApiError>);
    let week_done = Callback::new(move |()| week_version.update(|v| *v += 1));
    let holidays_done = Callback::new(move |()| holidays_version.update(|v| *v += 1));
    // Outside the part reloaded after a change, so that "saved" outlives the reload it causes.
    let week_saved = RwSignal::new(false);
    let failed = move |e: ApiError, retry: Callback<()>| {
        let (error, _) = signal(Some(e));
        view! { <ProblemMessage error=error retry=retry /> }.into_any()
    };
    let loading = move || view! { <p class="loading" role="status">{i18n.tr("loading")}</p> };
    view! {
        <h1>{i18n.tr("calendar-title")}</h1>
        <p class="hint">{i18n.tr("calendar-hint")}</p>
        <ProblemMessage error=error />
        <Transition fallback=loading>
            {move || week.get().map(|result| match result {
                Ok(c) => view! { <WeekForm calendar=c admin=admin saved=week_saved set_error=set_error done=week_done /> }.into_any(),
                Err(e) => failed(e, week_done),
            })}
        </Transition>
        <section class="calendar-section" aria-labelledby="holidays-title">
            <h2 id="holidays-title">{i18n.tr("calendar-holidays")}</h2>
            <div class="year-picker">
                <button type="button" class="secondary" id="year-previous" on:click=move |_| year.update(|y| *y -= 1)>{i18n.tr("calendar-previous-year")}</button>
                <span id="calendar-year">{move || i18n.ta("calendar-hijri-year", &[("year", year.get().to_string().into())])}</span>
                <button type="button" class="secondary" id="year-next" on:click=move |_| year.update(|y| *y += 1)>{i18n.tr("calendar-next-year")}</button>
            </div>
            <Transition fallback=loading>
                {move || {
                    // Names, kinds, lengths and dates are written in the language of the moment: follow it.
                    i18n.lang.track();
                    holidays.get().map(|result| match result {
                        Ok(c) => view! { <HolidayTable holidays=c.holidays admin=admin set_error=set_error done=holidays_done /> }.into_any(),
                        Err(e) => failed(e, holidays_done),
                    })
                }}
            </Transition>
            <Show when=move || admin>
                <NewHolidayForm set_error=set_error done=holidays_done />
            </Show>
        </section>
    }
}

fn hours_inputs(
    i18n: I18n,
    id: &'static str,
    start: RwSignal<String>,
    end: RwSignal<String>,
    admin: bool,
) -> impl IntoView {
    view! {
        <div class="hours-row">
            <label for=format!("{id}-start")>{i18n.tr("calendar-from")}</label>
            <input type="time" id=format!("{id}-start") disabled=!admin bind:value=start />
            <label for=format!("{id}-end")>{i18n.tr("calendar-to")}</label>
            <input type="time" id=format!("{id}-end") disabled=!admin bind:value=end />
        </div>
    }
}

/// The working days and hours, editable by administrators.
#[component]
fn WeekForm(
    calendar: WorkingCalendar,
    admin: bool,
    saved: RwSignal<bool>,
    set_error: WriteSignal<Option<ApiError>>,
    done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let days = RwSignal::new(calendar.working_days.clone());
    let start = RwSignal::new(calendar.hours.start.clone());
    let end = RwSignal::new(calendar.hours.end.clone());
    let ramadan = RwSignal::new(calendar.ramadan_hours.is_some());
    let ramadan_hours = calendar.ramadan_hours.clone().unwrap_or(calendar.hours.clone());
    let r_start = RwSignal::new(ramadan_hours.start);
    let r_end = RwSignal::new(ramadan_hours.end);
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors = Vec::new();
        let hours = WorkingHours { start: start.get_untracked(), end: end.get_untracked() };
        let ramadan_hours = ramadan
            .get_untracked()
            .then(|| WorkingHours { start: r_start.get_untracked(), end: r_end.get_untracked() });
        if days.with_untracked(Vec::is_empty) {
            errors.push(FieldError { field: "working_days".into(), code: "required".into(), message: String::new() });
        }
        if hours.end <= hours.start {
            errors.push(FieldError { field: "hours.end".into(), code: "out_of_range".into(), message: String::new() });
        }
        if !errors.is_empty() {
            set_error.set(Some(invalid(errors)));
            return;
        }
        let week = WorkingWeek { working_days: days.get_untracked(), hours, ramadan_hours };
        busy.set(true);
        saved.set(false);
        leptos::task::spawn_local(async move {
            match api::set_working_week(&week, &api::idempotency_key()).await {
                Ok(_) => {
                    set_error.set(None);
                    saved.set(true);
                    done.run(());
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="calendar-section" aria-labelledby="week-title">
            <h2 id="week-title">{i18n.tr("calendar-week")}</h2>
            <form id="week-form" on:submit=save on:input=move |_| saved.set(false) on:change=move |_| saved.set(false)>
                <fieldset>
                    <legend>{i18n.tr("calendar-working-days")}</legend>
                    {Weekday::ALL.iter().copied().map(|d| {
                        let id = format!("day-{}", d.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="check" for=label_for>
                                <input type="checkbox" id=id disabled=!admin
                                    prop:checked=move || days.with(|list| list.contains(&d))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        days.update(|list| {
                                            list.retain(|x| *x != d);
                                            if on {
                                                list.push(d);
                                                list.sort_by_key(|x| Weekday::ALL.iter().position(|y| y == x));
                                            }
                                        });
                                    } />
                                {i18n.label(format!("weekday-{}", d.as_str()))}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>{i18n.tr("calendar-hours")}</legend>
                    {hours_inputs(i18n, "hours", start, end, admin)}
                </fieldset>
                <fieldset>
                    <legend>{i18n.tr("calendar-ramadan-hours")}</legend>
                    <label class="check" for="ramadan-own">
                        <input type="checkbox" id="ramadan-own" disabled=!admin bind:checked=ramadan />
                        {i18n.tr("calendar-ramadan-own")}
                    </label>
                    <Show when=move || ramadan.get()>
                        {hours_inputs(i18n, "ramadan", r_start, r_end, admin)}
                    </Show>
                </fieldset>
                <Show when=move || admin>
                    <button type="submit" id="week-save" disabled=move || busy.get()>{i18n.tr("save")}</button>
                    <Show when=move || saved.get()>
                        <span class="saved" role="status">{i18n.tr("saved")}</span>
                    </Show>
                </Show>
            </form>
        </section>
    }
}

/// The holidays of the year; an administrator moves one by changing its days, and removes those they added.
#[component]
fn HolidayTable(
    holidays: Vec<Holiday>,
    admin: bool,
    set_error: WriteSignal<Option<ApiError>>,
    done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang.get_untracked();
    if holidays.is_empty() {
        return view! { <p class="empty">{i18n.tr("calendar-no-holidays")}</p> }.into_any();
    }
    let rows = holidays
        .into_iter()
        .map(|h| {
            let id = h.id;
            let generated = h.kind != shared_types::HolidayKind::Other;
            let first = RwSignal::new(h.first_day.gregorian.to_string());
            let last = RwSignal::new(h.last_day.gregorian.to_string());
            let editing = RwSignal::new(false);
            let kind = i18n.t(&format!("holiday-{}", h.kind.as_str()));
            let days = i18n.ta("calendar-days", &[("n", h.days.into()), ("shown", i18n.number(h.days).into())]);
            let move_it = move |_| {
                let change = HolidayChange { first_day: Some(first.get_untracked()), last_day: Some(last.get_untracked()), ..Default::default() };
                leptos::task::spawn_local(async move {
                    match api::change_holiday(id, &change).await {
                        Ok(_) => {
                            set_error.set(None);
                            done.run(());
                        }
                        Err(e) => set_error.set(Some(e)),
                    }
                });
            };
            let remove = move |_| {
                leptos::task::spawn_local(async move {
                    match api::remove_holiday(id).await {
                        Ok(()) => {
                            set_error.set(None);
                            done.run(());
                        }
                        Err(e) => set_error.set(Some(e)),
                    }
                });
            };
            view! {
                <tr class="holiday" data-id=id.to_string() data-kind=h.kind.as_str() data-first=h.first_day.gregorian.to_string()>
                    <td><bdi>{holiday_name(lang, &h)}</bdi> " " <span class="badge">{kind}</span></td>
                    <td>{day(i18n, &h.first_day)}</td>
                    <td>{day(i18n, &h.last_day)}</td>
                    <td>{days}</td>
                    <Show when=move || admin>
                        <td class="actions">
                            <Show when=move || editing.get() fallback=move || view! {
                                <button type="button" class="secondary move-holiday" on:click=move |_| editing.set(true)>{i18n.tr("calendar-move")}</button>
                                <Show when=move || !generated>
                                    <button type="button" class="secondary remove-holiday" on:click=remove>{i18n.tr("calendar-remove")}</button>
                                </Show>
                            }>
                                <input type="date" class="move-first" aria-label=move || i18n.t("calendar-first-day") bind:value=first />
                                <input type="date" class="move-last" aria-label=move || i18n.t("calendar-last-day") bind:value=last />
                                <button type="button" class="save-move" on:click=move_it>{i18n.tr("save")}</button>
                            </Show>
                        </td>
                    </Show>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
        <table class="holidays" id="holiday-table">
            <thead>
                <tr>
                    <th scope="col">{i18n.tr("calendar-holiday")}</th>
                    <th scope="col">{i18n.tr("calendar-first-day")}</th>
                    <th scope="col">{i18n.tr("calendar-last-day")}</th>
                    <th scope="col">{i18n.tr("calendar-length")}</th>
                    <Show when=move || admin><th scope="col"></th></Show>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
    .into_any()
}

/// A day off of the administrator's own: names in both languages and the days (Gregorian pickers).
#[component]
fn NewHolidayForm(set_error: WriteSignal<Option<ApiError>>, done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let name_ar = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let key = RwSignal::new(api::idempotency_key());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors = Vec::new();
        for (field, value) in [("name_ar", name_ar), ("name_en", name_en), ("first_day", first)] {
            if value.with_untracked(|v| v.trim().is_empty()) {
                errors.push(FieldError { field: field.into(), code: "required".into(), message: String::new() });
            }
        }
        if !errors.is_empty() {
            set_error.set(Some(invalid(errors)));
            return;
        }
        let last_day = if last.with_untracked(String::is_empty) { first.get_untracked() } else { last.get_untracked() };
        let body = NewHoliday {
            name_ar: name_ar.get_untracked(),
            name_en: name_en.get_untracked(),
            first_day: first.get_untracked(),
            last_day,
        };
        leptos::task::spawn_local(async move {
            match api::add_holiday(&body, &key.get_untracked()).await {
                Ok(_) => {
                    set_error.set(None);
                    key.set(api::idempotency_key());
                    done.run(());
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    view! {
        <h3>{i18n.tr("calendar-new-holiday")}</h3>
        <form id="holiday-form" class="inline-form" on:submit=add>
            <div class="field">
                <label for="holiday-name-ar">{i18n.tr("field-name-ar")}</label>
                <input id="holiday-name-ar" dir="rtl" bind:value=name_ar />
            </div>
            <div class="field">
                <label for="holiday-name-en">{i18n.tr("field-name-en")}</label>
                <input id="holiday-name-en" dir="ltr" bind:value=name_en />
            </div>
            <div class="field">
                <label for="holiday-first">{i18n.tr("calendar-first-day")}</label>
                <input id="holiday-first" type="date" bind:value=first />
            </div>
            <div class="field">
                <label for="holiday-last">{i18n.tr("calendar-last-day")}</label>
                <input id="holiday-last" type="date" bind:value=last />
            </div>
            <button type="submit" id="holiday-add">{i18n.tr("calendar-add")}</button>
        </form>
    }
}
