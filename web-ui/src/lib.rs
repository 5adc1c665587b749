//! Muamalat web UI: a Leptos client-side-rendered SPA, Arabic right-to-left first, on the shared HTTP contract in
//! `shared-types`.
//!
//! It ships as two bundles (WebAssembly modules), so that the one opened every day stays small: the desk
//! (`src/main.rs`: inbox, registering, transactions, drafts, the managers' overview), served at `/`, and the office
//! (`src/bin/office.rs`: administration, the audit log, the intake queue of agency submissions, my account's
//! delegations and sessions), served at
//! `/office/`. Both are built from this library; each holds only the pages its routes name. They share the session
//! (its cookie) and the messages.

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod paging;

/// Load the messages, then show `app`.
pub fn start<V: leptos::IntoView + 'static>(app: fn() -> V) {
    // Leptos's own executor starts with the app; before it, the browser's microtask queue runs the loading.
    wasm_bindgen_futures::spawn_local(async move {
        i18n::load().await;
        leptos::mount::mount_to_body(app);
    });
}

/// The sources, for the test that every message key used exists.
#[cfg(test)]
pub const SOURCES: &[&str] = &[
    include_str!("main.rs"),
    include_str!("bin/office.rs"),
    include_str!("app.rs"),
    include_str!("components.rs"),
    include_str!("paging.rs"),
    include_str!("pages/login.rs"),
    include_str!("pages/inbox.rs"),
    include_str!("pages/register.rs"),
    include_str!("pages/transaction.rs"),
    include_str!("pages/new.rs"),
    include_str!("pages/overview.rs"),
    include_str!("pages/admin.rs"),
    include_str!("pages/documents.rs"),
    include_str!("pages/audit.rs"),
    include_str!("pages/intake.rs"),
    include_str!("pages/account.rs"),
    include_str!("pages/calendar.rs"),
];
