//! The inbox: what I hold, my unit's queue, what I sent, copies, my drafts; counts, badges, due dates, quick filters
//! and cursor paging.

use leptos::prelude::*;
use leptos_router::components::A;
use shared_types::{InboxItem, Priority, TransactionSummary};

use crate::api::{self, ApiError};
use crate::components::{ConfidentialityBadge, PriorityBadge, ProblemMessage, unit_name, user_name};
use crate::i18n::use_i18n;

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
    let items = RwSignal::new(Vec::<InboxItem>::new());
    let drafts = RwSignal::new(Vec::<TransactionSummary>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let (error, set_error) = signal(None::<ApiError>);
    let counts = LocalResource::new(api::inbox_counts);

    let load = move |more: bool| {
        let filters = {
            let mut f = Vec::new();
            if urgent_only.get_untracked() {
                f.push(("priority", Priority::Urgent.as_str().to_string()));
            }
            if overdue_only.get_untracked() {
                f.push(("overdue", "true".to_string()));
            }
            f
        };
        let after = if more { cursor.get_untracked() } else { None };
        let box_name = which.get_untracked();
        loading.set(true);
        leptos::task::spawn_local(async move {
            if box_name == "drafts" {
                match api::drafts(after.as_deref()).await {
                    Ok(page) => {
                        set_error.set(None);
                        items.set(Vec::new());
                        if more {
                            drafts.update(|d| d.extend(page.items));
                        } else {
                            drafts.set(page.items);
                        }
                        cursor.set(page.next_cursor);
                    }
                    Err(e) => set_error.set(Some(e)),
                }
                loading.set(false);
                return;
            }
            drafts.set(Vec::new());
            match api::inbox(box_name, &filters, after.as_deref()).await {
                Ok(page) => {
                    set_error.set(None);
                    if more {
                        items.update(|i| i.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    cursor.set(page.next_cursor);
                    mark_first_render();
                }
                Err(e) => set_error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        which.track();
        urgent_only.track();
        overdue_only.track();
        load(false);
    });
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
        <ProblemMessage error=error retry=Callback::new(move |_| load(false)) />
        <ul class="inbox" aria-busy=move || loading.get().to_string()>
            {move || {
                let lang = i18n.lang.get();
                items.get().into_iter().map(|item| {
                    let t = item.transaction;
                    let r = item.referral;
                    let href = format!("/transactions/{}", t.id);
                    let purpose = i18n.t(&format!("purpose-{}", r.purpose.as_str()));
                    let from = format!("{} — {}", user_name(lang, &r.from_user), unit_name(lang, &r.from_unit));
                    let to = match &r.to_user { Some(u) => user_name(lang, u), None => unit_name(lang, &r.to_unit) };
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
                                <span>{i18n.t("dwell")} " " {i18n.duration(r.dwell.total.wall_clock_seconds)}</span>
                            </div>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        <ul class="inbox drafts">
            {move || drafts.get().into_iter().map(|t| view! {
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
            }).collect_view()}
        </ul>
        <Show when=move || items.with(Vec::is_empty) && drafts.with(Vec::is_empty) && !loading.get() && error.with(Option::is_none)>
            <p class="empty">{i18n.tr("inbox-empty")}</p>
        </Show>
        <Show when=move || cursor.with(Option::is_some)>
            <button class="secondary" disabled=move || loading.get() on:click=move |_| load(true)>{i18n.tr("more")}</button>
        </Show>
    }
}
