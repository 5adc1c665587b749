//! JSON request bodies as the document describes them. JSON Schema counts `1.0` as an integer, and so do clients
//! generated from the document (a JavaScript number, a Python float that happens to be whole), so a whole number
//! written as a float is read as the integer it is; anything else is read exactly as `web::Json` reads it, with the
//! same limits, media type and problem answers.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The idempotency fingerprint serialises the body as read.
impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let value = value.await?.into_inner();
            // Every request body of the API is an object. serde would also read a struct from an array of its
            // fields in order (`[null, null]` as a change with nothing in it): refuse that form.
            if !value.is_object() {
                let wrong = <serde_json::Error as serde::de::Error>::custom("the body must be a JSON object");
                return Err(crate::app::json_error(JsonPayloadError::Deserialize(wrong), &req));
            }
            read(value).map(Json).map_err(|e| crate::app::json_error(JsonPayloadError::Deserialize(e), &req))
        })
    }
}

/// A JSON body that may be left out altogether (no body at all: `Content-Length: 0` or none), as sign-out and
/// refresh allow when the session cookie carries the token. A body that is sent is read as strictly as any other.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let no_body = match headers.get(header::CONTENT_LENGTH) {
            Some(length) => length.as_bytes() == b"0",
            None => headers.get(header::TRANSFER_ENCODING).is_none(),
        };
        if no_body {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move { body.await.map(|Json(value)| OptionalJson(Some(value))) })
    }
}

/// Read a JSON value as `T`, whole floats taken as integers.
pub fn read<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(whole_numbers(value))
}

/// `1.0` → `1`, for numbers within the range a float holds exactly (±2^53); everything else unchanged.
fn whole_numbers(value: Value) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(whole_numbers).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, whole_numbers(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::read;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Body {
        version: i32,
        ratio: f64,
        items: Vec<u8>,
    }

    #[test]
    fn whole_floats_are_integers_and_nothing_else_changes() {
        let body: Body = read(json!({"version": 3.0, "ratio": 2.0, "items": [1.0, 2]})).expect("reads");
        assert_eq!(body, Body { version: 3, ratio: 2.0, items: vec![1, 2] });
        assert!(read::<Body>(json!({"version": 3.5, "ratio": 1, "items": []})).is_err());
        assert!(read::<Body>(json!({"version": 1e300, "ratio": 1, "items": []})).is_err());
    }
}
