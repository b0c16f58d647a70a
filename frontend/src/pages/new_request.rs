//! Asking a local area for an interim visit (national planners; regional leads for their own
//! region).

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use proto::pb::{CreateVisitRequestRequest, DateRange, Phase, Role, Term};

use crate::{
    api,
    components::{
        AreaSelect, DateInput, DateValue, Form, FormError, FormState, Radios, RegionSelect, SubmitButton,
        TextArea, TextInput, form_action, set_title, settle,
    },
    format::{academic_year_label, current_academic_year, term_label},
    session::use_session,
};

/// The terms offered: (term, id suffix, months).
const TERMS: [(Term, &str, &str); 3] = [
    (Term::Autumn, "autumn", "September to December"),
    (Term::Spring, "spring", "January to Easter"),
    (Term::Summer, "summer", "Easter to July"),
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
    let fields = NewRequest::new(
        person.map(|p| if is_planner { String::new() } else { p.region_code }).unwrap_or_default(),
    );
    let form = FormState::new(&[
        ("region_code", "region", "The region"),
        ("local_area_code", "local-area", "The local area"),
        ("phase.term", "term", "The term"),
        ("phase.academic_year", "academic-year", "The academic year"),
        ("phase", "term", "The phase"),
        ("window", "window-first-day", "The proposed window"),
        ("window.first_day", "window-first-day", "The first day of the window"),
        ("window.last_day", "window-last-day", "The last day of the window"),
        ("reply_by", "reply-by", "The reply-by date"),
        ("note", "note", "The note"),
    ]);
    let navigate = use_navigate();
    let create = form_action(move || {
        let navigate = navigate.clone();
        settle(form, api::create_visit_request(fields.request()), move |created| {
            navigate(&format!("/requests/{}", created.id), Default::default());
        })
    });
    let terms = TERMS
        .into_iter()
        .map(|(term, suffix, months)| {
            (term, format!("term-{suffix}"), term_label(term).to_owned(), Some(months.to_owned()))
        })
        .collect::<Vec<_>>();
    let year = current_academic_year();
    let year_hint = format!("The year the academic year starts: {year} for {}", academic_year_label(year));
    view! {
        <A href="/requests" attr:class="govuk-back-link">"Back to visit requests"</A>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <FormError form reload=None />
                <h1 class="govuk-heading-l">"Request an interim visit"</h1>
                <p class="govuk-body">
                    "The local area is asked to consent in writing, or to decline, by the reply-by date. The request and its answer are confidential to national planners, the region's lead and the local area."
                </p>
                <Form submit=create testid="new-request-form">
                    {is_planner.then(|| view! { <RegionSelect region_code=fields.region_code local_area_code=fields.local_area_code form /> })}
                    <AreaSelect region_code=fields.region_code local_area_code=fields.local_area_code form />
                    <Radios legend="Term" name="term" options=terms value=fields.term form />
                    <TextInput
                        id="academic-year"
                        label="Academic year"
                        value=fields.academic_year
                        hint=year_hint
                        width="govuk-input--width-4"
                        inputmode="numeric"
                        form
                    />
                    <DateInput id="window-first-day" legend="First day of the proposed window" value=fields.first_day form />
                    <DateInput id="window-last-day" legend="Last day of the proposed window" value=fields.last_day form />
                    <DateInput
                        id="reply-by"
                        legend="Reply by"
                        hint="The local area is asked to answer by this date, before the window opens. For example, 27 3 2027"
                        value=fields.reply_by
                        form
                    />
                    <TextArea
                        id="note"
                        label="Note to the local area (optional)"
                        hint="At most 2,000 characters"
                        value=fields.note
                        form
                    />
                    <SubmitButton submit=create testid="send-request" label="Send the request" />
                </Form>
            </div>
        </div>
    }
}
