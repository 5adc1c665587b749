//! The text of a document version, for search: PDF text layers (`pdf-extract`), Word documents (the XML inside the
//! `.docx` package, read with `zip` and `quick-xml`) and plain text. Anything else (scanned images, older office
//! formats) is "unsupported" until OCR comes. A file that cannot be read is "failed", with the reason; it never fails
//! the upload.

use std::io::Read;

/// What extraction made of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Text(String),
    Unsupported,
    Failed(String),
}

/// The largest file whose text is extracted, and the most text kept.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
const MAX_TEXT: usize = 5 * 1024 * 1024;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub fn extract(media_type: &str, bytes: &[u8]) -> Outcome {
    let text = match media_type {
        "text/plain" => Ok(String::from_utf8_lossy(bytes).into_owned()),
        "application/pdf" => pdf(bytes),
        DOCX => docx(bytes),
        _ => return Outcome::Unsupported,
    };
    match text {
        Ok(mut text) => {
            if text.len() > MAX_TEXT {
                let mut end = MAX_TEXT;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            Outcome::Text(text)
        }
        Err(e) => Outcome::Failed(e),
    }
}

fn pdf(bytes: &[u8]) -> Result<String, String> {
    // The PDF reader panics on some malformed files: a panic is a failed extraction, not a crash.
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(format!("PDF: {e}")),
        Err(_) => Err("PDF: the file could not be read".into()),
    }
}

/// The paragraphs of `word/document.xml`, one per line.
fn docx(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("DOCX: {e}"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| format!("DOCX: {e}"))?
        .take(MAX_BYTES as u64)
        .read_to_string(&mut xml)
        .map_err(|e| format!("DOCX: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut text, mut in_text) = (String::new(), false);
    loop {
        match reader.read_event().map_err(|e| format!("DOCX: {e}"))? {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:p" => text.push('\n'),
            quick_xml::events::Event::Empty(e) if e.name().as_ref() == "w:tab" => text.push('\t'),
            quick_xml::events::Event::Text(t) if in_text => {
                text.push_str(t.as_ref());
            }
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    text.push_str(match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_unsupported_kinds() {
        assert_eq!(extract("text/plain", "نص عربي".as_bytes()), Outcome::Text("نص عربي".into()));
        assert_eq!(extract("image/png", b"\x89PNG"), Outcome::Unsupported);
        assert!(matches!(extract("application/pdf", b"%PDF-1.4 broken"), Outcome::Failed(_)));
        assert!(matches!(extract(DOCX, b"PK\x03\x04 broken"), Outcome::Failed(_)));
    }
}
