//! Search: the words and filters live in the page's address (`/search?q=…&status=open`), so a search can be shared,
//! bookmarked and gone back to; the results show the exact total, facet counts to narrow by, highlighted snippets,
//! and more on request. A registration number asked for (`1448/123`) opens that transaction at once.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use shared_types::{FacetCount, Page, SearchFacets, SearchHit, SearchQuery, SearchSort, SnippetPart, WireEnum};

use crate::api;
use crate::components::{ConfidentialityBadge, PriorityBadge, ProblemMessage};
use crate::i18n::{I18n, Lang, use_i18n};
use crate::paging::{MoreButton, PagedList};

fn parsed<T: std::str::FromStr>(map: &ParamsMap, name: &str) -> Option<T> {
    map.get(name).and_then(|v| v.parse().ok())
}

/// The search of an address's query string.
fn query_of(map: &ParamsMap) -> SearchQuery {
    SearchQuery {
        q: map.get("q").filter(|q| !q.trim().is_empty()),
        kind: parsed(map, "kind"),
        status: parsed(map, "status"),
        priority: parsed(map, "priority"),
        confidentiality: parsed(map, "confidentiality"),
        unit_id: parsed(map, "unit_id"),
        subtree: parsed(map, "subtree"),
        holder_id: parsed(map, "holder_id"),
        entity_id: parsed(map, "entity_id"),
        registered_from: map.get("registered_from").filter(|v| !v.is_empty()),
        registered_to: map.get("registered_to").filter(|v| !v.is_empty()),
        overdue: parsed(map, "overdue"),
        has_documents: parsed(map, "has_documents"),
        sort: parsed(map, "sort"),
        limit: Some(25),
        cursor: None,
    }
}

/// The address of a search.
pub fn search_href(query: &SearchQuery) -> String {
    let query = SearchQuery { limit: None, cursor: None, ..query.clone() };
    format!("/search?{}", api::search_query_string(&query))
}

/// Whether the words are a registration number with its year (`1448/123`, `KHB-1448/000123`): its transaction opens
/// at once. A sequence alone (`000123`) may be any year's, so its results are listed.
fn names_one_number(q: &str) -> bool {
    let folded = shared_types::text::fold(q.trim());
    folded.contains('/') && folded.chars().all(|c| c.is_alphanumeric() || c == '/' || c == '-')
}

fn label(i18n: I18n, prefix: &str, wire: &str) -> String {
    i18n.t(&format!("{prefix}-{}", wire.replace('_', "-")))
}

/// A facet as its values' wire forms and counts: one (non-generic) component draws all four.
fn counts<T: WireEnum>(facet: Vec<FacetCount<T>>) -> Vec<(&'static str, i64)> {
    facet.into_iter().map(|c| (c.value.as_str(), c.count)).collect()
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_of));
    let summary: RwSignal<Option<(i64, SearchFacets)>> = RwSignal::new(None);
    let go = {
        let navigate = navigate.clone();
        move |q: SearchQuery| navigate(&search_href(&q), NavigateOptions::default())
    };
    let list = PagedList::new(move |cursor: Option<String>| {
        let asked = query.get_untracked();
        let q = SearchQuery { cursor, ..asked.clone() };
        let navigate = navigate.clone();
        async move {
            let results = api::search(&q).await?;
            if query.get_untracked() == asked {
                if q.cursor.is_none()
                    && asked.q.as_deref().is_some_and(names_one_number)
                    && let Some(first) = results.items.first().filter(|h| h.number_match)
                {
                    let replace = NavigateOptions { replace: true, ..Default::default() };
                    navigate(&format!("/transactions/{}", first.transaction.id), replace);
                }
                summary.set(Some((results.total, results.facets)));
            }
            Ok(Page { items: results.items, next_cursor: results.next_cursor })
        }
    });
    Effect::new(move |_| {
        query.track();
        list.reload();
    });
    let words = RwSignal::new(query.get_untracked().q.unwrap_or_default());
    Effect::new(move |_| words.set(query.get().q.unwrap_or_default()));
    let submit = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = words.get_untracked();
            go(SearchQuery { q: (!text.trim().is_empty()).then_some(text), ..query.get_untracked() });
        }
    };
    let go_filters = Callback::new(move |q: SearchQuery| go(q));
    view! {
        <h1>{i18n.tr("search-title")}</h1>
        <form class="search-form" role="search" on:submit=submit>
            <label class="search-words">{i18n.tr("search-words")}
                <input type="search" id="search-q" prop:value=move || words.get()
                    on:input=move |ev| words.set(event_target_value(&ev)) />
            </label>
            <button type="submit" id="search-submit">{i18n.tr("search-go")}</button>
        </form>
        <div class="search-layout">
            <SearchFilters query=query summary=summary go=go_filters />
            <section class="search-results" aria-live="polite" aria-busy=move || list.loading.get().to_string()>
                <p class="search-total" id="search-total">{move || summary.get().map(|(total, _)| {
                    i18n.ta("search-total", &[("n", total.into()), ("shown", i18n.number(total).into())])
                })}</p>
                <ProblemMessage error=list.error() retry=Callback::new(move |_| list.reload()) />
                <ol class="hits" id="search-hits">
                    {move || list.items.get().into_iter().map(|hit| view! { <HitItem hit=hit /> }).collect_view()}
                </ol>
                <Show when=move || list.is_empty()>
                    <p class="empty">{i18n.tr("search-empty")}</p>
                </Show>
                <MoreButton list=list id="search-more" />
            </section>
        </div>
    }
}

/// One hit: number, subject, sender, date, badges, and where the words were found.
#[component]
fn HitItem(hit: SearchHit) -> impl IntoView {
    let i18n = use_i18n();
    let t = hit.transaction;
    let entity = hit.entity;
    let registered = hit.registered_at;
    let snippet = hit.snippet;
    view! {
        <li class="hit" class:number-match=hit.number_match>
            <A href=format!("/transactions/{}", t.id)>
                <span class="number" dir="ltr">{t.registration_number.clone().unwrap_or_default()}</span>
                " " <span class="subject">{t.subject.clone()}</span>
            </A>
            " " <PriorityBadge priority=t.priority /> " " <ConfidentialityBadge confidentiality=t.confidentiality />
            <div class="hit-meta">
                <span>{move || label(i18n, "transaction-kind", t.kind.as_str())}</span>
                " · " <span>{move || label(i18n, "status", t.status.as_str())}</span>
                {entity.map(|e| view! { " · " <bdi>{move || if i18n.lang.get() == Lang::Ar { e.name_ar.clone() } else { e.name_en.clone() }}</bdi> })}
                {registered.map(|at| view! { " · " <span>{move || i18n.date(&at)}</span> })}
            </div>
            {snippet.map(|s| {
                let title = s.document_title.clone();
                let source = s.source;
                view! {
                    <p class="snippet">
                        <span class="snippet-source">{move || {
                            let from = label(i18n, "snippet-from", source.as_str());
                            match &title { Some(t) => format!("{from} «{t}»: "), None => format!("{from}: ") }
                        }}</span>
                        {s.parts.into_iter().map(|SnippetPart { text, hit }| {
                            if hit { view! { <mark>{text}</mark> }.into_any() } else { text.into_any() }
                        }).collect_view()}
                    </p>
                }
            })}
        </li>
    }
}

/// The filters, each value with how many hits it has (the facets), and the dates and order.
#[component]
fn SearchFilters(
    query: Memo<SearchQuery>,
    summary: RwSignal<Option<(i64, SearchFacets)>>,
    go: Callback<SearchQuery>,
) -> impl IntoView {
    let i18n = use_i18n();
    let facets = move || summary.get().map(|(_, f)| f).unwrap_or_default();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    Effect::new(move |_| {
        let q = query.get();
        from.set(q.registered_from.unwrap_or_default());
        to.set(q.registered_to.unwrap_or_default());
    });
    let dates = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (f, t) = (from.get_untracked(), to.get_untracked());
        let q = query.get_untracked();
        go.run(SearchQuery {
            registered_from: (!f.trim().is_empty()).then_some(f),
            registered_to: (!t.trim().is_empty()).then_some(t),
            ..q
        });
    };
    view! {
        <aside class="search-filters" aria-label=move || i18n.t("search-filters")>
            <FacetGroup title="search-facet-kind" prefix="transaction-kind" values=Signal::derive(move || counts(facets().kind))
                chosen=Signal::derive(move || query.get().kind.map(|v| v.as_str()))
                pick=Callback::new(move |v: Option<&'static str>| go.run(SearchQuery { kind: v.and_then(|v| v.parse().ok()), ..query.get_untracked() })) />
            <FacetGroup title="search-facet-status" prefix="status" values=Signal::derive(move || counts(facets().status))
                chosen=Signal::derive(move || query.get().status.map(|v| v.as_str()))
                pick=Callback::new(move |v: Option<&'static str>| go.run(SearchQuery { status: v.and_then(|v| v.parse().ok()), ..query.get_untracked() })) />
            <FacetGroup title="search-facet-priority" prefix="priority" values=Signal::derive(move || counts(facets().priority))
                chosen=Signal::derive(move || query.get().priority.map(|v| v.as_str()))
                pick=Callback::new(move |v: Option<&'static str>| go.run(SearchQuery { priority: v.and_then(|v| v.parse().ok()), ..query.get_untracked() })) />
            <FacetGroup title="search-facet-confidentiality" prefix="confidentiality" values=Signal::derive(move || counts(facets().confidentiality))
                chosen=Signal::derive(move || query.get().confidentiality.map(|v| v.as_str()))
                pick=Callback::new(move |v: Option<&'static str>| go.run(SearchQuery { confidentiality: v.and_then(|v| v.parse().ok()), ..query.get_untracked() })) />
            <form class="search-dates" on:submit=dates>
                <label>{i18n.tr("search-from")}
                    <input id="search-from" dir="ltr" inputmode="numeric" placeholder=move || i18n.t("search-date-hint")
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>{i18n.tr("search-to")}
                    <input id="search-to" dir="ltr" inputmode="numeric" placeholder=move || i18n.t("search-date-hint")
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="secondary" id="search-dates">{i18n.tr("search-apply")}</button>
            </form>
            <label>{i18n.tr("sort")}
                <select id="search-sort" on:change=move |ev| {
                    let sort = event_target_value(&ev).parse::<SearchSort>().ok();
                    go.run(SearchQuery { sort, ..query.get_untracked() });
                }>
                    {SearchSort::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || query.get().sort == Some(s)>
                            {move || label(i18n, "search-sort", s.as_str())}</option> }
                    }).collect_view()}
                </select>
            </label>
        </aside>
    }
}

/// One facet: a button per value with its count; pressing the chosen one again lifts the filter.
#[component]
fn FacetGroup(
    title: &'static str,
    prefix: &'static str,
    values: Signal<Vec<(&'static str, i64)>>,
    chosen: Signal<Option<&'static str>>,
    pick: Callback<Option<&'static str>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="facet" id=format!("facet-{}", prefix)>
            <legend>{i18n.tr(title)}</legend>
            {move || values.get().into_iter().map(|(value, count)| {
                let on = move || chosen.get() == Some(value);
                view! {
                    <button type="button" class="facet-value" aria-pressed=move || on().to_string() data-value=value
                        on:click=move |_| pick.run(if on() { None } else { Some(value) })>
                        {move || label(i18n, prefix, value)} " " <span class="count">{move || i18n.number(count)}</span>
                    </button>
                }
            }).collect_view()}
        </fieldset>
    }
}
