//! Documents: upload, versions, download with ranges, immutability, withdrawal, bad uploads, access.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, assert_problem};

/// A small but real PDF.
fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

const BOUNDARY: &str = "muamalat-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: text fields, then the file.
fn form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, who: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(app.token(who).await)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The stored bytes of a blob, read from the store the server uses.
async fn stored(app: &TestApp, sha256: &str) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut stream = app.blobs.read(sha256, None).await.expect("stored blob");
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.expect("chunk"));
    }
    bytes
}

async fn fetch(app: &TestApp, who: &str, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(path)).bearer_auth(app.token(who).await);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("download")
}

/// A letter registered by the central registry and referred to Khobar.
async fn letter(app: &TestApp) -> i64 {
    let created =
        app.register_incoming("خطاب مع مرفقات", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    created["transaction"]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn the_original_round_trips_byte_for_byte_with_an_arabic_name_and_ranges() {
    let app = TestApp::spawn().await;
    let t = letter(&app).await;
    let bytes = pdf("الأصل");
    let body = form(
        &[("title", "الخطاب الأصلي"), ("kind", "original_scan"), ("sha256", &sha(&bytes))],
        Some(("خطاب الوزارة.pdf", &bytes)),
    );
    let (status, doc) = upload(&app, "clerk", &format!("/api/v1/transactions/{t}/documents"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["kind"], "original_scan");
    let v1 = &doc["versions"][0];
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["sha256"], sha(&bytes));
    assert_eq!(v1["size"], bytes.len());
    assert_eq!(v1["media_type"], "application/pdf");
    assert_eq!(v1["file_name"], "خطاب الوزارة.pdf");
    let url = v1["content_url"].as_str().expect("url").to_string();

    // Whole content: identical bytes, ETag, length, disposition with the Arabic name encoded per RFC 5987.
    let res = fetch(&app, "clerk", &url, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["etag"], format!("\"{}\"", sha(&bytes)));
    assert_eq!(h["content-length"], bytes.len().to_string());
    assert_eq!(h["accept-ranges"], "bytes");
    let disposition = h["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%D8%AE%D8%B7%D8%A7%D8%A8"), "{disposition}");
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), bytes.as_slice());

    // A range, a suffix range, an unsatisfiable one; a cache check; a verified read; a preview.
    let res = fetch(&app, "clerk", &url, &[("range", "bytes=0-3")]).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], format!("bytes 0-3/{}", bytes.len()));
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), b"%PDF");
    let res = fetch(&app, "clerk", &url, &[("range", "bytes=-6")]).await;
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), b"%%EOF\n");
    let res = fetch(&app, "clerk", &url, &[("range", &format!("bytes={}-", bytes.len()))]).await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(res.headers()["content-range"], format!("bytes */{}", bytes.len()));
    let res = fetch(&app, "clerk", &url, &[("if-none-match", &format!("\"{}\"", sha(&bytes)))]).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = fetch(&app, "clerk", &format!("{url}?verify=true&inline=true"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().expect("ascii").starts_with("inline;"));

    // On the timeline, and stored once under its hash.
    let (_, timeline) = app.get("clerk", &format!("/api/v1/transactions/{t}/timeline")).await;
    assert!(timeline.as_array().expect("events").iter().any(|e| e["kind"] == "document_added"), "{timeline}");
    assert_eq!(stored(&app, &sha(&bytes)).await, bytes);
}

#[tokio::test]
async fn versions_are_kept_in_order_and_the_original_never_changes() {
    let app = TestApp::spawn().await;
    let t = letter(&app).await;
    let original = pdf("v1");
    let (_, doc) = upload(
        &app,
        "clerk",
        &format!("/api/v1/transactions/{t}/documents"),
        form(&[("title", "مسودة الرد"), ("kind", "draft")], Some(("draft.pdf", &original))),
    )
    .await;
    let id = doc["id"].as_i64().expect("id");
    // Khobar, holding the letter, adds a revised version; then a plain-text note as a third.
    let revised = pdf("v2");
    let (status, v2) = upload(
        &app,
        "khb.emp",
        &format!("/api/v1/documents/{id}/versions"),
        form(&[("note", "تعديل الفقرة الثانية")], Some(("draft-v2.pdf", &revised))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!((v2["version"].clone(), v2["note"].clone()), (json!(2), json!("تعديل الفقرة الثانية")));
    let (_, v3) = upload(
        &app,
        "clerk",
        &format!("/api/v1/documents/{id}/versions"),
        form(&[], Some(("note.txt", "ملاحظة".as_bytes()))),
    )
    .await;
    assert_eq!(v3["media_type"], "text/plain");
    let (_, doc) = app.get("clerk", &format!("/api/v1/documents/{id}")).await;
    let versions: Vec<i64> =
        doc["versions"].as_array().expect("versions").iter().map(|v| v["version"].as_i64().expect("n")).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(doc["versions"][0]["sha256"], sha(&original), "version 1 is still the original");
    let res = fetch(&app, "clerk", &format!("/api/v1/documents/{id}/versions/1/content"), &[]).await;
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), original.as_slice());

    // No version can be replaced or removed.
    for method in [Method::DELETE, Method::PUT] {
        for n in [1, 2] {
            let r =
                app.call(Some("clerk"), method.clone(), &format!("/api/v1/documents/{id}/versions/{n}"), None).await;
            assert_problem(&r, StatusCode::CONFLICT, "version_immutable");
        }
    }
    let r = app.call(Some("clerk"), Method::DELETE, &format!("/api/v1/documents/{id}/versions/9"), None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "document_version_not_found");

    // Two uploads to the same document at the same moment both land, as versions 4 and 5.
    let (a, b) = (pdf("parallel a"), pdf("parallel b"));
    let path = format!("/api/v1/documents/{id}/versions");
    let (ra, rb) = tokio::join!(
        upload(&app, "clerk", &path, form(&[], Some(("a.pdf", &a)))),
        upload(&app, "khb.emp", &path, form(&[], Some(("b.pdf", &b))))
    );
    assert_eq!((ra.0, rb.0), (StatusCode::CREATED, StatusCode::CREATED), "{} {}", ra.1, rb.1);
    let mut got = [ra.1["version"].as_i64().expect("n"), rb.1["version"].as_i64().expect("n")];
    got.sort_unstable();
    assert_eq!(got, [4, 5]);

    // The same content uploaded again is a new version but one stored blob.
    let (_, again) = upload(&app, "clerk", &path, form(&[], Some(("again.pdf", &original)))).await;
    assert_eq!((again["version"].clone(), again["sha256"].clone()), (json!(6), json!(sha(&original))));
    assert_eq!(stored(&app, &sha(&original)).await, original);
    let mut conn = app.pool.get().expect("connection");
    let rows: i64 = muamalat::schema::blobs::table
        .filter(muamalat::schema::blobs::sha256.eq(sha(&original)))
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(rows, 1, "one blob for versions 1 and 6");
}

#[tokio::test]
async fn withdrawn_documents_are_hidden_kept_and_frozen() {
    let app = TestApp::spawn().await;
    let t = letter(&app).await;
    let (_, doc) = upload(
        &app,
        "clerk",
        &format!("/api/v1/transactions/{t}/documents"),
        form(&[("title", "نسخة خاطئة")], Some(("wrong.pdf", &pdf("wrong")))),
    )
    .await;
    let id = doc["id"].as_i64().expect("id");
    let r = app.post("clerk", &format!("/api/v1/documents/{id}/withdraw"), json!({"reason": ""})).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let (status, withdrawn) =
        app.post("clerk", &format!("/api/v1/documents/{id}/withdraw"), json!({"reason": "أُرفقت بالخطأ"})).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["withdrawn"]["reason"], "أُرفقت بالخطأ");
    let (_, list) = app.get("clerk", &format!("/api/v1/transactions/{t}/documents")).await;
    assert_eq!(list, json!([]));
    let (_, all) = app.get("clerk", &format!("/api/v1/transactions/{t}/documents?include_withdrawn=true")).await;
    assert_eq!(all[0]["id"], json!(id));
    let res = fetch(&app, "clerk", &format!("/api/v1/documents/{id}/versions/1/content"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK, "kept");
    let r =
        upload(&app, "clerk", &format!("/api/v1/documents/{id}/versions"), form(&[], Some(("x.pdf", &pdf("x"))))).await;
    assert_problem(&r, StatusCode::CONFLICT, "document_withdrawn");
    let r = app.post("clerk", &format!("/api/v1/documents/{id}/withdraw"), json!({"reason": "مرة أخرى"})).await;
    assert_problem(&r, StatusCode::CONFLICT, "document_withdrawn");
}

#[tokio::test]
async fn bad_uploads_get_clear_problems_and_register_nothing() {
    let app = TestApp::spawn_with(|s| s.max_upload_bytes = 4096).await;
    let t = letter(&app).await;
    let path = format!("/api/v1/transactions/{t}/documents");
    let ok = pdf("ok");
    let elf = [b"\x7fELF\x02\x01\x01".as_slice(), &[0_u8; 64]].concat();
    let zip = [b"PK\x03\x04".as_slice(), &[0_u8; 64]].concat();
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (form(&[("title", "فارغ")], Some(("empty.pdf", b""))), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (
            form(&[("title", "برنامج")], Some(("tool.pdf", &elf))),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            form(&[("title", "أرشيف")], Some(("a.zip", &zip))),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            form(&[("title", "كبير")], Some(("big.pdf", &[ok.clone(), vec![b' '; 5000]].concat()))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            form(&[("title", "مسار")], Some(("../../etc/passwd.pdf", &ok))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            form(&[("title", "مسار")], Some(("dir\\\\x.pdf", &ok))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        // A raw control character makes the part's header itself invalid; an encoded one reaches the name check.
        (form(&[("title", "تحكم")], Some(("bad\u{1}.pdf", &ok))), StatusCode::BAD_REQUEST, "malformed_upload"),
        (
            String::from_utf8(form(&[("title", "تحكم")], Some(("ok.pdf", &ok))))
                .expect("text")
                .replace("filename=\"ok.pdf\"", "filename*=UTF-8''bad%01.pdf")
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (form(&[], Some(("untitled.pdf", &ok))), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (form(&[("title", "بلا ملف")], None), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (
            form(&[("title", "نوع"), ("kind", "poster")], Some(("x.pdf", &ok))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            form(&[("title", "بصمة"), ("sha256", &"0".repeat(64))], Some(("x.pdf", &ok))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (i, (body, status, code)) in cases.into_iter().enumerate() {
        let r = upload(&app, "clerk", &path, body).await;
        assert_eq!((r.0, r.1["code"].as_str().unwrap_or_default()), (status, code), "case {i}: {}", r.1);
    }
    // A body cut off in the middle of the file.
    let mut cut = form(&[("title", "مقطوع")], Some(("cut.pdf", &ok)));
    cut.truncate(cut.len() - 40);
    let r = upload(&app, "clerk", &path, cut).await;
    assert_problem(&(r.0, r.1.clone()), StatusCode::BAD_REQUEST, "malformed_upload");
    // Nothing registered, nothing left half-written beside the store.
    let (_, list) = app.get("clerk", &format!("/api/v1/transactions/{t}/documents?include_withdrawn=true")).await;
    assert_eq!(list, json!([]));
    let incoming = std::fs::read_dir(app.blobs.incoming_dir()).expect("incoming").count();
    assert_eq!(incoming, 0, "temporary files are removed");
}

#[tokio::test]
async fn only_those_who_may_see_the_transaction_reach_its_documents() {
    let app = TestApp::spawn().await;
    let t = letter(&app).await;
    let (_, doc) = upload(
        &app,
        "clerk",
        &format!("/api/v1/transactions/{t}/documents"),
        form(&[("title", "سري")], Some(("s.pdf", &pdf("s")))),
    )
    .await;
    let id = doc["id"].as_i64().expect("id");
    // HR is not on the route: for it, neither the transaction nor the document exists.
    let r = app.get("hr.emp", &format!("/api/v1/transactions/{t}/documents")).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    let r = app.get("hr.emp", &format!("/api/v1/documents/{id}")).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "document_not_found");
    let res = fetch(&app, "hr.emp", &format!("/api/v1/documents/{id}/versions/1/content"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let r = upload(
        &app,
        "hr.emp",
        &format!("/api/v1/transactions/{t}/documents"),
        form(&[("title", "x")], Some(("x.pdf", &pdf("x")))),
    )
    .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    let r = upload(&app, "hr.emp", &format!("/api/v1/documents/{id}/versions"), form(&[], Some(("x.pdf", &pdf("x")))))
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "document_not_found");
    // Khobar, on the route, may.
    let (status, _) = app.get("khb.emp", &format!("/api/v1/documents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
}

/// A one-page PDF with a text layer, its cross-reference table computed.
fn pdf_with_text(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A Word document whose body is these paragraphs.
fn docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string()),
        ("word/document.xml", format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>"#,
            paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect::<String>()
        )),
    ];
    for (name, body) in parts {
        zip.start_file(name, options).expect("part");
        zip.write_all(body.as_bytes()).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

/// Wait for the text of a version to be read, and answer it.
async fn text_of(app: &TestApp, id: i64, version: i64) -> Value {
    for _ in 0..100 {
        let (status, text) = app.get("clerk", &format!("/api/v1/documents/{id}/versions/{version}/text")).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        if text["status"] != "pending" {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the text of document {id} version {version} was never read");
}

#[tokio::test]
async fn the_text_of_pdf_word_and_plain_text_versions_is_extracted_and_failures_are_recorded() {
    let app = TestApp::spawn().await;
    let t = letter(&app).await;
    let (status, doc) = upload(
        &app,
        "clerk",
        &format!("/api/v1/transactions/{t}/documents"),
        form(&[("title", "خطاب")], Some(("letter.pdf", &pdf_with_text("Request for municipal project data")))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let id = doc["id"].as_i64().expect("id");
    let path = format!("/api/v1/documents/{id}/versions");
    let word = docx(&["طلب بيانات المشاريع", "Tom &amp; Jerry"]);
    let (status, v2) = upload(&app, "clerk", &path, form(&[], Some(("reply.docx", &word)))).await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["media_type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    upload(&app, "clerk", &path, form(&[], Some(("note.txt", "ملاحظة للبحث".as_bytes())))).await;
    let broken = [b"%PDF-1.4\n".as_slice(), b"not really a PDF".as_slice()].concat();
    let (status, _) = upload(&app, "clerk", &path, form(&[], Some(("broken.pdf", &broken)))).await;
    assert_eq!(status, StatusCode::CREATED, "a file whose text cannot be read is still kept");
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0_u8; 32]].concat();
    upload(&app, "clerk", &path, form(&[], Some(("scan.png", &png)))).await;

    let pdf_text = text_of(&app, id, 1).await;
    assert_eq!(pdf_text["status"], "extracted", "{pdf_text}");
    assert!(pdf_text["text"].as_str().expect("text").contains("Request for municipal project data"), "{pdf_text}");
    let word_text = text_of(&app, id, 2).await;
    assert_eq!(word_text["text"], "طلب بيانات المشاريع\nTom & Jerry\n", "{word_text}");
    assert_eq!(text_of(&app, id, 3).await["text"], "ملاحظة للبحث");
    let failed = text_of(&app, id, 4).await;
    assert_eq!((failed["status"].clone(), failed["text"].clone()), (json!("failed"), Value::Null), "{failed}");
    assert!(failed["error"].as_str().is_some_and(|e| e.starts_with("PDF")), "{failed}");
    assert_eq!(text_of(&app, id, 5).await["status"], "unsupported");
    // The listing says where each version's text stands.
    let (_, doc) = app.get("clerk", &format!("/api/v1/documents/{id}")).await;
    let states: Vec<&str> = doc["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["text_status"].as_str().expect("status"))
        .collect();
    assert_eq!(states, ["extracted", "extracted", "extracted", "failed", "unsupported"]);
}
