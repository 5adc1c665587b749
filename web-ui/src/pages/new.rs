//! Start an internal transaction (any employee): it is saved as a draft, which its author can edit and then send
//! straight to one or several units or users from the transaction page.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared_types::{NewTransaction, TransactionKind};

use crate::api::{self, ApiError};
use crate::components::{HeaderFields, HeaderInputs, ProblemMessage, due_at_from, invalid, optional};
use crate::i18n::use_i18n;

#[component]
pub fn NewInternalPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let header = HeaderFields::new();
    let (error, set_error) = signal(None::<ApiError>);
    let busy = RwSignal::new(false);
    let key = api::idempotency_key();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut errors = Vec::new();
        header.validate(&mut errors);
        if !errors.is_empty() {
            set_error.set(Some(invalid(errors)));
            return;
        }
        let body = NewTransaction {
            kind: TransactionKind::Internal,
            subject: header.subject.get_untracked().trim().to_string(),
            summary: optional(header.summary.get_untracked()),
            external_entity_id: None,
            sender_reference: None,
            sender_reference_date: None,
            priority: header.priority.get_untracked(),
            confidentiality: header.confidentiality.get_untracked(),
            due_at: due_at_from(&header.due.get_untracked()),
            attachments_count: 0,
            links: Vec::new(),
            referrals: Vec::new(),
        };
        busy.set(true);
        let (key, navigate) = (key.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            match api::create_transaction(&body, &key).await {
                Ok(created) => navigate(&format!("/transactions/{}", created.transaction.id), Default::default()),
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{i18n.tr("new-title")}</h1>
        <p class="hint">{i18n.tr("new-hint")}</p>
        <form class="register" on:submit=submit novalidate>
            <HeaderInputs fields=header />
            <ProblemMessage error=error />
            <button type="submit" id="draft-submit" disabled=move || busy.get()>
                {move || if busy.get() { i18n.t("saving") } else { i18n.t("save-draft") }}
            </button>
        </form>
    }
}
