//! Pieces shared by the pages: translated problems, badges, names in the current language, and the picker of
//! referral targets (units and users, searched in Arabic and English).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use leptos::prelude::*;
use shared_types::limits::{MAX_SUBJECT, MAX_TEXT};
use shared_types::{
    Confidentiality, EntityRef, ErrorCode, FieldError, Priority, Problem, Purpose, ReferralTarget, Unit, UnitRef, User,
    UserRef, text,
};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, Lang, use_i18n};

/// A unit's name in the current language.
pub fn unit_name(lang: Lang, unit: &UnitRef) -> String {
    if lang == Lang::Ar { unit.name_ar.clone() } else { unit.name_en.clone() }
}

pub fn user_name(lang: Lang, user: &UserRef) -> String {
    if lang == Lang::Ar { user.full_name_ar.clone() } else { user.full_name_en.clone() }
}

pub fn entity_name(lang: Lang, entity: &EntityRef) -> String {
    if lang == Lang::Ar { entity.name_ar.clone() } else { entity.name_en.clone() }
}

/// A date picked in a form (`YYYY-MM-DD`) as the moment it falls due: noon, Riyadh time (UTC+3), that day.
pub fn due_at_from(date: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .and_then(|d| Utc.from_local_datetime(&d).single())
}

/// The form value of a due moment: its date in Riyadh time.
pub fn date_of_due(due: Option<DateTime<Utc>>) -> String {
    due.map(|d| (d + chrono::Duration::hours(3)).format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The server's checks of a transaction's header (subject and summary), made before sending.
pub fn validate_header(subject: &str, summary: &str, errors: &mut Vec<FieldError>) {
    let mut add = |field: &str, code: &str| {
        errors.push(FieldError { field: field.into(), code: code.into(), message: String::new() })
    };
    if subject.trim().is_empty() {
        add("subject", "required");
    } else if subject.chars().count() > MAX_SUBJECT {
        add("subject", "too_long");
    }
    if summary.chars().count() > MAX_TEXT {
        add("summary", "too_long");
    }
}

/// Failed client-side checks, shown like the server's own validation problem.
pub fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError::Problem(Problem {
        type_uri: String::new(),
        title: String::new(),
        status: 422,
        detail: String::new(),
        code: ErrorCode::ValidationFailed,
        errors,
    })
}

/// A text typed in a form, or nothing when it is blank.
pub fn optional(s: String) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// The header fields every kind of transaction has: subject, summary, priority, confidentiality, due date.
#[derive(Debug, Clone, Copy)]
pub struct HeaderFields {
    pub subject: RwSignal<String>,
    pub summary: RwSignal<String>,
    pub priority: RwSignal<Priority>,
    pub confidentiality: RwSignal<Confidentiality>,
    pub due: RwSignal<String>,
}

impl Default for HeaderFields {
    fn default() -> Self {
        Self::new()
    }
}

impl HeaderFields {
    pub fn new() -> Self {
        HeaderFields {
            subject: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
            priority: RwSignal::new(Priority::Normal),
            confidentiality: RwSignal::new(Confidentiality::Normal),
            due: RwSignal::new(String::new()),
        }
    }

    pub fn clear(&self) {
        self.subject.set(String::new());
        self.summary.set(String::new());
        self.priority.set(Priority::Normal);
        self.confidentiality.set(Confidentiality::Normal);
        self.due.set(String::new());
    }

    pub fn validate(&self, errors: &mut Vec<FieldError>) {
        validate_header(&self.subject.get_untracked(), &self.summary.get_untracked(), errors);
    }
}

/// The inputs of [`HeaderFields`]; `extra` goes in the row of selects (the register page puts attachments there).
#[component]
pub fn HeaderInputs(fields: HeaderFields, #[prop(optional)] extra: Option<AnyView>) -> impl IntoView {
    let i18n = use_i18n();
    let HeaderFields { subject, summary, priority, confidentiality, due } = fields;
    view! {
        <label for="subject">{i18n.tr("field-subject")}</label>
        <input id="subject" maxlength=MAX_SUBJECT.to_string() prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev)) />
        <label for="summary">{i18n.tr("field-summary")}</label>
        <textarea id="summary" rows="3" prop:value=move || summary.get() on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
        <div class="row">
            <label>{i18n.tr("field-priority")}
                <select id="priority" prop:value=move || priority.get().as_str() on:change=move |ev| priority.set(event_target_value(&ev).parse().unwrap_or(Priority::Normal))>
                    {Priority::ALL.iter().map(|p| { let k = format!("priority-{}", p.as_str().replace('_', "-"));
                        view! { <option value=p.as_str() selected=move || priority.get() == *p>{move || i18n.t(&k)}</option> } }).collect_view()}
                </select></label>
            <label>{i18n.tr("field-confidentiality")}
                <select id="confidentiality" prop:value=move || confidentiality.get().as_str() on:change=move |ev| confidentiality.set(event_target_value(&ev).parse().unwrap_or(Confidentiality::Normal))>
                    {Confidentiality::ALL.iter().map(|c| { let k = format!("confidentiality-{}", c.as_str().replace('_', "-"));
                        view! { <option value=c.as_str() selected=move || confidentiality.get() == *c>{move || i18n.t(&k)}</option> } }).collect_view()}
                </select></label>
            <label>{i18n.tr("field-due-at")}
                <input id="due-at" type="date" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) /></label>
            {extra}
        </div>
    }
}

/// A failed request, translated; validation failures list their fields. Network failures offer a retry.
#[component]
pub fn ProblemMessage(
    error: ReadSignal<Option<ApiError>>,
    #[prop(optional)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let message = match e.code() {
                Some(code) => i18n.error(code),
                None => i18n.t("error-network"),
            };
            let fields: Vec<String> = e
                .problem()
                .map(|p| {
                    p.errors
                        .iter()
                        .map(|f| {
                            let field = i18n.t(&format!("field-{}", f.field.replace('_', "-")));
                            let reason = i18n.t(&format!("reason-{}", f.code.replace('_', "-")));
                            format!("{field}: {reason}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let network = e == ApiError::Network;
            view! {
                <div class="problem" role="alert">
                    <p>{message}</p>
                    <ul>{fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                    {(network && retry.is_some()).then(|| view! {
                        <button class="secondary" on:click=move |_| { if let Some(r) = retry { r.run(()) } }>
                            {i18n.t("retry")}
                        </button>
                    })}
                </div>
            }
        })
    }
}

#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    let i18n = use_i18n();
    (priority != Priority::Normal).then(|| {
        let key = format!("priority-{}", priority.as_str().replace('_', "-"));
        view! { <span class=format!("badge priority-{}", priority.as_str())>{move || i18n.t(&key)}</span> }
    })
}

#[component]
pub fn ConfidentialityBadge(confidentiality: Confidentiality) -> impl IntoView {
    let i18n = use_i18n();
    (confidentiality != Confidentiality::Normal).then(|| {
        let key = format!("confidentiality-{}", confidentiality.as_str().replace('_', "-"));
        view! { <span class="badge confidential">{move || i18n.t(&key)}</span> }
    })
}

/// Look people up by what is typed (`typed`, at least two characters; fewer finds nobody) and hand `found` the answer,
/// unless `query` has changed meanwhile: only the answer to what is typed now is shown.
pub fn find_people(query: RwSignal<String>, typed: String, found: impl Fn(Vec<User>) + 'static) {
    if typed.trim().chars().count() < 2 {
        found(Vec::new());
        return;
    }
    leptos::task::spawn_local(async move {
        let people = api::search_users(typed.trim()).await.unwrap_or_default();
        if query.with_untracked(|now| *now == typed) {
            found(people);
        }
    });
}

/// What the referral-target picker holds while a target is being chosen. Copy, like its signals.
#[derive(Clone, Copy)]
struct Picker {
    units: LocalResource<Result<Vec<Unit>, ApiError>>,
    query: RwSignal<String>,
    chosen_unit: RwSignal<Option<Unit>>,
    /// The users of the chosen unit, and the people found by name. Plain signals filled by requests, not resources:
    /// a resource refetching on every keystroke would suspend the page around the picker.
    users: RwSignal<Vec<User>>,
    people: RwSignal<Vec<User>>,
    user_id: RwSignal<Option<i64>>,
    purpose: RwSignal<Purpose>,
    instructions: RwSignal<String>,
}

impl Picker {
    fn new() -> Self {
        let picker = Picker {
            units: LocalResource::new(api::units),
            query: RwSignal::new(String::new()),
            chosen_unit: RwSignal::new(None),
            users: RwSignal::new(Vec::new()),
            people: RwSignal::new(Vec::new()),
            user_id: RwSignal::new(None),
            purpose: RwSignal::new(Purpose::Action),
            instructions: RwSignal::new(String::new()),
        };
        let (chosen_unit, users) = (picker.chosen_unit, picker.users);
        Effect::new(move |_| match chosen_unit.get() {
            Some(unit) => leptos::task::spawn_local(async move {
                let found = api::users_of(unit.id).await.unwrap_or_default();
                if chosen_unit.with_untracked(|c| c.as_ref().map(|c| c.id)) == Some(unit.id) {
                    users.set(found);
                }
            }),
            None => users.set(Vec::new()),
        });
        picker
    }

    /// Active units whose name or code matches what is typed (Arabic folded), eight at most.
    fn matches(self) -> Vec<Unit> {
        let q = self.query.get();
        if q.trim().is_empty() {
            return Vec::new();
        }
        let all = self.units.get().and_then(|r| r.ok()).unwrap_or_default();
        all.into_iter().filter(|u| u.active && text::matches(&q, &[&u.name_ar, &u.name_en, &u.code])).take(8).collect()
    }

    /// The target chosen so far, with how it reads in the list of chosen targets; then the picker starts again.
    fn take(self, i18n: I18n) -> Option<(ReferralTarget, String)> {
        let unit = self.chosen_unit.get_untracked()?;
        let lang = i18n.lang.get_untracked();
        let mut label = if lang == Lang::Ar { unit.name_ar.clone() } else { unit.name_en.clone() };
        let uid = self.user_id.get_untracked();
        if let Some(uid) = uid
            && let Some(u) = self.users.get_untracked().into_iter().find(|u| u.id == uid)
        {
            label = format!("{label} — {}", if lang == Lang::Ar { u.full_name_ar } else { u.full_name_en });
        }
        let p = self.purpose.get_untracked();
        label = format!("{label} ({})", i18n.t(&format!("purpose-{}", p.as_str())));
        let note = self.instructions.get_untracked();
        let target = ReferralTarget {
            unit_id: unit.id,
            user_id: uid,
            purpose: p,
            instructions: (!note.trim().is_empty()).then(|| note.trim().to_string()),
            due_at: None,
        };
        self.chosen_unit.set(None);
        self.user_id.set(None);
        self.query.set(String::new());
        self.instructions.set(String::new());
        Some((target, label))
    }
}

/// Referral targets: units found by name or code, or people found by name, each with a purpose and instructions.
#[component]
pub fn TargetPicker(
    targets: RwSignal<Vec<ReferralTarget>>,
    #[prop(optional)] id_prefix: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let picker = Picker::new();
    let names = RwSignal::new(Vec::<String>::new());
    let add = Callback::new(move |()| {
        if let Some((target, label)) = picker.take(i18n) {
            targets.update(|t| t.push(target));
            names.update(|n| n.push(label));
        }
    });
    let remove = move |i: usize| {
        targets.update(|t| {
            if i < t.len() {
                t.remove(i);
            }
        });
        names.update(|n| {
            if i < n.len() {
                n.remove(i);
            }
        });
    };
    let (query, chosen_unit, user_id, people) = (picker.query, picker.chosen_unit, picker.user_id, picker.people);
    let search_people = move |q: String| find_people(query, q, move |found| people.set(found));
    view! {
        <fieldset class="picker">
            <legend>{i18n.tr("targets")}</legend>
            <ul class="chosen">
                {move || names.get().into_iter().enumerate().map(|(i, n)| view! {
                    <li>
                        <span>{n}</span>
                        <button type="button" class="secondary small" on:click=move |_| remove(i)>{i18n.t("remove")}</button>
                    </li>
                }).collect_view()}
            </ul>
            <label for=format!("{id_prefix}unit-search")>{i18n.tr("unit-search")}</label>
            <input
                id=format!("{id_prefix}unit-search")
                type="search"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| {
                    let q = event_target_value(&ev);
                    query.set(q.clone());
                    chosen_unit.set(None);
                    user_id.set(None);
                    search_people(q);
                }
            />
            <UnitOptions picker=picker />
            <PeopleOptions picker=picker />
            <Show when=move || chosen_unit.with(Option::is_some)>
                <TargetDetails picker=picker id_prefix=id_prefix add=add />
            </Show>
        </fieldset>
    }
}

/// The units matching what is typed, until one is chosen.
#[component]
fn UnitOptions(picker: Picker) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="options" role="listbox">
            {move || {
                let lang = i18n.lang.get();
                (picker.chosen_unit.get().is_none()).then(|| picker.matches().into_iter().map(|u| {
                    let label = if lang == Lang::Ar { u.name_ar.clone() } else { u.name_en.clone() };
                    let shown = label.clone();
                    view! {
                        <li role="option">
                            <button type="button" class="option" on:click=move |_| {
                                picker.query.set(label.clone());
                                picker.chosen_unit.set(Some(u.clone()));
                                picker.people.set(Vec::new());
                            }>{shown}</button>
                        </li>
                    }
                }).collect_view())
            }}
        </ul>
    }
}

/// The people found by what is typed, each in their unit, until a unit is chosen.
#[component]
fn PeopleOptions(picker: Picker) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="options" role="listbox" aria-label=move || i18n.t("target-people")>
            {move || {
                let lang = i18n.lang.get();
                let all = picker.units.get().and_then(|r| r.ok()).unwrap_or_default();
                (picker.chosen_unit.get().is_none()).then(|| picker.people.get().into_iter().filter(|u| u.active).take(8).filter_map(|u| {
                    let unit = all.iter().find(|x| x.id == u.unit_id && x.active)?.clone();
                    let (person, place) = if lang == Lang::Ar { (u.full_name_ar.clone(), unit.name_ar.clone()) } else { (u.full_name_en.clone(), unit.name_en.clone()) };
                    let shown = format!("{person} — {place}");
                    let uid = u.id;
                    Some(view! {
                        <li role="option">
                            <button type="button" class="option person" on:click=move |_| {
                                picker.query.set(place.clone());
                                picker.chosen_unit.set(Some(unit.clone()));
                                picker.user_id.set(Some(uid));
                                picker.people.set(Vec::new());
                            }>{shown}</button>
                        </li>
                    })
                }).collect_view())
            }}
        </ul>
    }
}

/// For the chosen unit: its queue or one of its people, the purpose, instructions, and adding the target.
#[component]
fn TargetDetails(picker: Picker, id_prefix: &'static str, add: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="row">
            <label>
                {i18n.tr("target-user")}
                <select id=format!("{id_prefix}target-user") on:change=move |ev| picker.user_id.set(event_target_value(&ev).parse().ok())>
                    <option value="">{i18n.tr("target-unit-queue")}</option>
                    {move || {
                        let lang = i18n.lang.get();
                        picker.users.get().into_iter().filter(|u| u.active).map(|u| {
                            let name = if lang == Lang::Ar { u.full_name_ar } else { u.full_name_en };
                            let id = u.id;
                            view! { <option value=u.id.to_string() selected=move || picker.user_id.get() == Some(id)>{name}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <label>
                {i18n.tr("purpose")}
                <select id=format!("{id_prefix}target-purpose") on:change=move |ev| picker.purpose.set(event_target_value(&ev).parse().unwrap_or(Purpose::Action))>
                    {Purpose::ALL.iter().map(|p| {
                        let key = format!("purpose-{}", p.as_str());
                        view! { <option value=p.as_str()>{move || i18n.t(&key)}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
        <label>
            {i18n.tr("instructions")}
            <input id=format!("{id_prefix}target-instructions") type="text" prop:value=move || picker.instructions.get() on:input=move |ev| picker.instructions.set(event_target_value(&ev)) />
        </label>
        <button type="button" id=format!("{id_prefix}add-target") class="secondary" on:click=move |_| add.run(())>{i18n.tr("add-target")}</button>
    }
}
