//! Muamalat web UI: a Leptos client-side-rendered SPA, Arabic right-to-left first. Its screens are built on the
//! shared HTTP contract in `shared-types`.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(App);
}

/// The application shell.
#[component]
fn App() -> impl IntoView {
    view! {
        <main dir="rtl" lang="ar">
            <h1>"معاملات"</h1>
            <p>"نظام الاتصالات الإدارية وتتبع المعاملات"</p>
        </main>
    }
}
