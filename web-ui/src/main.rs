//! The desk bundle, served at `/`: what staff open every day — the inbox, registering, transactions, drafts, search
//! and the managers' overview. Administration, the audit log and the intake queue are the office bundle's (`/office/`).

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;
use muamalat_web_ui::app::{App, Bundle};
use muamalat_web_ui::i18n::use_i18n;
use muamalat_web_ui::pages::{
    inbox::InboxPage, new::NewInternalPage, overview::OverviewPage, register::RegisterPage, search::SearchPage,
    transaction::TransactionPage,
};

fn routes() -> AnyView {
    let i18n = use_i18n();
    view! {
        <Routes fallback=move || view! { <p>{i18n.tr("not-found")}</p> }>
            <Route path=path!("/") view=InboxPage />
            <Route path=path!("/register") view=RegisterPage />
            <Route path=path!("/transactions/:id") view=TransactionPage />
            <Route path=path!("/new") view=NewInternalPage />
            <Route path=path!("/overview") view=OverviewPage />
            <Route path=path!("/search") view=SearchPage />
        </Routes>
    }
    .into_any()
}

fn main() {
    muamalat_web_ui::start(|| view! { <App bundle=Bundle::Desk routes=routes /> });
}
