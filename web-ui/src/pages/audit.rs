//! The auditor's screen: the audit log with filters (action, user, transaction, dates), newest first, and the
//! verification of its hash chain.

use leptos::prelude::*;
use shared_types::{AuditAction, AuditEntry, AuditVerification, EventKind};

use crate::api::{self, ApiError};
use crate::components::{ProblemMessage, optional, user_name};
use crate::i18n::use_i18n;
use crate::paging::{MoreButton, PagedList};

/// The message key of an action: a timeline event's, or an audit action's.
fn action_key(action: &str) -> String {
    let prefix = if action.parse::<EventKind>().is_ok() { "event" } else { "audit" };
    format!("{prefix}-{}", action.replace('_', "-"))
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let transaction = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let verification = RwSignal::new(None::<AuditVerification>);
    let (verify_error, set_verify_error) = signal(None::<ApiError>);

    // The filters are read when a page is asked for: applying them loads the first page again.
    let list = PagedList::new(move |cursor: Option<String>| {
        let mut filters: Vec<(&'static str, String)> = Vec::new();
        for (name, value) in [("action", action), ("transaction_id", transaction)] {
            if let Some(v) = optional(value.get_untracked()) {
                filters.push((name, v));
            }
        }
        // Dates are whole days, from the start of `from` to the end of `to` (UTC).
        if let Some(d) = optional(from.get_untracked()) {
            filters.push(("from", format!("{d}T00:00:00Z")));
        }
        if let Some(d) = optional(to.get_untracked()) {
            filters.push(("to", format!("{d}T23:59:59.999999Z")));
        }
        let who = optional(username.get_untracked());
        async move {
            if let Some(name) = who {
                let found = api::search_users(&name).await?;
                let user = found.iter().find(|u| u.username == name.trim().to_lowercase());
                // An unknown username matches nothing.
                filters.push(("user_id", user.map_or("0".into(), |u| u.id.to_string())));
            }
            api::audit(&filters, cursor.as_deref()).await
        }
    });
    list.reload();

    let verify = move |_| {
        verification.set(None);
        set_verify_error.set(None);
        leptos::task::spawn_local(async move {
            match api::audit_verification().await {
                Ok(v) => verification.set(Some(v)),
                Err(e) => set_verify_error.set(Some(e)),
            }
        });
    };

    let text_filter = move |id: &'static str, label: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label>{move || i18n.t(label)}
                <input id=id type=kind dir="ltr" prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };

    view! {
        <h1>{i18n.tr("audit-title")}</h1>
        <form class="filters" on:submit=move |ev| { ev.prevent_default(); list.reload(); }>
            <label>{i18n.tr("audit-action")}
                <select id="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{i18n.tr("audit-any")}</option>
                    {EventKind::ALL.iter().map(|k| k.as_str()).chain(AuditAction::ALL.iter().map(|a| a.as_str()))
                        .map(|name| view! { <option value=name>{i18n.label(action_key(name))}</option> })
                        .collect_view()}
                </select>
            </label>
            {text_filter("audit-user", "audit-user", username, "text")}
            {text_filter("audit-transaction", "audit-transaction", transaction, "number")}
            {text_filter("audit-from", "audit-from", from, "date")}
            {text_filter("audit-to", "audit-to", to, "date")}
            <button id="audit-apply" type="submit">{i18n.tr("audit-apply")}</button>
            <button id="audit-verify" type="button" class="secondary" on:click=verify>{i18n.tr("audit-verify")}</button>
        </form>
        {move || verification.get().map(|v| {
            let text = match &v.first_broken {
                None => i18n.t("audit-intact"),
                Some(b) => format!("{} {} ({})", i18n.t("audit-broken"), b.seq, i18n.t(&format!("audit-reason-{}", b.reason.replace('_', "-")))),
            };
            view! {
                <div id="audit-verification" role="status" class=if v.intact { "notice ok" } else { "problem" }>
                    <p>{text} " — " {i18n.t("audit-verified")} " " {i18n.number(v.verified)}</p>
                    {v.head_hash.map(|h| view! { <p class="hash" dir="ltr">{h}</p> })}
                </div>
            }
        })}
        <ProblemMessage error=verify_error />
        <ProblemMessage error=list.error() retry=Callback::new(move |_| list.reload()) />
        <div class="table-wrap">
            <table id="audit-log" aria-busy=move || list.loading.get().to_string()>
                <thead>
                    <tr>
                        <th scope="col">{i18n.tr("audit-when")}</th>
                        <th scope="col">{i18n.tr("audit-who")}</th>
                        <th scope="col">{i18n.tr("audit-action")}</th>
                        <th scope="col">{i18n.tr("audit-object")}</th>
                        <th scope="col">{i18n.tr("audit-origin")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let lang = i18n.lang.get();
                        list.items.get().into_iter().map(|e: AuditEntry| {
                            let who = e.user.as_ref().map(|u| user_name(lang, u)).unwrap_or_else(|| i18n.t("audit-nobody"));
                            let behalf = e.on_behalf_of.as_ref().map(|u| format!(" ({} {})", i18n.t("on-behalf-of"), user_name(lang, u)));
                            let object = format!("{} {}", i18n.t(&format!("audit-object-{}", e.object_type.replace('_', "-"))), e.object_id.map(|id| format!("#{id}")).unwrap_or_default());
                            view! {
                                <tr>
                                    <td>{i18n.date_time(&e.at)}</td>
                                    <td><bdi>{who}{behalf}</bdi></td>
                                    <td>{i18n.t(&action_key(&e.action))}</td>
                                    // The transaction's page is the desk's: loaded, not routed.
                                    <td><a href=e.transaction_id.map(|t| format!("/transactions/{t}")) rel="external">{object}</a></td>
                                    <td dir="ltr">{e.origin.unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        <Show when=move || list.is_empty()>
            <p class="empty">{i18n.tr("audit-empty")}</p>
        </Show>
        <MoreButton list=list id="audit-more" />
    }
}
