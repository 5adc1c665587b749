//! The OpenAPI document's frame — information, servers, tags, security schemes — and what it adds after the routes
//! have joined it: item schemas of pages by reference, and the answers every operation can give by the way the
//! server is built (401 without a valid token, 400 for a parameter that does not parse, 413/415/422 for a body,
//! 429 over an agency's quota), declared on each operation that does not state them itself.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, SchemaType};
use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, KnownFormat, ObjectBuilder, Ref, RefOr, Schema, SchemaFormat, Type};
use utoipa::{Modify, OpenApi};

/// The document (`utoipa::OpenApi` above is the derive and its trait).
type Document = utoipa::openapi::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Muamalat API",
        description = "Electronic correspondence and transaction tracking: register, route and track incoming, \
                       outgoing and internal correspondence. Errors are RFC 9457 problem documents with a stable \
                       `code`. Creating requests accept an `Idempotency-Key` header.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
        contact(name = "Muamalat maintainers", url = "https://example.invalid/muamalat"),
    ),
    // Relative: the document is served by the server it describes, wherever that is deployed.
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign in and sessions"),
        (name = "organisation", description = "Units, users and external entities"),
        (name = "transactions", description = "Registering, drafts and links"),
        (name = "routing", description = "Referrals and actions"),
        (name = "documents", description = "Documents of a transaction and their immutable versions: upload, \
                                              download, text, withdrawal"),
        (name = "tracking", description = "Timeline, route, location, dwell time, inboxes"),
        (name = "audit", description = "The hash-chained audit log, for auditors"),
        (name = "agencies", description = "External agencies: API clients, OAuth2 client-credentials tokens, agency endpoints"),
        (name = "health", description = "Probes"),
    ),
    // Schemas only query parameters name are not collected from bodies: listed here so every `$ref` resolves.
    components(schemas(shared_types::ErrorCode, shared_types::Problem, shared_types::FieldError, shared_types::InboxBox))
)]
pub struct ApiDoc;

struct BearerAuth;

/// utoipa writes the item schema of a generic `Page<T>` inline; point `Page_T`'s items at the component `T` instead,
/// so generated clients get one `InboxItem` type, not an anonymous copy per page.
struct PageItemsByReference;

impl Modify for PageItemsByReference {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::schema::{ArrayItems, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else { return };
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for name in names {
            let Some(item) = name.strip_prefix("Page_") else { continue };
            if !components.schemas.contains_key(item) {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(&name)
                && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
            {
                items.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
            }
        }
    }
}

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // External agencies: OAuth2 client credentials at `/api/v1/oauth/token`.
        let scopes = Scopes::from_iter([
            ("submit", "Submit incoming correspondence to the central registry"),
            ("read_submissions", "Read the status of the agency's own submissions"),
            ("receive", "Read correspondence addressed to the agency"),
        ]);
        components.add_security_scheme(
            "agency",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new("/api/v1/oauth/token", scopes))],
                "External agencies registered as API clients (`/api/v1/api-clients`) get tokens by the \
                 client-credentials grant; those tokens open the `/api/v1/agency/...` endpoints only.",
            )),
        );
    }
}

/// Finish the document once every route has joined it (`modifiers(...)` run before that, on the frame alone).
pub fn complete(document: &mut Document) {
    PageItemsByReference.modify(document);
    StandardAnswers.modify(document);
    BinaryDownloads.modify(document);
    FreeFormDetails.modify(document);
    ParametersNeverNull.modify(document);
}

/// A query string or a header cannot say null: an optional parameter is absent or has a value. utoipa marks
/// `Option<T>` header parameters nullable (`type: [string, null]`), which generators turn into awkward types;
/// an optional parameter is `required: false` with a plain schema instead.
struct ParametersNeverNull;

impl Modify for ParametersNeverNull {
    fn modify(&self, openapi: &mut Document) {
        for item in openapi.paths.paths.values_mut() {
            for method in [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete] {
                let Some(operation) = operation_mut(item, method) else { continue };
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
                        && let SchemaType::Array(types) = &schema.schema_type
                    {
                        let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                        schema.schema_type = match types.as_slice() {
                            [one] => SchemaType::Type(one.clone()),
                            _ => SchemaType::Array(types),
                        };
                    }
                }
            }
        }
    }
}

/// A download answers with the stored version's own media type (`application/pdf`, `image/png`, ...), which the
/// handlers declare as `application/octet-stream`: declare every media type a document may have, each a binary
/// string (not the array of integers `Vec<u8>` would say), octet-stream first for generators that take the first.
struct BinaryDownloads;

impl Modify for BinaryDownloads {
    fn modify(&self, openapi: &mut Document) {
        let binary = || {
            Content::new(Some(RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                    .build(),
            ))))
        };
        for item in openapi.paths.paths.values_mut() {
            let Some(operation) = item.get.as_mut() else { continue };
            for answer in operation.responses.responses.values_mut() {
                let RefOr::T(response) = answer else { continue };
                if !response.content.contains_key("application/octet-stream") {
                    continue;
                }
                response.content.insert("application/octet-stream".into(), binary());
                for media_type in crate::routes::documents::MEDIA_TYPES {
                    response.content.insert((*media_type).into(), binary());
                }
            }
        }
    }
}

/// Kind-specific `details` of events and audit entries are objects with any keys: say so, or generators type them
/// as objects with no keys at all.
struct FreeFormDetails;

impl Modify for FreeFormDetails {
    fn modify(&self, openapi: &mut Document) {
        let Some(components) = openapi.components.as_mut() else { return };
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::Object(object)) = schema else { continue };
            if let Some(RefOr::T(Schema::Object(details))) = object.properties.get_mut("details")
                && details.properties.is_empty()
                && details.additional_properties.is_none()
            {
                details.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
            }
        }
    }
}

/// The answers the server's own machinery gives, each a shared component response, added to every operation it
/// applies to unless the operation declares that status itself.
struct StandardAnswers;

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
const QUOTA: (&str, &str, &str) = (
    "RateLimited",
    "429",
    "`rate_limited`: the API client's request quota is spent for now; retry after `Retry-After` seconds",
);

impl Modify for StandardAnswers {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, _, description) in [UNAUTHORIZED, BAD_REQUEST, TOO_LARGE, NOT_JSON, INVALID_BODY, QUOTA] {
            components.responses.insert(name.to_string(), RefOr::T(problem(description)));
        }
        for item in openapi.paths.paths.values_mut() {
            for method in [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete] {
                if let Some(operation) = operation_mut(item, method) {
                    for answer in standard_answers(operation) {
                        let (name, status, _) = answer;
                        operation
                            .responses
                            .responses
                            .entry(status.to_string())
                            .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
                    }
                }
            }
        }
    }
}

fn operation_mut(item: &mut PathItem, method: HttpMethod) -> Option<&mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        _ => None,
    }
}

/// Which standard answers an operation can give, from what it takes.
fn standard_answers(operation: &Operation) -> Vec<(&'static str, &'static str, &'static str)> {
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
    if schemes.iter().any(|s| s == "agency") {
        answers.push(QUOTA);
    }
    let parameters = operation.parameters.iter().flatten();
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
