//! Register an incoming letter (registry clerks): sender from the directory, the sender's reference, subject,
//! priority, confidentiality, due date, and the units it goes to; then its number, large, with a printable label.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::A;
use shared_types::limits::MAX_REFERENCE;
use shared_types::{
    ExternalEntity, FieldError, NewTransaction, ReferralTarget, TransactionKind, TransactionWithReferrals, text,
};

use crate::api::{self, ApiError};
use crate::components::{
    HeaderFields, HeaderInputs, ProblemMessage, TargetPicker, due_at_from, entity_name, invalid, optional,
};
use crate::i18n::{Lang, use_i18n};
use crate::pages::documents::{ACCEPT, chosen_file, upload_form};

/// The checks of the server, made before sending.
fn validate(header: &HeaderFields, reference: &str, entity: Option<i64>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if entity.is_none() {
        errors.push(FieldError { field: "external_entity_id".into(), code: "required".into(), message: String::new() });
    }
    header.validate(&mut errors);
    if reference.chars().count() > MAX_REFERENCE {
        errors.push(FieldError { field: "sender_reference".into(), code: "too_long".into(), message: String::new() });
    }
    errors
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let entity_query = RwSignal::new(String::new());
    let entity = RwSignal::new(None::<ExternalEntity>);
    let reference = RwSignal::new(String::new());
    let reference_date = RwSignal::new(String::new());
    let header = HeaderFields::new();
    let attachments = RwSignal::new(0_i32);
    let targets = RwSignal::new(Vec::<ReferralTarget>::new());
    // The scanned original, sent right after the letter is registered.
    let original = RwSignal::new_local(None::<web_sys::File>);
    let progress = RwSignal::new(None::<f64>);
    let original_failed = RwSignal::new(false);
    let (error, set_error) = signal(None::<ApiError>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<TransactionWithReferrals>);
    // One key per filled-in form: a double click or a retry after a lost answer registers once.
    let key = RwSignal::new(api::idempotency_key());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let entity_id = entity.get_untracked().map(|e| e.id);
        let errors = validate(&header, &reference.get_untracked(), entity_id);
        if !errors.is_empty() {
            set_error.set(Some(invalid(errors)));
            return;
        }
        let body = NewTransaction {
            kind: TransactionKind::Incoming,
            subject: header.subject.get_untracked().trim().to_string(),
            summary: optional(header.summary.get_untracked()),
            external_entity_id: entity_id,
            sender_reference: optional(reference.get_untracked()),
            sender_reference_date: NaiveDate::parse_from_str(&reference_date.get_untracked(), "%Y-%m-%d").ok(),
            priority: header.priority.get_untracked(),
            confidentiality: header.confidentiality.get_untracked(),
            due_at: due_at_from(&header.due.get_untracked()),
            attachments_count: attachments.get_untracked(),
            links: Vec::new(),
            referrals: targets.get_untracked(),
        };
        busy.set(true);
        let k = key.get_untracked();
        leptos::task::spawn_local(async move {
            match api::create_transaction(&body, &k).await {
                Ok(created) => {
                    set_error.set(None);
                    if let Some(file) = original.get_untracked() {
                        let fields = [("title", i18n.t("original")), ("kind", "original_scan".to_string())];
                        let path = format!("/transactions/{}/documents", created.transaction.id);
                        let sent = match upload_form(&fields, &file) {
                            Some(form) => {
                                progress.set(Some(0.0));
                                let result: Result<serde_json::Value, ApiError> =
                                    api::upload(&path, &form, move |p| progress.set(Some(p))).await;
                                progress.set(None);
                                result.is_ok()
                            }
                            None => false,
                        };
                        original_failed.set(!sent);
                    }
                    done.set(Some(created));
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let again = Callback::new(move |()| {
        done.set(None);
        key.set(api::idempotency_key());
        for s in [entity_query, reference, reference_date] {
            s.set(String::new());
        }
        header.clear();
        entity.set(None);
        targets.set(Vec::new());
        original.set(None);
        original_failed.set(false);
        attachments.set(0);
    });

    view! {
        <Show when=move || done.with(Option::is_some) fallback=move || view! {
            <h1>{i18n.tr("register-title")}</h1>
            <form class="register" on:submit=submit novalidate>
                <EntityPicker query=entity_query entity=entity />
                <div class="row">
                    <label>{i18n.tr("field-sender-reference")}
                        <input id="sender-reference" dir="ltr" prop:value=move || reference.get() on:input=move |ev| reference.set(event_target_value(&ev)) /></label>
                    <label>{i18n.tr("field-sender-reference-date")}
                        <input id="sender-reference-date" type="date" prop:value=move || reference_date.get() on:input=move |ev| reference_date.set(event_target_value(&ev)) /></label>
                </div>
                <HeaderInputs fields=header extra=view! {
                    <label>{i18n.tr("field-attachments-count")}
                        <input id="attachments" type="number" min="0" max="10000" prop:value=move || attachments.get().to_string()
                            on:input=move |ev| attachments.set(event_target_value(&ev).parse().unwrap_or(0)) /></label>
                }.into_any() />
                <TargetPicker targets=targets />
                <label for="original-file">{i18n.tr("field-original-scan")}</label>
                <input id="original-file" type="file" accept=ACCEPT on:change=move |ev| original.set(chosen_file(&ev)) />
                {move || progress.get().map(|p| view! {
                    <progress max="100" value=format!("{:.0}", p * 100.0) aria-label=i18n.t("uploading")></progress>
                })}
                <ProblemMessage error=error />
                <button type="submit" id="register-submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t("saving") } else { i18n.t("register-submit") }}
                </button>
            </form>
        }>
            {move || done.get().map(|created| view! { <Registered created=created original_failed=original_failed again=again /> })}
        </Show>
    }
}

/// The sender, found in the directory by name (Arabic folded: typing وزاره finds وزارة) or code.
#[component]
fn EntityPicker(query: RwSignal<String>, entity: RwSignal<Option<ExternalEntity>>) -> impl IntoView {
    let i18n = use_i18n();
    let entities = LocalResource::new(api::entities);
    let matches = move || {
        let q = query.get();
        if entity.with(Option::is_some) || q.trim().is_empty() {
            return Vec::new();
        }
        entities
            .get()
            .and_then(|r| r.ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.active && text::matches(&q, &[&e.name_ar, &e.name_en, &e.code]))
            .take(8)
            .collect::<Vec<_>>()
    };
    view! {
        <label for="entity-search">{i18n.tr("field-external-entity-id")}</label>
        <input id="entity-search" type="search" autocomplete="off" prop:value=move || query.get()
            on:input=move |ev| { query.set(event_target_value(&ev)); entity.set(None); } />
        <ul class="options" role="listbox">
            {move || {
                let lang = i18n.lang.get();
                matches().into_iter().map(|e| {
                    let label = if lang == Lang::Ar { e.name_ar.clone() } else { e.name_en.clone() };
                    let shown = label.clone();
                    view! { <li role="option"><button type="button" class="option" on:click=move |_| {
                        query.set(label.clone());
                        entity.set(Some(e.clone()));
                    }>{shown}</button></li> }
                }).collect_view()
            }}
        </ul>
    }
}

/// The registration number, large, on a printable label, with what to do next.
#[component]
fn Registered(
    created: TransactionWithReferrals,
    original_failed: RwSignal<bool>,
    again: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = created.transaction;
    let number = t.registration_number.clone().unwrap_or_default();
    // Shown in the language in force, also after a switch.
    let entity = t.external_entity.clone();
    let sender = move || entity.as_ref().map(|e| entity_name(i18n.lang.get(), e)).unwrap_or_default();
    let registered_at = t.registered_at;
    let registered = move || registered_at.map(|d| i18n.date_time(&d)).unwrap_or_default();
    view! {
        <section class="registered">
            <h1>{i18n.tr("registered-title")}</h1>
            <div class="label" id="label">
                <p class="label-org">{i18n.tr("org-name")}</p>
                <p class="big-number" id="registration-number" dir="ltr">{number}</p>
                <p>{registered}</p>
                <p><bdi>{sender}</bdi></p>
                <p>{t.subject.clone()}</p>
            </div>
            <Show when=move || original_failed.get()>
                <p class="problem no-print" role="alert">{i18n.tr("original-not-attached")}</p>
            </Show>
            <div class="actions no-print">
                <button on:click=move |_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>{i18n.tr("print-label")}</button>
                <A href=format!("/transactions/{}", t.id)>{i18n.tr("open-transaction")}</A>
                <button class="secondary" on:click=move |_| again.run(())>{i18n.tr("register-another")}</button>
            </div>
        </section>
    }
}
