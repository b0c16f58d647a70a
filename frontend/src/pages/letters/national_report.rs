//! The anonymised national report (`/national-report`, national planners).

use leptos::prelude::*;

use crate::{
    api::{self, ApiError},
    components::{Form, FormError, FormState, SubmitButton, TextInput, form_action, set_title, settle},
};

/// The file name of the national report.
const NATIONAL_REPORT_TXT: &str = "send-planner-national-report.txt";

/// The academic year typed (empty for the server's current one), or the field's problem.
fn academic_year(typed: &str) -> Result<i32, ApiError> {
    match typed.trim() {
        "" => Ok(0),
        year => {
            year.parse::<i32>().map_err(|_| ApiError::invalid("academic_year", "Enter a year, like 2026"))
        }
    }
}

/// The findings of issued interim-visit letters, anonymised, shown and offered as a text file.
#[component]
pub(crate) fn NationalReportPage() -> impl IntoView {
    set_title("National report");
    let form = FormState::new(&[("academic_year", "report-year", "The academic year")]);
    let year = RwSignal::new(String::new());
    let text = RwSignal::new(None::<String>);
    let produce = form_action(move || {
        let typed = year.get_untracked();
        async move {
            let call = async move { api::export_national_report(academic_year(&typed)?).await };
            settle(form, call, |report| text.set(Some(report))).await;
        }
    });
    let report = move || {
        text.get().map(|report| {
            let saved = report.clone();
            view! {
                <h2 class="govuk-heading-m">"The report"</h2>
                <pre class="govuk-body app-report" data-testid="national-report">{report}</pre>
                <button
                    type="button"
                    class="govuk-button govuk-button--secondary"
                    data-testid="download-report"
                    on:click=move |_| {
                        if let Err(e) = api::save_text(&saved, NATIONAL_REPORT_TXT) {
                            form.fail(e);
                        }
                    }
                >
                    "Download the report as a text file"
                </button>
            }
        })
    };
    view! {
        <FormError form reload=None />
        <h1 class="govuk-heading-l" data-testid="national-report-title">"National report"</h1>
        <p class="govuk-body">
            "The findings of issued interim-visit letters, with no local area named unless it agreed, and no person named."
        </p>
        <Form submit=produce>
            <TextInput
                id="report-year"
                label="Academic year (optional)"
                hint="The year it starts, for example 2026 for 2026/27. Leave empty for the current year."
                width="govuk-input--width-4"
                inputmode="numeric"
                value=year
                form
            />
            <SubmitButton submit=produce testid="produce-report" label="Produce the national report" />
        </Form>
        {report}
    }
}
