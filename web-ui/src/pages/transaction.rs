//! The transaction page: header, where it is and who holds it, the actions the caller may take, the route as a
//! tree with each hop's dwell time drawn to scale, and the timeline.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared_types::{
    AllowedActions, Decision, DecisionRequest, DraftUpdate, ErrorCode, Event, ForwardRequest, Location, ReferRequest,
    ReferralActionRequest, ReferralTarget, Route, RouteNode, StatusChangeRequest, Transaction,
};

use crate::api::{self, ApiError};
use crate::components::{
    ConfidentialityBadge, HeaderFields, HeaderInputs, PriorityBadge, ProblemMessage, TargetPicker, date_of_due,
    due_at_from, entity_name, invalid, optional, unit_name, user_name,
};
use crate::i18n::{I18n, use_i18n};
use crate::pages::documents::DocumentsPanel;

#[derive(Debug, Clone)]
struct Loaded {
    transaction: Transaction,
    location: Location,
    route: Route,
    timeline: Vec<Event>,
    actions: AllowedActions,
}

/// The page's five parts, asked for at once (over HTTP/1.1 the browser opens up to six connections to the server):
/// the page waits for the slowest of them, not for their sum.
async fn load(id: i64) -> Result<Loaded, ApiError> {
    let (transaction, location, route, timeline, actions) = futures_util::future::try_join5(
        api::transaction(id),
        api::location(id),
        api::route(id),
        api::timeline(id),
        api::actions(id),
    )
    .await?;
    Ok(Loaded { transaction, location, route, timeline, actions })
}

#[component]
pub fn TransactionPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let version = RwSignal::new(0_u32);
    let data = LocalResource::new(move || {
        version.track();
        load(id())
    });
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{i18n.tr("loading")}</p> }>
            // The page is built from plain values; it is rebuilt when the language changes.
            {move || { i18n.lang.track(); data.get() }.map(|result| match result {
                Ok(loaded) => view! { <TransactionView loaded=loaded refresh=refresh /> }.into_any(),
                Err(e) => {
                    let (error, _) = signal(Some(e));
                    view! { <ProblemMessage error=error retry=refresh /> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn TransactionView(loaded: Loaded, refresh: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let Loaded { transaction: t, location, route, timeline, actions } = loaded;
    let lang = i18n.lang.get_untracked();
    let status_key = format!("status-{}", t.status.as_str());
    // What the server will accept, as it says, not guessed here from the status (auditors read only).
    let can_add_documents = actions.add_document;
    let holders = location
        .holders
        .iter()
        .map(|h| {
            let who = match &h.user {
                Some(u) => format!("{} — {}", user_name(lang, u), unit_name(lang, &h.unit)),
                None => unit_name(lang, &h.unit),
            };
            view! { <li><bdi>{who}</bdi> " · " {i18n.t("since")} " " {i18n.date_time(&h.since)} " · " {i18n.span(&h.dwell.total)}</li> }
        })
        .collect_view();
    view! {
        <article class="transaction">
            <header class="transaction-header">
                <p class="big-number" dir="ltr" id="transaction-number">{t.registration_number.clone().unwrap_or_else(|| i18n.t("draft"))}</p>
                <h1 id="transaction-subject">{t.subject.clone()}</h1>
                <div class="meta">
                    <span class="badge status" id="transaction-status">{i18n.t(&status_key)}</span>
                    <PriorityBadge priority=t.priority />
                    <ConfidentialityBadge confidentiality=t.confidentiality />
                    {t.external_entity.as_ref().map(|e| view! { <span>{i18n.t("sender")} " " <bdi>{entity_name(lang, e)}</bdi></span> })}
                    {t.sender_reference.clone().map(|r| view! { <span>{i18n.t("field-sender-reference")} " " <bdi>{r}</bdi></span> })}
                    {t.registered_at.map(|d| view! { <span>{i18n.t("registered-at")} " " {i18n.date_time(&d)}</span> })}
                    {t.due_at.map(|d| view! { <span class:overdue=t.overdue>{i18n.t("due")} " " {i18n.date(&d)}</span> })}
                </div>
                {t.summary.clone().map(|s| view! { <p class="summary">{s}</p> })}
                {t.resolution.clone().map(|s| view! { <p class="resolution">{i18n.t("resolution")} ": " {s}</p> })}
            </header>
            <section aria-labelledby="location-title">
                <h2 id="location-title">{i18n.t("location")}</h2>
                <ul class="holders" id="holders">{holders}</ul>
            </section>
            <Actions transaction=t.clone() actions=actions refresh=refresh />
            <DocumentsPanel transaction_id=t.id can_add=can_add_documents />
            <section id="route" aria-labelledby="route-title">
                <h2 id="route-title">{i18n.t("route")}</h2>
                <RouteTree route=route />
            </section>
            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{i18n.t("timeline")}</h2>
                <ol class="timeline" id="timeline">
                    {timeline.into_iter().map(|e| {
                        let key = format!("event-{}", e.kind.as_str().replace('_', "-"));
                        let text = |k: &str| e.details.get(k).and_then(|v| v.as_str()).map(str::to_string);
                        let decision = text("decision").map(|d| i18n.t(&format!("decision-{}", d.replace('_', "-"))));
                        let note = ["note", "text", "resolution"].iter().find_map(|k| text(k));
                        let note = match (decision, note) {
                            (Some(d), Some(n)) => Some(format!("{d}: {n}")),
                            (d, n) => d.or(n),
                        };
                        // "Khalid (Engineering), on behalf of Fahd" when a deputy acted.
                        let who = match &e.on_behalf_of {
                            Some(m) => format!("{} ({}) — {} {}", user_name(lang, &e.actor), unit_name(lang, &e.actor_unit), i18n.t("on-behalf-of"), user_name(lang, m)),
                            None => format!("{} ({})", user_name(lang, &e.actor), unit_name(lang, &e.actor_unit)),
                        };
                        view! {
                            <li class=format!("event event-{}", e.kind.as_str())>
                                <span class="event-kind">{i18n.t(&key)}</span>
                                " · " <bdi class="event-actor">{who}</bdi> " · "
                                <time>{i18n.date_time(&e.at)}</time>
                                {note.map(|n| view! { <p class="note">{n}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        </article>
    }
}

/// The route as nested lists; each hop has a bar whose length is its dwell time relative to the longest hop.
#[component]
fn RouteTree(route: Route) -> impl IntoView {
    let i18n = use_i18n();
    fn longest(nodes: &[RouteNode]) -> i64 {
        nodes.iter().map(|n| n.referral.dwell.total.wall_clock_seconds.max(longest(&n.children))).max().unwrap_or(0)
    }
    let scale = longest(&route.roots).max(1);
    fn render(i18n: I18n, nodes: Vec<RouteNode>, scale: i64) -> AnyView {
        let lang = i18n.lang.get_untracked();
        view! {
            <ul class="route">
                {nodes.into_iter().map(|n| {
                    let r = n.referral;
                    let to = match &r.to_user { Some(u) => format!("{} — {}", user_name(lang, u), unit_name(lang, &r.to_unit)), None => unit_name(lang, &r.to_unit) };
                    let waiting = r.dwell.waiting.wall_clock_seconds;
                    let working = r.dwell.working.wall_clock_seconds;
                    let pct = |s: i64| format!("width: {:.1}%", (s as f64 / scale as f64 * 100.0).max(if s > 0 { 0.5 } else { 0.0 }));
                    let purpose = i18n.t(&format!("purpose-{}", r.purpose.as_str()));
                    let state = i18n.t(&format!("referral-{}", r.outcome.map(|o| o.as_str()).unwrap_or(r.status.as_str())));
                    view! {
                        <li class="hop" class:running=r.dwell.running>
                            <div class="hop-line">
                                <bdi class="hop-to">{to}</bdi>
                                <span class="badge purpose">{purpose}</span>
                                <span class="hop-state">{state}</span>
                                <span class="hop-dwell">{i18n.span(&r.dwell.total)}</span>
                            </div>
                            {r.instructions.clone().map(|s| view! { <p class="note">{s}</p> })}
                            {r.action_note.clone().map(|s| view! { <p class="note">{s}</p> })}
                            <div class="dwell-bar" role="img" aria-label=format!("{}: {}, {}: {}", i18n.t("waiting"), i18n.duration(waiting), i18n.t("working"), i18n.duration(working))>
                                <span class="waiting" style=pct(waiting)></span>
                                <span class="working" style=pct(working)></span>
                            </div>
                            {(!n.children.is_empty()).then(|| render(i18n, n.children, scale))}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
    view! {
        <p class="legend"><span class="swatch waiting"></span>{i18n.t("waiting")} <span class="swatch working"></span>{i18n.t("working")}</p>
        {render(i18n, route.roots, scale)}
    }
}

/// Which form of the actions panel is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    None,
    Forward(i64, i32),
    Return(i64, i32),
    Complete(i64, i32),
    Refer,
    Annotate,
    Decide,
    Close,
    Reopen,
    Archive,
    EditDraft,
    Send,
}

type Request = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>;

/// The actions panel's state: which form is open and what has been typed into it. Copy, like its signals.
#[derive(Clone, Copy)]
struct ActionState {
    id: i64,
    /// The transaction's version, for the state changes that say which one they saw.
    version: i32,
    form: RwSignal<Form>,
    note: RwSignal<String>,
    targets: RwSignal<Vec<ReferralTarget>>,
    decision: RwSignal<Decision>,
    /// A draft's header, prefilled for editing.
    header: HeaderFields,
    error: ReadSignal<Option<ApiError>>,
    set_error: WriteSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    /// Creating requests (refer, annotate, send, decide) carry a key: a double click or a retry records them once.
    key: RwSignal<String>,
    refresh: Callback<()>,
}

impl ActionState {
    fn new(transaction: &Transaction, refresh: Callback<()>) -> Self {
        let header = HeaderFields::new();
        header.subject.set(transaction.subject.clone());
        header.summary.set(transaction.summary.clone().unwrap_or_default());
        header.priority.set(transaction.priority);
        header.confidentiality.set(transaction.confidentiality);
        header.due.set(date_of_due(transaction.due_at));
        let (error, set_error) = signal(None::<ApiError>);
        ActionState {
            id: transaction.id,
            version: transaction.version,
            form: RwSignal::new(Form::None),
            note: RwSignal::new(String::new()),
            targets: RwSignal::new(Vec::new()),
            decision: RwSignal::new(Decision::Approve),
            header,
            error,
            set_error,
            busy: RwSignal::new(false),
            key: RwSignal::new(api::idempotency_key()),
            refresh,
        }
    }

    fn open(self, form: Form) {
        self.set_error.set(None);
        self.form.set(form);
    }

    /// Run an action; on success reload the page's data, on failure keep what was typed and explain.
    fn run(self, request: Request) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(()) => {
                    self.set_error.set(None);
                    self.key.set(api::idempotency_key());
                    self.form.set(Form::None);
                    self.note.set(String::new());
                    self.targets.set(Vec::new());
                    self.refresh.run(());
                }
                Err(e) => self.set_error.set(Some(e)),
            }
            self.busy.set(false);
        });
    }

    /// Send what the open form says.
    fn submit(self) {
        match self.request() {
            Ok(Some(request)) => self.run(request),
            Ok(None) => {}
            Err(e) => self.set_error.set(Some(e)),
        }
    }

    /// The request of the open form, or why it cannot be sent as it is.
    fn request(self) -> Result<Option<Request>, ApiError> {
        let (id, version, key) = (self.id, self.version, self.key.get_untracked());
        let note = Some(self.note.get_untracked()).filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string());
        let targets = self.targets.get_untracked();
        let request: Request = match self.form.get_untracked() {
            Form::None => return Ok(None),
            Form::Forward(r, v) => {
                let body = ForwardRequest { targets, note, expected_version: Some(v) };
                Box::pin(async move { api::forward(r, &body).await.map(|_| ()) })
            }
            Form::Return(r, v) => {
                let body = ReferralActionRequest { note, expected_version: Some(v) };
                Box::pin(async move { api::return_to_sender(r, &body).await.map(|_| ()) })
            }
            Form::Complete(r, v) => {
                let body = ReferralActionRequest { note, expected_version: Some(v) };
                Box::pin(async move { api::complete(r, &body).await.map(|_| ()) })
            }
            Form::Refer => {
                let body = ReferRequest { targets };
                Box::pin(async move { api::refer(id, &body, &key).await.map(|_| ()) })
            }
            Form::Annotate => {
                let text = note.unwrap_or_default();
                Box::pin(async move { api::annotate(id, text, &key).await.map(|_| ()) })
            }
            Form::Decide => {
                let body = DecisionRequest { decision: self.decision.get_untracked(), note };
                Box::pin(async move { api::decide(id, &body, &key).await.map(|_| ()) })
            }
            Form::Close => {
                let body = StatusChangeRequest { note, expected_version: Some(version) };
                Box::pin(async move { api::close(id, &body).await.map(|_| ()) })
            }
            Form::Archive => {
                let body = StatusChangeRequest { note, expected_version: Some(version) };
                Box::pin(async move { api::archive(id, &body).await.map(|_| ()) })
            }
            Form::Reopen => {
                let body = StatusChangeRequest { note, expected_version: Some(version) };
                Box::pin(async move { api::reopen(id, &body).await.map(|_| ()) })
            }
            Form::EditDraft => {
                let header = self.header;
                let mut errors = Vec::new();
                header.validate(&mut errors);
                if !errors.is_empty() {
                    return Err(invalid(errors));
                }
                let body = DraftUpdate {
                    subject: Some(header.subject.get_untracked().trim().to_string()),
                    summary: optional(header.summary.get_untracked()),
                    priority: Some(header.priority.get_untracked()),
                    confidentiality: Some(header.confidentiality.get_untracked()),
                    due_at: due_at_from(&header.due.get_untracked()),
                    attachments_count: None,
                    expected_version: Some(version),
                };
                Box::pin(async move { api::update_draft(id, &body).await.map(|_| ()) })
            }
            Form::Send => {
                let body = ReferRequest { targets };
                Box::pin(async move { api::send_draft(id, &body, &key).await.map(|_| ()) })
            }
        };
        Ok(Some(request))
    }

    /// The failure is someone else's change a moment ago: reloading shows it.
    fn conflict(self) -> bool {
        self.error.with(|e| {
            matches!(
                e.as_ref().and_then(ApiError::code),
                Some(
                    ErrorCode::VersionConflict
                        | ErrorCode::ReferralAlreadyCompleted
                        | ErrorCode::ReferralAlreadyReceived
                )
            )
        })
    }
}

/// The actions the caller may take now, as the server says, each opening its form (or, to receive, done at once).
#[component]
fn Actions(transaction: Transaction, actions: AllowedActions, refresh: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let state = ActionState::new(&transaction, refresh);
    let any = actions.refer
        || actions.annotate
        || actions.decide
        || actions.close
        || actions.reopen
        || actions.archive
        || actions.edit_draft
        || actions.send
        || !actions.referrals.is_empty();
    let blocked = actions.close_blocked_by;
    view! {
        <section class="actions-panel" aria-labelledby="actions-title" class:hidden=!any>
            <h2 id="actions-title">{i18n.t("actions")}</h2>
            <ActionButtons actions=actions state=state />
            {(blocked > 0).then(|| view! { <p class="hint">{i18n.ta("close-blocked", &[("n", blocked.into())])}</p> })}
            <ActionForm state=state />
            <ProblemMessage error=state.error />
            <Show when=move || state.conflict()>
                <p class="hint">{i18n.tr("conflict-explained")}</p>
                <button class="secondary" on:click=move |_| refresh.run(())>{i18n.tr("refresh")}</button>
            </Show>
        </section>
    }
}

#[component]
fn ActionButtons(actions: AllowedActions, state: ActionState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="action-buttons">
            {actions.referrals.iter().map(|r| {
                let (rid, v) = (r.referral_id, r.version);
                view! {
                    {r.receive.then(|| view! { <button id="action-receive" disabled=move || state.busy.get()
                        on:click=move |_| state.run(Box::pin(async move { api::receive(rid, v).await.map(|_| ()) }))>{i18n.t("action-receive")}</button> })}
                    {r.forward.then(|| view! { <button id="action-forward" on:click=move |_| state.open(Form::Forward(rid, v))>{i18n.t("action-forward")}</button> })}
                    {r.complete.then(|| view! { <button id="action-complete" on:click=move |_| state.open(Form::Complete(rid, v))>{i18n.t("action-complete")}</button> })}
                    {r.return_to_sender.then(|| view! { <button id="action-return" class="secondary" on:click=move |_| state.open(Form::Return(rid, v))>{i18n.t("action-return")}</button> })}
                }
            }).collect_view()}
            {actions.send.then(|| view! { <button id="action-send" on:click=move |_| state.open(Form::Send)>{i18n.t("action-send")}</button> })}
            {actions.edit_draft.then(|| view! { <button id="action-edit" class="secondary" on:click=move |_| state.open(Form::EditDraft)>{i18n.t("action-edit")}</button> })}
            {actions.refer.then(|| view! { <button id="action-refer" class="secondary" on:click=move |_| state.open(Form::Refer)>{i18n.t("action-refer")}</button> })}
            {actions.annotate.then(|| view! { <button id="action-annotate" class="secondary" on:click=move |_| state.open(Form::Annotate)>{i18n.t("action-annotate")}</button> })}
            {actions.decide.then(|| view! { <button id="action-decide" class="secondary" on:click=move |_| state.open(Form::Decide)>{i18n.t("action-decide")}</button> })}
            {actions.close.then(|| view! { <button id="action-close" on:click=move |_| state.open(Form::Close)>{i18n.t("action-close")}</button> })}
            {actions.reopen.then(|| view! { <button id="action-reopen" class="secondary" on:click=move |_| state.open(Form::Reopen)>{i18n.t("action-reopen")}</button> })}
            {actions.archive.then(|| view! { <button id="action-archive" class="secondary" on:click=move |_| state.open(Form::Archive)>{i18n.t("action-archive")}</button> })}
        </div>
    }
}

/// The open action's form: targets, a draft's header, a decision, a note, as the action needs.
#[component]
fn ActionForm(state: ActionState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || state.form.get() != Form::None>
            <form class="action-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); state.submit() }>
                <Show when=move || matches!(state.form.get(), Form::Forward(..) | Form::Refer | Form::Send)>
                    <TargetPicker targets=state.targets id_prefix="action-" />
                </Show>
                <Show when=move || state.form.get() == Form::EditDraft>
                    <HeaderInputs fields=state.header />
                </Show>
                <Show when=move || state.form.get() == Form::Decide>
                    <label for="decision">{i18n.tr("field-decision")}</label>
                    <select id="decision" on:change=move |ev| state.decision.set(event_target_value(&ev).parse().unwrap_or(Decision::Approve))>
                        {Decision::ALL.iter().map(|d| {
                            let k = format!("decision-{}", d.as_str().replace('_', "-"));
                            view! { <option value=d.as_str()>{move || i18n.t(&k)}</option> }
                        }).collect_view()}
                    </select>
                </Show>
                <Show when=move || !matches!(state.form.get(), Form::EditDraft | Form::Send)>
                    <label for="action-note">{move || match state.form.get() {
                        Form::Complete(..) => i18n.t("field-action-note"),
                        Form::Close => i18n.t("field-resolution"),
                        Form::Reopen => i18n.t("field-reason"),
                        Form::Annotate => i18n.t("field-annotation"),
                        _ => i18n.t("field-note"),
                    }}</label>
                    <textarea id="action-note" rows="3" prop:value=move || state.note.get() on:input=move |ev| state.note.set(event_target_value(&ev))></textarea>
                </Show>
                <div class="row">
                    <button type="submit" id="action-submit" disabled=move || state.busy.get()>{i18n.tr("confirm")}</button>
                    <button type="button" class="secondary" on:click=move |_| state.form.set(Form::None)>{i18n.tr("cancel")}</button>
                </div>
            </form>
        </Show>
    }
}
