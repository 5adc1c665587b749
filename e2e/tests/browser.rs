//! The web UI in a real browser: the real `muamalat` binary serving the built SPA (web-ui/dist) on a fresh database,
//! driven in headless Chromium through ChromeDriver (WebDriver). Each test saves a screenshot and the page's HTML
//! under `<target>/e2e-screenshots/` when it fails; with `E2E_SCREENSHOTS=1` it also saves them at every checkpoint.
//!
//! Needs `chromium` and `chromedriver` on PATH (scripts/prerequisites.sh installs Debian's) and the UI built
//! (`scripts/build-ui.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::key::Key;
use serde_json::{Value, json};
use support::browser::{AR, EN, ONE_AT_A_TIME, Page, driver, message, spa_dir};
use support::{PASSWORD, Server, start_with};

/// Run a scenario in its own browser; on failure save a screenshot and the page, then fail with the scenario's panic.
async fn scenario<F, Fut>(name: &'static str, server: &Server, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    scenario_at(name, &server.base, body).await
}

/// [`scenario`] on a server given by its address (for a test that stops and restarts it).
async fn scenario_at<F, Fut>(name: &'static str, base: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let driver = driver().await;
    let page = Page::open(&driver, base, name).await;
    let outcome = tokio::spawn(body(page.clone())).await;
    if let Err(err) = outcome {
        let shot = page.save("failure").await;
        eprintln!("{name} failed; screenshot and page saved as {} (and .html)", shot.display());
        let _ = page.c.close().await;
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("{name}: {err}"),
        }
    }
    let _ = page.c.close().await;
}

/// Ids and names of the demo organisation, read through the API.
struct Org {
    units: Vec<Value>,
    users: Vec<Value>,
}

impl Org {
    async fn load(server: &Server) -> Org {
        let admin = support::Client::login(server, "admin").await;
        let units = admin.get("/api/v1/units").await.as_array().expect("units").clone();
        let users = admin.get("/api/v1/users").await.as_array().expect("users").clone();
        Org { units, users }
    }

    fn unit_ar(&self, code: &str) -> String {
        let u = self.units.iter().find(|u| u["code"] == code).unwrap_or_else(|| panic!("unit {code}"));
        u["name_ar"].as_str().expect("name").to_string()
    }

    fn user_ar(&self, username: &str) -> String {
        let u = self.users.iter().find(|u| u["username"] == username).unwrap_or_else(|| panic!("user {username}"));
        u["full_name_ar"].as_str().expect("name").to_string()
    }
}

#[tokio::test]
async fn the_acceptance_flow_clicked_through_in_arabic() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let (khb, hr, eng) = (org.unit_ar("KHB"), org.unit_ar("GD-HR"), org.unit_ar("KHB-ENG"));
    let employee_name = org.user_ar("khb.employee1");
    scenario("acceptance", &server, move |p| async move {
        // The registry clerk registers a letter from a ministry and refers it to Khobar (action) and HR (copy).
        p.login("registry.clerk1").await;
        assert_eq!(p.js("return [document.documentElement.lang, document.documentElement.dir]").await, json!(["ar", "rtl"]));
        p.click("nav a[href='/register']").await;
        p.type_in("#entity-search", "وزاره").await; // typed without the ta marbuta: Arabic folding finds وزارة
        p.click("ul[role=listbox] button.option").await;
        p.type_in("#sender-reference", "1448/م/77").await;
        p.type_in("#subject", "طلب بيانات المشاريع البلدية").await;
        p.el("#priority").await.select_by_value("urgent").await.expect("priority");
        p.add_target("", &khb, None, "action").await;
        p.add_target("", &hr, None, "information").await;
        p.checkpoint("register-filled").await;
        p.click("#register-submit").await;
        let number = p.text("#registration-number").await;
        assert!(number.ends_with("/000001"), "registration number {number}");
        p.checkpoint("registered").await;
        p.logout().await;

        // Khobar's head finds it in the unit queue, receives it and refers it to an employee.
        p.login("khb.head").await;
        p.open_first("unit").await;
        assert_eq!(p.text("#transaction-number").await, number);
        p.timeline_has(3).await;
        p.click("#action-receive").await;
        p.timeline_has(4).await;
        p.click("#action-forward").await;
        // The employee found by name.
        p.add_person("action-", &employee_name, &format!("{employee_name} — {khb}"), "action").await;
        p.type_in("#action-note", "نأمل الدراسة والإفادة").await;
        p.click("#action-submit").await;
        p.timeline_has(6).await;
        p.logout().await;

        // The employee forwards it to the engineering department.
        p.login("khb.employee1").await;
        p.open_first("held").await;
        p.click("#action-forward").await;
        p.add_target("action-", &eng, None, "action").await;
        p.click("#action-submit").await;
        p.timeline_has(9).await;
        p.logout().await;

        // The engineering department receives and completes it.
        p.login("khb-eng.employee1").await;
        p.open_first("unit").await;
        p.click("#action-receive").await;
        p.timeline_has(10).await;
        p.click("#action-complete").await;
        p.type_in("#action-note", "أُرسلت البيانات").await;
        p.click("#action-submit").await;
        p.timeline_has(11).await;
        p.logout().await;

        // The clerk closes it; the timeline shows every hop and the route a bar per holder.
        p.login("registry.clerk1").await;
        p.open_first("sent").await;
        p.click("#action-close").await;
        p.type_in("#action-note", "أُنجزت").await;
        p.click("#action-submit").await;
        p.timeline_has(12).await;
        p.until("the closed status", &format!(
            "return document.querySelector('#transaction-status').textContent.trim() === '{}'", message(AR, "status-closed"))).await;
        let kinds = p.js("return [...document.querySelectorAll('#timeline li')].map(li => li.className.replace('event event-', ''))").await;
        assert_eq!(
            kinds,
            json!(["registered", "referred", "referred", "received", "forwarded", "referred", "received", "forwarded",
                   "referred", "received", "completed", "closed"])
        );
        assert_eq!(p.js("return document.querySelectorAll('#route li.hop').length").await, json!(4));
        assert_eq!(p.js("return document.querySelectorAll('#route .dwell-bar').length").await, json!(4));
        assert_eq!(p.js("return document.querySelectorAll('#action-close, #action-receive').length").await, json!(0));
        p.checkpoint("closed").await;
    })
    .await;
}

#[tokio::test]
async fn the_language_switches_to_english_and_back_and_is_remembered() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    scenario("language", &server, |p| async move {
        p.goto("/").await;
        p.el("#username").await;
        assert_eq!(
            p.js("return [document.documentElement.lang, document.documentElement.dir]").await,
            json!(["ar", "rtl"])
        );
        assert_eq!(p.text("h1").await, message(AR, "app-name"));
        p.click(".lang-switch").await;
        p.until("dir=ltr", "return document.documentElement.dir === 'ltr' && document.documentElement.lang === 'en'")
            .await;
        assert_eq!(p.text("h1").await, message(EN, "app-name"));
        // Remembered across a reload, and after signing in.
        p.c.refresh().await.expect("reload");
        p.el("#username").await;
        assert_eq!(p.js("return document.documentElement.dir").await, json!("ltr"));
        p.login("khb.head").await;
        assert_eq!(p.text("main h1").await, message(EN, "nav-inbox"));
        p.checkpoint("inbox-en").await;
        p.click(".lang-switch").await;
        p.until("dir=rtl", "return document.documentElement.dir === 'rtl' && document.documentElement.lang === 'ar'")
            .await;
        assert_eq!(p.text("main h1").await, message(AR, "nav-inbox"));
        // A reload keeps the session (the refresh cookie), not only the language.
        p.c.refresh().await.expect("reload");
        p.el("#logout").await;
        assert_eq!(p.js("return Object.keys(localStorage).filter(k => /token/i.test(k))").await, json!([]));
    })
    .await;
}

#[tokio::test]
async fn errors_are_shown_in_place_and_keep_what_was_typed() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let base = server.base.clone();
    scenario("validation", &server, move |p| async move {
        // A wrong password: the server's problem, translated, under the form; the username stays.
        p.goto("/").await;
        p.type_in("#username", "registry.clerk1").await;
        p.type_in("#password", "not-the-password").await;
        p.click("#login-submit").await;
        assert_eq!(p.text(".problem p").await, message(AR, "error-invalid-credentials"));
        assert_eq!(p.el("#username").await.prop("value").await.expect("value"), Some("registry.clerk1".into()));

        // Signing in with the keyboard alone: Tab to the password, Enter to submit.
        p.el("#password").await.clear().await.expect("clear");
        let username = p.el("#username").await;
        username.clear().await.expect("clear");
        username.send_keys(&format!("registry.clerk1{}", Key::Tab)).await.expect("type");
        assert_eq!(p.js("return document.activeElement.id").await, json!("password"));
        p.c.active_element().await.expect("focus").send_keys(&format!("{PASSWORD}{}", Key::Enter)).await.expect("type");
        p.el("#logout").await;
        // The inbox tabs follow the arrow keys; in Arabic the next tab is to the left.
        p.el("#tab-held").await.send_keys(&Key::Left.to_string()).await.expect("arrow");
        p.until("the unit tab chosen", "return document.activeElement.id === 'tab-unit' && document.querySelector('#tab-unit').getAttribute('aria-selected') === 'true'").await;

        // Registering without a sender: the field is named in the message; the subject typed stays; nothing saved.
        p.click("nav a[href='/register']").await;
        p.type_in("#subject", "موضوع بلا جهة مرسلة").await;
        p.click("#register-submit").await;
        let problem = p.text(".problem").await;
        let expected = format!("{}: {}", message(AR, "field-external-entity-id"), message(AR, "reason-required"));
        assert!(problem.contains(&expected), "{problem:?} names the missing sender ({expected})");
        assert_eq!(p.el("#subject").await.prop("value").await.expect("value"), Some("موضوع بلا جهة مرسلة".into()));
        p.checkpoint("register-invalid").await;
        // With the sender chosen, a double click registers once: the first number of the year (so the refused
        // attempt took none), and the next registration gets the second.
        p.type_in("#entity-search", "وزارة").await;
        p.click("ul[role=listbox] button.option").await;
        p.js("const b = document.querySelector('#register-submit'); b.click(); b.click(); return true").await;
        let number = p.text("#registration-number").await;
        assert!(number.ends_with("/000001"), "{number}");
        let clerk = support::Client::login_at(&base, "registry.clerk1").await;
        let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
        let next = clerk
            .post("/api/v1/transactions", json!({"kind": "incoming", "subject": "التالي", "external_entity_id": entity}))
            .await;
        let next = next["transaction"]["registration_number"].as_str().expect("number").to_string();
        assert!(next.ends_with("/000002"), "the double click registered twice: the next number is {next}");
    })
    .await;
}

#[tokio::test]
async fn tablet_and_desktop_layouts_fit_the_window() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    // A transaction to look at, registered through the API.
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    let created = clerk
        .post(
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "طلب ترخيص لوحة إعلانية على الواجهة البحرية بمدينة الخبر مع المخططات",
                   "external_entity_id": entity, "sender_reference": "ABC-2026-000123456", "priority": "very_urgent",
                   "confidentiality": "confidential", "referrals": [{"unit_id": khb, "purpose": "action",
                   "instructions": "للدراسة وإبداء الرأي الفني خلال أسبوع من تاريخه"}]}),
        )
        .await;
    let path = format!("/transactions/{}", created["transaction"]["id"]);
    scenario("tablet", &server, move |p| async move {
        // (name, path, what shows it is ready, what to click then and wait for)
        let clerk_pages = [
            ("inbox", "/", ".tabs", None),
            ("register", "/register", "#register-submit", None),
            ("new", "/new", "#draft-submit", None),
            ("transaction", path.as_str(), "#timeline", Some(("#action-refer", "#action-unit-search"))),
            ("intake", "/office/intake", "#intake-empty", None),
            ("search", "/search?q=%D8%B7%D9%84%D8%A8", "#search-hits li.hit", None),
        ];
        let admin_pages = [
            ("overview", "/overview", "#overview", None),
            ("admin", "/office/admin", "#admin-units", Some(("#admin-units button[data-code='KHB']", "#unit-save"))),
        ];
        p.login("registry.clerk1").await;
        layouts(&p, &clerk_pages).await;
        p.logout().await;
        p.login("admin").await;
        layouts(&p, &admin_pages).await;
    })
    .await;
}

type PageSpec<'a> = (&'static str, &'a str, &'static str, Option<(&'static str, &'static str)>);

/// Each page at tablet (both orientations) and desktop sizes, in Arabic and English: nothing scrolls sideways, every
/// control is big enough to touch and labelled.
async fn layouts(p: &Page, pages: &[PageSpec<'_>]) {
    for (w, h) in [(768, 1024), (1024, 768), (1366, 768)] {
        p.viewport(w, h).await;
        for lang in ["ar", "en"] {
            if lang == "en" {
                p.click(".lang-switch").await;
                p.until("English", "return document.documentElement.lang === 'en'").await;
            }
            for (name, route, ready, then) in pages {
                p.goto(route).await;
                p.el(ready).await;
                if let Some((click, wait)) = then {
                    p.click(click).await;
                    p.el(wait).await;
                }
                let label = format!("{name}-{lang}-{w}x{h}");
                p.no_horizontal_scroll(&label).await;
                p.touch_targets(&label).await;
                p.labelled_controls(&label).await;
                p.checkpoint(&label).await;
            }
            if lang == "en" {
                p.click(".lang-switch").await;
                p.until("Arabic", "return document.documentElement.lang === 'ar'").await;
            }
        }
    }
}

#[tokio::test]
async fn drafts_decisions_the_manager_overview_and_administration() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let eng = org.unit_ar("KHB-ENG");
    let eng_employee = org.users.iter().find(|u| u["username"] == "khb-eng.employee1").expect("user")["id"].clone();
    let head_id = eng_employee.clone();
    scenario("screens", &server, move |p| async move {
        // An employee starts an internal transaction: a draft, edited, then sent to the engineering department.
        p.login("khb.employee1").await;
        p.click("nav a[href='/new']").await;
        p.type_in("#subject", "مسودة مذكرة داخلية").await;
        p.click("#draft-submit").await;
        p.el("#action-send").await;
        assert_eq!(p.text("#transaction-status").await, message(AR, "status-draft"));
        p.click("#action-edit").await;
        p.type_in("#subject", "مذكرة صيانة الإنارة").await;
        p.click("#action-submit").await;
        p.until("the new subject", "return document.querySelector('#transaction-subject').textContent === 'مذكرة صيانة الإنارة'").await;
        p.goto("/").await;
        p.click("#tab-drafts").await;
        p.until("the draft listed", "return [...document.querySelectorAll('ul.drafts .subject')].some(e => e.textContent === 'مذكرة صيانة الإنارة')").await;
        p.click("ul.drafts li.item a").await;
        p.click("#action-send").await;
        p.add_target("action-", &eng, None, "action").await;
        p.click("#action-submit").await;
        p.until("the open status", &format!(
            "return document.querySelector('#transaction-status').textContent.trim() === '{}'", message(AR, "status-open"))).await;
        assert!(p.text("#transaction-number").await.contains("/000001"), "numbered when sent");
        p.logout().await;

        // The engineering department records a decision; the timeline shows it translated.
        p.login("khb-eng.employee1").await;
        p.open_first("unit").await;
        p.click("#action-decide").await;
        p.el("#decision").await.select_by_value("request_information").await.expect("decision");
        p.type_in("#action-note", "نأمل إرفاق المخطط").await;
        p.click("#action-submit").await;
        p.until("the decision on the timeline", &format!(
            "return [...document.querySelectorAll('#timeline li.event-decision_recorded .note')].some(e => e.textContent === '{}: نأمل إرفاق المخطط')",
            message(AR, "decision-request-information"))).await;
        p.logout().await;

        // Khobar's head sees it in the overview of Khobar and the units below, held by engineering.
        p.login("khb.head").await;
        p.click("nav a[href='/overview']").await;
        p.until("the overview row", "return [...document.querySelectorAll('#overview tbody tr')].some(tr => tr.textContent.includes('مذكرة صيانة الإنارة'))").await;
        p.checkpoint("overview").await;
        p.logout().await;

        // The admin adds a user to the engineering department, then disables them.
        p.login("admin").await;
        p.click("nav a[href='/office/admin']").await;
        p.click("#admin-units button[data-code='KHB-ENG']").await;
        p.type_in("#new-user-username", "khb-eng.new").await;
        p.type_in("#new-user-password", "short").await;
        p.type_in("#new-user-name-ar", "مستخدم جديد").await;
        p.type_in("#new-user-name-en", "New User").await;
        p.type_in("#new-user-phone", "+966501234567").await;
        p.click("#new-user-submit").await;
        // The server's password rule, translated, in place; what was typed stays.
        let problem = p.text(".problem").await;
        assert!(problem.contains(&message(AR, "reason-too-short")), "{problem}");
        assert_eq!(p.el("#new-user-name-ar").await.prop("value").await.expect("value"), Some("مستخدم جديد".into()));
        p.type_in("#new-user-password", "a-long-enough-passphrase").await;
        p.click("#new-user-submit").await;
        p.click("#admin-users button[data-username='khb-eng.new']").await;
        p.click("#user-active").await;
        p.click("#user-save").await;
        p.until("the user disabled", &format!(
            "return [...document.querySelectorAll('#admin-users tr.inactive')].some(tr => tr.textContent.includes('khb-eng.new') && tr.textContent.includes('{}'))",
            message(AR, "inactive"))).await;
        // And renames the department and names its head.
        p.type_in("#unit-name-en", "Engineering and Projects").await;
        p.el(&format!("#unit-head option[value='{eng_employee}']")).await;
        p.el("#unit-head").await.select_by_value(&eng_employee.to_string()).await.expect("head");
        p.click("#unit-save").await;
        p.el(".saved").await;
        p.click(".lang-switch").await;
        p.until("the new name in the tree", "return [...document.querySelectorAll('#admin-units button')].some(b => b.textContent.includes('Engineering and Projects'))").await;
        p.checkpoint("admin-en").await;
        p.click(".lang-switch").await;
        p.logout().await;

        // The auditor reads what the administrator did in the audit log, and verifies the chain.
        p.login("auditor1").await;
        p.click("nav a[href='/office/audit']").await;
        p.until("entries listed", "return document.querySelectorAll('#audit-log tbody tr').length > 0").await;
        p.el("#audit-action").await.select_by_value("user_updated").await.expect("action");
        p.type_in("#audit-user", "admin").await;
        p.click("#audit-apply").await;
        p.until("only the administrator's user changes", &format!(
            "const rows = [...document.querySelectorAll('#audit-log tbody tr')]; \
             return rows.length >= 1 && rows.every(tr => tr.children[2].textContent === '{}')",
            message(AR, "audit-user-updated"))).await;
        p.click("#audit-verify").await;
        p.until("the chain verified", &format!(
            "return (document.querySelector('#audit-verification') || {{textContent: ''}}).textContent.includes('{}')",
            message(AR, "audit-intact"))).await;
        p.labelled_controls("audit").await;
        for (width, height) in [(768, 1024), (1366, 768)] {
            p.viewport(width, height).await;
            p.no_horizontal_scroll(&format!("audit at {width}px")).await;
            p.touch_targets(&format!("audit at {width}px")).await;
            p.checkpoint(&format!("audit-{width}")).await;
        }
        p.click(".lang-switch").await;
        p.until("English", "return document.documentElement.dir === 'ltr'").await;
        p.checkpoint("audit-en").await;
        p.click(".lang-switch").await;
    })
    .await;
    // What the screens did is what the server holds.
    let admin = support::Client::login(&server, "admin").await;
    let users = admin.get("/api/v1/users?q=khb-eng.new").await;
    assert_eq!(users[0]["active"], false, "{users}");
    assert_eq!(users[0]["phone"], "+966501234567", "{users}");
    let eng_unit = admin.get("/api/v1/units").await;
    let eng_unit =
        eng_unit.as_array().expect("units").iter().find(|u| u["code"] == "KHB-ENG").expect("KHB-ENG").clone();
    assert_eq!(eng_unit["name_en"], "Engineering and Projects");
    assert_eq!(eng_unit["head_user_id"], head_id);
}

#[tokio::test]
async fn a_conflict_with_someone_elses_change_is_explained_with_a_refresh() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    let created = clerk
        .post(
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "خطاب يتسابق عليه اثنان", "external_entity_id": entity,
                   "referrals": [{"unit_id": khb, "purpose": "action"}]}),
        )
        .await;
    let referral = created["referrals"][0]["id"].clone();
    let colleague = support::Client::login(&server, "khb.clerk").await;
    scenario("conflict", &server, move |p| async move {
        // The head opens the letter waiting in Khobar's queue ...
        p.login("khb.head").await;
        p.open_first("unit").await;
        p.el("#action-receive").await;
        // ... a colleague in the same unit receives it a moment before the head clicks.
        colleague.post(&format!("/api/v1/referrals/{referral}/receive"), json!({})).await;
        p.click("#action-receive").await;
        let hint = message(AR, "conflict-explained");
        p.until(
            "the explanation",
            &format!("return document.querySelector('.actions-panel').textContent.includes('{hint}')"),
        )
        .await;
        p.checkpoint("explained").await;
        // A refresh shows the letter as it is now: received, so nothing to receive any more.
        p.click(&format!("xpath://button[normalize-space()='{}']", message(AR, "refresh"))).await;
        p.timeline_has(3).await;
        p.until("no receive button", "return document.querySelector('#action-receive') === null").await;
    })
    .await;
}

#[tokio::test]
async fn the_inbox_counts_pages_and_filters() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let head = org.users.iter().find(|u| u["username"] == "khb.head").expect("head")["id"].clone();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    // 30 letters for the head: 3 urgent, 1 already overdue.
    for i in 0..30 {
        let priority = if i % 10 == 0 { "urgent" } else { "normal" };
        let mut referral = json!({"unit_id": khb, "user_id": head, "purpose": "action"});
        if i == 7 {
            referral["due_at"] = json!("2020-01-01T09:00:00Z");
        }
        clerk
            .post(
                "/api/v1/transactions",
                json!({"kind": "incoming", "subject": format!("خطاب رقم {i}"), "external_entity_id": entity,
                       "priority": priority, "referrals": [referral]}),
            )
            .await;
    }
    scenario("inbox", &server, move |p| async move {
        p.login("khb.head").await;
        p.until("the held count", "return document.querySelector('#tab-held .count')?.textContent === '٣٠'").await;
        let items = "return document.querySelectorAll('ul.inbox li.item').length";
        p.until("the first page", &format!("{items} === 25")).await;
        p.click(&format!("xpath://button[normalize-space()='{}']", message(AR, "more"))).await;
        p.until("the second page", &format!("{items} === 30")).await;
        assert_eq!(p.js("return document.querySelectorAll('ul.inbox li.item.overdue').length").await, json!(1));
        p.click("xpath://label[contains(@class,'check')][1]/input").await;
        p.until("only urgent", &format!("{items} === 3")).await;
        assert_eq!(p.js("return document.querySelectorAll('ul.inbox .priority-urgent').length").await, json!(3));
        p.click("xpath://label[contains(@class,'check')][1]/input").await;
        p.click("xpath://label[contains(@class,'check')][2]/input").await;
        p.until("only overdue", &format!("{items} === 1")).await;
        p.checkpoint("overdue").await;
    })
    .await;
}

/// When the access token has expired, the requests a page sends together (the transaction page asks for its parts at
/// once, the inbox for its counts and its list) all meet 401 at the same moment. They wait for one renewal: a refresh
/// token is single-use, and the server ends the whole session when one is presented twice.
#[tokio::test]
async fn requests_that_meet_an_expired_token_together_renew_it_once_and_the_session_lives_on() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Access tokens live a second (plus the server's 5 s of leeway).
    let server = support::start_with_settings(Some(spa_dir()), &[("MUAMALAT_ACCESS_TOKEN_TTL_SECONDS", "1")]).await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    clerk
        .post(
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "خطاب يُفتح بعد انتهاء الرمز",
                   "external_entity_id": entity, "referrals": [{"unit_id": khb, "purpose": "action"}]}),
        )
        .await;
    let expired = std::time::Duration::from_secs(7);
    scenario("renewal", &server, move |p| async move {
        p.login("khb.head").await;
        p.goto("/").await;
        p.click("#tab-unit").await;
        p.el("ul.inbox li.item a").await;
        // The token expires while the inbox is on screen; opening the letter sends its five requests at once.
        tokio::time::sleep(expired).await;
        p.click("ul.inbox li.item a").await;
        p.el("#timeline").await;
        p.el("#transaction-number").await;
        p.until("no failure on the page", "return document.querySelector('.problem') === null").await;
        // Again, back to the inbox (its counts and list together): the session was not ended by the first renewal.
        tokio::time::sleep(expired).await;
        p.js("history.back(); return true").await;
        // The inbox opens on its first box (the head holds nothing himself): counts and list, then the unit's queue.
        p.until("the counts", "return document.querySelector('#tab-unit .count') !== null").await;
        p.click("#tab-unit").await;
        p.el("ul.inbox li.item a").await;
        p.until("no failure on the page", "return document.querySelector('.problem') === null").await;
        p.el("#logout").await;
    })
    .await;
    // No refresh token was presented twice: no session of the head's was ended for reuse.
    let auditor = support::Client::login(&server, "auditor1").await;
    let ended = auditor.get("/api/v1/audit?action=session_ended&limit=200").await;
    let reused: Vec<&Value> = ended["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["details"]["reason"] == "refresh_token_reused")
        .collect();
    assert!(reused.is_empty(), "a refresh token was presented twice: {reused:?}");
    let refreshed = auditor.get("/api/v1/audit?action=session_refreshed&limit=200").await;
    assert!(
        refreshed["items"].as_array().expect("items").len() >= 2,
        "the two expiries were each renewed: {refreshed}"
    );
}

#[tokio::test]
async fn a_lost_connection_is_explained_and_retried_without_losing_the_session() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let base = server.base.clone();
    let server = std::sync::Arc::new(tokio::sync::Mutex::new(server));
    let shared = server.clone();
    scenario_at("network", &base, move |p| async move {
        p.login("khb.head").await;
        p.el(".tabs").await;
        // The server goes away: switching tabs fails with a translated network error and a retry button.
        shared.lock().await.stop();
        p.click("#tab-unit").await;
        p.until(
            "the network error",
            &format!("return document.querySelector('.problem p')?.textContent === '{}'", message(AR, "error-network")),
        )
        .await;
        assert_eq!(
            p.js("return document.querySelector('.empty')").await,
            Value::Null,
            "no 'nothing here' under the error"
        );
        p.checkpoint("offline").await;
        // It comes back: retry loads the box, still signed in.
        shared.lock().await.restart().await;
        p.click(&format!(
            "xpath://div[contains(@class,'problem')]//button[normalize-space()='{}']",
            message(AR, "retry")
        ))
        .await;
        p.until("the error gone", "return document.querySelector('.problem') === null").await;
        p.el("#logout").await;
        assert_eq!(
            p.js("return document.querySelector('#tab-unit').getAttribute('aria-selected')").await,
            json!("true")
        );
    })
    .await;
    drop(server);
}

/// Run a DevTools command in the page's browser, through ChromeDriver's DevTools bridge.
async fn cdp(p: &Page, cmd: &str, params: Value) {
    let session = p.c.session_id().await.expect("session").expect("a session id");
    let res = reqwest::Client::new()
        .post(format!("{}/session/{session}/goog/cdp/execute", p.driver_url))
        .json(&json!({"cmd": cmd, "params": params}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(res.status().is_success(), "{cmd}: {}", res.text().await.unwrap_or_default());
}

/// Limit the browser's network to `bytes_per_second` upload (0: no limit).
async fn throttle(p: &Page, bytes_per_second: i64) {
    let throughput = if bytes_per_second == 0 { -1 } else { bytes_per_second };
    cdp(p, "Network.enable", json!({})).await;
    let conditions = json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": throughput});
    cdp(p, "Network.emulateNetworkConditions", conditions).await;
}

/// A small PDF the browser can show, written to a file.
fn pdf_file(dir: &std::path::Path, name: &str, text: &str) -> (std::path::PathBuf, usize) {
    let out = pdf(text);
    let path = dir.join(name);
    std::fs::write(&path, &out).expect("write the PDF");
    (path, out.len())
}

/// A small PDF the browser can show.
fn pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[tokio::test]
async fn the_scanned_original_is_attached_at_registration_and_previewed() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.unit_ar("KHB");
    let files = tempfile::tempdir().expect("files");
    let (scan, scan_size) = pdf_file(files.path(), "original-scan.pdf", "Scanned original");
    let (annex, _) = pdf_file(files.path(), "annex.pdf", "Annex");
    let original = message(AR, "original");
    let big = files.path().join("plan.pdf");
    std::fs::write(&big, [b"%PDF-1.4\n".as_slice(), &vec![b'x'; 1024 * 1024]].concat()).expect("write");
    scenario("documents", &server, move |p| async move {
        // The clerk registers a letter with its scanned original in the same step.
        p.login("registry.clerk1").await;
        p.click("nav a[href='/register']").await;
        p.type_in("#entity-search", "وزارة").await;
        p.click("ul[role=listbox] button.option").await;
        p.type_in("#subject", "خطاب مع أصله الممسوح").await;
        p.add_target("", &khb, None, "action").await;
        p.el("#original-file").await.send_keys(&scan.display().to_string()).await.expect("choose the file");
        p.click("#register-submit").await;
        p.el("#registration-number").await;
        assert_eq!(p.js("return document.querySelector('.registered .problem')").await, Value::Null, "the original was attached");
        p.click(".registered .actions a").await;

        // On the transaction page: the original, previewed inline from the server's bytes.
        p.until("the original listed", &format!(
            "return [...document.querySelectorAll('#documents li.document')].some(d => d.dataset.title === '{original}')")).await;
        p.click("#documents .preview-button").await;
        p.until("the preview", "return (document.querySelector('#preview iframe')?.src || '').startsWith('blob:')").await;
        p.js("const f = document.querySelector('#preview iframe'); fetch(f.src).then(r => r.blob()).then(b => { window.previewSize = b.size; }); return true").await;
        p.until("the previewed bytes", &format!("return window.previewSize === {scan_size}")).await;
        p.checkpoint("preview").await;

        // Another document through the panel, with a title; it joins the list.
        p.type_in("#document-title", "ملحق المخططات").await;
        p.c.find(fantoccini::Locator::Css("#document-file")).await.expect("file input")
            .send_keys(&annex.display().to_string()).await.expect("choose the file");
        p.until("the annex listed", "return [...document.querySelectorAll('#documents li.document')].some(d => d.dataset.title === 'ملحق المخططات')").await;
        p.checkpoint("documents").await;

        // A file dropped on the panel: a drop event carrying a file, as a dragged file from the desktop makes.
        p.js(r#"const file = new File(["%PDF-1.4\n% dropped\n%%EOF\n"], "dropped.pdf", {type: "application/pdf"});
            const data = new DataTransfer(); data.items.add(file);
            document.querySelector('#document-title').value = '';
            document.querySelector('.drop-zone').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
            return true"#).await;
        p.until("the dropped file listed", "return [...document.querySelectorAll('#documents li.document')].some(d => d.dataset.title === 'dropped.pdf')").await;
        // An image is previewed as an image: a dropped 1×1 PNG, shown from the server's bytes.
        p.js(r#"const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), c => c.charCodeAt(0));
            const data = new DataTransfer(); data.items.add(new File([png], "pixel.png", {type: "image/png"}));
            document.querySelector('.drop-zone').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
            return true"#).await;
        p.click("xpath://li[@data-title='pixel.png']//button[contains(@class,'preview-button')]").await;
        p.until("the image preview", "const i = document.querySelector('#preview img'); return !!i && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 1").await;

        // On a slow link the progress bar shows the upload advancing (the network throttled through ChromeDriver).
        throttle(&p, 256 * 1024).await;
        p.c.find(fantoccini::Locator::Css("#document-file")).await.expect("file input")
            .send_keys(&big.display().to_string()).await.expect("choose the file");
        p.until("the upload under way", "const v = Number(document.querySelector('#upload-progress')?.value); return v > 0 && v < 100").await;
        p.checkpoint("progress").await;
        throttle(&p, 0).await;
        p.until("the upload done", "return document.querySelector('#upload-progress') === null").await;
    })
    .await;
    // An auditor reads the same documents but is offered no upload: the panel follows what the server accepts.
    scenario("documents-auditor", &server, move |p| async move {
        p.login("auditor1").await;
        p.goto("/transactions/1").await;
        p.until("the documents listed", "return document.querySelectorAll('#documents li.document').length === 5")
            .await;
        assert_eq!(p.js("return document.querySelector('#document-file')").await, Value::Null, "no upload offered");
        assert_eq!(p.js("return document.querySelector('.drop-zone')").await, Value::Null, "no drop zone offered");
        p.checkpoint("auditor").await;
    })
    .await;
    // The server holds both, the original as version 1 of an `original_scan`.
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let docs = clerk.get("/api/v1/transactions/1/documents").await;
    assert_eq!(docs[0]["kind"], "original_scan", "{docs}");
    assert_eq!(docs[0]["versions"][0]["size"], scan_size, "{docs}");
    assert_eq!(
        docs.as_array().expect("documents").len(),
        5,
        "the original, the annex, the dropped PDF and image, the plan"
    );
}

/// The central registry's intake queue, in the office bundle: an agency submits a letter with its document over the
/// API; the clerk finds it, reads it, previews the document, registers it to Khobar and opens the transaction in the
/// desk, where the document is; the agency then reads the number.
#[tokio::test]
async fn a_clerk_registers_an_agency_submission_from_the_intake_queue() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.unit_ar("KHB");
    // The demo ministry's API client, printed at seeding, submits a letter and its document in one request.
    let line = server.stdout.lines().find(|l| l.contains("client_secret")).expect("the demo agency is printed");
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |word: &str| words.iter().position(|w| *w == word).map(|i| words[i + 1]).expect(word);
    // Kept-alive connections are not reused across the browser scenario: the server closes one idle for longer than
    // its keep-alive, and a request sent on it as it closes fails (`IncompleteMessage`), as seen once in CI.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let token: Value = http
        .post(format!("{}/api/v1/oauth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", after("client_id")),
            ("client_secret", after("client_secret")),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let agency = token["access_token"].as_str().expect("agency token").to_string();
    let boundary = "intake-browser-test";
    let letter = json!({"subject": "طلب تزويد بيانات الرخص", "sender_reference": "MOMAH-1448/301"}).to_string();
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"letter\"\r\n\r\n{letter}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nالخطاب\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(&pdf("submitted letter"));
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = http
        .post(format!("{}/api/v1/agency/submissions", server.base))
        .bearer_auth(&agency)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(bytes)
        .send()
        .await
        .expect("submit");
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    let submission: Value = res.json().await.expect("json");
    let base = server.base.clone();
    scenario("intake", &server, move |p| async move {
        p.login("registry.clerk1").await;
        // The office bundle is loaded for the intake queue; the session goes with it.
        p.click("nav a[href='/office/intake']").await;
        p.until("the submission listed", "return [...document.querySelectorAll('#intake-list .subject')].some(e => e.textContent === 'طلب تزويد بيانات الرخص')").await;
        assert_eq!(p.js("return location.pathname").await, json!("/office/intake"));
        p.checkpoint("intake-list").await;
        p.click("#intake-list button.open-submission").await;
        p.el("#submission").await;
        assert!(p.text("#submission-documents").await.contains("letter.pdf"));
        p.click("#submission-documents button.preview-document").await;
        p.el("#preview iframe").await;
        p.add_target("intake-", &khb, None, "action").await;
        p.checkpoint("intake-submission").await;
        p.labelled_controls("intake").await;
        for (width, height) in [(768, 1024), (1366, 768)] {
            p.viewport(width, height).await;
            p.no_horizontal_scroll(&format!("intake at {width}px")).await;
            p.touch_targets(&format!("intake at {width}px")).await;
        }
        p.click("#intake-register").await;
        let number = p.text("#registration-number").await;
        assert!(number.ends_with("/000001"), "registration number {number}");
        p.checkpoint("intake-registered").await;
        // The transaction is the desk's page: loaded from the office, with the submitted document.
        p.click("#intake-registered a").await;
        p.el("#timeline").await;
        assert_eq!(p.text("#transaction-number").await, number);
        p.until("the submitted document", "return (document.querySelector('#documents') || {textContent: ''}).textContent.includes('الخطاب')").await;
        // Back in the queue, nothing waits any more.
        p.goto("/office/intake").await;
        p.el("#intake-empty").await;
        p.click(".lang-switch").await;
        p.until("English", "return document.documentElement.dir === 'ltr'").await;
        p.checkpoint("intake-empty-en").await;
    })
    .await;
    // The agency reads the number.
    let mine: Value = http
        .get(format!("{base}/api/v1/agency/submissions/{}", submission["id"]))
        .bearer_auth(&agency)
        .send()
        .await
        .expect("own submission")
        .json()
        .await
        .expect("json");
    assert_eq!(mine["status"], "registered", "{mine}");
    assert!(mine["registration_number"].as_str().is_some_and(|n| n.ends_with("/000001")), "{mine}");
}

/// My account, in the office bundle: a manager delegates their authority to a deputy found by name, sees it in
/// force, ends it; the session list marks this device, and ending another session signs that one out at once.
#[tokio::test]
async fn a_manager_delegates_to_a_deputy_and_ends_a_session_from_the_account_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let deputy_name = org.user_ar("khb-eng.head");
    // Another session of the head's, on another device.
    let other = support::Client::login(&server, "khb.head").await;
    let base = server.base.clone();
    let until = (chrono::Utc::now() + chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
    scenario("account", &server, move |p| async move {
        p.login("khb.head").await;
        p.click("#account-link").await;
        p.el("#sessions").await;
        assert_eq!(p.js("return location.pathname").await, json!("/office/account"));
        p.until("two sessions, this one marked", "return document.querySelectorAll('#session-list li').length === 2 && document.querySelectorAll('#session-list li.current').length === 1").await;
        // The deputy, found by part of their name.
        let typed: String = deputy_name.chars().take(5).collect();
        p.type_in("#deputy-search", &typed).await;
        p.choose(&deputy_name).await;
        // A date field takes its value as the browser's own date picker would set it.
        p.js(&format!(
            "const e = document.querySelector('#delegation-ends'); e.value = '{until}'; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value"
        ))
        .await;
        p.type_in("#delegation-note", "إجازة").await;
        p.checkpoint("account-delegating").await;
        p.click("#delegation-submit").await;
        p.until("the delegation in force", &format!(
            "return [...document.querySelectorAll('#delegation-list li')].some(li => li.textContent.includes('{}') && li.textContent.includes('{}'))",
            deputy_name, message(AR, "delegation-active"))).await;
        p.labelled_controls("account").await;
        for (width, height) in [(768, 1024), (1366, 768)] {
            p.viewport(width, height).await;
            p.no_horizontal_scroll(&format!("account at {width}px")).await;
            p.touch_targets(&format!("account at {width}px")).await;
            p.checkpoint(&format!("account-{width}")).await;
        }
        p.click(".lang-switch").await;
        p.until("English", "return document.documentElement.dir === 'ltr'").await;
        p.checkpoint("account-en").await;
        p.click(".lang-switch").await;
        // End the other device's session: its token stops at once.
        p.click("#session-list li:not(.current) button.end-session").await;
        p.until("one session left", "return document.querySelectorAll('#session-list li').length === 1").await;
        // End the delegation.
        p.click("#delegation-list button.end-delegation").await;
        p.until("the delegation ended", &format!(
            "return [...document.querySelectorAll('#delegation-list li')].some(li => li.textContent.includes('{}'))",
            message(AR, "delegation-ended"))).await;
    })
    .await;
    let (status, _) = other.send(reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "the ended session's token stopped");
    let head = support::Client::login_at(&base, "khb.head").await;
    let delegations = head.get("/api/v1/delegations").await;
    assert_eq!(delegations[0]["deputy"]["username"], "khb-eng.head", "{delegations}");
    assert_eq!(delegations[0]["active"], false, "{delegations}");
    assert!(delegations[0]["ended_at"].is_string(), "{delegations}");
    assert_eq!(delegations[0]["note"], "إجازة");
}

/// A clerk searches from the top bar in Arabic (any spelling, with the words marked), narrows by a facet, searches in
/// English, and a registration number typed in the box opens its transaction.
#[tokio::test]
async fn search_from_the_top_bar_in_arabic_and_english() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    let mut numbers = Vec::new();
    for (subject, priority) in [
        ("طلب الصيانة الدورية لإنارة الكورنيش", "urgent"),
        ("وللصيانة العاجلة لشبكة المياه", "normal"),
        ("Road maintenance contract renewal", "normal"),
        ("تقرير الإمارة السنوي", "normal"),
    ] {
        let t = clerk
            .post(
                "/api/v1/transactions",
                json!({"kind": "incoming", "subject": subject, "external_entity_id": entity, "priority": priority,
                       "referrals": [{"unit_id": khb, "purpose": "action"}]}),
            )
            .await;
        numbers.push((t["transaction"]["id"].as_i64().expect("id"), t["transaction"]["registration_number"].clone()));
    }
    scenario("search", &server, move |p| async move {
        p.login("registry.clerk1").await;
        let hits = "document.querySelectorAll('#search-hits li.hit').length";
        p.el("#top-search").await.send_keys(&format!("صيانه{}", Key::Enter)).await.expect("type");
        p.until("two Arabic hits", &format!("return {hits} === 2")).await;
        let marked =
            p.js("return [...document.querySelectorAll('#search-hits mark')].map(m => m.textContent).sort()").await;
        assert_eq!(marked, json!(["الصيانة", "وللصيانة"]), "{marked}");
        assert_eq!(p.text("#search-total").await, "معاملتان");
        p.checkpoint("search-ar").await;
        // The urgent one alone, by its facet; pressed again, the filter is lifted.
        p.click("#facet-priority button[data-value='urgent']").await;
        p.until("one urgent hit", &format!("return {hits} === 1")).await;
        assert!(p.js("return location.search").await.as_str().unwrap_or_default().contains("priority=urgent"));
        p.click("#facet-priority button[data-value='urgent']").await;
        p.until("both again", &format!("return {hits} === 2")).await;
        // In English.
        p.click(".lang-switch").await;
        p.until("dir=ltr", "return document.documentElement.dir === 'ltr'").await;
        p.type_in("#search-q", "Maintenance").await;
        p.click("#search-submit").await;
        p.until("one English hit", &format!("return {hits} === 1")).await;
        assert_eq!(p.text("#search-hits mark").await, "maintenance");
        assert_eq!(p.text("#search-total").await, "One transaction found");
        p.checkpoint("search-en").await;
        // A registration number opens its transaction.
        let (id, number) = &numbers[3];
        let typed = format!("{}{}", number.as_str().expect("number"), Key::Enter);
        p.el("#top-search").await.send_keys(&typed).await.expect("type");
        p.until("the transaction opened", &format!("return location.pathname === '/transactions/{id}'")).await;
        p.el("#timeline").await;
    })
    .await;
}

/// Let the browser save downloads into `dir` without asking.
async fn allow_downloads(p: &Page, dir: &std::path::Path) {
    cdp(p, "Browser.setDownloadBehavior", json!({"behavior": "allow", "downloadPath": dir.display().to_string()}))
        .await;
}

/// Wait for a finished download whose name ends with `suffix`; answers its bytes.
async fn downloaded(dir: &std::path::Path, suffix: &str) -> Vec<u8> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = std::fs::read_dir(dir)
            .expect("download directory")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(suffix));
        if let Some(path) = found {
            let bytes = std::fs::read(&path).expect("read the download");
            if !bytes.is_empty() {
                return bytes;
            }
        }
        assert!(std::time::Instant::now() < deadline, "no {suffix} was downloaded into {}", dir.display());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_report_as_a_chart_and_a_table_in_both_languages_downloads_as_csv_and_excel() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let org = Org::load(&server).await;
    let khb = org.units.iter().find(|u| u["code"] == "KHB").expect("KHB")["id"].clone();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    for subject in ["طلب رخصة بناء", "شكوى إنارة", "طلب صيانة"] {
        clerk
            .post(
                "/api/v1/transactions",
                json!({"kind": "incoming", "subject": subject, "external_entity_id": entity, "priority": "normal",
                       "referrals": [{"unit_id": khb, "purpose": "action"}]}),
            )
            .await;
    }
    let admin = support::Client::login(&server, "admin").await;
    let expected = admin.get("/api/v1/reports/volume_by_kind").await;
    let incoming = expected["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"]["kind"] == "incoming")
        .expect("incoming")["values"][0]
        .as_i64()
        .expect("a count");
    assert!(incoming >= 3, "{expected}");
    let downloads = tempfile::tempdir().expect("download directory");
    let dir = downloads.path().to_path_buf();
    scenario("reports", &server, move |p| async move {
        p.login("admin").await;
        allow_downloads(&p, &dir).await;
        p.click("a[href='/office/reports']").await;
        let bars = "document.querySelectorAll('#report svg g.bar').length";
        p.until("three bars, one per kind", &format!("return {bars} === 3")).await;
        // Arabic: the incoming row first, its count in Arabic-Indic digits, the bar drawn from the right.
        let first = p.js("return document.querySelector('#report tbody tr th').textContent").await;
        assert_eq!(first, json!("وارد"));
        let digits: String = incoming.to_string().chars().map(|c| char::from_u32(0x0660 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)).collect();
        assert_eq!(p.text("#report tbody tr td").await, digits);
        // Labels on the right of their bars in Arabic, inside the chart.
        let sides = "const g = document.querySelector('#report svg g.bar'); const svg = g.ownerSVGElement.viewBox.baseVal; \
            const l = g.querySelector('.bar-label').getBBox(), b = g.querySelector('rect').getBBox(); \
            return [l.x >= 0 && l.x + l.width <= svg.width, l.x > b.x + b.width - 1, l.x + l.width < b.x + 1]";
        assert_eq!(p.js(sides).await, json!([true, true, false]), "in Arabic, the label is right of its bar");
        p.checkpoint("reports-ar-desktop").await;
        p.viewport(820, 1180).await;
        p.no_horizontal_scroll("reports-ar-tablet").await;
        p.checkpoint("reports-ar-tablet").await;
        p.viewport(1366, 768).await;

        // CSV with Arabic headings and the count the API gives; Excel as a workbook (a zip).
        p.click("#report-csv").await;
        let csv = downloaded(&dir, ".csv").await;
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
        let text = String::from_utf8(csv[3..].to_vec()).expect("UTF-8");
        assert!(text.starts_with("النوع,المعاملات,مفتوحة,مغلقة,متأخرة"), "{text}");
        assert!(text.lines().any(|l| l.starts_with(&format!("وارد,{incoming},"))), "{text}");
        p.click("#report-xlsx").await;
        let xlsx = downloaded(&dir, ".xlsx").await;
        assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");

        // In English, another report chosen from the form: ageing, five buckets.
        p.click(".lang-switch").await;
        p.until("dir=ltr", "return document.documentElement.dir === 'ltr'").await;
        p.js("const s = document.querySelector('#report-name'); s.value = 'ageing'; s.dispatchEvent(new Event('change'))").await;
        p.click("#report-show").await;
        p.until("the ageing report", "return location.search.includes('name=ageing')").await;
        p.until("five buckets", &format!("return {bars} === 5")).await;
        assert_eq!(p.text("#report tbody tr th").await, "Up to 2 days");
        assert_eq!(p.js(sides).await, json!([true, false, true]), "in English, the label is left of its bar");
        p.checkpoint("reports-en-desktop").await;
        p.viewport(820, 1180).await;
        p.no_horizontal_scroll("reports-en-tablet").await;
        p.checkpoint("reports-en-tablet").await;
    })
    .await;
    drop(server);
}

/// An administrator opens the working calendar from the top bar, reads the year's holidays in both calendars, adds a
/// day off, moves it, and adds Saturday to the working week; tablet and desktop, Arabic and English.
#[tokio::test]
async fn an_administrator_keeps_the_working_calendar() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = start_with(Some(spa_dir())).await;
    let base = server.base.clone();
    scenario("calendar", &server, move |p| async move {
        p.login("admin").await;
        p.click("a[href='/office/calendar']").await;
        p.el("#holiday-table").await;
        assert_eq!(p.js("return location.pathname").await, json!("/office/calendar"));
        // Both Eids of the year are listed, generated (they can be moved, not removed).
        p.until("both Eids", "return document.querySelectorAll('tr.holiday[data-kind=eid_al_fitr], tr.holiday[data-kind=eid_al_adha]').length === 2").await;
        assert_eq!(p.js("return document.querySelectorAll('tr.holiday[data-kind=eid_al_fitr] .remove-holiday').length").await, json!(0));
        // A day off of the administrator's own, on the first day of the year's first holiday (so within the year
        // shown, whenever the test runs), then made two days long.
        let first = p.js("return document.querySelector('tr.holiday').dataset.first").await;
        let first = first.as_str().expect("a holiday's first day").to_string();
        let next = (chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
        p.type_in("#holiday-name-ar", "إجازة مطرية").await;
        p.type_in("#holiday-name-en", "Rain day").await;
        p.js(&format!("const e = document.querySelector('#holiday-first'); e.value = '{first}'; \
              e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value")).await;
        p.click("#holiday-add").await;
        p.until("the day off listed", "return [...document.querySelectorAll('tr.holiday[data-kind=other]')].some(tr => tr.textContent.includes('إجازة مطرية'))").await;
        p.click("tr.holiday[data-kind=other] .move-holiday").await;
        p.js(&format!("const e = document.querySelector('tr.holiday[data-kind=other] .move-last'); e.value = '{next}'; \
              e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value")).await;
        p.click("tr.holiday[data-kind=other] .save-move").await;
        p.until("two days long", "return [...document.querySelectorAll('tr.holiday[data-kind=other]')].some(tr => tr.textContent.includes('يومان'))").await;
        // Saturday becomes a working day.
        p.click("#day-saturday").await;
        p.click("#week-save").await;
        p.until("saved", "return document.querySelector('#week-form .saved') !== null").await;
        p.labelled_controls("calendar").await;
        for (width, height) in [(768, 1024), (1366, 768)] {
            p.viewport(width, height).await;
            p.no_horizontal_scroll(&format!("calendar at {width}px")).await;
            p.checkpoint(&format!("calendar-{width}")).await;
        }
        p.click(".lang-switch").await;
        p.until("English", "return document.documentElement.dir === 'ltr'").await;
        p.until("English headings", &format!("return document.querySelector('#holidays-title').textContent === '{}'", message(EN, "calendar-holidays"))).await;
        p.until("the holidays in English too", "return [...document.querySelectorAll('tr.holiday[data-kind=other]')].some(tr => tr.textContent.includes('Rain day') && tr.textContent.includes('2 days'))").await;
        p.checkpoint("calendar-en-1366").await;
        p.viewport(768, 1024).await;
        p.checkpoint("calendar-en-768").await;
        p.click(".lang-switch").await;
    })
    .await;
    let admin = support::Client::login_at(&base, "admin").await;
    let calendar = admin.get("/api/v1/calendar?from=1434-01-01&to=2100-01-01").await;
    assert_eq!(calendar["working_days"][5], "saturday", "{calendar}");
    let rain: Vec<&Value> = calendar["holidays"].as_array().unwrap().iter().filter(|h| h["kind"] == "other").collect();
    assert_eq!(rain.len(), 1, "{calendar}");
    assert_eq!(rain[0]["name_en"], "Rain day");
    assert_eq!(rain[0]["days"], 2, "{calendar}");
}
