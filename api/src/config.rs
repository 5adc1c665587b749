//! Settings, layered: built-in defaults → a TOML file (`MUAMALAT_CONFIG`, or `./muamalat.toml` when present) →
//! environment (`MUAMALAT_*`, plus `DATABASE_URL`). Unknown keys are rejected so typos do not pass silently.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `postgres://…` for PostgreSQL; `sqlite://path`, a `file:` URI or a plain path for SQLite. Default: an
    /// SQLite file `muamalat.db` in `data_dir`.
    #[serde(default)]
    pub database_url: Option<String>,
    /// Address and port to listen on.
    #[serde(default = "default_bind")]
    pub bind: String,
    /// Where the default SQLite database and the local document store live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// HMAC key for access tokens. When absent a random key is generated on first start and kept in the
    /// database, so every node of a deployment shares it.
    #[serde(default)]
    pub jwt_secret: Option<SecretString>,
    #[serde(default = "default_access_ttl")]
    pub access_token_ttl_seconds: i64,
    #[serde(default = "default_refresh_ttl")]
    pub refresh_token_ttl_seconds: i64,
    /// Largest JSON request body accepted, in bytes.
    #[serde(default = "default_json_limit")]
    pub json_body_limit_bytes: usize,
    /// Database connections per process.
    #[serde(default)]
    pub db_pool_size: Option<u32>,
    /// `pretty` (default) or `json`.
    #[serde(default = "default_log_format")]
    pub log_format: String,
    /// Password given to every demo user by `seed-demo`; generated and printed when absent.
    #[serde(default)]
    pub demo_password: Option<SecretString>,
    /// Actix worker threads; default: one per core.
    #[serde(default)]
    pub workers: Option<usize>,
    /// The built web UI (`index.html`, the wasm and its assets), served at `/`.
    #[serde(default = "default_spa_dir")]
    pub spa_dir: PathBuf,
    /// Directory of the local document store (content-addressed blobs). Default: `blobs` in `data_dir`.
    #[serde(default)]
    pub blob_dir: Option<PathBuf>,
    /// Keep documents in this bucket of an S3-compatible store instead of the local directory. Credentials come
    /// from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …), never from this file.
    #[serde(default)]
    pub s3_bucket: Option<String>,
    /// The S3 endpoint (for MinIO, Ceph, a cloud's S3 service…); default: AWS.
    #[serde(default)]
    pub s3_endpoint: Option<String>,
    /// The S3 region. Default `us-east-1`.
    #[serde(default)]
    pub s3_region: Option<String>,
    /// Web origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://portal.example.gov.sa`. Empty (the default): no cross-origin browser access.
    #[serde(default)]
    pub cors_allowed_origins: Option<String>,
    /// Sign-in attempts accepted per client address per minute (a burst of that many, refilled evenly); beyond,
    /// 429 `rate_limited`. Many users behind one office address share it.
    #[serde(default = "default_sign_in_rate")]
    pub sign_in_rate_per_minute: u32,
    /// Token refreshes accepted per client address per minute.
    #[serde(default = "default_refresh_rate")]
    pub refresh_rate_per_minute: u32,
    /// API client token requests accepted per client address, and per client id, per minute.
    #[serde(default = "default_client_token_rate")]
    pub client_token_rate_per_minute: u32,
    /// Submission requests (letters and their documents) accepted per API client per minute.
    #[serde(default = "default_submission_rate")]
    pub submission_rate_per_minute: u32,
    /// Requests of any kind accepted per API client per minute (reads and downloads too).
    #[serde(default = "default_agency_request_rate")]
    pub agency_request_rate_per_minute: u32,
    /// Failed sign-ins in a row before an account is locked for a while.
    #[serde(default = "default_lockout_after")]
    pub login_lockout_after: i32,
    /// The first lock, in seconds; each further failure doubles it, up to an hour.
    #[serde(default = "default_lockout_seconds")]
    pub login_lockout_seconds: i64,
    /// Behind a reverse proxy: take the client's address (recorded in the audit log, and keyed on by rate limits)
    /// from `Forwarded` / `X-Forwarded-For` instead of the connection. Only turn on when every request comes
    /// through a proxy that sets the header, or clients could claim any address.
    #[serde(default)]
    pub trust_proxy: bool,
    /// Send `Strict-Transport-Security` with this max-age (seconds): set it when the server is reached over HTTPS.
    #[serde(default)]
    pub hsts_max_age_seconds: Option<u64>,
    /// Largest document accepted, in bytes (413 beyond). Default 100 MB.
    #[serde(default = "default_max_upload")]
    pub max_upload_bytes: u64,
}

fn default_bind() -> String {
    "127.0.0.1:8080".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}
fn default_access_ttl() -> i64 {
    15 * 60
}
fn default_refresh_ttl() -> i64 {
    30 * 24 * 3600
}
fn default_json_limit() -> usize {
    256 * 1024
}
fn default_spa_dir() -> PathBuf {
    PathBuf::from("web-ui/dist")
}
fn default_sign_in_rate() -> u32 {
    120
}

fn default_submission_rate() -> u32 {
    120
}

fn default_agency_request_rate() -> u32 {
    600
}

fn default_client_token_rate() -> u32 {
    60
}

fn default_refresh_rate() -> u32 {
    600
}

fn default_lockout_after() -> i32 {
    5
}
fn default_lockout_seconds() -> i64 {
    60
}
fn default_max_upload() -> u64 {
    100 * 1024 * 1024
}
fn default_log_format() -> String {
    "pretty".into()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            bind: default_bind(),
            data_dir: default_data_dir(),
            jwt_secret: None,
            access_token_ttl_seconds: default_access_ttl(),
            refresh_token_ttl_seconds: default_refresh_ttl(),
            json_body_limit_bytes: default_json_limit(),
            db_pool_size: None,
            log_format: default_log_format(),
            demo_password: None,
            workers: None,
            spa_dir: default_spa_dir(),
            blob_dir: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            hsts_max_age_seconds: None,
            trust_proxy: false,
            cors_allowed_origins: None,
            sign_in_rate_per_minute: default_sign_in_rate(),
            refresh_rate_per_minute: default_refresh_rate(),
            client_token_rate_per_minute: default_client_token_rate(),
            submission_rate_per_minute: default_submission_rate(),
            agency_request_rate_per_minute: default_agency_request_rate(),
            login_lockout_after: default_lockout_after(),
            login_lockout_seconds: default_lockout_seconds(),
            max_upload_bytes: default_max_upload(),
        }
    }
}

impl Settings {
    /// Read the layered settings.
    pub fn load() -> Result<Settings, Box<figment::Error>> {
        let file = std::env::var("MUAMALAT_CONFIG").unwrap_or_else(|_| "muamalat.toml".into());
        Figment::new()
            .merge(Toml::file(file))
            .merge(Env::prefixed("MUAMALAT_").ignore(&["CONFIG"]))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .extract()
            .map_err(Box::new)
    }

    /// The CORS allow-list, trimmed, without empty entries.
    pub fn cors_origins(&self) -> Vec<String> {
        self.cors_allowed_origins
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect()
    }

    /// The local document store's directory in force.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir.clone().unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    /// The database URL in force, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!("sqlite://{}", self.data_dir.join("muamalat.db").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Defaults, then the file, then the environment; unknown keys refused.
    #[test]
    // `Jail`'s closure must answer figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn settings_come_from_defaults_then_a_file_then_the_environment() {
        figment::Jail::expect_with(|jail| {
            let defaults = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(defaults.bind, "127.0.0.1:8080");
            assert_eq!(defaults.data_dir, PathBuf::from("./data"));
            assert_eq!(defaults.database_url(), "sqlite://./data/muamalat.db");
            assert_eq!(defaults.blob_dir(), PathBuf::from("./data/blobs"));

            jail.create_file(
                "muamalat.toml",
                "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/muamalat\"\nsign_in_rate_per_minute = 7\n",
            )?;
            let from_file = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(from_file.bind, "0.0.0.0:9000");
            assert_eq!(from_file.database_url(), "sqlite:///srv/muamalat/muamalat.db");
            assert_eq!(from_file.sign_in_rate_per_minute, 7);

            jail.set_env("MUAMALAT_BIND", "127.0.0.1:9100");
            jail.set_env("MUAMALAT_DATA_DIR", "/var/lib/muamalat");
            jail.set_env("DATABASE_URL", "postgres://db.internal/muamalat");
            let from_env = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(from_env.bind, "127.0.0.1:9100");
            assert_eq!(from_env.data_dir, PathBuf::from("/var/lib/muamalat"));
            assert_eq!(from_env.database_url(), "postgres://db.internal/muamalat");
            assert_eq!(from_env.sign_in_rate_per_minute, 7, "what the environment does not set stays the file's");

            // A file named by MUAMALAT_CONFIG; a misspelt key is an error, not silently ignored.
            jail.create_file("other.toml", "bnid = \"0.0.0.0:1\"\n")?;
            jail.set_env("MUAMALAT_CONFIG", "other.toml");
            let typo = Settings::load().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(typo.contains("bnid"), "{typo}");
            Ok(())
        });
    }
}
