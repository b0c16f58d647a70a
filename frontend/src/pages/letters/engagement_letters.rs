//! An engagement's letters, and "Start the letter" for the person the server allows to write it.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use proto::pb::{Engagement, EngagementAction};

use super::{BodyInput, inbox::LetterList};
use crate::{
    api,
    components::{
        ErrorSummary, Form, FormError, FormState, Loaded, SubmitButton, TextInput, form_action, nothing,
        settle,
    },
    letter_text,
};

/// An engagement's letters; while there is none, a form to start it for whoever the server
/// allows (`ENGAGEMENT_ACTION_WRITE_LETTER`: the team's writer).
#[component]
pub(crate) fn EngagementLetters(
    engagement_id: String,
    /// The engagement, when the page has already read it (else it is read here).
    #[prop(optional)]
    engagement: Option<Engagement>,
    /// The letters are the page (the engagement's letter task): the heading is its `h1`.
    #[prop(optional)]
    page: bool,
) -> impl IntoView {
    let letters = LocalResource::new({
        let id = engagement_id.clone();
        move || api::list_letters(id.clone())
    });
    let engagement = LocalResource::new(move || {
        let (id, known) = (engagement_id.clone(), engagement.clone());
        async move {
            match known {
                Some(engagement) => Ok(engagement),
                None => api::get_engagement(id).await,
            }
        }
    });
    let start = ViewFn::from(move || {
        let start = move || match engagement.get() {
            Some(Ok(engagement))
                if engagement.allowed_actions().any(|a| a == EngagementAction::WriteLetter) =>
            {
                Some(view! { <StartLetterForm engagement /> }.into_any())
            }
            Some(Err(error)) => Some(view! { <ErrorSummary error /> }.into_any()),
            _ => None,
        };
        view! {
            {nothing("no-letters", "No letter has been started yet.").run()}
            {start}
        }
    });
    view! {
        <section data-testid="engagement-letters" aria-labelledby="letters-heading">
            {if page {
                view! { <h1 class="govuk-heading-l" id="letters-heading">"Letters"</h1> }.into_any()
            } else {
                view! { <h2 class="govuk-heading-m" id="letters-heading">"Letters"</h2> }.into_any()
            }}
            <Loaded
                resource=letters
                what="the letters"
                is_empty=Vec::is_empty
                empty=start
                show=|list| view! { <LetterList letters=list inbox=false /> }
            />
        </section>
    }
}

/// The writer starts the letter: a title and the text, which begins with the sections the
/// engagement's letter needs (`Engagement.letter_sections`).
#[component]
fn StartLetterForm(engagement: Engagement) -> impl IntoView {
    let form = FormState::new(&[("title", "letter-title", "Title"), ("body", "letter-body", "The letter")]);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(letter_text::template(&engagement.letter_sections));
    let navigate = use_navigate();
    let id = engagement.id;
    let submit = form_action(move || {
        let navigate = navigate.clone();
        let call = api::create_letter(id.clone(), title.get_untracked(), body.get_untracked());
        settle(form, call, move |created| navigate(&format!("/letters/{}", created.id), Default::default()))
    });
    view! {
        <div data-testid="start-letter-form">
            <h3 class="govuk-heading-s">"Start the letter"</h3>
            <FormError form reload=None />
            <Form submit>
                <TextInput id="letter-title" label="Title" hint="For example, Interim visit to Camden" value=title form />
                <BodyInput id="letter-body" label="Letter" value=body headings=engagement.letter_sections form />
                <SubmitButton submit testid="start-letter" label="Start the letter" />
            </Form>
        </div>
    }
}
