//! A real browser on the web UI: ChromeDriver on a free port driving headless Chromium (Debian's `chromium` and
//! `chromedriver`), and a page handle with the waits and checks the browser tests and the UI benchmark share.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::{PASSWORD, free_port};

/// The messages the UI shows, read from the same Fluent files the SPA is built with.
pub const AR: &str = include_str!("../../../web-ui/src/i18n/ar.ftl");
pub const EN: &str = include_str!("../../../web-ui/src/i18n/en.ftl");

pub fn message(ftl: &str, key: &str) -> String {
    ftl.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.trim_start().strip_prefix('=')).map(|v| v.trim().to_string()))
        .unwrap_or_else(|| panic!("message {key} is missing"))
}

/// How long a page may take to show what a step waits for.
pub const WAIT: Duration = Duration::from_secs(20);

/// The browser tests share two cores with the server and the browser: one at a time.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    exe.parent().and_then(|deps| deps.parent()).and_then(|profile| profile.parent()).expect("target").to_path_buf()
}

pub fn spa_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web-ui/dist");
    assert!(dir.join("index.html").exists(), "{} is missing: build the UI with scripts/build-ui.sh", dir.display());
    dir
}

/// ChromeDriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
    url: String,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver (apt install chromium-driver, or run scripts/test.sh)");
    let url = format!("http://127.0.0.1:{port}");
    let profile = tempfile::tempdir().expect("browser profile");
    let path = profile.path().to_path_buf();
    let driver = Driver { child, _profile: profile, url, profile: path };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + WAIT;
    while http.get(format!("{}/status", driver.url)).send().await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

/// One browser session on the server's web UI.
#[derive(Clone)]
pub struct Page {
    pub c: Client,
    pub base: String,
    pub name: &'static str,
    /// ChromeDriver's address (for its DevTools bridge).
    pub driver_url: String,
}

impl Page {
    pub async fn open(driver: &Driver, base: &str, name: &'static str) -> Page {
        let mut options = json!({"args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--lang=ar", "--window-size=1366,768",
            format!("--user-data-dir={}", driver.profile.display()),
        ]});
        for binary in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
            if std::path::Path::new(binary).exists() {
                options["binary"] = json!(binary);
                break;
            }
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session");
        Page { c, base: base.to_string(), name, driver_url: driver.url.clone() }
    }

    pub fn shots() -> PathBuf {
        let dir = target_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        dir
    }

    /// Save a screenshot and the HTML of the page as `<test>-<label>.png/.html`.
    pub async fn save(&self, label: &str) -> PathBuf {
        let png = Self::shots().join(format!("{}-{label}.png", self.name));
        if let Ok(bytes) = self.c.screenshot().await {
            let _ = std::fs::write(&png, bytes);
        }
        if let Ok(html) = self.c.source().await {
            let _ = std::fs::write(png.with_extension("html"), html);
        }
        png
    }

    /// A screenshot for reviewing the layout, when E2E_SCREENSHOTS is set.
    pub async fn checkpoint(&self, label: &str) {
        if std::env::var_os("E2E_SCREENSHOTS").is_some() {
            self.save(label).await;
        }
    }

    pub async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.expect("navigate");
    }

    /// Wait for an element to be in the page and shown: a CSS selector, or an XPath after `xpath:`.
    pub async fn el(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + WAIT;
        let locator = match css.strip_prefix("xpath:") {
            Some(xpath) => Locator::XPath(xpath),
            None => Locator::Css(css),
        };
        loop {
            if let Ok(e) = self.c.find(locator).await
                && e.is_displayed().await.unwrap_or(false)
            {
                return e;
            }
            assert!(Instant::now() < deadline, "{css} did not appear");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.el(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let e = self.el(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.expect("text")
    }

    pub async fn js(&self, script: &str) -> Value {
        self.c.execute(script, Vec::new()).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Wait until a script returns true (a script that throws, say on an element not rendered yet, is retried).
    pub async fn until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let last = match self.c.execute(script, Vec::new()).await {
                Ok(Value::Bool(true)) => return,
                Ok(v) => v.to_string(),
                Err(e) => e.to_string(),
            };
            assert!(Instant::now() < deadline, "waited in vain for {what} ({script}); last: {last}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Click the choice of a search list (entity or unit picker) that reads exactly `label`.
    pub async fn choose(&self, label: &str) {
        let xpath = format!("//ul[@role='listbox']//button[normalize-space()='{label}']");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.c.find(Locator::XPath(&xpath)).await {
                e.click().await.expect("choose");
                return;
            }
            assert!(Instant::now() < deadline, "no choice reads {label}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn login(&self, username: &str) {
        self.goto("/").await;
        self.type_in("#username", username).await;
        self.type_in("#password", PASSWORD).await;
        self.click("#login-submit").await;
        self.el("#logout").await;
    }

    pub async fn logout(&self) {
        self.click("#logout").await;
        self.el("#username").await;
    }

    /// Open the first transaction of an inbox tab.
    pub async fn open_first(&self, tab: &str) {
        self.goto("/").await;
        self.click(&format!("#tab-{tab}")).await;
        self.click("ul.inbox li.item a").await;
        self.el("#timeline").await;
    }

    pub async fn timeline_has(&self, n: usize) {
        self.until(
            &format!("{n} events on the timeline"),
            &format!("return document.querySelectorAll('#timeline li').length === {n}"),
        )
        .await;
    }

    /// Add one referral target in a target picker (`prefix` is "" on the register page, "action-" in actions).
    pub async fn add_target(&self, prefix: &str, unit_label: &str, user_id: Option<i64>, purpose: &str) {
        self.type_in(&format!("#{prefix}unit-search"), unit_label).await;
        self.choose(unit_label).await;
        if let Some(uid) = user_id {
            let select = self.el(&format!("#{prefix}target-user")).await;
            let option = format!("#{prefix}target-user option[value='{uid}']");
            self.el(&option).await;
            select.select_by_value(&uid.to_string()).await.expect("choose the user");
        }
        self.el(&format!("#{prefix}target-purpose")).await.select_by_value(purpose).await.expect("purpose");
        self.click(&format!("#{prefix}add-target")).await;
    }

    /// Add a person as a referral target by typing part of their name and choosing "name — unit".
    pub async fn add_person(&self, prefix: &str, typed: &str, choice: &str, purpose: &str) {
        self.type_in(&format!("#{prefix}unit-search"), typed).await;
        self.choose(choice).await;
        self.el(&format!("#{prefix}target-purpose")).await.select_by_value(purpose).await.expect("purpose");
        self.click(&format!("#{prefix}add-target")).await;
    }

    /// The page is no wider than the window: nothing scrolls sideways.
    pub async fn no_horizontal_scroll(&self, label: &str) {
        let sizes = self
            .js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]")
            .await;
        let (scroll, client) = (sizes[0].as_i64().expect("scroll"), sizes[1].as_i64().expect("client"));
        assert!(scroll <= client, "{label}: the page is {scroll}px wide in a {client}px window");
        // Nothing sticks out either (the style hides no overflow; a table may scroll inside its own box).
        let outside = self
            .js(r#"const w = document.documentElement.clientWidth;
                const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
                return [...document.body.querySelectorAll('*')].filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.width > 0 && (r.right > w + 1 || r.left < -1) && !clipped(e);
                }).map(e => e.outerHTML.slice(0, 120)).slice(0, 5)"#)
            .await;
        assert_eq!(outside, json!([]), "{label}: elements outside the {client}px window");
    }

    /// Every control a finger must hit is at least 44 px high.
    pub async fn touch_targets(&self, label: &str) {
        let small = self
            .js(r#"return [...document.querySelectorAll('button, select, input:not([type=checkbox]), nav a, label.check')]
                .filter(e => e.offsetParent !== null)
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 120))"#)
            .await;
        assert_eq!(small, json!([]), "{label}: controls under 44 px");
    }

    /// Every form control has a name a screen reader can say: a `<label>` (for it, or around it) or `aria-label`.
    pub async fn labelled_controls(&self, label: &str) {
        let unlabelled = self
            .js(r#"return [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.offsetParent !== null)
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                .map(e => e.outerHTML.slice(0, 120))"#)
            .await;
        assert_eq!(unlabelled, json!([]), "{label}: controls without a label");
    }

    /// Resize so that the viewport (not the outer window) is `width` × `height`.
    pub async fn viewport(&self, width: i64, height: i64) {
        self.c.set_window_size(width as u32, height as u32).await.expect("resize");
        let inner = self.js("return [window.innerWidth, window.innerHeight]").await;
        let (iw, ih) = (inner[0].as_i64().expect("w"), inner[1].as_i64().expect("h"));
        if (iw, ih) != (width, height) {
            let (w, h) = (2 * width - iw, 2 * height - ih);
            self.c.set_window_size(w as u32, h as u32).await.expect("resize");
        }
        let inner = self.js("return window.innerWidth").await;
        assert_eq!(inner, json!(width), "the viewport could not be set to {width}×{height}");
    }
}
