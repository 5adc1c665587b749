//! The rules the server checks on fields, forms and parameters (lengths, patterns, counts, ranges), stated in the
//! document so that a client or a test generator reading it sends what the server takes.

//! The OpenAPI document's frame — information, servers, tags, security schemes — and what it adds after the routes
//! have joined it: item schemas of pages by reference, the answers every operation can give by the way the
//! server is built (401 without a valid token, 400 for a parameter that does not parse, 413/415/422 for a body,
//! 429 over an agency's quota), declared on each operation that does not state them itself, and the rules the
//! server checks on fields, forms and parameters (lengths, patterns, counts, ranges), so that a client or a test
//! generator reading the document sends what the server takes.

use std::collections::BTreeMap;

use shared_types::ApiScope;
use shared_types::limits::{
    CODE_PATTERN, MAX_ATTACHMENTS, MAX_EMAIL, MAX_NAME, MAX_NOTE, MAX_PASSWORD_BYTES, MAX_PHONE, MAX_REFERENCE,
    MAX_SUBJECT, MAX_TARGETS, MAX_TEXT,
};
use utoipa::Modify;
use utoipa::openapi::encoding::EncodingBuilder;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{AdditionalProperties, SchemaType};
use utoipa::openapi::{Array, Content, Object, ObjectBuilder, Paths, Ref, RefOr, Required, Schema, Type};

use crate::domain::org::MIN_PASSWORD;
use crate::domain::submissions::MAX_DOCUMENTS;

use super::{Document, non_null};

/// The rules the server checks on request fields, forms and parameters, stated in the document: lengths, patterns,
/// counts and ranges (`FIELD_RULES`), schemas of their own where one request type serves operations with different
/// rules, forms as the multipart readers take them, the token request's form and list cursors.
/// A rule no schema can say (an id that exists, a user of the named unit, a guessable password) stays a 422.
pub(super) struct ValidationRules;

/// The control characters (Unicode category Cc, `char::is_control`) that `Validator::max_len` refuses in a text: all
/// but tab, LF and CR.
macro_rules! control {
    () => {
        r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F"
    };
}

/// White space as `str::trim` and `str::split_whitespace` see it (Unicode `White_Space`, `char::is_whitespace`).
macro_rules! white_space {
    () => {
        r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// A text without control characters but tab, CR and LF: `Validator::optional_text`.
pub(super) const NO_CONTROL: &str = concat!("^[^", control!(), "]*$");
/// The same, and not blank: at least one character `str::trim` keeps (`Validator::text` answers `required`
/// otherwise).
pub(super) const NOT_BLANK: &str =
    concat!("^[^", control!(), "]*[^", control!(), white_space!(), "][^", control!(), "]*$");
/// An optional text part of an upload form, which the upload handlers drop when it is blank (`trim().is_empty()`)
/// before they check it: without control characters, or blank (white space, some of it control characters, such as
/// a vertical tab).
const BLANK_OR_NO_CONTROL: &str = concat!("^([^", control!(), "]*|[", white_space!(), "]*)$");
/// A username as `domain::org::create_user` takes it: trimmed and lower-cased, then 3 to 64 ASCII letters, digits,
/// `.`, `-` or `_`; white space around it is trimmed, not refused.
const USERNAME: &str = concat!("^[", white_space!(), "]*[A-Za-z0-9._-]{3,64}[", white_space!(), "]*$");
/// The hex SHA-256 an upload may send beside its file (`sha256` part), compared with the file's case-insensitively.
const SHA256: &str = "^[0-9a-fA-F]{64}$";

/// What the server checks on one field, set on the field's own string, integer or array schema.
#[derive(Clone, Copy)]
pub(super) enum Rule {
    /// `Validator::text`: not blank, at most this many characters, no control characters but tab, CR and LF.
    RequiredText(usize),
    /// `Validator::optional_text`: at most this many characters, no control characters but tab, CR and LF.
    OptionalText(usize),
    /// An optional text part of an upload form: dropped when blank, else checked as `OptionalText`.
    BlankOrText(usize),
    /// How many items an array holds.
    Items { min: Option<usize>, max: Option<usize> },
    /// `Validator::range`: an integer within these bounds, both included.
    Range(i64, i64),
    /// A text matching this pattern.
    Pattern(&'static str),
    /// A text of this many characters.
    Length { min: Option<usize>, max: Option<usize> },
}

/// (schema, property, rule), each as the server checks it: `domain::transactions` (`prepare_create`,
/// `update_draft`, `count_targets`, `check_targets`), `domain::routing` (forward, return, complete, annotate,
/// decide, close, reopen), `domain::org` (units, users, entities), `domain::delegations`, `domain::clients`,
/// `domain::submissions` (submit, reject; registration through `prepare_create`), `domain::documents`
/// (`validate_header`, `validate_note`, withdraw) and the upload handlers in `routes::documents` and
/// `routes::submissions`.
pub(super) const FIELD_RULES: &[(&str, &str, Rule)] = &[
    ("NewTransaction", "subject", Rule::RequiredText(MAX_SUBJECT)),
    ("NewTransaction", "summary", Rule::OptionalText(MAX_TEXT)),
    ("NewTransaction", "sender_reference", Rule::OptionalText(MAX_REFERENCE)),
    ("NewTransaction", "attachments_count", Rule::Range(0, MAX_ATTACHMENTS)),
    ("NewTransaction", "referrals", Rule::Items { min: None, max: Some(MAX_TARGETS) }),
    ("DraftUpdate", "subject", Rule::RequiredText(MAX_SUBJECT)),
    ("DraftUpdate", "summary", Rule::OptionalText(MAX_TEXT)),
    ("DraftUpdate", "attachments_count", Rule::Range(0, MAX_ATTACHMENTS)),
    ("ReferralTarget", "instructions", Rule::OptionalText(MAX_NOTE)),
    ("ReferRequest", "targets", Rule::Items { min: Some(1), max: Some(MAX_TARGETS) }),
    ("ForwardRequest", "targets", Rule::Items { min: Some(1), max: Some(MAX_TARGETS) }),
    ("ForwardRequest", "note", Rule::OptionalText(MAX_NOTE)),
    ("ReferralActionRequest", "note", Rule::OptionalText(MAX_NOTE)),
    ("CompleteRequest", "note", Rule::RequiredText(MAX_NOTE)),
    ("AnnotationRequest", "text", Rule::RequiredText(MAX_NOTE)),
    ("DecisionRequest", "note", Rule::OptionalText(MAX_NOTE)),
    ("StatusNoteRequest", "note", Rule::RequiredText(MAX_NOTE)),
    ("NewUnit", "code", Rule::Pattern(CODE_PATTERN)),
    ("NewUnit", "name_ar", Rule::RequiredText(MAX_NAME)),
    ("NewUnit", "name_en", Rule::RequiredText(MAX_NAME)),
    ("NewUnit", "registry_code", Rule::Pattern(CODE_PATTERN)),
    ("UnitUpdate", "name_ar", Rule::RequiredText(MAX_NAME)),
    ("UnitUpdate", "name_en", Rule::RequiredText(MAX_NAME)),
    ("NewUser", "username", Rule::Pattern(USERNAME)),
    // A limit in bytes, which no schema can say: a text over 256 characters is over 256 bytes, so `maxLength`
    // refuses nothing the server takes; longer texts of multi-byte characters get 422 `too_long`.
    ("NewUser", "password", Rule::Length { min: Some(MIN_PASSWORD), max: Some(MAX_PASSWORD_BYTES) }),
    ("NewUser", "full_name_ar", Rule::RequiredText(MAX_NAME)),
    ("NewUser", "full_name_en", Rule::RequiredText(MAX_NAME)),
    ("NewUser", "roles", Rule::Items { min: Some(1), max: None }),
    ("NewUser", "phone", Rule::OptionalText(MAX_PHONE)),
    ("NewUser", "email", Rule::OptionalText(MAX_EMAIL)),
    ("UserUpdate", "full_name_ar", Rule::RequiredText(MAX_NAME)),
    ("UserUpdate", "full_name_en", Rule::RequiredText(MAX_NAME)),
    ("UserUpdate", "password", Rule::Length { min: Some(MIN_PASSWORD), max: Some(MAX_PASSWORD_BYTES) }),
    ("UserUpdate", "roles", Rule::Items { min: Some(1), max: None }),
    ("UserUpdate", "phone", Rule::OptionalText(MAX_PHONE)),
    ("UserUpdate", "email", Rule::OptionalText(MAX_EMAIL)),
    ("NewExternalEntity", "code", Rule::Pattern(CODE_PATTERN)),
    ("NewExternalEntity", "name_ar", Rule::RequiredText(MAX_NAME)),
    ("NewExternalEntity", "name_en", Rule::RequiredText(MAX_NAME)),
    ("NewDelegation", "note", Rule::OptionalText(MAX_NOTE)),
    ("WorkingWeek", "working_days", Rule::Items { min: Some(1), max: Some(7) }),
    ("NewHoliday", "name_ar", Rule::RequiredText(MAX_NAME)),
    ("NewHoliday", "name_en", Rule::RequiredText(MAX_NAME)),
    ("HolidayChange", "name_ar", Rule::RequiredText(MAX_NAME)),
    ("HolidayChange", "name_en", Rule::RequiredText(MAX_NAME)),
    ("NewApiClient", "name", Rule::RequiredText(MAX_NAME)),
    ("NewApiClient", "scopes", Rule::Items { min: Some(1), max: None }),
    ("NewSubmission", "subject", Rule::RequiredText(MAX_SUBJECT)),
    ("NewSubmission", "summary", Rule::OptionalText(MAX_TEXT)),
    ("NewSubmission", "sender_reference", Rule::RequiredText(MAX_REFERENCE)),
    ("RejectSubmission", "reason", Rule::RequiredText(MAX_NOTE)),
    ("WithdrawRequest", "reason", Rule::RequiredText(MAX_NOTE)),
    ("RegisterSubmission", "referrals", Rule::Items { min: None, max: Some(MAX_TARGETS) }),
    ("NewDocumentForm", "title", Rule::RequiredText(MAX_SUBJECT)),
    ("NewDocumentForm", "note", Rule::BlankOrText(MAX_NOTE)),
    ("NewDocumentForm", "sha256", Rule::Pattern(SHA256)),
    ("NewVersionForm", "note", Rule::BlankOrText(MAX_NOTE)),
    ("NewVersionForm", "sha256", Rule::Pattern(SHA256)),
    ("SubmissionDocumentForm", "title", Rule::RequiredText(MAX_SUBJECT)),
    ("SubmissionDocumentForm", "sha256", Rule::Pattern(SHA256)),
    ("NewSubmissionForm", "title", Rule::RequiredText(MAX_SUBJECT)),
    ("NewSubmissionForm", "file", Rule::Items { min: None, max: Some(MAX_DOCUMENTS as usize) }),
];

/// Completing a referral, closing and reopening a transaction require a note (`Validator::text`), which the request
/// types they share with returning a referral and archiving leave optional: (shared schema, schema of their own, its
/// description, the note's description).
const NOTE_REQUIRED: &[(&str, &str, &str, &str)] = &[
    (
        "ReferralActionRequest",
        "CompleteRequest",
        "Complete a referral with an action note saying what was done.",
        "What was done.",
    ),
    (
        "StatusChangeRequest",
        "StatusNoteRequest",
        "Close (حفظ) with a resolution, or reopen with a reason.",
        "The resolution (close) or the reason (reopen).",
    ),
];

/// (path, media type, schema) of request bodies whose operation checks another schema than the one it shares.
pub(super) const BODY_SCHEMAS: &[(&str, &str, &str)] = &[
    ("/api/v1/referrals/{id}/complete", "application/json", "CompleteRequest"),
    ("/api/v1/transactions/{id}/close", "application/json", "StatusNoteRequest"),
    ("/api/v1/transactions/{id}/reopen", "application/json", "StatusNoteRequest"),
    ("/api/v1/agency/submissions/{id}/documents", "multipart/form-data", "SubmissionDocumentForm"),
];

/// Bodies `OptionalJson` reads: no body at all is taken, the session cookie carrying the refresh token.
const OPTIONAL_BODIES: &[&str] = &["/api/v1/auth/logout", "/api/v1/auth/refresh"];

/// Uploads, each with a `file` part: a document, whose type the server recognises from its content.
const UPLOADS: &[&str] = &[
    "/api/v1/transactions/{id}/documents",
    "/api/v1/documents/{id}/versions",
    "/api/v1/agency/submissions/{id}/documents",
    "/api/v1/agency/submissions",
];

/// The multipart forms: the readers (`uploads::receive`, `routes::submissions::receive_submission`)
/// refuse a part the form does not name (422 `unknown_field`), and a part cannot be null, only left out.
const FORMS: &[&str] = &["NewDocumentForm", "NewVersionForm", "NewSubmissionForm"];

/// (path, letter) of the lists with a `cursor`: `paging::after` takes only the cursors of its own list, the letter
/// its caller in `domain` passes and an id (`r1234`), or an empty one (the first page). The pattern says ids of up to
/// 18 digits, ample for the ids the API gives out; `str::parse::<i64>` would also take a sign or 19 digits.
pub(super) const CURSORS: &[(&str, char)] = &[
    ("/api/v1/inbox", 'r'),
    ("/api/v1/drafts", 'r'),
    ("/api/v1/units/{id}/overview", 'r'),
    ("/api/v1/audit", 'a'),
    ("/api/v1/intake", 's'),
    ("/api/v1/agency/submissions", 's'),
    ("/api/v1/agency/correspondence", 't'),
    ("/api/v1/search", 'k'),
];

pub(super) type Schemas = BTreeMap<String, RefOr<Schema>>;

impl Modify for ValidationRules {
    fn modify(&self, openapi: &mut Document) {
        if let Some(components) = openapi.components.as_mut() {
            let schemas = &mut components.schemas;
            note_required(schemas);
            forms(schemas);
            token_request(schemas);
            for (schema, property, rule) in FIELD_RULES {
                if let Some(field) = property_mut(schemas, schema, property) {
                    apply(field, *rule);
                }
            }
        }
        request_bodies(&mut openapi.paths);
        query_parameters(&mut openapi.paths);
    }
}

fn object_mut<'a>(schemas: &'a mut Schemas, name: &str) -> Option<&'a mut Object> {
    match schemas.get_mut(name)? {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    }
}

pub(super) fn property_mut<'a>(
    schemas: &'a mut Schemas,
    schema: &str,
    property: &str,
) -> Option<&'a mut RefOr<Schema>> {
    object_mut(schemas, schema)?.properties.get_mut(property)
}

/// Set `rule` on a field's own schema, through a `oneOf` or `allOf` around it; never on a `$ref`, whose schema
/// others share. False when there is no schema the rule fits.
pub(super) fn apply(schema: &mut RefOr<Schema>, rule: Rule) -> bool {
    match schema {
        RefOr::T(Schema::Object(object)) => constrain_object(object, rule),
        RefOr::T(Schema::Array(array)) => constrain_array(array, rule),
        RefOr::T(Schema::OneOf(one)) => {
            one.items.iter_mut().filter(|item| !is_null(item)).any(|item| apply(item, rule))
        }
        RefOr::T(Schema::AllOf(all)) => all.items.iter_mut().any(|item| apply(item, rule)),
        _ => false,
    }
}

/// A text or integer rule. On a nullable schema (`type: [string, null]`) it constrains strings only: null stays
/// allowed, as the server reads it as an absent field.
fn constrain_object(object: &mut Object, rule: Rule) -> bool {
    match rule {
        Rule::RequiredText(max) => {
            object.min_length = Some(1);
            object.max_length = Some(max);
            object.pattern = Some(NOT_BLANK.to_string());
        }
        Rule::OptionalText(max) => {
            object.max_length = Some(max);
            object.pattern = Some(NO_CONTROL.to_string());
        }
        Rule::BlankOrText(max) => {
            object.max_length = Some(max);
            object.pattern = Some(BLANK_OR_NO_CONTROL.to_string());
        }
        Rule::Range(min, max) => {
            object.minimum = Some(min.into());
            object.maximum = Some(max.into());
        }
        Rule::Pattern(pattern) => object.pattern = Some(pattern.to_string()),
        Rule::Length { min, max } => {
            object.min_length = min.or(object.min_length);
            object.max_length = max.or(object.max_length);
        }
        Rule::Items { .. } => return false,
    }
    true
}

fn constrain_array(array: &mut Array, rule: Rule) -> bool {
    let Rule::Items { min, max } = rule else { return false };
    array.min_items = min.or(array.min_items);
    array.max_items = max.or(array.max_items);
    true
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object)) if matches!(object.schema_type, SchemaType::Type(Type::Null)))
}

/// The schema without null: `type: [string, null]` becomes `type: string`, `oneOf: [null, X]` becomes X.
fn without_null(schema: &mut RefOr<Schema>) {
    let only = match schema {
        RefOr::T(Schema::Object(object)) => {
            object.schema_type = non_null(&object.schema_type);
            None
        }
        RefOr::T(Schema::Array(array)) => {
            array.schema_type = non_null(&array.schema_type);
            None
        }
        RefOr::T(Schema::OneOf(one)) => {
            one.items.retain(|item| !is_null(item));
            if one.items.len() == 1 { one.items.pop() } else { None }
        }
        _ => None,
    };
    if let Some(only) = only {
        *schema = only;
    }
}

/// `CompleteRequest` and `StatusNoteRequest`: copies of the shared request types with the note required and not
/// null (`Validator::text` of a missing note answers `required` too).
fn note_required(schemas: &mut Schemas) {
    for (from, name, description, note_description) in NOTE_REQUIRED {
        let Some(RefOr::T(Schema::Object(shared))) = schemas.get(*from) else { continue };
        let mut object = shared.clone();
        object.description = Some((*description).to_string());
        object.required = vec!["note".to_string()];
        if let Some(note) = object.properties.get_mut("note") {
            without_null(note);
            if let RefOr::T(Schema::Object(note)) = note {
                note.description = Some((*note_description).to_string());
            }
        }
        schemas.insert((*name).to_string(), RefOr::T(Schema::Object(object)));
    }
}

/// The upload forms as their readers take them, and `SubmissionDocumentForm` for the agency's upload, which takes
/// `title`, `sha256` and `file` only (`routes::submissions::submit_document`): `kind` and `note` are unknown parts
/// there.
fn forms(schemas: &mut Schemas) {
    for name in FORMS {
        let Some(form) = object_mut(schemas, name) else { continue };
        form.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        for part in form.properties.values_mut() {
            without_null(part);
        }
    }
    if let Some(form) = object_mut(schemas, "NewSubmissionForm") {
        // A `title` part names the `file` part after it, and a second title before that file is refused: one string
        // per file, not a list that a generator would send as titles in a row.
        let title = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A title for the `file` part that follows it (else the file's name); one per file."))
            .build();
        form.properties.insert("title".to_string(), RefOr::T(Schema::Object(title)));
        // The letter part is read as the JSON body of a letter alone is (its part typed `application/json` by the
        // body's encoding); documents may be left out.
        let mut letter = Ref::from_schema_name("NewSubmission");
        letter.description = "The letter, as JSON.".to_string();
        form.properties.insert("letter".to_string(), RefOr::Ref(letter));
        form.required = vec!["letter".to_string()];
    }
    let Some(RefOr::T(Schema::Object(staff))) = schemas.get("NewDocumentForm") else { return };
    let mut agency = staff.clone();
    agency.properties.retain(|part, _| matches!(part.as_str(), "title" | "sha256" | "file"));
    agency.description = Some(
        "`multipart/form-data` of `POST /agency/submissions/{id}/documents`: a document for a pending submission."
            .to_string(),
    );
    schemas.insert("SubmissionDocumentForm".to_string(), RefOr::T(Schema::Object(agency)));
}

/// The token request as `routes::clients::oauth_token` and `domain::clients::token` read it: a form field cannot be
/// null; `grant_type` is `client_credentials` (400 `unsupported_grant_type` otherwise); `scope` is scope names
/// separated by white space (`str::split_whitespace`), possibly none. The form stays open: unknown fields are
/// ignored (`TokenRequest` does not deny them), as RFC 6749 §3.2 asks of a token endpoint.
fn token_request(schemas: &mut Schemas) {
    let Some(form) = object_mut(schemas, "TokenRequest") else { return };
    for field in form.properties.values_mut() {
        without_null(field);
    }
    if let Some(RefOr::T(Schema::Object(grant))) = form.properties.get_mut("grant_type") {
        grant.enum_values = Some(vec![serde_json::Value::from("client_credentials")]);
    }
    if let Some(RefOr::T(Schema::Object(scope))) = form.properties.get_mut("scope") {
        let names = ApiScope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|");
        let space = white_space!();
        scope.pattern = Some(format!("^[{space}]*(({names})([{space}]+({names}))*)?[{space}]*$"));
    }
}

fn post_body<'a>(paths: &'a mut Paths, path: &str) -> Option<&'a mut RequestBody> {
    paths.paths.get_mut(path)?.post.as_mut()?.request_body.as_mut()
}

/// Request bodies: schemas of their own, optional bodies, and the media types of upload parts.
fn request_bodies(paths: &mut Paths) {
    for (path, media_type, schema) in BODY_SCHEMAS {
        if let Some(content) = post_body(paths, path).and_then(|body| body.content.get_mut(*media_type)) {
            content.schema = Some(RefOr::Ref(Ref::from_schema_name(*schema)));
        }
    }
    for path in OPTIONAL_BODIES {
        if let Some(body) = post_body(paths, path) {
            body.required = Some(Required::False);
        }
    }
    // The `file` part is sniffed, not trusted for its type: these are the types it may have (415 otherwise).
    let documents = crate::uploads::MEDIA_TYPES.join(", ");
    for path in UPLOADS {
        if let Some(form) = form_mut(paths, path) {
            let file = EncodingBuilder::new().content_type(Some(documents.clone())).build();
            form.encoding.insert("file".to_string(), file);
        }
    }
    // A submission's `letter` part is JSON, read as the JSON body of a letter sent alone is.
    if let Some(form) = form_mut(paths, "/api/v1/agency/submissions") {
        let letter = EncodingBuilder::new().content_type(Some("application/json")).build();
        form.encoding.insert("letter".to_string(), letter);
    }
}

fn form_mut<'a>(paths: &'a mut Paths, path: &str) -> Option<&'a mut Content> {
    post_body(paths, path)?.content.get_mut("multipart/form-data")
}

fn query_parameter_mut<'a>(paths: &'a mut Paths, path: &str, name: &str) -> Option<&'a mut Parameter> {
    let operation = paths.paths.get_mut(path)?.get.as_mut()?;
    operation.parameters.iter_mut().flatten().find(|p| p.name == name && matches!(p.parameter_in, ParameterIn::Query))
}

/// List cursors.
fn query_parameters(paths: &mut Paths) {
    for (path, letter) in CURSORS {
        if let Some(cursor) = query_parameter_mut(paths, path, "cursor") {
            let pattern = format!("^({letter}[0-9]{{1,18}})?$");
            let schema = ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).build();
            cursor.schema = Some(RefOr::T(Schema::Object(schema)));
        }
    }
}
