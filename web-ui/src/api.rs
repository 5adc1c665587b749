//! The one typed client of the API: every request and answer is a `shared-types` type. The access token lives in
//! memory only; the refresh token is an `HttpOnly` cookie the page cannot read. An expired access token is renewed
//! once, transparently.

use std::cell::RefCell;

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared_types::{
    AllowedActions, AnnotationRequest, AuditEntry, AuditVerification, DecisionRequest, Delegation, Document,
    DraftUpdate, ErrorCode, Event, ExternalEntity, ForwardRequest, Holiday, HolidayChange, InboxCounts, InboxItem,
    Location, LoginRequest, NewDelegation, NewHoliday, NewTransaction, NewUnit, NewUser, Page, Problem, ReceiveRequest,
    ReferRequest, Referral, ReferralActionRequest, RefreshRequest, RegisterSubmission, RejectSubmission, Report,
    ReportFormat, ReportName, ReportQuery, Route, SearchQuery, SearchResults, Session, StatusChangeRequest, Submission,
    TokenResponse, Transaction, TransactionSummary, TransactionWithReferrals, Unit, UnitUpdate, User, UserUpdate,
    WorkingCalendar, WorkingWeek,
};

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Why a call failed: the server's problem document, or no answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached (offline, restarting): worth a retry.
    Network,
    Problem(Problem),
}

impl ApiError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Network => None,
            ApiError::Problem(p) => Some(p.code),
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Network => None,
            ApiError::Problem(p) => Some(p),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|t| *t.borrow_mut() = token);
}

fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|t| t.borrow().clone())
}

/// A fresh `Idempotency-Key` for a creating request: a retry of the same click reuses it, a new click gets another.
pub fn idempotency_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{}", js_sys::Date::now()))
}

async fn send(method: Method, path: &str, body: Option<&str>, key: Option<&str>) -> ApiResult<Response> {
    let mut request = RequestBuilder::new(&format!("/api/v1{path}")).method(method);
    if let Some(token) = access_token() {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let request = match body {
        Some(body) => request.header("Content-Type", "application/json").body(body.to_string()),
        None => request.build(),
    }
    .map_err(|_| ApiError::Network)?;
    request.send().await.map_err(|_| ApiError::Network)
}

async fn problem_of(response: Response) -> ApiError {
    match response.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Problem(Problem {
            type_uri: String::new(),
            title: response.status_text(),
            status: response.status(),
            detail: String::new(),
            code: if response.status() >= 500 { ErrorCode::InternalError } else { ErrorCode::InvalidParameter },
            errors: Vec::new(),
        }),
    }
}

/// Send a request; renew the access token once when it has expired.
async fn call_raw(method: Method, path: &str, body: Option<String>, key: Option<&str>) -> ApiResult<Response> {
    let sent_with = access_token();
    let response = send(method.clone(), path, body.as_deref(), key).await?;
    if response.status() == 401 && sent_with.is_some() {
        // Another request may have renewed it meanwhile; if not, renew it (once for all of them).
        let renewed = access_token() != sent_with || renew().await;
        if renewed {
            return send(method, path, body.as_deref(), key).await;
        }
    }
    Ok(response)
}

type Renewal = futures_util::future::Shared<futures_util::future::LocalBoxFuture<'static, bool>>;

thread_local! {
    /// The renewal under way, if any. The page's requests go out together (a page asks for its parts at once), so
    /// when the access token expires several come back 401 at the same moment: they all wait for one refresh. A
    /// refresh token is single-use, and the server ends the whole session when one is presented twice.
    static RENEWAL: RefCell<Option<Renewal>> = const { RefCell::new(None) };
}

/// Renew the access token with the session cookie, one refresh at a time; whether it worked.
async fn renew() -> bool {
    use futures_util::FutureExt;
    let renewal = RENEWAL.with(|r| {
        r.borrow_mut()
            .get_or_insert_with(|| {
                async {
                    let renewed = restore().await.is_ok();
                    RENEWAL.with(|r| r.borrow_mut().take());
                    renewed
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    renewal.await
}

async fn call<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<String>,
    key: Option<&str>,
) -> ApiResult<T> {
    let response = call_raw(method, path, body, key).await?;
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    response.json::<T>().await.map_err(|_| ApiError::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    call(Method::GET, path, None, None).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, key: Option<&str>) -> ApiResult<T> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    call(Method::POST, path, Some(body), key).await
}

/// A `DELETE`, answered without a body.
async fn delete(path: &str) -> ApiResult<()> {
    let response = call_raw(Method::DELETE, path, None, None).await?;
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    Ok(())
}

async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    call(Method::PATCH, path, Some(body), None).await
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, key: Option<&str>) -> ApiResult<T> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    call(Method::PUT, path, Some(body), key).await
}

/// Sign in; the session is kept in the `HttpOnly` cookie.
pub async fn login(username: String, password: String) -> ApiResult<User> {
    let body = LoginRequest { username, password, session_cookie: true };
    let tokens: TokenResponse = post("/auth/login", &body, None).await?;
    set_access_token(Some(tokens.access_token));
    Ok(tokens.user)
}

/// Resume the session of the cookie (after a reload, or when the access token expired).
pub async fn restore() -> ApiResult<User> {
    let body = serde_json::to_string(&RefreshRequest { refresh_token: None }).map_err(|_| ApiError::Network)?;
    let response = send(Method::POST, "/auth/refresh", Some(&body), None).await?;
    if !response.ok() {
        set_access_token(None);
        return Err(problem_of(response).await);
    }
    let tokens: TokenResponse = response.json().await.map_err(|_| ApiError::Network)?;
    set_access_token(Some(tokens.access_token));
    Ok(tokens.user)
}

pub async fn logout() {
    let _ = send(Method::POST, "/auth/logout", Some("{}"), None).await;
    set_access_token(None);
}

/// Query-string value: percent-encoded.
fn q(value: &str) -> String {
    js_sys::encode_uri_component(value).as_string().unwrap_or_default()
}

pub async fn inbox(which: &str, filters: &[(&str, String)], cursor: Option<&str>) -> ApiResult<Page<InboxItem>> {
    let mut path = format!("/inbox?box={which}&limit=25");
    for (name, value) in filters {
        path.push_str(&format!("&{name}={}", q(value)));
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    get(&path).await
}

/// A page of the audit log, newest first, with filters (`action`, `user_id`, `transaction_id`, `from`, `to`).
pub async fn audit(filters: &[(&str, String)], cursor: Option<&str>) -> ApiResult<Page<AuditEntry>> {
    let mut path = "/audit?limit=50".to_string();
    for (name, value) in filters {
        path.push_str(&format!("&{name}={}", q(value)));
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    get(&path).await
}

pub async fn audit_verification() -> ApiResult<AuditVerification> {
    get("/audit/verification").await
}

/// My delegations: those I gave and those I stand in for, newest first.
pub async fn delegations() -> ApiResult<Vec<Delegation>> {
    get("/delegations").await
}

pub async fn delegate(body: &NewDelegation, key: &str) -> ApiResult<Delegation> {
    post("/delegations", body, Some(key)).await
}

pub async fn end_delegation(id: i64) -> ApiResult<()> {
    delete(&format!("/delegations/{id}")).await
}

/// My live sessions (the one of this page is `current`).
pub async fn sessions() -> ApiResult<Vec<Session>> {
    get("/auth/sessions").await
}

pub async fn end_session(id: &str) -> ApiResult<()> {
    delete(&format!("/auth/sessions/{}", q(id))).await
}

/// A page of the central registry's intake queue of agency submissions, oldest first.
pub async fn intake(cursor: Option<&str>) -> ApiResult<Page<Submission>> {
    let mut path = "/intake?limit=25".to_string();
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    get(&path).await
}

pub async fn submission(id: i64) -> ApiResult<Submission> {
    get(&format!("/intake/{id}")).await
}

pub async fn register_submission(id: i64, body: &RegisterSubmission, key: &str) -> ApiResult<TransactionWithReferrals> {
    post(&format!("/intake/{id}/register"), body, Some(key)).await
}

pub async fn reject_submission(id: i64, body: &RejectSubmission) -> ApiResult<Submission> {
    post(&format!("/intake/{id}/reject"), body, None).await
}

pub async fn inbox_counts() -> ApiResult<InboxCounts> {
    get("/inbox/counts").await
}

pub async fn entities() -> ApiResult<Vec<ExternalEntity>> {
    get("/external-entities").await
}

pub async fn units() -> ApiResult<Vec<Unit>> {
    get("/units").await
}

pub async fn users_of(unit_id: i64) -> ApiResult<Vec<User>> {
    get(&format!("/users?unit_id={unit_id}")).await
}

/// Users whose username or Arabic or English name contains `query`.
pub async fn search_users(query: &str) -> ApiResult<Vec<User>> {
    get(&format!("/users?q={}", q(query))).await
}

pub async fn create_transaction(body: &NewTransaction, key: &str) -> ApiResult<TransactionWithReferrals> {
    post("/transactions", body, Some(key)).await
}

pub async fn transaction(id: i64) -> ApiResult<Transaction> {
    get(&format!("/transactions/{id}")).await
}

pub async fn location(id: i64) -> ApiResult<Location> {
    get(&format!("/transactions/{id}/location")).await
}

pub async fn route(id: i64) -> ApiResult<Route> {
    get(&format!("/transactions/{id}/route")).await
}

pub async fn timeline(id: i64) -> ApiResult<Vec<Event>> {
    get(&format!("/transactions/{id}/timeline")).await
}

pub async fn actions(id: i64) -> ApiResult<AllowedActions> {
    get(&format!("/transactions/{id}/actions")).await
}

pub async fn receive(referral: i64, version: i32) -> ApiResult<Referral> {
    post(&format!("/referrals/{referral}/receive"), &ReceiveRequest { expected_version: Some(version) }, None).await
}

pub async fn forward(referral: i64, body: &ForwardRequest) -> ApiResult<TransactionWithReferrals> {
    post(&format!("/referrals/{referral}/forward"), body, None).await
}

pub async fn return_to_sender(referral: i64, body: &ReferralActionRequest) -> ApiResult<TransactionWithReferrals> {
    post(&format!("/referrals/{referral}/return"), body, None).await
}

pub async fn complete(referral: i64, body: &ReferralActionRequest) -> ApiResult<Referral> {
    post(&format!("/referrals/{referral}/complete"), body, None).await
}

pub async fn refer(id: i64, body: &ReferRequest, key: &str) -> ApiResult<TransactionWithReferrals> {
    post(&format!("/transactions/{id}/referrals"), body, Some(key)).await
}

pub async fn annotate(id: i64, text: String, key: &str) -> ApiResult<Transaction> {
    post(&format!("/transactions/{id}/annotations"), &AnnotationRequest { text }, Some(key)).await
}

pub async fn close(id: i64, body: &StatusChangeRequest) -> ApiResult<Transaction> {
    post(&format!("/transactions/{id}/close"), body, None).await
}

pub async fn reopen(id: i64, body: &StatusChangeRequest) -> ApiResult<Transaction> {
    post(&format!("/transactions/{id}/reopen"), body, None).await
}

pub async fn archive(id: i64, body: &StatusChangeRequest) -> ApiResult<Transaction> {
    post(&format!("/transactions/{id}/archive"), body, None).await
}

pub async fn decide(id: i64, body: &DecisionRequest, key: &str) -> ApiResult<Transaction> {
    post(&format!("/transactions/{id}/decisions"), body, Some(key)).await
}

/// The URL of a search, as the search page shows it and the API answers it (the same parameters).
pub fn search_query_string(query: &SearchQuery) -> String {
    query.pairs().iter().map(|(name, value)| format!("{name}={}", q(value))).collect::<Vec<_>>().join("&")
}

/// Search the transactions the caller may see.
pub async fn search(query: &SearchQuery) -> ApiResult<SearchResults> {
    get(&format!("/search?{}", search_query_string(query))).await
}

pub async fn drafts(cursor: Option<&str>) -> ApiResult<Page<TransactionSummary>> {
    let mut path = "/drafts?limit=25".to_string();
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    get(&path).await
}

pub async fn update_draft(id: i64, body: &DraftUpdate) -> ApiResult<Transaction> {
    patch(&format!("/transactions/{id}"), body).await
}

pub async fn send_draft(id: i64, body: &ReferRequest, key: &str) -> ApiResult<TransactionWithReferrals> {
    post(&format!("/transactions/{id}/send"), body, Some(key)).await
}

/// Everything open in a unit and below it; `oldest_first` sorts by age.
pub async fn overview(unit_id: i64, oldest_first: bool, cursor: Option<&str>) -> ApiResult<Page<InboxItem>> {
    let sort = if oldest_first { "age" } else { "newest" };
    let mut path = format!("/units/{unit_id}/overview?sort={sort}&limit=50");
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    get(&path).await
}

/// The working calendar with the holidays of a Hijri year.
pub async fn calendar(hijri_year: i32) -> ApiResult<WorkingCalendar> {
    get(&format!("/calendar?from={hijri_year}-01-01&to={hijri_year}-12-30")).await
}

pub async fn set_working_week(body: &WorkingWeek, key: &str) -> ApiResult<WorkingCalendar> {
    put("/calendar/week", body, Some(key)).await
}

pub async fn add_holiday(body: &NewHoliday, key: &str) -> ApiResult<Holiday> {
    post("/calendar/holidays", body, Some(key)).await
}

pub async fn change_holiday(id: i64, body: &HolidayChange) -> ApiResult<Holiday> {
    patch(&format!("/calendar/holidays/{id}"), body).await
}

pub async fn remove_holiday(id: i64) -> ApiResult<()> {
    delete(&format!("/calendar/holidays/{id}")).await
}

pub async fn create_unit(body: &NewUnit, key: &str) -> ApiResult<Unit> {
    post("/units", body, Some(key)).await
}

pub async fn update_unit(id: i64, body: &UnitUpdate) -> ApiResult<Unit> {
    patch(&format!("/units/{id}"), body).await
}

pub async fn create_user(body: &NewUser, key: &str) -> ApiResult<User> {
    post("/users", body, Some(key)).await
}

pub async fn update_user(id: i64, body: &UserUpdate) -> ApiResult<User> {
    patch(&format!("/users/{id}"), body).await
}

pub async fn documents(transaction_id: i64) -> ApiResult<Vec<Document>> {
    get(&format!("/transactions/{transaction_id}/documents")).await
}

/// Send a `multipart/form-data` upload to `path`, reporting progress (0.0–1.0) as it goes. `XMLHttpRequest`, not
/// `fetch`: only it reports upload progress. The answer is the JSON of the created resource.
pub async fn upload<T: DeserializeOwned>(
    path: &str,
    form: &web_sys::FormData,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<T> {
    let on_progress = std::rc::Rc::new(on_progress);
    let mut renewed = false;
    loop {
        let (status, body) = xhr_upload(path, form, on_progress.clone()).await?;
        if status == 401 && !renewed && restore().await.is_ok() {
            renewed = true;
            continue;
        }
        if (200..300).contains(&status) {
            return serde_json::from_str(&body).map_err(|_| ApiError::Network);
        }
        return Err(match serde_json::from_str::<Problem>(&body) {
            Ok(problem) => ApiError::Problem(problem),
            Err(_) => ApiError::Problem(Problem {
                type_uri: String::new(),
                title: String::new(),
                status,
                detail: String::new(),
                code: if status >= 500 { ErrorCode::InternalError } else { ErrorCode::MalformedUpload },
                errors: Vec::new(),
            }),
        });
    }
}

async fn xhr_upload(
    path: &str,
    form: &web_sys::FormData,
    on_progress: std::rc::Rc<dyn Fn(f64)>,
) -> ApiResult<(u16, String)> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ApiError::Network)?;
    xhr.open("POST", &format!("/api/v1{path}")).map_err(|_| ApiError::Network)?;
    if let Some(token) = access_token() {
        xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(|_| ApiError::Network)?;
    }
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress(e.loaded() / e.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        });
        let failed = Closure::once_into_js(move || {
            let _ = reject.call0(&wasm_bindgen::JsValue::NULL);
        });
        xhr.set_onload(Some(ok.unchecked_ref()));
        xhr.set_onerror(Some(failed.unchecked_ref()));
    });
    xhr.send_with_opt_form_data(Some(form)).map_err(|_| ApiError::Network)?;
    let outcome = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(progress);
    outcome.map_err(|_| ApiError::Network)?;
    Ok((xhr.status().unwrap_or(0), xhr.response_text().ok().flatten().unwrap_or_default()))
}

/// Download a version with the session and hand it to the page as an object URL (for a preview or a save).
/// Save an object URL as a file: a link with `download`, clicked.
pub fn save_as(url: &str, file_name: &str) {
    use wasm_bindgen::JsCast;
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = a.set_attribute("href", url);
        let _ = a.set_attribute("download", file_name);
        a.click();
    }
}

/// The path of a report, with its period, scope and format.
pub fn report_path(name: ReportName, query: &ReportQuery) -> String {
    let pairs = query.pairs().iter().map(|(n, v)| format!("{n}={}", q(v))).collect::<Vec<_>>().join("&");
    format!("/reports/{}?{pairs}", name.as_str())
}

pub async fn report(name: ReportName, query: &ReportQuery) -> ApiResult<Report> {
    get(&report_path(name, query)).await
}

/// Download a report as CSV or XLSX, saved under `file_name`.
pub async fn download_report(name: ReportName, query: &ReportQuery, file_name: &str) -> ApiResult<()> {
    let media_type = match query.format {
        Some(ReportFormat::Xlsx) => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "text/csv",
    };
    let url = object_url(&report_path(name, query), media_type).await?;
    save_as(&url, file_name);
    Ok(())
}

pub async fn object_url(content_url: &str, media_type: &str) -> ApiResult<String> {
    let path = content_url.strip_prefix("/api/v1").unwrap_or(content_url);
    let response = call_raw(Method::GET, path, None, None).await?;
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    let bytes = response.binary().await.map_err(|_| ApiError::Network)?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| ApiError::Network)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Network)
}
