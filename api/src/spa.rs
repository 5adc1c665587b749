//! Serving the built web UI at `/`: its files as they are, and the page of its bundle for every other page path so
//! that the SPA's own router (history API) decides what to show — `office/index.html` under `/office/` (the office
//! bundle: administration, audit log, intake queue), `index.html` elsewhere (the desk). Nothing under `/api` is ever
//! answered with the SPA; a documented path asked with another method is answered 405 with `Allow`.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use shared_types::ErrorCode;

use crate::error::{ApiError, problem_response};
use crate::routes::allowed::AllowedMethods;

/// The directory of the built SPA (`web-ui/dist` by default).
#[derive(Debug, Clone)]
pub struct Spa {
    dir: PathBuf,
    /// The documented paths and their methods: a known path asked with another method is a 405, not a page.
    allowed: AllowedMethods,
    /// The bundles' pages, the most specific first.
    bundles: Vec<Bundle>,
}

/// One bundle of the SPA: the paths it answers and its page.
#[derive(Debug, Clone)]
struct Bundle {
    /// The first path segment of its pages (`office`), or none for the rest (the desk).
    prefix: Option<&'static str>,
    /// Its page, relative to the SPA directory.
    index: PathBuf,
    /// The page's `Content-Security-Policy`, naming the build's inline start-up script by its hash.
    policy: String,
}

impl Spa {
    pub fn new(dir: PathBuf, allowed: AllowedMethods) -> Spa {
        let bundles = [(Some("office"), "office/index.html"), (None, "index.html")]
            .into_iter()
            .map(|(prefix, index)| {
                let page = std::fs::read_to_string(dir.join(index)).unwrap_or_default();
                Bundle { prefix, index: PathBuf::from(index), policy: content_security_policy(&page) }
            })
            .collect();
        Spa { dir, allowed, bundles }
    }

    /// The handler for everything no route matched.
    pub fn fallback(&self) -> actix_web::Route {
        let spa = self.clone();
        web::route().to(move |req: HttpRequest| {
            let spa = spa.clone();
            async move { spa.answer(&req) }
        })
    }

    fn answer(&self, req: &HttpRequest) -> HttpResponse {
        let path = req.path();
        if let Some(refused) = self.allowed.refuse(req.method().as_str(), path) {
            return refused;
        }
        let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
        if !is_read || path == "/api" || path.starts_with("/api/") {
            return not_found(req);
        }
        let Some(relative) = safe_relative(path) else {
            return not_found(req);
        };
        let file = self.dir.join(&relative);
        if !relative.as_os_str().is_empty() && file.is_file() {
            return match NamedFile::open(&file) {
                Ok(named) => {
                    let mut response = named.into_response(req);
                    // Files named by their content's hash never change: cache them for good. Any other file (the
                    // message files, fonts) is checked with the server on every use (a 304 when unchanged), so an
                    // upgrade is seen at once.
                    let policy =
                        if content_hashed(&relative) { "public, max-age=31536000, immutable" } else { "no-cache" };
                    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(policy));
                    response
                }
                Err(_) => not_found(req),
            };
        }
        // A missing file with an extension is a missing asset, not a page of the app.
        if relative.extension().is_some() {
            return not_found(req);
        }
        let first = relative.components().next().and_then(|c| c.as_os_str().to_str());
        match self.bundles.iter().find(|b| b.prefix.is_none() || b.prefix == first) {
            Some(bundle) => self.page(req, bundle),
            None => not_found(req),
        }
    }

    /// A bundle's page, never cached without asking: it names the current build's hashed assets.
    fn page(&self, req: &HttpRequest, bundle: &Bundle) -> HttpResponse {
        match NamedFile::open(self.dir.join(&bundle.index)) {
            Ok(named) => {
                let mut response = named.use_last_modified(false).into_response(req);
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    CacheControl(vec![CacheDirective::NoCache])
                        .to_string()
                        .parse()
                        .unwrap_or(header::HeaderValue::from_static("no-cache")),
                );
                if let Ok(policy) = header::HeaderValue::from_str(&bundle.policy) {
                    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
                }
                response
            }
            Err(_) => HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE)
                .content_type("text/html; charset=utf-8")
                .body(format!(
                    "<!doctype html><meta charset=utf-8><title>Muamalat</title><p>The web UI is not built \
                     (no <code>{}</code>). Build it with <code>scripts/build-ui.sh</code>, or use the API at \
                     <a href=\"/api/docs/\">/api/docs/</a>.</p>",
                    Path::new(&self.dir).join(&bundle.index).display()
                )),
        }
    }
}

/// What the app's page may load and run: its own files, the wasm (`'wasm-unsafe-eval'`), the inline start-up
/// script trunk writes (by its SHA-256), documents previewed from `blob:` URLs; nothing from elsewhere, no framing.
/// Style attributes stay allowed: the views set widths (dwell bars) and indents through them.
fn content_security_policy(index: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut hashes = String::new();
    let mut rest = index;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else { break };
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        let (tag, script) = (&after[..open_end], &body[..close]);
        if !tag.contains("src=") {
            let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
            hashes.push_str(&format!(" 'sha256-{digest}'"));
        }
        rest = &body[close..];
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' blob: data:; frame-src 'self' blob:; font-src 'self'; connect-src 'self' blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether a build file carries its content hash in its name, as trunk names them: `name-<16 hex digits>[_bg].ext`.
fn content_hashed(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() >= 15 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The request path as a path inside the SPA directory, refusing anything that could leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('%') || segment.contains('\0') {
            return None;
        }
        relative.push(segment);
    }
    Some(relative)
}

fn not_found(req: &HttpRequest) -> HttpResponse {
    problem_response(
        &ApiError::not_found(ErrorCode::RouteNotFound, format!("No route {} {}.", req.method(), req.path())).problem(),
    )
}

#[cfg(test)]
mod tests {
    use super::{content_hashed, content_security_policy, safe_relative};

    #[test]
    fn the_policy_names_the_inline_start_up_script_by_its_hash() {
        let index = "<html><head><script type=\"module\">import init from '/app.js';</script>\
                     <script src=\"/other.js\"></script></head></html>";
        let policy = content_security_policy(index);
        // sha256 of the inline script's text, base64.
        assert!(policy.contains("'sha256-"), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    }

    #[test]
    fn only_files_named_by_their_hash_are_cached_for_good() {
        for hashed in [
            "muamalat-web-ui-bda93c6b7a5d1479_bg.wasm",
            "muamalat-web-ui-bda93c6b7a5d1479.js",
            "style-efd7953f0f2084f.css",
        ] {
            assert!(content_hashed(std::path::Path::new(hashed)), "{hashed}");
        }
        for plain in ["i18n/ar.ftl", "fonts/noto-sans-arabic-arabic-400-normal.woff2", "index.html"] {
            assert!(!content_hashed(std::path::Path::new(plain)), "{plain}");
        }
    }

    #[test]
    fn paths_stay_inside_the_spa_directory() {
        assert_eq!(safe_relative("/"), Some("".into()));
        assert_eq!(safe_relative("/muamalat-1a2b.wasm"), Some("muamalat-1a2b.wasm".into()));
        assert_eq!(safe_relative("/transactions/12"), Some("transactions/12".into()));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_relative("/.env"), None);
        assert_eq!(safe_relative("/a\\b"), None);
    }
}
