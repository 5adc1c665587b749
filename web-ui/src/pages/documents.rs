//! The documents of a transaction: each with its versions (the original first), preview of PDFs and images, download,
//! a new version; and adding a document by choosing a file, dropping it, or taking a photo on a tablet, with a
//! progress bar.

use leptos::prelude::*;
use shared_types::{Document, DocumentKind, DocumentVersion};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{ProblemMessage, user_name};
use crate::i18n::use_i18n;

/// The files the server accepts, for the file chooser.
pub const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.gif,.webp,.heic,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf,.txt,application/pdf,image/*,text/plain";

/// The file chosen in an `<input type="file">` of an event.
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

/// A form for an upload: the fields, then the file.
pub fn upload_form(fields: &[(&str, String)], file: &web_sys::File) -> Option<web_sys::FormData> {
    let form = web_sys::FormData::new().ok()?;
    for (name, value) in fields {
        form.append_with_str(name, value).ok()?;
    }
    form.append_with_blob_and_filename("file", file, &file.name()).ok()?;
    Some(form)
}

pub fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
        b if b >= 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

pub fn previewable(media_type: &str) -> bool {
    media_type == "application/pdf" || media_type.starts_with("image/")
}

/// What an upload needs: the progress of the one under way, the title and kind of a new document, and how to tell
/// the panel (reload the list, or show a failure). Copy, like the signals it holds.
#[derive(Clone, Copy)]
struct Uploads {
    transaction_id: i64,
    progress: RwSignal<Option<f64>>,
    title: RwSignal<String>,
    kind: RwSignal<DocumentKind>,
    set_error: WriteSignal<Option<ApiError>>,
    reload: Callback<()>,
}

impl Uploads {
    /// Upload a file: a new document, or a new version of `document`. One at a time.
    fn send(self, file: web_sys::File, document: Option<i64>) {
        if self.progress.get_untracked().is_some() {
            return;
        }
        let (path, fields) = match document {
            Some(id) => (format!("/documents/{id}/versions"), Vec::new()),
            None => {
                let t = self.title.get_untracked();
                let t = if t.trim().is_empty() { file.name() } else { t.trim().to_string() };
                (
                    format!("/transactions/{}/documents", self.transaction_id),
                    vec![("title", t), ("kind", self.kind.get_untracked().as_str().to_string())],
                )
            }
        };
        let Some(form) = upload_form(&fields, &file) else { return };
        self.progress.set(Some(0.0));
        self.set_error.set(None);
        leptos::task::spawn_local(async move {
            let progress = self.progress;
            let result: Result<serde_json::Value, ApiError> =
                api::upload(&path, &form, move |p| progress.set(Some(p))).await;
            self.progress.set(None);
            match result {
                Ok(_) => {
                    self.title.set(String::new());
                    self.reload.run(());
                }
                Err(e) => self.set_error.set(Some(e)),
            }
        });
    }
}

#[component]
pub fn DocumentsPanel(transaction_id: i64, can_add: bool) -> impl IntoView {
    let i18n = use_i18n();
    let documents = LocalResource::new(move || api::documents(transaction_id));
    let (error, set_error) = signal(None::<ApiError>);
    let preview = RwSignal::new(None::<(String, String)>);
    let uploads = Uploads {
        transaction_id,
        progress: RwSignal::new(None),
        title: RwSignal::new(String::new()),
        kind: RwSignal::new(DocumentKind::Attachment),
        set_error,
        reload: Callback::new(move |()| documents.refetch()),
    };
    view! {
        <section class="documents" id="documents" aria-labelledby="documents-title">
            <h2 id="documents-title">{i18n.tr("documents")}</h2>
            // The list stays as it is while a new one loads after an upload.
            <Transition fallback=move || view! { <p class="loading" role="status">{i18n.tr("loading")}</p> }>
                {move || documents.get().map(|result| match result {
                    Ok(list) => view! { <DocumentList documents=list can_add=can_add uploads=uploads preview=preview /> }.into_any(),
                    Err(e) => {
                        let (error, _) = signal(Some(e));
                        view! { <ProblemMessage error=error retry=uploads.reload /> }.into_any()
                    }
                })}
            </Transition>
            {move || uploads.progress.get().map(|p| view! {
                <progress id="upload-progress" max="100" value=format!("{:.0}", p * 100.0) aria-label=i18n.t("uploading")></progress>
            })}
            <ProblemMessage error=error />
            <Show when=move || can_add>
                <UploadZone uploads=uploads />
            </Show>
            <Preview preview=preview />
        </section>
    }
}

/// The documents, each with its versions newest first: preview, download, and a new version where allowed.
#[component]
fn DocumentList(
    documents: Vec<Document>,
    can_add: bool,
    uploads: Uploads,
    preview: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let set_error = uploads.set_error;
    let open_preview = move |v: DocumentVersion| {
        leptos::task::spawn_local(async move {
            match api::object_url(&v.content_url, &v.media_type).await {
                Ok(url) => preview.set(Some((url, v.media_type.clone()))),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let save = move |v: DocumentVersion| {
        leptos::task::spawn_local(async move {
            match api::object_url(&v.content_url, &v.media_type).await {
                Ok(url) => api::save_as(&url, &v.file_name),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let empty = documents.is_empty();
    view! {
        <ul class="document-list">
            {move || documents.clone().into_iter().map(|d| {
                let lang = i18n.lang.get();
                let kind_key = format!("document-kind-{}", d.kind.as_str().replace('_', "-"));
                let id = d.id;
                view! {
                    <li class="document" data-title=d.title.clone()>
                        <div class="document-head">
                            <strong>{d.title.clone()}</strong>
                            <span class="badge">{i18n.t(&kind_key)}</span>
                        </div>
                        <ol class="versions">
                            {d.versions.iter().rev().map(|v| {
                                let (for_preview, for_save) = (v.clone(), v.clone());
                                let label = if v.version == 1 { i18n.t("original") } else { i18n.ta("version-n", &[("n", v.version.into())]) };
                                view! {
                                    <li class="version">
                                        <span class="version-label">{label}</span>
                                        " · " <bdi>{v.file_name.clone()}</bdi>
                                        " · " <span dir="ltr">{size_text(v.size)}</span>
                                        " · " <bdi>{user_name(lang, &v.author)}</bdi>
                                        " · " {i18n.date_time(&v.created_at)}
                                        {v.note.clone().map(|n| view! { <p class="note">{n}</p> })}
                                        <div class="row">
                                            {previewable(&v.media_type).then(|| view! {
                                                <button type="button" class="secondary preview-button" on:click=move |_| open_preview(for_preview.clone())>{i18n.t("preview")}</button>
                                            })}
                                            <button type="button" class="secondary" on:click=move |_| save(for_save.clone())>{i18n.t("download")}</button>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {can_add.then(|| view! {
                            <label class="file-button secondary">
                                {i18n.t("add-version")}
                                <input type="file" class="visually-hidden" accept=ACCEPT
                                    on:change=move |ev| { if let Some(f) = chosen_file(&ev) { uploads.send(f, Some(id)) } } />
                            </label>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <Show when=move || empty>
            <p class="empty">{i18n.tr("no-documents")}</p>
        </Show>
    }
}

/// Adding a document: a title and kind, then a file chosen, dropped here, or photographed on a tablet.
#[component]
fn UploadZone(uploads: Uploads) -> impl IntoView {
    let i18n = use_i18n();
    let dragging = RwSignal::new(false);
    let (title, kind) = (uploads.title, uploads.kind);
    view! {
        <div class="drop-zone" class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                if let Some(f) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) { uploads.send(f, None) }
            }>
            <div class="row">
                <label>{i18n.tr("field-title")}
                    <input id="document-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) /></label>
                <label>{i18n.tr("field-kind")}
                    <select id="document-kind" on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(DocumentKind::Attachment))>
                        {DocumentKind::ALL.iter().map(|k| {
                            let k = *k;
                            let key = format!("document-kind-{}", k.as_str().replace('_', "-"));
                            view! { <option value=k.as_str() selected=k == DocumentKind::Attachment>{move || i18n.t(&key)}</option> }
                        }).collect_view()}
                    </select></label>
            </div>
            <p class="hint">{i18n.tr("drop-hint")}</p>
            <div class="row">
                <label class="file-button">
                    {i18n.tr("choose-file")}
                    <input type="file" id="document-file" class="visually-hidden" accept=ACCEPT
                        on:change=move |ev| { if let Some(f) = chosen_file(&ev) { uploads.send(f, None) } } />
                </label>
                <label class="file-button secondary">
                    {i18n.tr("take-photo")}
                    <input type="file" class="visually-hidden" accept="image/*" capture="environment"
                        on:change=move |ev| { if let Some(f) = chosen_file(&ev) { uploads.send(f, None) } } />
                </label>
            </div>
        </div>
    }
}

/// A document's content shown in the page (a PDF or an image, from an object URL), with a button to close it.
#[component]
pub fn Preview(preview: RwSignal<Option<(String, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        preview.get().map(|(url, media)| {
            view! {
                <div class="preview" id="preview">
                    <div class="row">
                        <button type="button" class="secondary" on:click=move |_| preview.set(None)>{i18n.t("close-preview")}</button>
                    </div>
                    {if media == "application/pdf" {
                        view! { <iframe src=url title=i18n.t("preview")></iframe> }.into_any()
                    } else {
                        view! { <img src=url alt=i18n.t("preview") /> }.into_any()
                    }}
                </div>
            }
        })
    }
}
