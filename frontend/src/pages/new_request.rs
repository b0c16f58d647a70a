//! Asking a local area for an interim visit (national planners; regional leads for their own
//! region).

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use proto::pb::{CreateVisitRequestRequest, DateRange, Phase, Role, Term};

use crate::{
    api::{self, ApiError},
    components::{
        AreaSelect, DateInput, DateValue, ErrorSummary, RegionSelect, TextArea, TextInput, set_title,
    },
    format::{academic_year_label, current_academic_year, term_label},
    session::use_session,
};

/// The terms offered: (term, id suffix, months).
const TERMS: [(Term, &str, &str); 3] = [
    (Term::Autumn, "autumn", "September to December"),
    (Term::Winter, "winter", "January to March"),
    (Term::Spring, "spring", "April to July"),
];

/// The form's values.
#[derive(Debug, Clone, Copy)]
struct NewRequest {
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
    term: RwSignal<Term>,
    academic_year: RwSignal<String>,
    first_day: DateValue,
    last_day: DateValue,
    reply_by: DateValue,
    note: RwSignal<String>,
}

impl NewRequest {
    fn new(region_code: String) -> Self {
        Self {
            region_code: RwSignal::new(region_code),
            local_area_code: RwSignal::new(String::new()),
            term: RwSignal::new(Term::Unspecified),
            academic_year: RwSignal::new(current_academic_year().to_string()),
            first_day: DateValue::new(),
            last_day: DateValue::new(),
            reply_by: DateValue::new(),
            note: RwSignal::new(String::new()),
        }
    }

    /// The request for the form's values; the server checks every field and names the bad ones.
    fn request(&self) -> CreateVisitRequestRequest {
        CreateVisitRequestRequest {
            local_area_code: self.local_area_code.get_untracked(),
            phase: Some(Phase {
                term: self.term.get_untracked().into(),
                // Not a number: 0, which the server names as a bad academic year.
                academic_year: self.academic_year.get_untracked().trim().parse().unwrap_or_default(),
            }),
            window: Some(DateRange { first_day: self.first_day.iso(), last_day: self.last_day.iso() }),
            reply_by: self.reply_by.iso(),
            note: self.note.get_untracked().trim().to_owned(),
        }
    }
}

/// The "Request an interim visit" form. On success it opens the new request.
#[component]
pub(crate) fn NewRequestPage() -> impl IntoView {
    set_title("Request an interim visit");
    let session = use_session();
    let person = session.person();
    let is_planner = person.as_ref().is_some_and(|p| p.role() == Role::NationalPlanner);
    // A regional lead asks only in their own region.
    let form = NewRequest::new(
        person.map(|p| if is_planner { String::new() } else { p.region_code }).unwrap_or_default(),
    );
    let navigate = use_navigate();
    let create = Action::new_local(move |request: &CreateVisitRequestRequest| {
        let request = request.clone();
        let navigate = navigate.clone();
        async move {
            let created = api::create_visit_request(request).await?;
            navigate(&format!("/requests/{}", created.id), Default::default());
            Ok::<(), ApiError>(())
        }
    });
    let error = move || create.value().get().and_then(Result::err);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch(form.request());
    };
    let year = current_academic_year();
    let year_hint = format!("The year the academic year starts: {year} for {}", academic_year_label(year));
    view! {
        <A href="/requests" attr:class="govuk-back-link">"Back to visit requests"</A>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                {move || error().map(|error| view! { <ErrorSummary error /> })}
                <h1 class="govuk-heading-l">"Request an interim visit"</h1>
                <p class="govuk-body">
                    "The local area is asked to consent in writing, or to decline, by the reply-by date. The request and its answer are confidential to national planners, the region's lead and the local area."
                </p>
                <form novalidate on:submit=on_submit data-testid="new-request-form">
                    {is_planner.then(|| view! { <RegionSelect region_code=form.region_code local_area_code=form.local_area_code /> })}
                    <AreaSelect region_code=form.region_code local_area_code=form.local_area_code />
                    <div class="govuk-form-group">
                        <fieldset class="govuk-fieldset">
                            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Term"</legend>
                            <div class="govuk-radios govuk-radios--small">
                                {TERMS
                                    .into_iter()
                                    .map(|(term, suffix, months)| {
                                        let id = format!("term-{suffix}");
                                        let hint_id = format!("{id}-hint");
                                        view! {
                                            <div class="govuk-radios__item">
                                                <input
                                                    class="govuk-radios__input"
                                                    id=id.clone()
                                                    name="term"
                                                    type="radio"
                                                    value=suffix
                                                    aria-describedby=hint_id.clone()
                                                    prop:checked=move || form.term.get() == term
                                                    on:change=move |_| form.term.set(term)
                                                />
                                                <label class="govuk-label govuk-radios__label" for=id>
                                                    {term_label(term)}
                                                </label>
                                                <div class="govuk-hint govuk-radios__hint" id=hint_id>{months}</div>
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        </fieldset>
                    </div>
                    <TextInput
                        id="academic-year"
                        label="Academic year"
                        value=form.academic_year
                        hint=year_hint
                        width="govuk-input--width-4"
                        inputmode="numeric"
                    />
                    <DateInput id="window-first-day" legend="First day of the proposed window" value=form.first_day />
                    <DateInput id="window-last-day" legend="Last day of the proposed window" value=form.last_day />
                    <DateInput
                        id="reply-by"
                        legend="Reply by"
                        hint="The local area is asked to answer by this date, before the window opens. For example, 27 3 2027"
                        value=form.reply_by
                    />
                    <TextArea
                        id="note"
                        label="Note to the local area (optional)"
                        hint="At most 2,000 characters"
                        value=form.note
                    />
                    <button type="submit" class="govuk-button" data-testid="send-request" disabled=create.pending()>
                        "Send the request"
                    </button>
                </form>
            </div>
        </div>
    }
}
