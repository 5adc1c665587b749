//! The shell: session, language, navigation and the routes of the pages.

use leptos::prelude::*;
use leptos_router::components::{A, Router};
use shared_types::{Role, UnitKind, User};

use crate::api;
use crate::i18n::{I18n, use_i18n};
use crate::pages::login::LoginPage;

/// Which of the two bundles this build is (see the crate's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// `/`: inbox, registering, transactions, drafts, overview.
    Desk,
    /// `/office/`: administration, the audit log, the intake queue, reports, the working calendar.
    Office,
}

impl Bundle {
    /// Whether a page of the app lives in this bundle (the other's are reached by loading that bundle).
    pub fn holds(self, href: &str) -> bool {
        let office = href == "/office" || href.starts_with("/office/");
        office == (self == Bundle::Office)
    }
}

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

/// A link to a page of the app: within this bundle the router shows it; a page of the other bundle is loaded.
#[component]
pub fn PageLink(href: String, #[prop(optional)] id: Option<&'static str>, children: Children) -> impl IntoView {
    let bundle = use_context::<Bundle>().unwrap_or(Bundle::Desk);
    if bundle.holds(&href) {
        view! { <A href=href attr:id=id>{children()}</A> }.into_any()
    } else {
        view! { <a href=href id=id rel="external">{children()}</a> }.into_any()
    }
}

/// The app: session, language, the shell and `routes`, the pages of this bundle.
#[component]
pub fn App(bundle: Bundle, routes: fn() -> AnyView) -> impl IntoView {
    provide_context(bundle);
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
                    <Shell routes=routes />
                </Show>
            </Show>
        </Router>
    }
}

#[component]
fn Shell(routes: fn() -> AnyView) -> impl IntoView {
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
    // The intake queue of agency submissions is the central registry's clerks': for a clerk, look up their unit.
    let central_clerk = RwSignal::new(false);
    Effect::new(move |_| {
        let unit = session.user.with(|u| u.as_ref().filter(|_| session.has(Role::RegistryClerk)).map(|u| u.unit_id));
        match unit {
            Some(unit) => leptos::task::spawn_local(async move {
                let central = api::units()
                    .await
                    .is_ok_and(|all| all.iter().any(|u| u.id == unit && u.kind == UnitKind::CentralRegistry));
                central_clerk.set(central);
            }),
            None => central_clerk.set(false),
        }
    });
    view! {
        <a class="skip-link" href="#main">{i18n.tr("skip-to-content")}</a>
        <header class="top">
            <PageLink href="/".into()>
                <span class="brand">{i18n.tr("app-name")}</span>
            </PageLink>
            <nav aria-label=move || i18n.t("nav-label")>
                <PageLink href="/".into()>{i18n.tr("nav-inbox")}</PageLink>
                <Show when=move || session.has(Role::RegistryClerk)>
                    <PageLink href="/register".into()>{i18n.tr("nav-register")}</PageLink>
                </Show>
                <Show when=move || central_clerk.get()>
                    <PageLink href="/office/intake".into()>{i18n.tr("nav-intake")}</PageLink>
                </Show>
                <Show when=move || !session.has(Role::Auditor) || session.has(Role::Employee)>
                    <PageLink href="/new".into()>{i18n.tr("nav-new")}</PageLink>
                </Show>
                <Show when=move || session.has(Role::Manager) || session.has(Role::Admin) || session.has(Role::Auditor)>
                    <PageLink href="/overview".into()>{i18n.tr("nav-overview")}</PageLink>
                    <PageLink href="/office/reports".into()>{i18n.tr("nav-reports")}</PageLink>
                </Show>
                <Show when=move || session.has(Role::Admin)>
                    <PageLink href="/office/admin".into()>{i18n.tr("nav-admin")}</PageLink>
                </Show>
                <Show when=move || session.has(Role::Manager) || session.has(Role::Admin)>
                    <PageLink href="/office/calendar".into()>{i18n.tr("nav-calendar")}</PageLink>
                </Show>
                <Show when=move || session.has(Role::Auditor)>
                    <PageLink href="/office/audit".into()>{i18n.tr("nav-audit")}</PageLink>
                </Show>
            </nav>
            <TopSearch />
            <div class="account">
                <LanguageSwitch />
                <PageLink href="/office/account".into() id="account-link">
                    <span class="who">{name}</span>
                </PageLink>
                <button id="logout" class="secondary" on:click=logout>{i18n.tr("logout")}</button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            {routes()}
        </main>
    }
}

/// The search box of every page: Enter searches (the search page opens a registration number's transaction directly).
#[component]
fn TopSearch() -> impl IntoView {
    let i18n = use_i18n();
    let bundle = use_context::<Bundle>().unwrap_or(Bundle::Desk);
    let navigate = leptos_router::hooks::use_navigate();
    let text = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = text.get_untracked();
        if q.trim().is_empty() {
            return;
        }
        let href = crate::pages::search::search_href(&shared_types::SearchQuery { q: Some(q), ..Default::default() });
        if bundle.holds(&href) {
            navigate(&href, Default::default());
        } else if let Some(window) = web_sys::window() {
            let _ = window.location().set_href(&href);
        }
        text.set(String::new());
    };
    view! {
        <form class="top-search" role="search" on:submit=submit>
            <input type="search" id="top-search" aria-label=move || i18n.t("search-box")
                placeholder=move || i18n.t("search-box-hint")
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
        </form>
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
