//! Administration (admins): the unit tree and the users of each unit — create, rename, move, disable.

use leptos::prelude::*;
use shared_types::{Confidentiality, FieldError, NewUnit, NewUser, Role, Unit, UnitKind, UnitUpdate, User, UserUpdate};

use crate::api::{self, ApiError};
use crate::components::{ProblemMessage, invalid, optional};
use crate::i18n::{Lang, use_i18n};

fn required(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError { field: field.into(), code: "required".into(), message: String::new() });
    }
}

/// A text input bound to a signal.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] kind: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = if kind.is_empty() { "text" } else { kind };
    view! {
        <label for=id>{move || i18n.t(label)}</label>
        <input id=id type=kind autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
    }
}

/// Role checkboxes bound to a set of roles.
#[component]
fn RolesInput(prefix: &'static str, roles: RwSignal<Vec<Role>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="roles">
            <legend>{i18n.tr("field-roles")}</legend>
            {Role::ALL.iter().map(|role| {
                let role = *role;
                let key = format!("role-{}", role.as_str().replace('_', "-"));
                view! {
                    <label class="check">
                        <input type="checkbox" id=format!("{prefix}role-{}", role.as_str())
                            prop:checked=move || roles.with(|r| r.contains(&role))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                roles.update(|r| { r.retain(|x| *x != role); if on { r.push(role) } });
                            } />
                        {move || i18n.t(&key)}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn ClearanceInput(id: &'static str, clearance: RwSignal<Confidentiality>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label for=id>{i18n.tr("field-clearance")}</label>
        <select id=id on:change=move |ev| clearance.set(event_target_value(&ev).parse().unwrap_or(Confidentiality::Normal))>
            {Confidentiality::ALL.iter().map(|c| {
                let c = *c;
                let k = format!("confidentiality-{}", c.as_str().replace('_', "-"));
                view! { <option value=c.as_str() selected=move || clearance.get() == c>{move || i18n.t(&k)}</option> }
            }).collect_view()}
        </select>
    }
}

/// Units in tree order with their depth (the API lists each unit after its parent).
pub(crate) fn with_depth(units: &[Unit]) -> Vec<(usize, Unit)> {
    let mut depth = std::collections::HashMap::new();
    units
        .iter()
        .map(|u| {
            let d = u.parent_id.and_then(|p| depth.get(&p).copied()).map_or(0, |d: usize| d + 1);
            depth.insert(u.id, d);
            (d, u.clone())
        })
        .collect()
}

/// What the parts of the administration page share: the unit tree and the selected unit's users (reloaded after
/// every change), the selected unit, and how a change is run and its outcome shown. Copy, like its signals.
#[derive(Clone, Copy)]
struct Admin {
    version: RwSignal<u32>,
    units: LocalResource<Result<Vec<Unit>, ApiError>>,
    users: LocalResource<Result<Vec<User>, ApiError>>,
    selected: RwSignal<Option<Unit>>,
    error: ReadSignal<Option<ApiError>>,
    set_error: WriteSignal<Option<ApiError>>,
    saved: ReadSignal<bool>,
    set_saved: WriteSignal<bool>,
    busy: RwSignal<bool>,
}

type Change = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>;

impl Admin {
    fn new() -> Self {
        let version = RwSignal::new(0_u32);
        let selected = RwSignal::new(None::<Unit>);
        let units = LocalResource::new(move || {
            version.track();
            api::units()
        });
        let users = LocalResource::new(move || {
            version.track();
            let unit = selected.get().map(|u| u.id);
            async move {
                match unit {
                    Some(id) => api::users_of(id).await,
                    None => Ok(Vec::new()),
                }
            }
        });
        let (error, set_error) = signal(None::<ApiError>);
        let (saved, set_saved) = signal(false);
        Admin { version, units, users, selected, error, set_error, saved, set_saved, busy: RwSignal::new(false) }
    }

    fn unit_list(self) -> Vec<Unit> {
        self.units.get().and_then(|r| r.ok()).unwrap_or_default()
    }

    /// Run a change; on success reload the tree and the users, on failure keep the form and explain.
    fn run(self, change: Change) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.set_saved.set(false);
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(()) => {
                    self.set_error.set(None);
                    self.set_saved.set(true);
                    self.version.update(|v| *v += 1);
                }
                Err(e) => self.set_error.set(Some(e)),
            }
            self.busy.set(false);
        });
    }

    /// The units as options of a select, in tree order, indented by depth.
    fn unit_options(self, current: Option<i64>, exclude: Option<i64>) -> impl IntoView {
        let lang = use_i18n().lang.get();
        with_depth(&self.unit_list())
            .into_iter()
            .filter(|(_, u)| Some(u.id) != exclude)
            .map(|(d, u)| {
                let name = if lang == Lang::Ar { u.name_ar } else { u.name_en };
                let label = format!("{}{name}", "\u{a0}\u{a0}".repeat(d));
                view! { <option value=u.id.to_string() selected=Some(u.id) == current>{label}</option> }
            })
            .collect_view()
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let admin = Admin::new();
    // The user being edited, picked in the table.
    let editing = RwSignal::new(None::<User>);
    view! {
        <h1>{i18n.tr("admin-title")}</h1>
        <ProblemMessage error=admin.error />
        <Show when=move || admin.saved.get()>
            <p class="saved" role="status">{i18n.tr("saved")}</p>
        </Show>
        <div class="admin">
            <UnitTree admin=admin />
            <div class="admin-detail">
                <Show when=move || admin.selected.with(Option::is_some) fallback=move || view! { <p class="hint">{i18n.tr("admin-pick-unit")}</p> }>
                    <UnitForm admin=admin />
                    <NewUnitForm admin=admin />
                    <UserTable admin=admin editing=editing />
                    <UserForm admin=admin editing=editing />
                    <NewUserForm admin=admin />
                </Show>
            </div>
        </div>
    }
}

/// The unit tree; picking a unit opens its form and its users.
#[component]
fn UnitTree(admin: Admin) -> impl IntoView {
    let i18n = use_i18n();
    let select = move |u: Unit| {
        admin.set_error.set(None);
        admin.set_saved.set(false);
        admin.selected.set(Some(u));
    };
    view! {
        <nav class="unit-tree" aria-label=move || i18n.t("admin-units")>
            <h2>{i18n.tr("admin-units")}</h2>
            <ul id="admin-units">
                {move || {
                    let lang = i18n.lang.get();
                    let current = admin.selected.with(|s| s.as_ref().map(|u| u.id));
                    with_depth(&admin.unit_list()).into_iter().map(|(d, u)| {
                        let name = if lang == Lang::Ar { u.name_ar.clone() } else { u.name_en.clone() };
                        let (code, inactive, id) = (u.code.clone(), !u.active, u.id);
                        let data_code = code.clone();
                        view! {
                            <li style=format!("padding-inline-start: {}rem", d)>
                                <button type="button" class="unit-node" data-code=data_code
                                    aria-current=move || (current == Some(id)).then_some("true")
                                    on:click=move |_| select(u.clone())>
                                    <bdi>{name}</bdi> " " <span class="code" dir="ltr">{code}</span>
                                    {inactive.then(|| view! { " " <span class="badge">{i18n.t("inactive")}</span> })}
                                </button>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </nav>
    }
}

/// The selected unit: its names, parent, head and whether it is active.
#[component]
fn UnitForm(admin: Admin) -> impl IntoView {
    let i18n = use_i18n();
    let name_ar = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let parent = RwSignal::new(None::<i64>);
    let active = RwSignal::new(true);
    let head = RwSignal::new(None::<i64>);
    // Fill the form with the unit picked in the tree (and again after it is saved).
    Effect::new(move |_| {
        if let Some(u) = admin.selected.get() {
            name_ar.set(u.name_ar.clone());
            name_en.set(u.name_en.clone());
            parent.set(u.parent_id);
            active.set(u.active);
            head.set(u.head_user_id);
        }
    });
    let save_unit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(unit) = admin.selected.get_untracked() else { return };
        let mut errors = Vec::new();
        required(&mut errors, "name_ar", &name_ar.get_untracked());
        required(&mut errors, "name_en", &name_en.get_untracked());
        if !errors.is_empty() {
            admin.set_error.set(Some(invalid(errors)));
            return;
        }
        let new_parent = parent.get_untracked();
        let body = UnitUpdate {
            name_ar: Some(name_ar.get_untracked().trim().to_string()),
            name_en: Some(name_en.get_untracked().trim().to_string()),
            parent_id: new_parent.filter(|p| Some(*p) != unit.parent_id),
            head_user_id: head.get_untracked().filter(|h| Some(*h) != unit.head_user_id),
            active: Some(active.get_untracked()),
        };
        admin.run(Box::pin(async move {
            let updated = api::update_unit(unit.id, &body).await?;
            admin.selected.set(Some(updated));
            Ok(())
        }))
    };

    view! {
        <section aria-labelledby="unit-form-title">
            <h2 id="unit-form-title">{i18n.tr("admin-unit")} " " <span dir="ltr">{move || admin.selected.get().map(|u| u.code).unwrap_or_default()}</span></h2>
            <form on:submit=save_unit novalidate>
                <Field id="unit-name-ar" label="field-name-ar" value=name_ar />
                <Field id="unit-name-en" label="field-name-en" value=name_en />
                <label for="unit-parent">{i18n.tr("field-parent")}</label>
                <select id="unit-parent" on:change=move |ev| parent.set(event_target_value(&ev).parse().ok())>
                    <option value="">"—"</option>
                    {move || admin.unit_options(parent.get(), admin.selected.get().map(|u| u.id))}
                </select>
                <label for="unit-head">{i18n.tr("field-head-user-id")}</label>
                <select id="unit-head" on:change=move |ev| head.set(event_target_value(&ev).parse().ok())>
                    <option value="">"—"</option>
                    {move || {
                        let lang = i18n.lang.get();
                        let current = head.get();
                        admin.users.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().filter(|u| u.active).map(|u| {
                            let name = if lang == Lang::Ar { u.full_name_ar } else { u.full_name_en };
                            view! { <option value=u.id.to_string() selected=current == Some(u.id)>{name}</option> }
                        }).collect_view()
                    }}
                </select>
                <label class="check"><input type="checkbox" id="unit-active" prop:checked=move || active.get()
                    on:change=move |ev| active.set(event_target_checked(&ev)) />{i18n.tr("field-active")}</label>
                <button type="submit" id="unit-save" disabled=move || admin.busy.get()>{i18n.tr("save")}</button>
            </form>
        </section>
    }
}

/// A new unit under the selected one.
#[component]
fn NewUnitForm(admin: Admin) -> impl IntoView {
    let i18n = use_i18n();
    let new_code = RwSignal::new(String::new());
    let new_ar = RwSignal::new(String::new());
    let new_en = RwSignal::new(String::new());
    let new_kind = RwSignal::new(UnitKind::Department);
    let unit_key = RwSignal::new(api::idempotency_key());
    let create_unit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors = Vec::new();
        required(&mut errors, "code", &new_code.get_untracked());
        required(&mut errors, "name_ar", &new_ar.get_untracked());
        required(&mut errors, "name_en", &new_en.get_untracked());
        if !errors.is_empty() {
            admin.set_error.set(Some(invalid(errors)));
            return;
        }
        let body = NewUnit {
            code: new_code.get_untracked().trim().to_string(),
            name_ar: new_ar.get_untracked().trim().to_string(),
            name_en: new_en.get_untracked().trim().to_string(),
            kind: new_kind.get_untracked(),
            parent_id: admin.selected.get_untracked().map(|u| u.id),
            head_user_id: None,
            registry_code: None,
        };
        let key = unit_key.get_untracked();
        admin.run(Box::pin(async move {
            api::create_unit(&body, &key).await?;
            for s in [new_code, new_ar, new_en] {
                s.set(String::new());
            }
            unit_key.set(api::idempotency_key());
            Ok(())
        }))
    };

    view! {
        <section aria-labelledby="new-unit-title">
            <h2 id="new-unit-title">{i18n.tr("admin-new-unit")}</h2>
            <form on:submit=create_unit novalidate>
                <div class="row">
                    <div><Field id="new-unit-code" label="field-code" value=new_code /></div>
                    <label>{i18n.tr("field-kind")}
                        <select id="new-unit-kind" on:change=move |ev| new_kind.set(event_target_value(&ev).parse().unwrap_or(UnitKind::Department))>
                            {UnitKind::ALL.iter().map(|k| {
                                let k = *k;
                                let key = format!("unit-kind-{}", k.as_str().replace('_', "-"));
                                view! { <option value=k.as_str() selected=move || new_kind.get() == k>{move || i18n.t(&key)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <Field id="new-unit-name-ar" label="field-name-ar" value=new_ar />
                <Field id="new-unit-name-en" label="field-name-en" value=new_en />
                <button type="submit" id="new-unit-submit" disabled=move || admin.busy.get()>{i18n.tr("create")}</button>
            </form>
        </section>
    }
}

/// The selected unit's users; "edit" opens one in [`UserForm`].
#[component]
fn UserTable(admin: Admin, editing: RwSignal<Option<User>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="users-title">
            <h2 id="users-title">{i18n.tr("admin-users")}</h2>
            <div class="table-wrap">
                <table id="admin-users">
                    <thead><tr>
                        <th scope="col">{i18n.tr("col-name")}</th>
                        <th scope="col">{i18n.tr("username")}</th>
                        <th scope="col">{i18n.tr("field-roles")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        {move || {
                            let lang = i18n.lang.get();
                            admin.users.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|u| {
                                let name = if lang == Lang::Ar { u.full_name_ar.clone() } else { u.full_name_en.clone() };
                                let roles = u.roles.iter().map(|r| i18n.t(&format!("role-{}", r.as_str().replace('_', "-")))).collect::<Vec<_>>().join("، ");
                                let username = u.username.clone();
                                let inactive = !u.active;
                                view! {
                                    <tr class:inactive=inactive>
                                        <td><bdi>{name}</bdi>{inactive.then(|| view! { " " <span class="badge">{i18n.t("inactive")}</span> })}</td>
                                        <td dir="ltr">{username.clone()}</td>
                                        <td>{roles}</td>
                                        <td><button type="button" class="secondary" data-username=username on:click=move |_| editing.set(Some(u.clone()))>{i18n.t("edit")}</button></td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The user picked in the table: names, unit, roles, clearance, contact, a new password, active.
#[component]
fn UserForm(admin: Admin, editing: RwSignal<Option<User>>) -> impl IntoView {
    let i18n = use_i18n();
    let u_ar = RwSignal::new(String::new());
    let u_en = RwSignal::new(String::new());
    let u_unit = RwSignal::new(0_i64);
    let u_roles = RwSignal::new(Vec::<Role>::new());
    let u_clearance = RwSignal::new(Confidentiality::Normal);
    let u_active = RwSignal::new(true);
    let u_password = RwSignal::new(String::new());
    let u_phone = RwSignal::new(String::new());
    let u_email = RwSignal::new(String::new());
    let save_user = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(user) = editing.get_untracked() else { return };
        let mut errors = Vec::new();
        required(&mut errors, "full_name_ar", &u_ar.get_untracked());
        required(&mut errors, "full_name_en", &u_en.get_untracked());
        if u_roles.with_untracked(Vec::is_empty) {
            errors.push(FieldError { field: "roles".into(), code: "required".into(), message: String::new() });
        }
        if !errors.is_empty() {
            admin.set_error.set(Some(invalid(errors)));
            return;
        }
        let body = UserUpdate {
            full_name_ar: Some(u_ar.get_untracked().trim().to_string()),
            full_name_en: Some(u_en.get_untracked().trim().to_string()),
            unit_id: Some(u_unit.get_untracked()).filter(|u| *u != user.unit_id),
            roles: Some(u_roles.get_untracked()),
            clearance: Some(u_clearance.get_untracked()),
            phone: optional(u_phone.get_untracked()).filter(|p| Some(p) != user.phone.as_ref()),
            email: optional(u_email.get_untracked()).filter(|e| Some(e) != user.email.as_ref()),
            active: Some(u_active.get_untracked()),
            password: optional(u_password.get_untracked()),
        };
        admin.run(Box::pin(async move {
            api::update_user(user.id, &body).await?;
            editing.set(None);
            Ok(())
        }))
    };

    // Fill the form with the user picked in the table.
    Effect::new(move |_| {
        if let Some(u) = editing.get() {
            u_ar.set(u.full_name_ar.clone());
            u_en.set(u.full_name_en.clone());
            u_unit.set(u.unit_id);
            u_roles.set(u.roles.clone());
            u_clearance.set(u.clearance);
            u_active.set(u.active);
            u_password.set(String::new());
            u_phone.set(u.phone.clone().unwrap_or_default());
            u_email.set(u.email.clone().unwrap_or_default());
            admin.set_error.set(None);
        }
    });
    view! {
        <Show when=move || editing.with(Option::is_some)>
            <section aria-labelledby="user-form-title">
                <h2 id="user-form-title">{i18n.tr("admin-edit-user")} " " <span dir="ltr">{move || editing.get().map(|u| u.username).unwrap_or_default()}</span></h2>
                <form on:submit=save_user novalidate>
                    <Field id="user-name-ar" label="field-name-ar" value=u_ar />
                    <Field id="user-name-en" label="field-name-en" value=u_en />
                    <label for="user-unit">{i18n.tr("field-unit")}</label>
                    <select id="user-unit" on:change=move |ev| { if let Ok(id) = event_target_value(&ev).parse() { u_unit.set(id) } }>
                        {move || admin.unit_options(Some(u_unit.get()), None)}
                    </select>
                    <RolesInput prefix="user-" roles=u_roles />
                    <ClearanceInput id="user-clearance" clearance=u_clearance />
                    <div class="row">
                        <div><Field id="user-phone" label="field-phone" value=u_phone kind="tel" /></div>
                        <div><Field id="user-email" label="field-email" value=u_email kind="email" /></div>
                    </div>
                    <Field id="user-password" label="field-new-password" value=u_password kind="password" />
                    <label class="check"><input type="checkbox" id="user-active" prop:checked=move || u_active.get()
                        on:change=move |ev| u_active.set(event_target_checked(&ev)) />{i18n.tr("field-active")}</label>
                    <div class="row">
                        <button type="submit" id="user-save" disabled=move || admin.busy.get()>{i18n.tr("save")}</button>
                        <button type="button" class="secondary" on:click=move |_| editing.set(None)>{i18n.tr("cancel")}</button>
                    </div>
                </form>
            </section>
        </Show>
    }
}

/// A new user in the selected unit.
#[component]
fn NewUserForm(admin: Admin) -> impl IntoView {
    let i18n = use_i18n();
    let n_username = RwSignal::new(String::new());
    let n_password = RwSignal::new(String::new());
    let n_ar = RwSignal::new(String::new());
    let n_en = RwSignal::new(String::new());
    let n_roles = RwSignal::new(vec![Role::Employee]);
    let n_clearance = RwSignal::new(Confidentiality::Normal);
    let n_phone = RwSignal::new(String::new());
    let n_email = RwSignal::new(String::new());
    let user_key = RwSignal::new(api::idempotency_key());
    let create_user = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(unit) = admin.selected.get_untracked() else { return };
        let mut errors = Vec::new();
        required(&mut errors, "username", &n_username.get_untracked());
        required(&mut errors, "password", &n_password.get_untracked());
        required(&mut errors, "full_name_ar", &n_ar.get_untracked());
        required(&mut errors, "full_name_en", &n_en.get_untracked());
        if n_roles.with_untracked(Vec::is_empty) {
            errors.push(FieldError { field: "roles".into(), code: "required".into(), message: String::new() });
        }
        if !errors.is_empty() {
            admin.set_error.set(Some(invalid(errors)));
            return;
        }
        let body = NewUser {
            username: n_username.get_untracked().trim().to_string(),
            password: n_password.get_untracked(),
            full_name_ar: n_ar.get_untracked().trim().to_string(),
            full_name_en: n_en.get_untracked().trim().to_string(),
            unit_id: unit.id,
            roles: n_roles.get_untracked(),
            clearance: n_clearance.get_untracked(),
            phone: optional(n_phone.get_untracked()),
            email: optional(n_email.get_untracked()),
        };
        let key = user_key.get_untracked();
        admin.run(Box::pin(async move {
            api::create_user(&body, &key).await?;
            for s in [n_username, n_password, n_ar, n_en, n_phone, n_email] {
                s.set(String::new());
            }
            user_key.set(api::idempotency_key());
            Ok(())
        }))
    };

    view! {
        <section aria-labelledby="new-user-title">
            <h2 id="new-user-title">{i18n.tr("admin-new-user")}</h2>
            <form on:submit=create_user novalidate>
                <div class="row">
                    <div><Field id="new-user-username" label="username" value=n_username /></div>
                    <div><Field id="new-user-password" label="password" value=n_password kind="password" /></div>
                </div>
                <Field id="new-user-name-ar" label="field-name-ar" value=n_ar />
                <Field id="new-user-name-en" label="field-name-en" value=n_en />
                <div class="row">
                    <div><Field id="new-user-phone" label="field-phone" value=n_phone kind="tel" /></div>
                    <div><Field id="new-user-email" label="field-email" value=n_email kind="email" /></div>
                </div>
                <RolesInput prefix="new-user-" roles=n_roles />
                <ClearanceInput id="new-user-clearance" clearance=n_clearance />
                <button type="submit" id="new-user-submit" disabled=move || admin.busy.get()>{i18n.tr("create")}</button>
            </form>
        </section>
    }
}
