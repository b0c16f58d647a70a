//! The shapes of a page that reads from the server: [`RecordPage`] for one record at its address
//! (loading, not found, a problem, or the record with what its page may change), and [`Loaded`]
//! for anything read once (loading, a problem, empty, or the answer).

use std::future::Future;

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use tonic::Code;

use crate::{
    api::ApiError,
    components::{ErrorSummary, Loading, NotificationBanner, set_title},
    pages::not_found::NotFound,
};

/// What a record page hands its view besides the record: the banner of the last change, and the
/// means to show a change or read the record again.
pub(crate) struct Record<T: 'static> {
    /// What the last change did, shown as a success banner.
    pub(crate) notice: RwSignal<Option<String>>,
    /// Shows the record the server returned after a change, with a sentence saying what happened.
    pub(crate) on_change: Callback<(T, String)>,
    /// Reads the record again (after someone else changed it meanwhile).
    pub(crate) reload: Callback<()>,
}

impl<T: 'static> Clone for Record<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Record<T> {}

impl<T: 'static> Record<T> {
    /// What a form does with the changed record: show it, with `text` in the banner.
    pub(crate) fn changed(self, text: impl Into<String>) -> impl FnOnce(T) {
        let text = text.into();
        move |updated| self.on_change.run((updated, text))
    }
}

/// The record at this page's address (its `:id`): "Loading …" while it is read, "Page not found"
/// for one that is missing or hidden from the person (the same page for both), the problem with
/// a way back, or `show` with the record. After any change the page shows the record the server
/// returned, with a success banner.
#[component]
pub(crate) fn RecordPage<T, L, Fut, S, V>(
    /// The record's kind as a heading, e.g. "Letter".
    title: &'static str,
    /// What is loading, e.g. "the letter".
    what: &'static str,
    /// Where to go back to when the record cannot be read, and the link's words.
    #[prop(optional)]
    back: Option<(&'static str, &'static str)>,
    /// Reads the record with this id.
    load: L,
    /// The page for the record.
    show: S,
) -> impl IntoView
where
    T: Clone + 'static,
    L: Fn(String) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
    S: Fn(T, Record<T>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let record = LocalResource::new(move || load(params.read().get("id").unwrap_or_default()));
    let notice = RwSignal::new(None::<String>);
    let on_change = Callback::new(move |(updated, text): (T, String)| {
        notice.set(Some(text));
        record.set(Some(Ok(updated)));
    });
    let reload = Callback::new(move |()| {
        notice.set(None);
        record.refetch();
    });
    let handle = Record { notice, on_change, reload };
    move || match record.get() {
        None => {
            set_title(title);
            view! { <Loading what /> }.into_any()
        }
        Some(Err(error)) if error.code == Code::NotFound => view! { <NotFound /> }.into_any(),
        Some(Err(error)) => {
            set_title("Sorry, there is a problem");
            let back = back.map(|(href, words)| {
                view! { <p class="govuk-body"><A href=href attr:class="govuk-link">{words}</A></p> }
            });
            view! {
                <ErrorSummary error />
                <h1 class="govuk-heading-l">{title}</h1>
                {back}
            }
            .into_any()
        }
        Some(Ok(value)) => view! {
            {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
            {show(value, handle)}
        }
        .into_any(),
    }
}

/// The paragraph shown for an empty answer: `text`, marked with `testid`.
pub(crate) fn nothing(testid: &'static str, text: &'static str) -> ViewFn {
    ViewFn::from(move || view! { <p class="govuk-body" data-testid=testid>{text}</p> })
}

/// Something read once: "Loading …", the problem, `empty` when `is_empty` says the answer holds
/// nothing, or `show` with the answer.
#[component]
pub(crate) fn Loaded<T, S, V>(
    resource: LocalResource<Result<T, ApiError>>,
    /// What is loading, e.g. "your letters".
    what: &'static str,
    /// The page for an answer.
    show: S,
    /// Whether an answer holds nothing to show.
    #[prop(optional)]
    is_empty: Option<fn(&T) -> bool>,
    /// What to show instead of an empty answer (see [`nothing`]).
    #[prop(optional, into)]
    empty: Option<ViewFn>,
) -> impl IntoView
where
    T: Clone + 'static,
    S: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <Loading what /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(answer)) => match (&empty, is_empty) {
            (Some(empty), Some(is_empty)) if is_empty(&answer) => empty.run(),
            _ => show(answer).into_any(),
        },
    }
}
