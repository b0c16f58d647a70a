//! Scheduling an engagement with a local area (national planners; regional leads in their own
//! region): the area, the kind, the onsite days and a note. The server computes the notice and
//! the timeline, shown on the engagement's page.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use proto::pb::{DateRange, EngagementKind, Role, ScheduleEngagementRequest};

use crate::{
    api,
    components::{
        AreaSelect, DateInput, DateValue, Form, FormError, FormState, Radios, RegionSelect, SubmitButton,
        TextArea, form_action, set_title, settle,
    },
    format::{ENGAGEMENT_KINDS, engagement_kind_label, range_label},
    session::use_session,
};

/// What each kind of engagement means for notice and length.
fn kind_hint(kind: EngagementKind) -> &'static str {
    match kind {
        EngagementKind::FullInspection => {
            "2023 framework: the local area is notified on a Monday, 10 working days before the first onsite day"
        }
        EngagementKind::MonitoringInspection => {
            "Follows widespread or systemic failings; notice as for a full inspection"
        }
        EngagementKind::InterimVisit => "2 days onsite, only with the local area's current written consent",
        EngagementKind::EngagementMeeting => "Keeps contact between full inspections",
        EngagementKind::ThematicVisit => "One national theme, for example preparation for adulthood",
        EngagementKind::LegacyInspection => "2016 framework: 5 working days' notice",
        EngagementKind::Unspecified => "",
    }
}

/// The form's values.
#[derive(Debug, Clone, Copy)]
struct NewEngagement {
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
    kind: RwSignal<EngagementKind>,
    first_day: DateValue,
    last_day: DateValue,
    note: RwSignal<String>,
}

impl NewEngagement {
    fn new(region_code: String) -> Self {
        Self {
            region_code: RwSignal::new(region_code),
            local_area_code: RwSignal::new(String::new()),
            kind: RwSignal::new(EngagementKind::Unspecified),
            first_day: DateValue::new(),
            last_day: DateValue::new(),
            note: RwSignal::new(String::new()),
        }
    }

    /// The request for the form's values; the server checks every field and names the bad ones.
    fn request(&self) -> ScheduleEngagementRequest {
        ScheduleEngagementRequest {
            local_area_code: self.local_area_code.get_untracked(),
            kind: self.kind.get_untracked().into(),
            onsite: Some(DateRange { first_day: self.first_day.iso(), last_day: self.last_day.iso() }),
            note: self.note.get_untracked().trim().to_owned(),
        }
    }
}

/// The "Schedule an engagement" form. On success it opens the new engagement.
#[component]
pub(crate) fn NewEngagementPage() -> impl IntoView {
    set_title("Schedule an engagement");
    let session = use_session();
    let query = use_query_map();
    let person = session.person();
    let is_planner = person.as_ref().is_some_and(|p| p.role() == Role::NationalPlanner);
    // A regional lead schedules only in their own region; a planner may arrive with one chosen
    // on the board or a visit request (`?region=`).
    let region = if is_planner {
        query.read_untracked().get("region").unwrap_or_default()
    } else {
        person.map(|p| p.region_code).unwrap_or_default()
    };
    let fields = NewEngagement::new(region);
    // From a visit request with written consent (`?kind=interim-visit&area=E09000007`).
    if let Some(area) = query.read_untracked().get("area") {
        fields.local_area_code.set(area);
    }
    if let Some(kind) = query.read_untracked().get("kind") {
        let chosen = ENGAGEMENT_KINDS.iter().find(|(_, value)| *value == kind).map(|(k, _)| *k);
        fields.kind.set(chosen.unwrap_or(EngagementKind::Unspecified));
    }
    // The consent it comes from: its window and the days the area cannot host a visit.
    let consent = query.read_untracked().get("request").filter(|id| !id.is_empty()).map(|id| {
        let request = LocalResource::new(move || api::get_visit_request(id.clone()));
        move || {
            request.get().and_then(Result::ok).map(|request| {
                let area = request.local_area_name.clone();
                let window = range_label(request.window.as_ref());
                let unavailable: Vec<String> = request
                    .consent
                    .as_ref()
                    .map(|c| c.unavailable.iter().map(|r| range_label(Some(r))).collect())
                    .unwrap_or_default();
                let days = if unavailable.is_empty() {
                    format!("{area} gave no days it cannot host a visit.")
                } else {
                    format!("{area} cannot host a visit on {}.", unavailable.join(", "))
                };
                view! {
                    <div class="govuk-inset-text" data-testid="consented-dates">
                        <p class="govuk-body">{format!("{area} consented in writing to an interim visit within {window}.")}</p>
                        <p class="govuk-body">{days}</p>
                    </div>
                }
            })
        }
    });
    let form = FormState::new(&[
        ("region_code", "region", "The region"),
        ("local_area_code", "local-area", "The local area"),
        ("kind", "kind", "The kind of engagement"),
        ("onsite", "onsite-first-day", "The onsite days"),
        ("onsite.first_day", "onsite-first-day", "The first onsite day"),
        ("onsite.last_day", "onsite-last-day", "The last onsite day"),
        ("note", "note", "The note"),
    ]);
    let navigate = use_navigate();
    let create = form_action(move || {
        let navigate = navigate.clone();
        settle(form, api::schedule_engagement(fields.request()), move |created| {
            navigate(&format!("/engagements/{}", created.id), Default::default());
        })
    });
    let kinds = ENGAGEMENT_KINDS
        .into_iter()
        .map(|(kind, suffix)| {
            (
                kind,
                format!("kind-{suffix}"),
                engagement_kind_label(kind).to_owned(),
                Some(kind_hint(kind).to_owned()),
            )
        })
        .collect();
    view! {
        <A href="/board" attr:class="govuk-back-link">"Back to the programme"</A>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <FormError form reload=None />
                <h1 class="govuk-heading-l">"Schedule an engagement"</h1>
                <p class="govuk-body">
                    "The engagement is proposed until the local area is notified. For inspections, SEND Planner works out the notification date and the three weeks from the first onsite day, in England's working days."
                </p>
                {consent}
                <Form submit=create testid="new-engagement-form">
                    {is_planner.then(|| view! { <RegionSelect region_code=fields.region_code local_area_code=fields.local_area_code form /> })}
                    <AreaSelect region_code=fields.region_code local_area_code=fields.local_area_code form />
                    <Radios legend="Kind of engagement" name="kind" options=kinds value=fields.kind form />
                    <DateInput id="onsite-first-day" legend="First onsite day" value=fields.first_day form />
                    <DateInput id="onsite-last-day" legend="Last onsite day" value=fields.last_day form />
                    <TextArea
                        id="note"
                        label="Note (optional)"
                        hint="For the inspectorates only: the local area never sees it. At most 2,000 characters"
                        value=fields.note
                        form
                    />
                    <SubmitButton submit=create testid="schedule" label="Schedule the engagement" />
                </Form>
            </div>
        </div>
    }
}
