//! Sign in.

use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::app::{LanguageSwitch, use_session};
use crate::components::ProblemMessage;
use crate::i18n::use_i18n;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (u, p) = (username.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::login(u, p).await {
                Ok(user) => {
                    set_error.set(None);
                    session.user.set(Some(user));
                }
                Err(e) => set_error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <div class="lang-corner"><LanguageSwitch /></div>
            <h1>{i18n.tr("app-name")}</h1>
            <p class="tagline">{i18n.tr("app-tagline")}</p>
            <form on:submit=submit>
                <label for="username">{i18n.tr("username")}</label>
                <input id="username" name="username" autocomplete="username" required dir="ltr"
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <label for="password">{i18n.tr("password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required dir="ltr"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <ProblemMessage error=error />
                <button type="submit" id="login-submit" disabled=move || busy.get()>{i18n.tr("login")}</button>
            </form>
        </main>
    }
}
