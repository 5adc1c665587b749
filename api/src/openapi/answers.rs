//! The answers every operation can give by the way the server is built — 401 without a valid token, 400 for a
//! parameter that does not parse, 413/415/422 for a body, 429 over an agency's quota — declared on each operation
//! that does not state them itself.

//! The OpenAPI document's frame — information, servers, tags, security schemes — and what it adds after the routes
//! have joined it: item schemas of pages by reference, the answers every operation can give by the way the
//! server is built (401 without a valid token, 400 for a parameter that does not parse, 413/415/422 for a body,
//! 429 over an agency's quota), declared on each operation that does not state them itself, and the rules the
//! server checks on fields, forms and parameters (lengths, patterns, counts, ranges), so that a client or a test
//! generator reading the document sends what the server takes.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Content, HttpMethod, Ref, RefOr};

use super::{Document, operations_mut};

/// The answers the server's own machinery gives, each a shared component response, added to every operation it
/// applies to unless the operation declares that status itself.
pub(super) struct StandardAnswers;

/// (component name, status, description).
const UNAUTHORIZED: (&str, &str, &str) = (
    "Unauthorized",
    "401",
    "`unauthenticated` (no bearer token), `invalid_token` (malformed, forged, expired, of the wrong kind, or its \
     session has ended) or `account_disabled`",
);
const BAD_REQUEST: (&str, &str, &str) = (
    "BadRequest",
    "400",
    "`invalid_parameter` (a path, query or header parameter does not parse or is out of range), `malformed_json` \
     (the body is not JSON) or `malformed_upload` (a `multipart/form-data` body is malformed or cut off)",
);
const TOO_LARGE: (&str, &str, &str) =
    ("PayloadTooLarge", "413", "`payload_too_large`: the body is larger than accepted");
const NOT_JSON: (&str, &str, &str) =
    ("UnsupportedMediaType", "415", "`unsupported_media_type`: the body must be `application/json`");
const INVALID_BODY: (&str, &str, &str) = (
    "ValidationFailed",
    "422",
    "`validation_failed`: fields missing, unknown, of the wrong type or out of range; `errors` lists each one",
);
const FORBIDDEN: (&str, &str, &str) = (
    "Forbidden",
    "403",
    "`forbidden`: the caller's role, unit or token scope does not allow this (auditors only read; agencies need the \
     operation's scope)",
);
const NOT_FOUND: (&str, &str, &str) = (
    "NotFound",
    "404",
    "`…_not_found`: no such record, or one the caller may not see — the same answer, so ids leak nothing",
);
const QUOTA: (&str, &str, &str) = (
    "RateLimited",
    "429",
    "`rate_limited`: the API client's request quota is spent for now; retry after `Retry-After` seconds",
);

impl Modify for StandardAnswers {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, _, description) in
            [UNAUTHORIZED, BAD_REQUEST, TOO_LARGE, NOT_JSON, INVALID_BODY, FORBIDDEN, NOT_FOUND, QUOTA]
        {
            components.responses.insert(name.to_string(), RefOr::T(problem(description)));
        }
        for (method, operation) in operations_mut(openapi) {
            for (name, status, _) in standard_answers(&method, operation) {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
            }
        }
    }
}

/// Which standard answers an operation can give, from what it takes.
fn standard_answers(method: &HttpMethod, operation: &Operation) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut answers = Vec::new();
    let schemes: Vec<String> = operation
        .security
        .iter()
        .flatten()
        .filter_map(|requirement| serde_json::to_value(requirement).ok())
        .filter_map(|value| value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .flatten()
        .collect();
    if !schemes.is_empty() {
        answers.push(UNAUTHORIZED);
    }
    // Every change is someone's to make (roles, units, the holder), and every agency operation needs its scope.
    let agency = schemes.iter().any(|s| s == "agency");
    if agency || (!schemes.is_empty() && *method != HttpMethod::Get) {
        answers.push(FORBIDDEN);
    }
    if agency {
        answers.push(QUOTA);
    }
    let parameters = operation.parameters.iter().flatten();
    // A path parameter names a record (a transaction, a referral, a document, a unit, ...).
    if parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Path)) {
        answers.push(NOT_FOUND);
    }
    if parameters
        .clone()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query | ParameterIn::Header))
    {
        answers.push(BAD_REQUEST);
    }
    if let Some(body) = &operation.request_body {
        if takes(body, "application/json") {
            answers.extend([BAD_REQUEST, TOO_LARGE, NOT_JSON, INVALID_BODY]);
        } else if takes(body, "multipart/form-data") {
            answers.extend([BAD_REQUEST, TOO_LARGE]);
        }
    }
    answers
}

fn takes(body: &RequestBody, media_type: &str) -> bool {
    body.content.keys().any(|k| k == media_type)
}

/// A problem document answer with this description.
fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))))
        .build()
}
