//! "Letters": the person's inbox, and the table of letters it shares with an engagement's page.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::Letter;

use super::{LetterStateTag, when};
use crate::{
    api,
    components::{Loaded, Table, Tag, columns, nothing, set_title},
};

/// A table of letters linking to each. In the inbox, each row says whether the person has
/// opened it; otherwise it shows the letter's state.
#[component]
pub(super) fn LetterList(letters: Vec<Letter>, inbox: bool) -> impl IntoView {
    let caption = crate::format::count(letters.len(), "letter", "letters");
    let rows = letters
        .into_iter()
        .map(|letter| {
            let status = if inbox {
                let (label, class) = if letter.first_opened_at.is_empty() {
                    ("Unread", "govuk-tag govuk-tag--blue")
                } else {
                    ("Read", "govuk-tag govuk-tag--grey")
                };
                view! { <Tag class label testid="read-state" /> }.into_any()
            } else {
                view! { <LetterStateTag state=letter.state() /> }.into_any()
            };
            view! {
                <tr class="govuk-table__row" data-letter=letter.id.clone()>
                    <th scope="row" class="govuk-table__header">
                        <A href=format!("/letters/{}", letter.id) attr:class="govuk-link">{letter.title.clone()}</A>
                    </th>
                    <td class="govuk-table__cell">{format!("{}, {}", letter.local_area_name, letter.region_name)}</td>
                    <td class="govuk-table__cell">{when(&letter.issued_at)}</td>
                    <td class="govuk-table__cell">{status}</td>
                </tr>
            }
        })
        .collect_view();
    let last = if inbox { "Read" } else { "State" };
    view! {
        <Table testid="letters" caption columns=columns(&["Title", "Local area", "Date issued", last])>
            {rows}
        </Table>
    }
}

/// "Letters": those distributed to the person (recipient bodies, local area users) or issued
/// for their visits (inspectors), newest first, unread or read.
#[component]
pub(crate) fn LettersPage() -> impl IntoView {
    set_title("Letters");
    let letters = LocalResource::new(api::list_inbox);
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Letters"</h1>
        <Loaded
            resource=letters
            what="your letters"
            is_empty=Vec::is_empty
            empty=nothing("no-letters", "No letters have been distributed to you yet.")
            show=|list| view! { <LetterList letters=list inbox=true /> }
        />
    }
}
