//! The OpenAPI document's frame — information, servers, tags, security schemes — and what it adds after the routes
//! have joined it: item schemas of pages by reference, the answers every operation can give by the way the
//! server is built (401 without a valid token, 400 for a parameter that does not parse, 413/415/422 for a body,
//! 429 over an agency's quota), declared on each operation that does not state them itself, and the rules the
//! server checks on fields, forms and parameters (lengths, patterns, counts, ranges), so that a client or a test
//! generator reading the document sends what the server takes.

mod answers;
mod rules;

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, SchemaType};
use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, KnownFormat, ObjectBuilder, RefOr, Schema, SchemaFormat, Type};
use utoipa::{Modify, OpenApi};

use answers::StandardAnswers;
use rules::ValidationRules;

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
        (name = "search", description = "Full-text search over transactions, with filters and facets, in Arabic and English"),
        (name = "reports", description = "Reports and dashboards within the access rules: volumes, open and overdue \
                                            work, processing and dwell times, ageing, bottlenecks; CSV and XLSX"),
        (name = "calendar", description = "The working calendar: working week and hours, Ramadan's hours, holidays; \
                                             business time is counted within it"),
        (name = "audit", description = "The hash-chained audit log, for auditors"),
        (name = "agencies", description = "External agencies: API clients, OAuth2 client-credentials tokens, agency endpoints"),
        (name = "health", description = "Probes"),
    ),
    // Schemas only query parameters name are not collected from bodies: listed here so every `$ref` resolves.
    components(schemas(shared_types::ErrorCode, shared_types::Problem, shared_types::FieldError, shared_types::InboxBox,
        shared_types::SearchSort, shared_types::ReportName, shared_types::ReportFormat, shared_types::ReportLanguage))
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
    ValidationRules.modify(document);
}

/// A query string or a header cannot say null: an optional parameter is absent or has a value. utoipa marks
/// `Option<T>` header parameters nullable (`type: [string, null]`), which generators turn into awkward types;
/// an optional parameter is `required: false` with a plain schema instead.
struct ParametersNeverNull;

impl Modify for ParametersNeverNull {
    fn modify(&self, openapi: &mut Document) {
        for (_, operation) in operations_mut(openapi) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                    schema.schema_type = non_null(&schema.schema_type);
                }
            }
        }
    }
}

/// A schema type without `null`: `[string, null]` is `string`; a type that is not a list stays as it is.
fn non_null(schema_type: &SchemaType) -> SchemaType {
    match schema_type {
        SchemaType::Array(types) => {
            let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
            match types.as_slice() {
                [one] => SchemaType::Type(one.clone()),
                _ => SchemaType::Array(types),
            }
        }
        other => other.clone(),
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
                for media_type in crate::uploads::MEDIA_TYPES {
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

/// Every operation of the document, with its method (the API has no HEAD, OPTIONS or TRACE operations).
pub(super) fn operations_mut(openapi: &mut Document) -> impl Iterator<Item = (HttpMethod, &mut Operation)> {
    openapi.paths.paths.values_mut().flat_map(|item: &mut PathItem| {
        [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use shared_types::limits::{MAX_ATTACHMENTS, MAX_SUBJECT, MAX_TEXT};

    use super::rules::{BODY_SCHEMAS, CURSORS, FIELD_RULES, NO_CONTROL, NOT_BLANK, apply, property_mut};

    fn document() -> Value {
        serde_json::to_value(crate::app::openapi_document()).expect("the document serialises")
    }

    /// The schema of a list's `cursor` parameter.
    fn cursor(document: &Value, path: &str) -> Value {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "cursor")
            .map(|p| p["schema"].clone())
            .unwrap_or_default()
    }

    #[test]
    fn fields_state_what_the_server_checks() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        let subject = &schemas["NewTransaction"]["properties"]["subject"];
        assert_eq!(subject["minLength"], json!(1));
        assert_eq!(subject["maxLength"], json!(MAX_SUBJECT));
        assert_eq!(subject["pattern"], json!(NOT_BLANK));
        let summary = &schemas["NewTransaction"]["properties"]["summary"];
        assert_eq!(summary["type"], json!(["string", "null"]), "an optional field stays nullable");
        assert_eq!(summary["maxLength"], json!(MAX_TEXT));
        assert_eq!(summary["pattern"], json!(NO_CONTROL));
        assert_eq!(schemas["NewTransaction"]["properties"]["attachments_count"]["maximum"], json!(MAX_ATTACHMENTS));
        assert_eq!(schemas["ReferRequest"]["properties"]["targets"]["minItems"], json!(1));
        assert_eq!(schemas["CompleteRequest"]["required"], json!(["note"]));
        assert_eq!(schemas["CompleteRequest"]["properties"]["note"]["type"], json!("string"));
        assert_eq!(schemas["StatusNoteRequest"]["properties"]["note"]["pattern"], json!(NOT_BLANK));
        assert_eq!(schemas["ReferralActionRequest"]["required"], Value::Null, "returning a referral needs no note");
        let form = &schemas["NewDocumentForm"];
        assert_eq!(form["additionalProperties"], json!(false));
        assert_eq!(form["properties"]["kind"]["$ref"], json!("#/components/schemas/DocumentKind"));
        assert_eq!(form["properties"]["note"]["type"], json!("string"), "a form part is never null");
        let parts = schemas["SubmissionDocumentForm"]["properties"].as_object();
        let parts = parts.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(parts, Some(vec!["file", "sha256", "title"]), "the agency's upload takes no `kind` or `note`");
        assert_eq!(schemas["TokenRequest"]["properties"]["grant_type"]["enum"], json!(["client_credentials"]));
    }

    #[test]
    fn operations_name_their_own_bodies_and_parameters() {
        let document = document();
        let body = |path: &str, media_type: &str| {
            document["paths"][path]["post"]["requestBody"]["content"][media_type]["schema"]["$ref"].clone()
        };
        let schema = |name: &str| json!(format!("#/components/schemas/{name}"));
        assert_eq!(body("/api/v1/referrals/{id}/complete", "application/json"), schema("CompleteRequest"));
        assert_eq!(body("/api/v1/transactions/{id}/reopen", "application/json"), schema("StatusNoteRequest"));
        assert_eq!(body("/api/v1/transactions/{id}/archive", "application/json"), schema("StatusChangeRequest"));
        assert_eq!(
            body("/api/v1/agency/submissions/{id}/documents", "multipart/form-data"),
            schema("SubmissionDocumentForm")
        );
        assert_eq!(document["paths"]["/api/v1/auth/logout"]["post"]["requestBody"]["required"], json!(false));
        assert_eq!(cursor(&document, "/api/v1/inbox")["pattern"], json!("^(r[0-9]{1,18})?$"));
        assert_eq!(cursor(&document, "/api/v1/agency/correspondence")["pattern"], json!("^(t[0-9]{1,18})?$"));
    }

    /// Every rule of the tables finds its field, with a schema of its own: a renamed type, field or path, or a field
    /// that became a `$ref`, fails here instead of losing its rule unseen.
    #[test]
    fn every_rule_finds_its_field() {
        let mut document = crate::app::openapi_document();
        let schemas = &mut document.components.as_mut().expect("components").schemas;
        for (schema, property, rule) in FIELD_RULES {
            let field = property_mut(schemas, schema, property);
            assert!(field.is_some_and(|field| apply(field, *rule)), "{schema}.{property}");
        }
        let document = serde_json::to_value(&document).expect("the document serialises");
        for (path, letter) in CURSORS {
            assert_eq!(cursor(&document, path)["pattern"], json!(format!("^({letter}[0-9]{{1,18}})?$")), "{path}");
        }
        for (path, _, name) in BODY_SCHEMAS {
            assert!(document["components"]["schemas"][*name].is_object(), "{path}: {name}");
        }
    }
}
