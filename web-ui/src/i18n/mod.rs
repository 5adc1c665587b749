//! Every string the UI shows goes through here: Fluent messages (`ar.ftl`, `en.ftl`), Arabic first; dates in
//! Hijri (Umm al-Qura) and Gregorian at Riyadh time and numbers through the browser's `Intl`; durations with the
//! plural rules of each language. The chosen language is remembered in `localStorage`.
//!
//! The message files are fetched at start (`/i18n/ar.ftl`, `/i18n/en.ftl`, copied beside the app by trunk) rather
//! than compiled into the wasm: that keeps them out of the module's size budget.

use chrono::{DateTime, Utc};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;
use shared_types::ErrorCode;
use wasm_bindgen::JsValue;

#[cfg(test)]
const AR: &str = include_str!("ar.ftl");
#[cfg(test)]
const EN: &str = include_str!("en.ftl");
const STORAGE_KEY: &str = "muamalat.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ar,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ar => Lang::En,
            Lang::En => Lang::Ar,
        }
    }

    /// The BCP 47 locale for `Intl`: Saudi Arabic, or English with day-month-year dates.
    fn locale(self) -> &'static str {
        match self {
            Lang::Ar => "ar-SA",
            Lang::En => "en-GB",
        }
    }
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    // A syntax error keeps the entries that parsed; the missing ones show their key, which a test catches.
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial);
    let id = match lang {
        Lang::Ar => unic_langid::langid!("ar"),
        Lang::En => unic_langid::langid!("en"),
    };
    let mut bundle = FluentBundle::new(vec![id]);
    // Markup isolates names and numbers where it matters (<bdi>); invisible marks in strings only get in the way.
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    bundle
}

type Bundles = (FluentBundle<FluentResource>, FluentBundle<FluentResource>);

thread_local! {
    static BUNDLES: std::cell::RefCell<Option<Bundles>> = const { std::cell::RefCell::new(None) };
}

/// Fetch the messages of both languages (a few tries); called once before the app mounts.
pub async fn load() {
    async fn fetch(url: &str) -> Option<String> {
        for _ in 0..3 {
            if let Ok(response) = gloo_net::http::Request::get(url).send().await
                && response.ok()
                && let Ok(text) = response.text().await
            {
                return Some(text);
            }
        }
        None
    }
    let ar = fetch("/i18n/ar.ftl").await.unwrap_or_default();
    let en = fetch("/i18n/en.ftl").await.unwrap_or_default();
    BUNDLES.with(|b| *b.borrow_mut() = Some((bundle(Lang::Ar, &ar), bundle(Lang::En, &en))));
}

/// The message `key` in `lang`, or the key itself when there is none.
pub fn translate(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    BUNDLES.with(|bundles| {
        let bundles = bundles.borrow();
        let Some((ar, en)) = bundles.as_ref() else { return key.to_string() };
        let bundle = if lang == Lang::Ar { ar } else { en };
        match bundle.get_message(key).and_then(|m| m.value()) {
            Some(pattern) => {
                let mut errors = Vec::new();
                bundle.format_pattern(pattern, args, &mut errors).into_owned()
            }
            None => key.to_string(),
        }
    })
}

/// The language in force, shared through the context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The remembered language, Arabic by default.
    pub fn new() -> I18n {
        let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        let lang = if stored.as_deref() == Some("en") { Lang::En } else { Lang::Ar };
        apply_to_document(lang);
        I18n { lang: RwSignal::new(lang) }
    }

    pub fn set(&self, lang: Lang) {
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, lang.code());
        }
        apply_to_document(lang);
        self.lang.set(lang);
    }

    /// A message, reactive to the language.
    pub fn t(&self, key: &str) -> String {
        translate(self.lang.get(), key, None)
    }

    /// A message as a reactive text: one concrete type for every label of every page, where a `move ||` closure per
    /// label would have the view code generated again for each (that costs WebAssembly size).
    pub fn tr(&self, key: &'static str) -> Signal<String> {
        let this = *self;
        Signal::derive(move || this.t(key))
    }

    /// A message whose key is made at run time, as a reactive text (see [`I18n::tr`]).
    pub fn label(&self, key: String) -> Signal<String> {
        let this = *self;
        Signal::derive(move || this.t(&key))
    }

    /// A message with arguments.
    pub fn ta(&self, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        translate(self.lang.get(), key, Some(&fluent))
    }

    /// The translated message of a server error code.
    pub fn error(&self, code: ErrorCode) -> String {
        let key = format!("error-{}", code.to_string().replace('_', "-"));
        let text = self.t(&key);
        if text == key { self.t("error-unknown") } else { text }
    }

    /// Hijri (Umm al-Qura) date, Gregorian date and Riyadh time.
    pub fn date_time(&self, at: &DateTime<Utc>) -> String {
        let lang = self.lang.get();
        let hijri = intl_date(lang, at, "islamic-umalqura", false);
        let gregorian = intl_date(lang, at, "gregory", true);
        format!("{hijri} — {gregorian}")
    }

    /// Hijri and Gregorian date only.
    pub fn date(&self, at: &DateTime<Utc>) -> String {
        let lang = self.lang.get();
        format!("{} — {}", intl_date(lang, at, "islamic-umalqura", false), intl_date(lang, at, "gregory", false))
    }

    /// The Hijri (Umm al-Qura) month and year a Gregorian day falls in, spelled out (`ربيع الأول ١٤٤٨`).
    pub fn hijri_month(&self, day: chrono::NaiveDate) -> String {
        let lang = self.lang.get();
        let options = js_sys::Object::new();
        set(&options, "timeZone", "Asia/Riyadh");
        set(&options, "calendar", "islamic-umalqura");
        set(&options, "month", "long");
        set(&options, "year", "numeric");
        let locales = js_sys::Array::of1(&JsValue::from_str(lang.locale()));
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
        // Noon in Riyadh, a few days into the month: clear of any day the browser's calendar and ours might differ on.
        let at = day.and_hms_opt(9, 0, 0).map(|t| t.and_utc().timestamp_millis() + 5 * 86_400_000).unwrap_or(0);
        let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
        format.format().call1(&JsValue::NULL, &date).ok().and_then(|v| v.as_string()).unwrap_or_default()
    }

    pub fn number(&self, n: i64) -> String {
        intl_number(self.lang.get(), n)
    }

    /// A span in wall-clock time and, where the server counted it, in working time (`3 days (working time 5 hours)`).
    pub fn span(&self, span: &shared_types::TimeSpan) -> String {
        let wall = self.duration(span.wall_clock_seconds);
        match span.business_seconds {
            Some(business) => self.ta(
                "span-with-business",
                &[("wall", FluentValue::from(wall)), ("business", FluentValue::from(self.duration(business)))],
            ),
            None => wall,
        }
    }

    /// A duration in days, hours and minutes, with each language's plural forms.
    pub fn duration(&self, seconds: i64) -> String {
        let seconds = seconds.max(0);
        let (days, hours, minutes) = (seconds / 86_400, (seconds % 86_400) / 3_600, (seconds % 3_600) / 60);
        let part = |key: &str, n: i64| {
            self.ta(key, &[("n", FluentValue::from(n)), ("shown", FluentValue::from(self.number(n)))])
        };
        let mut parts = Vec::new();
        if days > 0 {
            parts.push(part("duration-days", days));
        }
        if hours > 0 {
            parts.push(part("duration-hours", hours));
        }
        if days == 0 && (minutes > 0 || hours == 0) {
            parts.push(part("duration-minutes", minutes));
        }
        parts.join(&self.t("duration-separator"))
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::new()
    }
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn apply_to_document(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", lang.dir());
    }
}

fn set(options: &js_sys::Object, key: &str, value: &str) {
    let _ = js_sys::Reflect::set(options, &JsValue::from_str(key), &JsValue::from_str(value));
}

fn intl_date(lang: Lang, at: &DateTime<Utc>, calendar: &str, with_time: bool) -> String {
    let options = js_sys::Object::new();
    set(&options, "timeZone", "Asia/Riyadh");
    set(&options, "calendar", calendar);
    set(&options, "dateStyle", "medium");
    if with_time {
        set(&options, "timeStyle", "short");
    }
    let locales = js_sys::Array::of1(&JsValue::from_str(lang.locale()));
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format.format().call1(&JsValue::NULL, &date).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn intl_number(lang: Lang, n: i64) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(lang.locale()));
    let format = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new());
    format
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::{AR, EN};

    fn keys(source: &str) -> Vec<String> {
        let mut keys: Vec<String> = source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_string()))
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(keys(AR), keys(EN));
        assert!(keys(AR).len() > 50);
    }

    #[test]
    fn every_message_parses() {
        for source in [AR, EN] {
            assert!(fluent_bundle::FluentResource::try_new(source.to_string()).is_ok());
        }
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let known = keys(AR);
        let mut missing = Vec::new();
        for file in crate::SOURCES {
            for (i, _) in file.match_indices(".t(\"").chain(file.match_indices(".tr(\"")) {
                let rest = &file[i + file[i..].find('"').unwrap_or(0) + 1..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                if !key.is_empty() && !known.iter().any(|k| k == key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "messages missing from ar.ftl/en.ftl: {missing:?}");
    }

    #[test]
    fn every_label_prop_names_a_message() {
        let known = keys(AR);
        let mut missing = Vec::new();
        for file in crate::SOURCES {
            for (i, _) in file.match_indices(" label=\"") {
                let rest = &file[i + 8..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                if !known.iter().any(|k| k == key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "label messages missing: {missing:?}");
    }

    /// Every error code of the published contract (the committed OpenAPI document) has a message.
    #[test]
    fn every_error_code_has_a_message() {
        let openapi: serde_json::Value =
            serde_json::from_str(include_str!("../../../openapi/openapi.json")).expect("openapi.json");
        let codes = openapi["components"]["schemas"]["ErrorCode"]["oneOf"]
            .as_array()
            .map(|variants| variants.iter().flat_map(|v| v["enum"].as_array().cloned().unwrap_or_default()).collect())
            .or_else(|| openapi["components"]["schemas"]["ErrorCode"]["enum"].as_array().cloned())
            .expect("ErrorCode in the OpenAPI document");
        assert!(codes.len() > 20);
        let known = keys(AR);
        let missing: Vec<_> = codes
            .iter()
            .filter_map(|c| c.as_str())
            .map(|c| format!("error-{}", c.replace('_', "-")))
            .filter(|k| !known.contains(k))
            .collect();
        assert!(missing.is_empty(), "error messages missing: {missing:?}");
    }

    /// Messages whose keys the code builds from a value of the contract: every value has one.
    #[test]
    fn every_value_of_the_contract_shown_has_a_message() {
        use shared_types::{
            Confidentiality, Decision, EventKind, Priority, Purpose, ReferralOutcome, ReferralStatus, Role,
            TransactionStatus, UnitKind,
        };
        let known = keys(AR);
        let key = |prefix: &str, value: &str| format!("{prefix}-{}", value.replace('_', "-"));
        let mut wanted = Vec::new();
        wanted.extend(Role::ALL.iter().map(|v| key("role", v.as_str())));
        wanted.extend(UnitKind::ALL.iter().map(|v| key("unit-kind", v.as_str())));
        wanted.extend(Decision::ALL.iter().map(|v| key("decision", v.as_str())));
        wanted.extend(EventKind::ALL.iter().map(|v| key("event", v.as_str())));
        wanted.extend(shared_types::AuditAction::ALL.iter().map(|v| key("audit", v.as_str())));
        for object in
            ["transaction", "referral", "document", "unit", "user", "entity", "session", "api_client", "submission"]
        {
            wanted.push(key("audit-object", object));
        }
        for reason in ["hash_mismatch", "chain_mismatch", "missing"] {
            wanted.push(key("audit-reason", reason));
        }
        wanted.extend(Priority::ALL.iter().map(|v| key("priority", v.as_str())));
        wanted.extend(Confidentiality::ALL.iter().map(|v| key("confidentiality", v.as_str())));
        wanted.extend(Purpose::ALL.iter().map(|v| key("purpose", v.as_str())));
        wanted.extend(TransactionStatus::ALL.iter().map(|v| key("status", v.as_str())));
        wanted.extend(ReferralStatus::ALL.iter().map(|v| key("referral", v.as_str())));
        wanted.extend(ReferralOutcome::ALL.iter().map(|v| key("referral", v.as_str())));
        let missing: Vec<_> = wanted.into_iter().filter(|k| !known.contains(k)).collect();
        assert!(missing.is_empty(), "messages missing: {missing:?}");
    }
}
