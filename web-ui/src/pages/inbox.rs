//! The inbox: what I hold, my unit's queue, what I sent, copies, my drafts; counts, badges, due dates, quick filters
//! and cursor paging.

use leptos::prelude::*;
use leptos_router::components::A;
use shared_types::{InboxItem, Priority, TransactionSummary};

use crate::api;
use crate::components::{ConfidentialityBadge, PriorityBadge, ProblemMessage, unit_name, user_name};
use crate::i18n::{I18n, Lang, use_i18n};
use crate::paging::{MoreButton, PagedList};

const BOXES: [&str; 5] = ["held", "unit", "sent", "copies", "drafts"];

/// A performance mark when the first inbox list is on screen: the time to the first rendered inbox, read by the
/// benchmark (`performance.getEntriesByName("muamalat:inbox-rendered")`) and by any real-user monitoring.
fn mark_first_render() {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance())
        && performance.get_entries_by_name("muamalat:inbox-rendered").length() == 0
    {
        let _ = performance.mark("muamalat:inbox-rendered");
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let which = RwSignal::new("held");
    let urgent_only = RwSignal::new(false);
    let overdue_only = RwSignal::new(false);
    let counts = LocalResource::new(api::inbox_counts);
    // The boxes of referrals page `InboxItem`s; drafts are transactions: one list each, one of them shown.
    let work = PagedList::new(move |cursor: Option<String>| {
        let mut filters = Vec::new();
        if urgent_only.get_untracked() {
            filters.push(("priority", Priority::Urgent.as_str().to_string()));
        }
        if overdue_only.get_untracked() {
            filters.push(("overdue", "true".to_string()));
        }
        let box_name = which.get_untracked();
        async move {
            let page = api::inbox(box_name, &filters, cursor.as_deref()).await?;
            mark_first_render();
            Ok(page)
        }
    });
    let drafts = PagedList::new(|cursor: Option<String>| async move { api::drafts(cursor.as_deref()).await });
    let showing_drafts = move || which.get() == "drafts";
    Effect::new(move |_| {
        which.track();
        urgent_only.track();
        overdue_only.track();
        if which.get_untracked() == "drafts" {
            work.clear();
            drafts.reload();
        } else {
            drafts.clear();
            work.reload();
        }
    });
    let reload =
        Callback::new(move |_| if which.get_untracked() == "drafts" { drafts.reload() } else { work.reload() });
    let count_of = move |name: &str| {
        counts.get().and_then(|r| r.ok()).and_then(|c| match name {
            "held" => Some(c.held),
            "unit" => Some(c.unit),
            "copies" => Some(c.copies),
            _ => None,
        })
    };

    // Arrow keys move between the tabs (the next tab is to the left in Arabic), Home and End to the ends.
    let tab_keys = move |ev: leptos::ev::KeyboardEvent| {
        let current = BOXES.iter().position(|b| *b == which.get_untracked()).unwrap_or(0);
        let rtl = i18n.lang.get_untracked() == crate::i18n::Lang::Ar;
        let next = match ev.key().as_str() {
            "ArrowLeft" if rtl => current + 1,
            "ArrowRight" if !rtl => current + 1,
            "ArrowLeft" | "ArrowRight" => current + BOXES.len() - 1,
            "Home" => 0,
            "End" => BOXES.len() - 1,
            _ => return,
        } % BOXES.len();
        ev.prevent_default();
        which.set(BOXES[next]);
        if let Some(tab) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("tab-{}", BOXES[next])))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = tab.focus();
        }
    };

    view! {
        <h1>{i18n.tr("nav-inbox")}</h1>
        <div class="tabs" role="tablist" aria-label=move || i18n.t("nav-inbox") on:keydown=tab_keys>
            {BOXES.into_iter().map(|name| {
                let key = format!("box-{name}");
                view! {
                    <button role="tab" id=format!("tab-{name}")
                        tabindex=move || if which.get() == name { "0" } else { "-1" }
                        aria-selected=move || (which.get() == name).to_string()
                        class:active=move || which.get() == name
                        on:click=move |_| which.set(name)>
                        {move || i18n.t(&key)}
                        {move || count_of(name).map(|n| view! { <span class="count">{i18n.number(n)}</span> })}
                    </button>
                }
            }).collect_view()}
        </div>
        <div class="filters" class:hidden=move || which.get() == "drafts">
            <label class="check"><input type="checkbox" prop:checked=move || urgent_only.get()
                on:change=move |ev| urgent_only.set(event_target_checked(&ev)) />{i18n.tr("filter-urgent")}</label>
            <label class="check"><input type="checkbox" prop:checked=move || overdue_only.get()
                on:change=move |ev| overdue_only.set(event_target_checked(&ev)) />{i18n.tr("filter-overdue")}</label>
        </div>
        <ProblemMessage error=work.error() retry=reload />
        <ProblemMessage error=drafts.error() retry=reload />
        <ul class="inbox" aria-busy=move || work.loading.get().to_string()>
            {move || {
                let lang = i18n.lang.get();
                work.items.get().into_iter().map(|item| inbox_row(i18n, lang, item)).collect_view()
            }}
        </ul>
        <ul class="inbox drafts" aria-busy=move || drafts.loading.get().to_string()>
            {move || drafts.items.get().into_iter().map(|t| draft_row(i18n, t)).collect_view()}
        </ul>
        <Show when=move || if showing_drafts() { drafts.is_empty() } else { work.is_empty() }>
            <p class="empty">{i18n.tr("inbox-empty")}</p>
        </Show>
        <MoreButton list=work />
        <MoreButton list=drafts />
    }
}

/// A referral in one of the boxes, with its transaction.
fn inbox_row(i18n: I18n, lang: Lang, item: InboxItem) -> impl IntoView {
    let t = item.transaction;
    let r = item.referral;
    let href = format!("/transactions/{}", t.id);
    let purpose = i18n.t(&format!("purpose-{}", r.purpose.as_str()));
    let from = format!("{} — {}", user_name(lang, &r.from_user), unit_name(lang, &r.from_unit));
    let to = match &r.to_user {
        Some(u) => user_name(lang, u),
        None => unit_name(lang, &r.to_unit),
    };
    let due = r.due_at.or(t.due_at).map(|d| i18n.date(&d));
    view! {
        <li class="item" class:overdue=r.overdue>
            <A href=href>
                <span class="number" dir="ltr">{t.registration_number.clone().unwrap_or_else(|| i18n.t("draft"))}</span>
                <span class="subject">{t.subject.clone()}</span>
            </A>
            <div class="meta">
                <PriorityBadge priority=t.priority />
                <ConfidentialityBadge confidentiality=t.confidentiality />
                <span class="badge purpose">{purpose}</span>
                <span>{i18n.t("from")} " " <bdi>{from}</bdi></span>
                <span>{i18n.t("to")} " " <bdi>{to}</bdi></span>
                <span>{i18n.t("sent-at")} " " {i18n.date_time(&r.sent_at)}</span>
                {due.map(|d| view! { <span class="due">{i18n.t("due")} " " {d}</span> })}
                {r.overdue.then(|| view! { <span class="badge overdue-badge">{i18n.t("overdue")}</span> })}
                <span>{i18n.t("dwell")} " " {i18n.span(&r.dwell.total)}</span>
            </div>
        </li>
    }
}

/// One of my drafts.
fn draft_row(i18n: I18n, t: TransactionSummary) -> impl IntoView {
    view! {
        <li class="item">
            <A href=format!("/transactions/{}", t.id)>
                <span class="number">{i18n.t("draft")}</span>
                <span class="subject">{t.subject.clone()}</span>
            </A>
            <div class="meta">
                <PriorityBadge priority=t.priority />
                <ConfidentialityBadge confidentiality=t.confidentiality />
                {t.due_at.map(|d| view! { <span class="due">{i18n.t("due")} " " {i18n.date(&d)}</span> })}
            </div>
        </li>
    }
}
