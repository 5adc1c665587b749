//! The server's error type: a stable [`ErrorCode`] with an HTTP status, rendered as RFC 9457
//! `application/problem+json`. Internal causes are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared_types::{ErrorCode, FieldError, PROBLEM_TYPE_BASE, Problem};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// The internal cause: logged, never sent.
    pub source: Option<BoxError>,
    /// Sent as `Retry-After` (seconds), for 429 and 503 answers.
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: detail.into(), errors: Vec::new(), source: None, retry_after_seconds: None }
    }

    /// 429: too many requests of this kind from this client; try again after `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("Too many requests of this kind; try again in {seconds} seconds."),
        )
        .retry_after(seconds)
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds.max(1));
        self
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}`: {}", one.field, one.message),
            many => format!("{} fields are invalid.", many.len()),
        };
        ApiError { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationFailed, detail) }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError { field: field.into(), code: code.into(), message: message.into() }])
    }

    pub fn not_found(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, detail)
    }

    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn internal(cause: impl Into<BoxError>) -> Self {
        ApiError {
            source: Some(cause.into()),
            ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError, "An internal error occurred.")
        }
    }

    pub fn unavailable(cause: impl Into<BoxError>) -> Self {
        ApiError {
            source: Some(cause.into()),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable; try again shortly.",
            )
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: format!("{PROBLEM_TYPE_BASE}{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(source) = &self.source {
            write!(f, " (cause: {source})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = %self.code, cause = ?self.source, "{}", self.detail);
        }
        let mut response = problem_response(&self.problem());
        if let Some(seconds) = self.retry_after_seconds {
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Render a problem with the right media type.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .body(serde_json::to_string(problem).unwrap_or_default())
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => ApiError {
                source: Some(info.message().to_string().into()),
                ..Self::conflict(ErrorCode::AlreadyExists, "A record with the same key already exists.")
            },
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => ApiError {
                source: Some(e.to_string().into()),
                ..Self::conflict(ErrorCode::VersionConflict, "Someone else changed this at the same time; retry.")
            },
            _ => ApiError::internal(e),
        }
    }
}

/// Collects field errors of a request, so one answer lists every problem.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), code: code.into(), message: message.into() });
    }

    /// A required text: not blank, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, "required", "must not be empty");
        } else {
            self.max_len(field, value, max);
        }
    }

    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(field, "too_long", format!("must be at most {max} characters"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.add(field, "invalid", "must not contain control characters");
        }
    }

    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.max_len(field, v, max);
        }
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.add(field, "out_of_range", format!("must be between {min} and {max}"));
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(self.errors)) }
    }
}
