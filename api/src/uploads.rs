//! Uploads: a `multipart/form-data` body read as it streams in — text parts kept in memory, the file streamed to a
//! temporary file while it is hashed and measured — then checked (size, a plain file name, a media type recognised
//! from the content and allowed by the media policy) and put in the content-addressed store. Used by documents and by
//! agency submissions alike.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use shared_types::ErrorCode;
use tokio::io::AsyncWriteExt;

use crate::blobs::BlobStore;
use crate::domain::documents::StoredFile;
use crate::error::ApiError;

/// Media types a document may have, recognised from the content itself.
pub const MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/heif",
    "image/avif",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "text/rtf",
    "text/plain",
];

/// How much of the start of a file is kept to recognise its type.
const SNIFF: usize = 64 * 1024;
/// Largest text field of the form.
const MAX_FIELD: usize = 16 * 1024;

pub fn malformed(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(ErrorCode::MalformedUpload, format!("The multipart/form-data body is not valid: {detail}."))
}

/// The form of an upload: its text fields and the file, which has been hashed and stored.
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub file: StoredFile,
}

/// A file name as sent, if it is a plain name: no path, no control characters.
fn clean_file_name(name: &str) -> Result<String, ApiError> {
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.chars().count() > 255
        || name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(ApiError::field(
            "file",
            "invalid",
            "the file name must be a plain name without path separators or control characters",
        ));
    }
    Ok(name.trim().to_string())
}

/// What the content is, from its first bytes; text when it is not a known binary format and reads as UTF-8.
fn sniff(head: &[u8]) -> Option<String> {
    if let Some(kind) = infer::get(head) {
        return Some(kind.mime_type().to_string());
    }
    match std::str::from_utf8(head) {
        Ok(_) => Some("text/plain".into()),
        // Cut inside a character at the end of the sniffed part: still text.
        Err(e) if e.error_len().is_none() => Some("text/plain".into()),
        Err(_) => None,
    }
}

/// The office document a ZIP package is, from the parts it holds; `None` for any other ZIP archive.
fn package_kind(path: &std::path::Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    let kind = if has("word/document.xml") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has("xl/workbook.xml") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has("ppt/presentation.xml") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else {
        return None;
    };
    Some(kind.to_string())
}

/// A text field of a form, read into memory (it is small).
pub async fn text_field(field: &mut actix_multipart::Field, name: &str) -> Result<String, ApiError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        value.extend_from_slice(&chunk.map_err(malformed)?);
        if value.len() > MAX_FIELD {
            return Err(ApiError::field(name, "too_long", "this form field is too long"));
        }
    }
    String::from_utf8(value).map_err(|_| ApiError::field(name, "invalid", "not UTF-8 text"))
}

/// A file part of a form, streamed to a temporary file while it is hashed and measured, then checked: not empty,
/// within `max`, a plain file name, an accepted type recognised from the content. Not yet in the store.
pub async fn file_field(
    mut field: actix_multipart::Field,
    blobs: &BlobStore,
    max: u64,
) -> Result<(StoredFile, tempfile::NamedTempFile), ApiError> {
    let sent_name = field
        .content_disposition()
        .and_then(|cd| {
            cd.get_filename_ext()
                .and_then(|ext| String::from_utf8(ext.value.clone()).ok())
                .or_else(|| cd.get_filename().map(str::to_string))
        })
        .unwrap_or_default();
    let file_name = clean_file_name(&sent_name)?;
    let temp = tempfile::NamedTempFile::new_in(blobs.incoming_dir()).map_err(ApiError::internal)?;
    let mut out = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(ApiError::internal)?);
    let (mut hasher, mut size, mut head) = (Sha256::new(), 0_u64, Vec::new());
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        size += chunk.len() as u64;
        if size > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("A document may have at most {max} bytes."),
            ));
        }
        if head.len() < SNIFF {
            head.extend_from_slice(&chunk[..chunk.len().min(SNIFF - head.len())]);
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    out.sync_all().await.map_err(ApiError::internal)?;
    if size == 0 {
        return Err(ApiError::field("file", "empty", "the file is empty"));
    }
    let mut media_type = sniff(&head);
    if media_type.as_deref() == Some("application/zip") {
        // Office documents are ZIP packages: what is inside tells which (the start alone may not).
        // Reading the package's directory is file I/O: on the blocking pool, not on the server's worker.
        let path = temp.path().to_path_buf();
        media_type = web::block(move || package_kind(&path)).await.map_err(ApiError::internal)?;
    }
    let media_type = media_type.filter(|m| MEDIA_TYPES.contains(&m.as_str())).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Documents are PDF, images, office documents or plain text.",
        )
    })?;
    let sha256 = hex::encode(hasher.finalize());
    Ok((StoredFile { sha256, size: size as i64, media_type, file_name }, temp))
}

/// Read a form of text fields and one `file`, which is stored (content-addressed) once it has arrived whole and
/// passed its checks. Nothing is registered here.
/// `parts` names the text parts the form may carry besides `file`; any other part is refused (422 `unknown_field`),
/// as an unknown field of a JSON body is, and so is a part sent twice.
pub async fn receive(mut form: Multipart, blobs: &BlobStore, max: u64, parts: &[&str]) -> Result<Upload, ApiError> {
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            if !parts.contains(&name.as_str()) {
                return Err(ApiError::field(&name, "unknown_field", format!("this form has no `{name}` part")));
            }
            let value = text_field(&mut field, &name).await?;
            if fields.insert(name.clone(), value).is_some() {
                return Err(ApiError::field(&name, "duplicate", "send this part once"));
            }
            continue;
        }
        if file.is_some() {
            return Err(ApiError::field("file", "duplicate", "send one file"));
        }
        file = Some(file_field(field, blobs, max).await?);
    }
    let Some((stored, temp)) = file else {
        return Err(ApiError::field("file", "required", "attach the file"));
    };
    // A checksum sent by the client must match what arrived.
    if let Some(expected) = fields.get("sha256")
        && !expected.trim().eq_ignore_ascii_case(&stored.sha256)
    {
        return Err(ApiError::field("sha256", "mismatch", "the file that arrived has another SHA-256"));
    }
    blobs.store_file(&stored.sha256, temp.path()).await?;
    drop(temp);
    Ok(Upload { fields, file: stored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_with_paths_or_control_characters_are_refused() {
        for bad in ["../etc/passwd", "a/b.pdf", "a\\b.pdf", "a\u{0}b.pdf", "tab\t.pdf", "", "..", "."] {
            assert!(clean_file_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(clean_file_name("خطاب.pdf").ok().as_deref(), Some("خطاب.pdf"));
    }
}
