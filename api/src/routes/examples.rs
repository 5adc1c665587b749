//! Examples of the main answers for the OpenAPI document, taken from a real server's answers in
//! `openapi/examples/` (a test reads each one back as the type it illustrates).

use serde_json::Value;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub const SIGNED_IN: &str = include_str!("../../../openapi/examples/signed-in.json");
pub const REGISTERED: &str = include_str!("../../../openapi/examples/registered.json");
pub const INBOX_PAGE: &str = include_str!("../../../openapi/examples/inbox-page.json");
pub const TIMELINE: &str = include_str!("../../../openapi/examples/timeline.json");
pub const VALIDATION_PROBLEM: &str = include_str!("../../../openapi/examples/validation-problem.json");

pub fn signed_in() -> Value {
    parse(SIGNED_IN)
}

pub fn registered() -> Value {
    parse(REGISTERED)
}

pub fn inbox_page() -> Value {
    parse(INBOX_PAGE)
}

pub fn timeline() -> Value {
    parse(TIMELINE)
}

pub fn validation_problem() -> Value {
    parse(VALIDATION_PROBLEM)
}
