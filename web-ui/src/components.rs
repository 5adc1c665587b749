//! Pieces shared by the pages: translated problems, badges, names in the current language, and the picker of
//! referral targets (units and users, searched in Arabic and English).

use leptos::prelude::*;
use shared_types::{Confidentiality, EntityRef, Priority, Purpose, ReferralTarget, Unit, UnitRef, User, UserRef, text};

use crate::api::{self, ApiError};
use crate::i18n::{Lang, use_i18n};

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

/// Choose one or several referral targets: a unit found by Arabic or English name, optionally one of its users,
/// a purpose and instructions.
#[component]
pub fn TargetPicker(
    targets: RwSignal<Vec<ReferralTarget>>,
    #[prop(optional)] id_prefix: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let units = LocalResource::new(api::units);
    let query = RwSignal::new(String::new());
    let chosen_unit = RwSignal::new(None::<Unit>);
    let users = LocalResource::new(move || {
        let unit = chosen_unit.get();
        async move {
            match unit {
                Some(u) => api::users_of(u.id).await.unwrap_or_default(),
                None => Vec::<User>::new(),
            }
        }
    });
    let user_id = RwSignal::new(None::<i64>);
    let purpose = RwSignal::new(Purpose::Action);
    let instructions = RwSignal::new(String::new());
    let names = RwSignal::new(Vec::<String>::new());
    let matches = move || {
        let q = query.get();
        let all = units.get().and_then(|r| r.ok()).unwrap_or_default();
        if q.trim().is_empty() {
            return Vec::new();
        }
        all.into_iter()
            .filter(|u| u.active && text::matches(&q, &[&u.name_ar, &u.name_en, &u.code]))
            .take(8)
            .collect::<Vec<_>>()
    };
    let add = move |_| {
        let Some(unit) = chosen_unit.get_untracked() else { return };
        let lang = i18n.lang.get_untracked();
        let mut label = if lang == Lang::Ar { unit.name_ar.clone() } else { unit.name_en.clone() };
        let uid = user_id.get_untracked();
        if let Some(uid) = uid
            && let Some(u) = users.get_untracked().and_then(|l| l.into_iter().find(|u| u.id == uid))
        {
            label = format!("{label} — {}", if lang == Lang::Ar { u.full_name_ar } else { u.full_name_en });
        }
        let p = purpose.get_untracked();
        label = format!("{label} ({})", i18n.t(&format!("purpose-{}", p.as_str())));
        let note = instructions.get_untracked();
        targets.update(|t| {
            t.push(ReferralTarget {
                unit_id: unit.id,
                user_id: uid,
                purpose: p,
                instructions: (!note.trim().is_empty()).then(|| note.trim().to_string()),
                due_at: None,
            })
        });
        names.update(|n| n.push(label));
        chosen_unit.set(None);
        user_id.set(None);
        query.set(String::new());
        instructions.set(String::new());
    };
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
    view! {
        <fieldset class="picker">
            <legend>{move || i18n.t("targets")}</legend>
            <ul class="chosen">
                {move || names.get().into_iter().enumerate().map(|(i, n)| view! {
                    <li>
                        <span>{n}</span>
                        <button type="button" class="secondary small" on:click=move |_| remove(i)>{i18n.t("remove")}</button>
                    </li>
                }).collect_view()}
            </ul>
            <label for=format!("{id_prefix}unit-search")>{move || i18n.t("unit-search")}</label>
            <input
                id=format!("{id_prefix}unit-search")
                type="search"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); chosen_unit.set(None); }
            />
            <ul class="options" role="listbox">
                {move || {
                    let lang = i18n.lang.get();
                    (chosen_unit.get().is_none()).then(|| matches().into_iter().map(|u| {
                        let label = if lang == Lang::Ar { u.name_ar.clone() } else { u.name_en.clone() };
                        let shown = label.clone();
                        view! {
                            <li role="option">
                                <button type="button" class="option" on:click=move |_| {
                                    query.set(label.clone());
                                    chosen_unit.set(Some(u.clone()));
                                }>{shown}</button>
                            </li>
                        }
                    }).collect_view())
                }}
            </ul>
            <Show when=move || chosen_unit.with(Option::is_some)>
                <div class="row">
                    <label>
                        {move || i18n.t("target-user")}
                        <select on:change=move |ev| user_id.set(event_target_value(&ev).parse().ok())>
                            <option value="">{move || i18n.t("target-unit-queue")}</option>
                            {move || {
                                let lang = i18n.lang.get();
                                users.get().unwrap_or_default().into_iter().filter(|u| u.active).map(|u| {
                                    let name = if lang == Lang::Ar { u.full_name_ar } else { u.full_name_en };
                                    view! { <option value=u.id.to_string()>{name}</option> }
                                }).collect_view()
                            }}
                        </select>
                    </label>
                    <label>
                        {move || i18n.t("purpose")}
                        <select on:change=move |ev| purpose.set(event_target_value(&ev).parse().unwrap_or(Purpose::Action))>
                            {Purpose::ALL.iter().map(|p| {
                                let key = format!("purpose-{}", p.as_str());
                                view! { <option value=p.as_str()>{move || i18n.t(&key)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <label>
                    {move || i18n.t("instructions")}
                    <input type="text" prop:value=move || instructions.get() on:input=move |ev| instructions.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="secondary" on:click=add>{move || i18n.t("add-target")}</button>
            </Show>
        </fieldset>
    }
}
