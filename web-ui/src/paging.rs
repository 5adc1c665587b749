//! Cursor-paged lists, one hook for every list the server pages (the inbox boxes, drafts, the manager overview, the
//! audit log, the intake queue): the items loaded so far and the cursor of the next page; the first page loaded
//! again when the inputs change, the next one appended on "more"; and the answer of a load that a newer one has
//! replaced (the filters changed while it was on its way) dropped, so a slow answer never overwrites a newer list.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use shared_types::Page;

use crate::api::ApiError;
use crate::i18n::use_i18n;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, ApiError>>>>;
type Fetch<T> = Box<dyn Fn(Option<String>) -> PageFuture<T>>;

/// A paged list and how to load it. Copy, like the signals it holds.
pub struct PagedList<T: 'static> {
    /// What has been loaded so far, pages in order.
    pub items: RwSignal<Vec<T>>,
    /// The cursor of the next page; `None` on the last one.
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// Whether a load has finished (to tell "nothing here" from "not loaded yet").
    pub loaded: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    generation: StoredValue<u64>,
    fetch: StoredValue<Fetch<T>, LocalStorage>,
}

impl<T> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for PagedList<T> {}

impl<T: Send + Sync + 'static> PagedList<T> {
    /// A list whose pages `fetch` loads: it is given the cursor of the page to load (`None` for the first). It reads
    /// its inputs (filters, the box) untracked; call [`PagedList::reload`] when they change.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let fetch: Fetch<T> = Box::new(move |cursor| Box::pin(fetch(cursor)));
        PagedList {
            items: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
            fetch: StoredValue::new_local(fetch),
        }
    }

    /// Load the first page again, replacing what is shown.
    pub fn reload(self) {
        self.load(false);
    }

    /// Append the next page.
    pub fn more(self) {
        if self.next_cursor.with_untracked(Option::is_some) {
            self.load(true);
        }
    }

    /// Empty the list, and forget any load on its way.
    pub fn clear(self) {
        self.generation.update_value(|g| *g += 1);
        self.items.set(Vec::new());
        self.next_cursor.set(None);
        self.error.set(None);
        self.loading.set(false);
        self.loaded.set(false);
    }

    /// The failure of the last load, for [`crate::components::ProblemMessage`].
    pub fn error(self) -> ReadSignal<Option<ApiError>> {
        self.error.read_only()
    }

    /// Loaded, and nothing in it.
    pub fn is_empty(self) -> bool {
        self.loaded.get() && !self.loading.get() && self.items.with(Vec::is_empty) && self.error.with(Option::is_none)
    }

    fn load(self, more: bool) {
        let cursor = if more { self.next_cursor.get_untracked() } else { None };
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.loading.set(true);
        let page = self.fetch.with_value(|fetch| fetch(cursor));
        leptos::task::spawn_local(async move {
            let result = page.await;
            if self.generation.try_get_value() != Some(generation) {
                // Replaced by a newer load (or the page is gone): this answer is stale.
                return;
            }
            match result {
                Ok(page) => {
                    self.error.set(None);
                    if more {
                        self.items.update(|items| items.extend(page.items));
                    } else {
                        self.items.set(page.items);
                    }
                    self.next_cursor.set(page.next_cursor);
                }
                Err(e) => {
                    // A first page that failed shows nothing rather than the list of other inputs.
                    if !more {
                        self.items.set(Vec::new());
                        self.next_cursor.set(None);
                    }
                    self.error.set(Some(e));
                }
            }
            self.loading.set(false);
            self.loaded.set(true);
        });
    }
}

/// The "more" button under a paged list: shown while there is a next page, disabled while a page loads.
#[component]
pub fn MoreButton<T: Send + Sync + 'static>(list: PagedList<T>, #[prop(optional)] id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || list.next_cursor.with(Option::is_some)>
            <button type="button" id=(!id.is_empty()).then_some(id) class="secondary" disabled=move || list.loading.get()
                on:click=move |_| list.more()>{i18n.tr("more")}</button>
        </Show>
    }
}
