//! Assembling the server: configuration, pool, keys, routes, OpenAPI document, error shapes for bad requests.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use secrecy::ExposeSecret;
use shared_types::ErrorCode;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::JwtKeys;
use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::registrar::Registrar;
use crate::routes;

/// Build the application: every route and its OpenAPI entry.
fn app(
    pool: web::Data<DbPool>,
    keys: web::Data<JwtKeys>,
    settings: web::Data<Settings>,
    blobs: web::Data<BlobStore>,
    limits: web::Data<crate::rate_limit::RateLimits>,
    registrar: web::Data<Registrar>,
    document: Option<utoipa::openapi::OpenApi>,
) -> (
    App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let json_limit = settings.json_body_limit_bytes;
    let mut app = App::new();
    // The document and its interactive page go first, so the `/api/v1` scope does not shadow the document's path.
    if let Some(document) = document {
        app = app
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", document))
            .route("/api/docs", web::get().to(docs_redirect));
    }
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(pool)
        .app_data(keys)
        .app_data(settings)
        .app_data(blobs)
        .app_data(limits)
        .app_data(registrar)
        .app_data(web::JsonConfig::default().limit(json_limit).content_type_required(true).error_handler(json_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::FormConfig::default().limit(16 * 1024).error_handler(form_error))
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
        .split_for_parts()
}

/// The OpenAPI document the server serves.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let settings = Settings::default();
    let keys = JwtKeys::new(b"only used to build the document", 60);
    let manager = db::Manager::new("sqlite://:memory:");
    let pool = DbPool::builder().max_size(1).build_unchecked(manager);
    let blobs = BlobStore::memory(std::env::temp_dir());
    let limits = crate::rate_limit::RateLimits::new(&settings);
    // Nothing is registered through this app.
    let registrar = web::Data::new(Registrar::idle());
    let data = (web::Data::new(pool), web::Data::new(keys), web::Data::new(blobs), web::Data::new(limits));
    let mut document = app(data.0, data.1, web::Data::new(settings), data.2, data.3, registrar, None).1;
    crate::openapi::complete(&mut document);
    document
}

/// The OpenAPI document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut json = openapi_document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

pub(crate) fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("The body is {length} bytes; at most {limit} are accepted."),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("The body is larger than the {limit} bytes accepted."),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the body as `application/json`.",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            let field = field_of(&message);
            let code = if message.contains("unknown field") {
                "unknown_field"
            } else if message.contains("missing field") {
                "required"
            } else {
                "wrong_type"
            };
            ApiError::field(&field, code, message)
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request(ErrorCode::MalformedJson, format!("The body is not valid JSON: {e}"))
        }
        other => ApiError::bad_request(ErrorCode::MalformedJson, format!("The body could not be read: {other}")),
    };
    api.into()
}

/// The field a serde message is about, e.g. "missing field `subject` at line 1" → `subject`.
fn field_of(message: &str) -> String {
    let mut parts = message.split('`');
    match (parts.next(), parts.next()) {
        (Some(_), Some(field)) if message.contains("field") => field.to_string(),
        _ => "body".into(),
    }
}

fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::InvalidParameter, format!("Invalid path parameter: {err}")).into()
}

fn form_error(err: UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::InvalidParameter, format!("Invalid form body: {err}")).into()
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(ErrorCode::InvalidParameter, format!("Invalid query parameter: {err}")).into()
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish()
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    pub pool: DbPool,
    pub registrar: web::Data<Registrar>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbSetupError),
    #[error("cannot bind {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("cannot read or store the token signing key: {0}")]
    Secret(String),
    #[error("cannot open the document store: {0}")]
    Blobs(String),
    #[error("cannot start the registrar's thread: {0}")]
    Registrar(std::io::Error),
}

/// The access-token key: from configuration, or generated once and kept in the database for every node.
pub fn signing_secret(settings: &Settings, pool: &DbPool) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &settings.jwt_secret {
        let s = secret.expose_secret();
        if s.len() < 32 {
            return Err(StartError::Secret("MUAMALAT_JWT_SECRET must be at least 32 characters".into()));
        }
        return Ok(s.as_bytes().to_vec());
    }
    let mut conn = pool.get().map_err(|e| StartError::Secret(e.to_string()))?;
    let candidate = format!("{}{}", crate::auth::random_token(), crate::auth::random_token());
    let stored = db::setting_get_or_insert(&mut conn, "jwt_secret", &candidate)
        .map_err(|e| StartError::Secret(e.to_string()))?;
    Ok(stored.into_bytes())
}

impl Application {
    pub fn build(settings: Settings) -> Result<Application, StartError> {
        let pool = db::connect(&settings.database_url(), settings.db_pool_size)?;
        let listener = TcpListener::bind(&settings.bind).map_err(|e| StartError::Bind(settings.bind.clone(), e))?;
        Self::build_with(settings, pool, listener)
    }

    pub fn build_with(settings: Settings, pool: DbPool, listener: TcpListener) -> Result<Application, StartError> {
        let port = listener.local_addr().map_err(|e| StartError::Bind(settings.bind.clone(), e))?.port();
        let secret = signing_secret(&settings, &pool)?;
        let keys = web::Data::new(JwtKeys::new(&secret, settings.access_token_ttl_seconds));
        let workers = settings.workers;
        let blobs = web::Data::new(BlobStore::from_settings(&settings).map_err(StartError::Blobs)?);
        // One set of limiters for all workers.
        let limits = web::Data::new(crate::rate_limit::RateLimits::new(&settings));
        let registrar = web::Data::new(Registrar::start(pool.clone()).map_err(StartError::Registrar)?);
        let app_registrar = registrar.clone();
        let settings = web::Data::new(settings);
        let data_pool = web::Data::new(pool.clone());
        let document = openapi_document();
        let spa =
            crate::spa::Spa::new(settings.spa_dir.clone(), routes::allowed::AllowedMethods::from_document(&document));
        let hsts = settings.hsts_max_age_seconds;
        let origins = settings.cors_origins();
        let mut server = HttpServer::new(move || {
            let (app, _) = app(
                data_pool.clone(),
                keys.clone(),
                settings.clone(),
                blobs.clone(),
                limits.clone(),
                app_registrar.clone(),
                Some(document.clone()),
            );
            let mut headers = actix_web::middleware::DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "no-referrer"));
            if let Some(age) = hsts {
                headers = headers.add(("Strict-Transport-Security", format!("max-age={age}; includeSubDomains")));
            }
            // Cross-origin browser calls only from the configured origins; without any, no CORS headers at all.
            let mut cors = actix_cors::Cors::default()
                .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
                .allowed_headers([
                    actix_web::http::header::AUTHORIZATION,
                    actix_web::http::header::CONTENT_TYPE,
                    actix_web::http::header::RANGE,
                    actix_web::http::header::IF_NONE_MATCH,
                    actix_web::http::header::HeaderName::from_static("idempotency-key"),
                ])
                .expose_headers([
                    actix_web::http::header::ETAG,
                    actix_web::http::header::CONTENT_DISPOSITION,
                    actix_web::http::header::CONTENT_RANGE,
                ])
                .max_age(3600);
            for origin in &origins {
                cors = cors.allowed_origin(origin);
            }
            app.wrap(actix_web::middleware::Condition::new(!origins.is_empty(), cors))
                .wrap(headers)
                .wrap(TracingLogger::default())
                .wrap(actix_web::middleware::Compress::default())
                .default_service(spa.fallback())
        })
        // Without it a compressed answer's last chunk, a small write, waits for the client's delayed ACK (Nagle's
        // algorithm): about 40 ms on every kept-alive connection that asks for gzip.
        .tcp_nodelay(true)
        .listen(listener)
        .map_err(|e| StartError::Bind("listener".into(), e))?;
        if let Some(w) = workers {
            server = server.workers(w);
        }
        Ok(Application { port, server: server.run(), pool, registrar })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until stopped; meanwhile seal new audit log entries into the hash chain every second.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let pool = self.pool.clone();
        let sealer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                if let Err(e) = db::run(&pool, crate::domain::audit::seal).await {
                    tracing::warn!("sealing the audit log failed (it is retried): {e}");
                }
            }
        });
        let served = self.server.await;
        sealer.abort();
        served
    }
}
