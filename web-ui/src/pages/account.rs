//! My account: the delegations I gave (a manager hands their authority to a deputy for a period, before leave or
//! travel) and those I stand in for, and my signed-in sessions — each can be ended, which signs that device out at
//! once.

use leptos::prelude::*;
use shared_types::{Delegation, NewDelegation, Role, Session, User};

use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{ProblemMessage, find_people, invalid, optional, user_name};
use crate::i18n::{Lang, use_i18n};

/// Now, by the browser's clock (chrono's own clock is not available in the browser build).
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A day picked in a form (`YYYY-MM-DD`), Riyadh time: its first moment, or with `last` its last.
fn riyadh_day(date: &str, last: bool) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let local = if last { day.and_hms_opt(23, 59, 59)? } else { day.and_hms_opt(0, 0, 0)? };
    Some(chrono::Utc.from_utc_datetime(&(local - chrono::Duration::hours(3))))
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.tr("account-title")}</h1>
        <Delegations />
        <Sessions />
    }
}

/// The fallback of a part of the page that is loading.
fn loading(i18n: crate::i18n::I18n) -> impl IntoView {
    view! { <p class="loading" role="status">{i18n.tr("loading")}</p> }
}

/// The delegations I gave and those I stand in for, each ended at once if still open; a manager's form for a new one.
#[component]
fn Delegations() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let manager = session.has(Role::Manager);
    let me = session.user.with_untracked(|u| u.as_ref().map(|u| u.id).unwrap_or_default());
    let delegations = LocalResource::new(api::delegations);
    let (error, set_error) = signal(None::<ApiError>);
    let reload = Callback::new(move |()| delegations.refetch());
    let end_delegation = move |id: i64| {
        leptos::task::spawn_local(async move {
            match api::end_delegation(id).await {
                Ok(()) => delegations.refetch(),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let shown = move |list: Vec<Delegation>| {
        let lang = i18n.lang.get();
        let empty = list.is_empty();
        view! {
            <Show when=move || empty>
                <p class="empty">{i18n.tr("delegations-none")}</p>
            </Show>
            <ul class="inbox" id="delegation-list">
                {
                list.into_iter().map(|d| {
                    let id = d.id;
                    let mine = d.delegator.id == me;
                    let whom = if mine { user_name(lang, &d.deputy) } else { user_name(lang, &d.delegator) };
                    let role = if mine { i18n.t("delegation-to") } else { i18n.t("delegation-for") };
                    let state = if d.active {
                        i18n.t("delegation-active")
                    } else if d.ended_at.is_some() || d.ends_at < now() {
                        i18n.t("delegation-ended")
                    } else {
                        i18n.t("delegation-later")
                    };
                    let open = d.ended_at.is_none() && d.ends_at > now();
                    view! {
                        <li class="item delegation" data-id=id.to_string()>
                            <div class="meta">
                                <span class="badge">{state}</span>
                                <span>{role} " " <bdi>{whom}</bdi></span>
                                <span>{i18n.date(&d.starts_at)} " – " {i18n.date(&d.ends_at)}</span>
                                {d.note.clone().map(|n| view! { <span>{n}</span> })}
                            </div>
                            <Show when=move || open>
                                <button type="button" class="secondary end-delegation" on:click=move |_| end_delegation(id)>
                                    {i18n.tr("delegation-end")}
                                </button>
                            </Show>
                        </li>
                    }
                    }).collect_view()
                }
            </ul>
        }
    };
    view! {
        <section class="account-section" id="delegations" aria-labelledby="delegations-title">
            <h2 id="delegations-title">{i18n.tr("delegations-title")}</h2>
            <p class="hint">{i18n.tr("delegations-hint")}</p>
            <ProblemMessage error=error />
            <Transition fallback=move || loading(i18n)>
                {move || delegations.get().map(|result| match result {
                    Ok(list) => shown(list).into_any(),
                    Err(e) => {
                        let (error, _) = signal(Some(e));
                        view! { <ProblemMessage error=error retry=reload /> }.into_any()
                    }
                })}
            </Transition>
            <Show when=move || manager>
                <DelegationForm me=me set_error=set_error done=reload />
            </Show>
        </section>
    }
}

/// A new delegation: a deputy found by name, from a day (today by default) to a day, and a note.
#[component]
fn DelegationForm(me: i64, set_error: WriteSignal<Option<ApiError>>, done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let people = RwSignal::new(Vec::<User>::new());
    let deputy = RwSignal::new(None::<User>);
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let key = RwSignal::new(api::idempotency_key());
    let search = move |q: String| {
        query.set(q.clone());
        deputy.set(None);
        find_people(query, q, move |found| {
            people.set(found.into_iter().filter(|u| u.active && u.id != me).take(8).collect())
        });
    };
    let delegate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut errors = Vec::new();
        let missing = |field: &str| shared_types::FieldError {
            field: field.into(),
            code: "required".into(),
            message: String::new(),
        };
        let Some(chosen) = deputy.get_untracked() else {
            errors.push(missing("deputy_user_id"));
            set_error.set(Some(invalid(errors)));
            return;
        };
        // Whole days: from the start of the first (or now) to the end of the last.
        let Some(ends_at) = riyadh_day(&ends.get_untracked(), true) else {
            errors.push(missing("ends_at"));
            set_error.set(Some(invalid(errors)));
            return;
        };
        let body = NewDelegation {
            deputy_user_id: chosen.id,
            starts_at: riyadh_day(&starts.get_untracked(), false).filter(|s| *s > now()),
            ends_at,
            note: optional(note.get_untracked()),
            delegator_user_id: None,
        };
        busy.set(true);
        let k = key.get_untracked();
        leptos::task::spawn_local(async move {
            match api::delegate(&body, &k).await {
                Ok(_) => {
                    set_error.set(None);
                    key.set(api::idempotency_key());
                    deputy.set(None);
                    query.set(String::new());
                    people.set(Vec::new());
                    for s in [starts, ends, note] {
                        s.set(String::new());
                    }
                    done.run(());
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="register" id="delegation-form" on:submit=delegate novalidate>
            <h3>{i18n.tr("delegation-new")}</h3>
            <label for="deputy-search">{i18n.tr("field-deputy-user-id")}</label>
            <input id="deputy-search" type="search" autocomplete="off" prop:value=move || query.get()
                on:input=move |ev| search(event_target_value(&ev)) />
            <ul class="options" role="listbox">
                {move || {
                    let lang = i18n.lang.get();
                    people.get().into_iter().map(|u| {
                        let label = if lang == Lang::Ar { u.full_name_ar.clone() } else { u.full_name_en.clone() };
                        let shown = label.clone();
                        view! { <li role="option"><button type="button" class="option" on:click=move |_| {
                            query.set(label.clone());
                            deputy.set(Some(u.clone()));
                            people.set(Vec::new());
                        }>{shown}</button></li> }
                    }).collect_view()
                }}
            </ul>
            <div class="row">
                <label>{i18n.tr("field-starts-at")}
                    <input id="delegation-starts" type="date" prop:value=move || starts.get() on:input=move |ev| starts.set(event_target_value(&ev)) /></label>
                <label>{i18n.tr("field-ends-at")}
                    <input id="delegation-ends" type="date" prop:value=move || ends.get() on:input=move |ev| ends.set(event_target_value(&ev)) /></label>
            </div>
            <label>{i18n.tr("field-note")}
                <input id="delegation-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) /></label>
            <button type="submit" id="delegation-submit" disabled=move || busy.get()>
                {move || if busy.get() { i18n.t("saving") } else { i18n.t("delegation-submit") }}
            </button>
        </form>
    }
}

/// My signed-in sessions, this device marked; ending one signs that device out at once (this one: this page).
#[component]
fn Sessions() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sessions = LocalResource::new(api::sessions);
    let (error, set_error) = signal(None::<ApiError>);
    let reload = Callback::new(move |()| sessions.refetch());
    let end_session = move |id: String, current: bool| {
        leptos::task::spawn_local(async move {
            match api::end_session(&id).await {
                // Ending this page's own session signs it out.
                Ok(()) if current => session.user.set(None),
                Ok(()) => sessions.refetch(),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let shown = move |list: Vec<Session>| {
        view! {
            <ul class="inbox" id="session-list">
                {list.into_iter().map(|s| {
                    let (id, current) = (s.id.clone(), s.current);
                    view! {
                        <li class="item session" class:current=current>
                            <div class="meta">
                                {current.then(|| view! { <span class="badge">{i18n.t("session-current")}</span> })}
                                <span>{i18n.t("session-started")} " " {i18n.date_time(&s.started_at)}</span>
                                <span>{i18n.t("session-last-used")} " " {i18n.date_time(&s.last_used_at)}</span>
                            </div>
                            <button type="button" class="secondary end-session" on:click=move |_| end_session(id.clone(), current)>
                                {if current { i18n.t("session-end-current") } else { i18n.t("session-end") }}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="account-section" id="sessions" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{i18n.tr("sessions-title")}</h2>
            <p class="hint">{i18n.tr("sessions-hint")}</p>
            <ProblemMessage error=error />
            <Transition fallback=move || loading(i18n)>
                {move || sessions.get().map(|result| match result {
                    Ok(list) => shown(list).into_any(),
                    Err(e) => {
                        let (error, _) = signal(Some(e));
                        view! { <ProblemMessage error=error retry=reload /> }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
