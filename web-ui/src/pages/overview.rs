//! The manager overview: everything open in my unit and every unit below it, who holds it and for how long, oldest
//! first or newest first. Admins and auditors may look at any unit.

use leptos::prelude::*;
use leptos_router::components::A;
use shared_types::{InboxItem, Role};

use crate::api;
use crate::app::use_session;
use crate::components::{PriorityBadge, ProblemMessage, unit_name, user_name};
use crate::i18n::{Lang, use_i18n};
use crate::paging::{MoreButton, PagedList};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let any_unit = session.has(Role::Admin) || session.has(Role::Auditor);
    let own_unit = session.user.with_untracked(|u| u.as_ref().map(|u| u.unit_id).unwrap_or(0));
    let unit_id = RwSignal::new(own_unit);
    let oldest_first = RwSignal::new(true);
    let units = LocalResource::new(api::units);
    let list = PagedList::new(move |cursor: Option<String>| {
        let (unit, oldest) = (unit_id.get_untracked(), oldest_first.get_untracked());
        async move { api::overview(unit, oldest, cursor.as_deref()).await }
    });
    Effect::new(move |_| {
        unit_id.track();
        oldest_first.track();
        list.reload();
    });

    view! {
        <h1>{i18n.tr("overview-title")}</h1>
        <div class="filters">
            <Show when=move || any_unit>
                <label>{i18n.tr("overview-unit")}
                    <select id="overview-unit" on:change=move |ev| { if let Ok(id) = event_target_value(&ev).parse() { unit_id.set(id) } }>
                        {move || {
                            let lang = i18n.lang.get();
                            units.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|u| {
                                let name = if lang == Lang::Ar { u.name_ar } else { u.name_en };
                                view! { <option value=u.id.to_string() selected=u.id == unit_id.get_untracked()>{name}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
            </Show>
            <label>{i18n.tr("sort")}
                <select id="overview-sort" on:change=move |ev| oldest_first.set(event_target_value(&ev) == "age")>
                    <option value="age">{i18n.tr("sort-oldest")}</option>
                    <option value="newest">{i18n.tr("sort-newest")}</option>
                </select>
            </label>
        </div>
        <ProblemMessage error=list.error() retry=Callback::new(move |_| list.reload()) />
        <div class="table-wrap">
            <table class="overview" id="overview" aria-busy=move || list.loading.get().to_string()>
                <thead>
                    <tr>
                        <th scope="col">{i18n.tr("col-transaction")}</th>
                        <th scope="col">{i18n.tr("col-holder")}</th>
                        <th scope="col">{i18n.tr("col-since")}</th>
                        <th scope="col">{i18n.tr("col-dwell")}</th>
                        <th scope="col">{i18n.tr("col-state")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let lang = i18n.lang.get();
                        list.items.get().into_iter().map(|item: InboxItem| {
                            let t = item.transaction;
                            let r = item.referral;
                            let holder = match &r.to_user {
                                Some(u) => format!("{} — {}", user_name(lang, u), unit_name(lang, &r.to_unit)),
                                None => unit_name(lang, &r.to_unit),
                            };
                            let state = i18n.t(&format!("referral-{}", r.status.as_str()));
                            view! {
                                <tr class:overdue=r.overdue>
                                    <td>
                                        <A href=format!("/transactions/{}", t.id)>
                                            <span class="number" dir="ltr">{t.registration_number.clone().unwrap_or_default()}</span>
                                            " " <span class="subject">{t.subject.clone()}</span>
                                        </A>
                                        " " <PriorityBadge priority=t.priority />
                                    </td>
                                    <td><bdi>{holder}</bdi></td>
                                    <td>{i18n.date_time(&r.sent_at)}</td>
                                    <td class="dwell">{i18n.span(&r.dwell.total)}
                                        {r.overdue.then(|| view! { " " <span class="badge overdue-badge">{i18n.t("overdue")}</span> })}</td>
                                    <td>{state}</td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        <Show when=move || list.is_empty()>
            <p class="empty">{i18n.tr("overview-empty")}</p>
        </Show>
        <MoreButton list=list />
    }
}
