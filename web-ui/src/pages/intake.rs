//! The central registry's intake queue: letters that external agencies submitted over the API, oldest first. A
//! clerk opens one, reads it and its documents, then registers it — an incoming transaction from the agency,
//! numbered by the central registry, with the documents, referred as chosen — or rejects it, saying why (the agency
//! reads the reason). Registering sends the version the clerk read: a document added meanwhile is not registered
//! unseen.

use leptos::prelude::*;
use shared_types::{
    Confidentiality, ReferralTarget, RegisterSubmission, RejectSubmission, Submission, SubmittedDocument,
    TransactionWithReferrals,
};

use crate::api::{self, ApiError};
use crate::app::PageLink;
use crate::components::{PriorityBadge, ProblemMessage, TargetPicker, due_at_from, entity_name, optional};
use crate::i18n::use_i18n;
use crate::pages::documents::{Preview, previewable, size_text};
use crate::paging::{MoreButton, PagedList};
use fluent_bundle::FluentValue;

#[component]
pub fn IntakePage() -> impl IntoView {
    let i18n = use_i18n();
    let (error, set_error) = signal(None::<ApiError>);
    let selected = RwSignal::new(None::<Submission>);
    let list = PagedList::new(|cursor: Option<String>| async move { api::intake(cursor.as_deref()).await });
    list.reload();
    let open = move |id: i64| {
        leptos::task::spawn_local(async move {
            match api::submission(id).await {
                Ok(s) => {
                    set_error.set(None);
                    selected.set(Some(s));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let back = Callback::new(move |()| {
        selected.set(None);
        list.reload();
    });

    view! {
        <h1>{i18n.tr("intake-title")}</h1>
        <ProblemMessage error=error />
        <ProblemMessage error=list.error() retry=Callback::new(move |_| list.reload()) />
        {move || match selected.get() {
            Some(submission) => view! { <SubmissionPanel submission=submission back=back /> }.into_any(),
            None => view! {
                <p class="hint">{i18n.tr("intake-hint")}</p>
                <Show when=move || list.is_empty()>
                    <p class="empty" id="intake-empty">{i18n.tr("intake-empty")}</p>
                </Show>
                <ul class="inbox" id="intake-list">
                    {move || {
                        let lang = i18n.lang.get();
                        list.items.get().into_iter().map(|s: Submission| {
                            let id = s.id;
                            let sender = entity_name(lang, &s.sender);
                            let when = i18n.date_time(&s.submitted_at);
                            let n = s.documents.len() as i64;
                            let documents = i18n.ta(
                                "intake-documents",
                                &[("n", FluentValue::from(n)), ("shown", FluentValue::from(i18n.number(n)))],
                            );
                            view! {
                                <li class="item">
                                    <button type="button" class="item-open open-submission" data-id=id.to_string()
                                        on:click=move |_| open(id)>
                                        <span class="number" dir="ltr">{s.sender_reference.clone()}</span>
                                        <span class="subject">{s.subject.clone()}</span>
                                    </button>
                                    <div class="meta">
                                        <PriorityBadge priority=s.priority />
                                        <span>{i18n.t("intake-sender")} " " <bdi>{sender}</bdi></span>
                                        <span>{i18n.t("intake-submitted-at")} " " {when}</span>
                                        <span>{documents}</span>
                                    </div>
                                </li>
                            }
                        }).collect_view()
                    }}
                </ul>
                <MoreButton list=list />
            }.into_any(),
        }}
    }
}

/// One submission: what it says, its documents, and registering or rejecting it.
#[component]
fn SubmissionPanel(submission: Submission, back: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let id = submission.id;
    let version = submission.version;
    let targets = RwSignal::new(Vec::<ReferralTarget>::new());
    let confidentiality = RwSignal::new(Confidentiality::Normal);
    let due = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let (error, set_error) = signal(None::<ApiError>);
    let registered = RwSignal::new(None::<TransactionWithReferrals>);
    let rejected = RwSignal::new(false);
    let preview = RwSignal::new(None::<(String, String)>);
    // One key per opened submission: a double click registers once.
    let key = StoredValue::new(api::idempotency_key());

    let register = move |_| {
        if busy.get_untracked() {
            return;
        }
        let body = RegisterSubmission {
            referrals: targets.get_untracked(),
            confidentiality: Some(confidentiality.get_untracked()),
            due_at: due_at_from(&due.get_untracked()),
            expected_version: Some(version),
        };
        busy.set(true);
        let key = key.get_value();
        leptos::task::spawn_local(async move {
            match api::register_submission(id, &body, &key).await {
                Ok(created) => {
                    set_error.set(None);
                    registered.set(Some(created));
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let reject = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(why) = optional(reason.get_untracked()) else {
            set_error.set(Some(crate::components::invalid(vec![shared_types::FieldError {
                field: "reason".into(),
                code: "required".into(),
                message: String::new(),
            }])));
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::reject_submission(id, &RejectSubmission { reason: why, expected_version: Some(version) }).await {
                Ok(_) => {
                    set_error.set(None);
                    rejected.set(true);
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let lang = i18n.lang.get_untracked();
    let sender = entity_name(lang, &submission.sender);
    let submitted = i18n.date_time(&submission.submitted_at);
    let reference_date = submission.sender_reference_date.map(|d| d.to_string()).unwrap_or_default();
    let documents = submission.documents.clone();
    let priority_key = format!("priority-{}", submission.priority.as_str().replace('_', "-"));
    view! {
        <section class="submission" id="submission" data-id=id.to_string()>
            <button type="button" class="secondary" id="intake-back" on:click=move |_| back.run(())>
                {i18n.tr("intake-back")}
            </button>
            <h2>{submission.subject.clone()}</h2>
            <dl class="facts">
                <dt>{i18n.tr("intake-sender")}</dt><dd><bdi>{sender}</bdi></dd>
                <dt>{i18n.tr("field-sender-reference")}</dt><dd dir="ltr">{submission.sender_reference.clone()}</dd>
                <dt>{i18n.tr("field-sender-reference-date")}</dt><dd>{reference_date}</dd>
                <dt>{i18n.tr("intake-submitted-at")}</dt><dd>{submitted}</dd>
                <dt>{i18n.tr("field-priority")}</dt><dd>{i18n.label(priority_key)}</dd>
            </dl>
            {submission.summary.clone().map(|s| view! { <p class="summary">{s}</p> })}
            <h3>{i18n.tr("documents")}</h3>
            <SubmittedDocuments submission=id documents=documents preview=preview set_error=set_error />
            <Preview preview=preview />
            <ProblemMessage error=error />
            {move || {
                if let Some(created) = registered.get() {
                    let t = created.transaction;
                    let number = t.registration_number.clone().unwrap_or_default();
                    view! {
                        <div class="registered" id="intake-registered">
                            <p>{i18n.tr("registered-title")}</p>
                            <p class="big-number" id="registration-number" dir="ltr">{number}</p>
                            <div class="actions">
                                <PageLink href=format!("/transactions/{}", t.id)>{i18n.tr("open-transaction")}</PageLink>
                                <button type="button" class="secondary" on:click=move |_| back.run(())>{i18n.tr("intake-back")}</button>
                            </div>
                        </div>
                    }.into_any()
                } else if rejected.get() {
                    view! {
                        <div class="registered" id="intake-rejected">
                            <p>{i18n.tr("intake-rejected")}</p>
                            <button type="button" class="secondary" on:click=move |_| back.run(())>{i18n.tr("intake-back")}</button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <form class="register" on:submit=|ev| ev.prevent_default() novalidate>
                            <h3>{i18n.tr("intake-register")}</h3>
                            <div class="row">
                                <label>{i18n.tr("field-confidentiality")}
                                    <select id="intake-confidentiality" on:change=move |ev| confidentiality.set(event_target_value(&ev).parse().unwrap_or(Confidentiality::Normal))>
                                        {Confidentiality::ALL.iter().map(|c| {
                                            let k = format!("confidentiality-{}", c.as_str().replace('_', "-"));
                                            view! { <option value=c.as_str() selected=move || confidentiality.get() == *c>{move || i18n.t(&k)}</option> }
                                        }).collect_view()}
                                    </select></label>
                                <label>{i18n.tr("field-due-at")}
                                    <input id="intake-due-at" type="date" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) /></label>
                            </div>
                            <TargetPicker targets=targets id_prefix="intake-" />
                            <button type="button" id="intake-register" disabled=move || busy.get() on:click=register>
                                {move || if busy.get() { i18n.t("saving") } else { i18n.t("intake-register-submit") }}
                            </button>
                            <h3>{i18n.tr("intake-reject")}</h3>
                            <label>{i18n.tr("intake-reason")}
                                <textarea id="intake-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                            <button type="button" id="intake-reject" class="secondary" disabled=move || busy.get() on:click=reject>
                                {i18n.tr("intake-reject-submit")}
                            </button>
                        </form>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The documents the agency sent with its letter, each previewed in the page when it is a PDF or an image.
#[component]
fn SubmittedDocuments(
    submission: i64,
    documents: Vec<SubmittedDocument>,
    preview: RwSignal<Option<(String, String)>>,
    set_error: WriteSignal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let show = move |d: SubmittedDocument| {
        let url = format!("/intake/{submission}/documents/{}/content", d.id);
        leptos::task::spawn_local(async move {
            match api::object_url(&url, &d.media_type).await {
                Ok(object) => preview.set(Some((object, d.media_type.clone()))),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    view! {
        <ul class="document-list" id="submission-documents">
            {documents.into_iter().map(|d| {
                let can_preview = previewable(&d.media_type);
                let shown = d.clone();
                view! {
                    <li>
                        <span class="title">{d.title.clone()}</span>
                        <span class="meta" dir="ltr">{d.file_name.clone()}" · "{size_text(d.size)}</span>
                        <Show when=move || can_preview>
                            <button type="button" class="secondary preview-document" on:click={
                                let d = shown.clone();
                                move |_| show(d.clone())
                            }>{i18n.tr("preview")}</button>
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
