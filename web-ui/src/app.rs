//! The shell: session, language, navigation and the routes of the pages.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use shared_types::{Role, User};

use crate::api;
use crate::i18n::{I18n, use_i18n};
use crate::pages::{
    admin::AdminPage, audit::AuditPage, inbox::InboxPage, login::LoginPage, new::NewInternalPage,
    overview::OverviewPage, register::RegisterPage, transaction::TransactionPage,
};

/// The signed-in user; `None` while signed out. `checked` turns true once the stored session was tried.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub user: RwSignal<Option<User>>,
    pub checked: RwSignal<bool>,
}

impl Session {
    pub fn has(&self, role: Role) -> bool {
        self.user.with(|u| u.as_ref().is_some_and(|u| u.roles.contains(&role)))
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session { user: RwSignal::new(None), checked: RwSignal::new(true) })
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session { user: RwSignal::new(None), checked: RwSignal::new(false) };
    provide_context(session);
    // A reload keeps the session: the cookie gives a new access token.
    leptos::task::spawn_local(async move {
        if let Ok(user) = api::restore().await {
            session.user.set(Some(user));
        }
        session.checked.set(true);
    });
    view! {
        <Router>
            <Show
                when=move || session.checked.get()
                fallback=move || view! { <p class="loading" role="status">{i18n.tr("loading")}</p> }
            >
                <Show when=move || session.user.with(Option::is_some) fallback=LoginPage>
                    <Shell />
                </Show>
            </Show>
        </Router>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = move || {
        session.user.with(|u| {
            u.as_ref()
                .map(|u| {
                    if i18n.lang.get() == crate::i18n::Lang::Ar {
                        u.full_name_ar.clone()
                    } else {
                        u.full_name_en.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            api::logout().await;
            session.user.set(None);
        });
    };
    view! {
        <a class="skip-link" href="#main">{i18n.tr("skip-to-content")}</a>
        <header class="top">
            <a class="brand" href="/">{i18n.tr("app-name")}</a>
            <nav aria-label=move || i18n.t("nav-label")>
                <A href="/">{i18n.tr("nav-inbox")}</A>
                <Show when=move || session.has(Role::RegistryClerk)>
                    <A href="/register">{i18n.tr("nav-register")}</A>
                </Show>
                <Show when=move || !session.has(Role::Auditor) || session.has(Role::Employee)>
                    <A href="/new">{i18n.tr("nav-new")}</A>
                </Show>
                <Show when=move || session.has(Role::Manager) || session.has(Role::Admin) || session.has(Role::Auditor)>
                    <A href="/overview">{i18n.tr("nav-overview")}</A>
                </Show>
                <Show when=move || session.has(Role::Admin)>
                    <A href="/admin">{i18n.tr("nav-admin")}</A>
                </Show>
                <Show when=move || session.has(Role::Auditor)>
                    <A href="/audit">{i18n.tr("nav-audit")}</A>
                </Show>
            </nav>
            <div class="account">
                <LanguageSwitch />
                <span class="who">{name}</span>
                <button id="logout" class="secondary" on:click=logout>{i18n.tr("logout")}</button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <Routes fallback=move || view! { <p>{i18n.tr("not-found")}</p> }>
                <Route path=path!("/") view=InboxPage />
                <Route path=path!("/register") view=RegisterPage />
                <Route path=path!("/transactions/:id") view=TransactionPage />
                <Route path=path!("/new") view=NewInternalPage />
                <Route path=path!("/overview") view=OverviewPage />
                <Route path=path!("/admin") view=AdminPage />
                <Route path=path!("/audit") view=AuditPage />
            </Routes>
        </main>
    }
}

/// Switches between Arabic and English; the label is in the language it switches to.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            class="secondary lang-switch"
            lang=move || i18n.lang.get().other().code()
            on:click=move |_| i18n.set(i18n.lang.get_untracked().other())
        >
            {i18n.tr("switch-language")}
        </button>
    }
}
