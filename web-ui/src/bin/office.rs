//! The office bundle, served at `/office/`: administration, the audit log, the central registry's intake queue
//! of agency submissions, reports, the working calendar, and my account (delegations, sessions) — screens some people open now and then, kept out of the desk bundle everyone loads.

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;
use muamalat_web_ui::app::{App, Bundle, use_session};
use muamalat_web_ui::i18n::use_i18n;
use muamalat_web_ui::pages::{
    account::AccountPage, admin::AdminPage, audit::AuditPage, calendar::CalendarPage, intake::IntakePage,
    reports::ReportsPage,
};
use shared_types::Role;

/// `/office/`: the first of the office's screens the user may open.
#[component]
fn OfficeHome() -> impl IntoView {
    let session = use_session();
    move || {
        if session.has(Role::Admin) {
            view! { <AdminPage /> }.into_any()
        } else if session.has(Role::Auditor) {
            view! { <AuditPage /> }.into_any()
        } else {
            view! { <IntakePage /> }.into_any()
        }
    }
}

fn routes() -> AnyView {
    let i18n = use_i18n();
    view! {
        <Routes fallback=move || view! { <p>{i18n.tr("not-found")}</p> }>
            <Route path=path!("/office") view=OfficeHome />
            <Route path=path!("/office/admin") view=AdminPage />
            <Route path=path!("/office/audit") view=AuditPage />
            <Route path=path!("/office/intake") view=IntakePage />
            <Route path=path!("/office/account") view=AccountPage />
            <Route path=path!("/office/reports") view=ReportsPage />
            <Route path=path!("/office/calendar") view=CalendarPage />
        </Routes>
    }
    .into_any()
}

fn main() {
    muamalat_web_ui::start(|| view! { <App bundle=Bundle::Office routes=routes /> });
}
