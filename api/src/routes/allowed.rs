//! Which methods each path answers, read from the OpenAPI document itself, so that it cannot drift from the routes:
//! a known path asked with another method answers 405 `method_not_allowed` with `Allow` (RFC 9110 §15.5.6), not
//! 404 as if the path did not exist.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use shared_types::ErrorCode;

use crate::error::{ApiError, problem_response};

/// The documented paths, as templates (`/api/v1/transactions/{id}`), with their methods.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    templates: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Parameter,
}

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl AllowedMethods {
    pub fn from_document(document: &utoipa::openapi::OpenApi) -> AllowedMethods {
        let templates = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = segments(path)
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_string())
                        }
                    })
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, present)| present.then_some(name))
                .collect();
                (segments, methods)
            })
            .collect();
        AllowedMethods { templates }
    }

    /// The methods a path answers, in a fixed order; none when no documented path has its shape.
    pub fn of(&self, path: &str) -> Vec<&'static str> {
        let asked: Vec<&str> = segments(path).collect();
        let mut allowed: Vec<&'static str> = Vec::new();
        for (template, methods) in &self.templates {
            let fits = template.len() == asked.len()
                && template.iter().zip(&asked).all(|(t, a)| match t {
                    Segment::Literal(l) => l == a,
                    Segment::Parameter => !a.is_empty(),
                });
            if fits {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
        }
        allowed.sort_by_key(|m| METHODS.iter().position(|known| known == m));
        allowed
    }

    /// 405 with `Allow` when the path is documented under other methods; `None` when it is not documented at all.
    pub fn refuse(&self, method: &str, path: &str) -> Option<HttpResponse> {
        let allowed = self.of(path);
        if allowed.is_empty() || allowed.contains(&method) {
            return None;
        }
        let list = allowed.join(", ");
        let mut response = problem_response(
            &ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                format!("{path} does not answer {method}; it answers {list}."),
            )
            .problem(),
        );
        if let Ok(value) = HeaderValue::from_str(&list) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        Some(response)
    }
}

/// A path's segments; a trailing slash makes an empty last segment, which no template has.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::{OpenApi, OpenApiBuilder};

    use super::AllowedMethods;

    fn document() -> OpenApi {
        let op = || OperationBuilder::new().build();
        let mut item = PathItem::new(HttpMethod::Get, op());
        item.post = Some(op());
        let paths = PathsBuilder::new()
            .path("/api/v1/transactions", item)
            .path("/api/v1/transactions/{id}", PathItem::new(HttpMethod::Get, op()))
            .path("/api/v1/transactions/{id}/close", PathItem::new(HttpMethod::Post, op()))
            .path("/api/v1/transactions/counts", PathItem::new(HttpMethod::Delete, op()))
            .build();
        OpenApiBuilder::new().paths(paths).build()
    }

    #[test]
    fn a_known_path_lists_its_methods_and_parameters_match_one_segment() {
        let allowed = AllowedMethods::from_document(&document());
        assert_eq!(allowed.of("/api/v1/transactions"), ["GET", "POST"]);
        assert_eq!(allowed.of("/api/v1/transactions/12"), ["GET"]);
        assert_eq!(allowed.of("/api/v1/transactions/12/close"), ["POST"]);
        // A literal and a parameter of the same shape: both templates' methods.
        assert_eq!(allowed.of("/api/v1/transactions/counts"), ["GET", "DELETE"]);
        assert!(allowed.of("/api/v1/transactions/").is_empty());
        assert!(allowed.of("/api/v1/transactions/12/close/now").is_empty());
        assert!(allowed.of("/api/v1/nothing").is_empty());
    }

    #[test]
    fn only_a_known_path_with_another_method_is_refused() {
        let allowed = AllowedMethods::from_document(&document());
        assert!(allowed.refuse("GET", "/api/v1/transactions").is_none());
        assert!(allowed.refuse("PATCH", "/api/v1/nothing").is_none());
        let refused = allowed.refuse("DELETE", "/api/v1/transactions/12").expect("405");
        assert_eq!(refused.status(), 405);
        assert_eq!(refused.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
        let media_type = refused.headers().get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(media_type, Some("application/problem+json"));
    }
}
