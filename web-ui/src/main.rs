//! Muamalat web UI: a Leptos client-side-rendered SPA, Arabic right-to-left first, on the shared HTTP contract in
//! `shared-types`.

mod api;
mod app;
mod components;
mod i18n;
mod pages;

fn main() {
    // Leptos's own executor starts with the app; before it, the browser's microtask queue runs the loading.
    wasm_bindgen_futures::spawn_local(async {
        i18n::load().await;
        leptos::mount::mount_to_body(app::App);
    });
}

/// The sources, for the test that every message key used exists.
#[cfg(test)]
pub const SOURCES: &[&str] = &[
    include_str!("app.rs"),
    include_str!("components.rs"),
    include_str!("pages/login.rs"),
    include_str!("pages/inbox.rs"),
    include_str!("pages/register.rs"),
    include_str!("pages/transaction.rs"),
    include_str!("pages/new.rs"),
    include_str!("pages/overview.rs"),
    include_str!("pages/admin.rs"),
    include_str!("pages/documents.rs"),
    include_str!("pages/audit.rs"),
];
