//! What each role's start page lists: what waits for the signed-in person, decided from facts
//! the store loads within their scope. The caller's scope is judged first, again here, so a
//! fact outside it never reaches the page whatever the store handed over; each role then sees
//! only what their part needs:
//!
//! - local area users: their area's visit requests waiting for an answer, with the reply-by
//!   date (overdue ones marked), issued letters addressed to them they have not opened, and
//!   case-study lists the visiting team asked them to add children to;
//! - regional leads: their region's requests waiting for the area's answer and overdue ones,
//!   and their region's inspections whose notice must go out this week;
//! - national planners: letters waiting for approval, overdue replies nationally, inspections
//!   whose notice must go out this week, and safeguarding concerns nobody has acknowledged;
//! - inspectors: letters returned to them (as their writer) with the planner's reason, and
//!   their own teams' inspections whose notice must go out this week.
//!
//! The rules reused: a request's reply-by date ([`RequestState::effective`]: still waiting on
//! the reply-by day, expired after it), a letter's states (a returned letter is a draft that
//! carries the reason it was sent back), who writes a letter ([`TeamFacts::writes`]), and an
//! inspection's notification date ([`timeline`]).
//!
//! [`TeamFacts::writes`]: super::letters::TeamFacts::writes

use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};

use super::{
    Refusal,
    consent::{RequestState, SafeguardingConcern, VisitRequest},
    engagement::EngagementRecord,
    identity::{Person, Scope},
    letters::{LetterFacts, LetterRecord, LetterState},
    programme::{EngagementState, timeline},
};

/// What the start page reads, each list already narrowed by the store to the viewer's scope.
#[derive(Debug, Clone, Default)]
pub struct StartFacts {
    /// The day it is.
    pub today: NaiveDate,
    /// Requests not answered (stored as waiting), as read today.
    pub requests: Vec<VisitRequest>,
    /// Letters that may wait for the viewer: submitted, returned, issued and unread.
    pub letters: Vec<LetterFacts>,
    /// Proposed engagements.
    pub engagements: Vec<EngagementRecord>,
    /// Safeguarding concerns (loaded for national planners only).
    pub concerns: Vec<SafeguardingConcern>,
    /// Case-study lists the team asked the local area to add to (loaded for local areas only).
    pub more_asked: Vec<MoreAskedDue>,
}

/// A case-study list the visiting team asked the local area to add children to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoreAskedDue {
    /// The engagement's public id.
    pub engagement_id: String,
    /// Its kind.
    pub kind: super::programme::EngagementKind,
    /// The local area's code and name.
    pub local_area_code: String,
    /// The local area's name.
    pub local_area_name: String,
    /// When the team asked (canonical time).
    pub asked_at: String,
}

/// A request waiting for its local area's written answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyDue {
    /// The request.
    pub request: VisitRequest,
    /// Its reply-by date has passed with no answer.
    pub overdue: bool,
}

/// An inspection whose local area must be told this week, or should have been already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDue {
    /// The engagement.
    pub engagement: EngagementRecord,
    /// The day the local area is to be told.
    pub notification: NaiveDate,
    /// That day has passed.
    pub overdue: bool,
}

/// Everything waiting for one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartPage {
    /// Requests waiting for an answer, reply-by date first.
    pub replies: Vec<ReplyDue>,
    /// Issued letters to the viewer they have not opened.
    pub unread_letters: Vec<LetterRecord>,
    /// Letters returned to the viewer, their writer, with the reason.
    pub returned_letters: Vec<LetterRecord>,
    /// Letters waiting for a national planner's approval.
    pub letters_to_approve: Vec<LetterRecord>,
    /// Inspections whose notice is due this week or late, earliest first.
    pub notices: Vec<NoticeDue>,
    /// Safeguarding concerns nobody has acknowledged, newest first.
    pub concerns: Vec<SafeguardingConcern>,
    /// The local area's case-study lists the team asked it to add children to.
    pub more_asked: Vec<MoreAskedDue>,
}

/// The last working day of the week whose notices are due now: this week's Friday on a weekday,
/// the coming week's on a Saturday or Sunday (the notice goes out on the Monday).
pub fn end_of_notice_week(today: NaiveDate) -> NaiveDate {
    let days = match today.weekday() {
        Weekday::Sat => 6,
        Weekday::Sun => 5,
        day => 4 - i64::from(day.num_days_from_monday()),
    };
    today + TimeDelta::days(days)
}

/// Whether a request still waiting past its reply-by date needs attention: until its proposed
/// window has ended (after that the visit it asked about cannot happen).
fn still_relevant(request: &VisitRequest, today: NaiveDate) -> bool {
    request.window.last >= today
}

/// What waits for `viewer`, from `facts`.
pub fn start_page(viewer: &Person, facts: StartFacts) -> StartPage {
    let today = facts.today;
    // Scope first: what the viewer may see at all.
    let in_scope = |area: &str, region: &str| match &viewer.scope {
        Scope::England => true,
        Scope::Region(code) => code == region,
        Scope::LocalArea(code) => code == area,
        Scope::Inspector { .. } | Scope::Body(_) | Scope::Accounts => false,
    };
    let mut page = StartPage::default();

    let (waiting, overdue) = match viewer.scope {
        Scope::LocalArea(_) | Scope::Region(_) => (true, true),
        Scope::England => (false, true),
        _ => (false, false),
    };
    page.replies = facts
        .requests
        .into_iter()
        .filter(|r| in_scope(&r.local_area_code, &r.region_code))
        .filter_map(|request| {
            let state = RequestState::effective(request.state, request.reply_by, today);
            let late = match state {
                RequestState::Requested => false,
                RequestState::Expired if still_relevant(&request, today) => true,
                _ => return None,
            };
            ((late && overdue) || (!late && waiting)).then_some(ReplyDue { request, overdue: late })
        })
        .collect();
    page.replies.sort_by(|a, b| {
        (a.request.reply_by, &a.request.local_area_name)
            .cmp(&(b.request.reply_by, &b.request.local_area_name))
    });

    for f in facts.letters {
        let letter = f.letter;
        match (&viewer.scope, letter.state) {
            (Scope::England, LetterState::Submitted) => page.letters_to_approve.push(letter),
            (Scope::Inspector { .. }, LetterState::Draft)
                if !letter.returned_reason.is_empty() && f.team.writes() =>
            {
                page.returned_letters.push(letter);
            }
            (Scope::LocalArea(area), LetterState::Issued)
                if letter.first_opened_at.is_none()
                    && &letter.local_area_code == area
                    && letter.current_recipients().any(|r| r == "local_area") =>
            {
                page.unread_letters.push(letter);
            }
            _ => {}
        }
    }

    let last_day = end_of_notice_week(today);
    page.notices = facts
        .engagements
        .into_iter()
        .filter(|e| match &viewer.scope {
            Scope::England | Scope::Region(_) => in_scope(&e.local_area_code, &e.region_code),
            Scope::Inspector { .. } => e.team.iter().any(|m| m.person_id == Some(viewer.id)),
            _ => false,
        })
        .filter(|e| e.state == EngagementState::Proposed)
        .filter_map(|engagement| {
            let notification = timeline(engagement.kind, engagement.onsite.first)?.notification;
            (notification <= last_day).then_some(NoticeDue {
                engagement,
                notification,
                overdue: notification < today,
            })
        })
        .collect();
    page.notices.sort_by(|a, b| {
        (a.notification, &a.engagement.local_area_name).cmp(&(b.notification, &b.engagement.local_area_name))
    });

    page.more_asked = facts
        .more_asked
        .into_iter()
        .filter(|m| matches!(&viewer.scope, Scope::LocalArea(code) if code == &m.local_area_code))
        .collect();

    if viewer.scope == Scope::England {
        page.concerns = facts.concerns.into_iter().filter(|c| c.acknowledged.is_none()).collect();
    }
    page
}

/// What acknowledging a safeguarding concern writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledgement {
    /// Record the caller and the time.
    Record,
    /// Someone already has: nothing changes (acknowledging is idempotent).
    AlreadyDone,
}

/// Whether `actor` may acknowledge a concern, acknowledged already or not: national planners
/// only; to anyone else the concern is not there.
pub fn acknowledge(actor: &Person, already: bool) -> Result<Acknowledgement, Refusal> {
    match (&actor.scope, already) {
        (Scope::England, false) => Ok(Acknowledgement::Record),
        (Scope::England, true) => Ok(Acknowledgement::AlreadyDone),
        _ => Err(Refusal::NotFound("safeguarding concern")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::domain::{
        consent::{DateRange, Term},
        engagement::MemberRecord,
        identity::Inspectorate,
        letters::TeamFacts,
        programme::{EngagementKind, TeamRole},
    };

    const CAMDEN: &str = "E09000007";
    const INNER_LONDON: &str = "E13000001";
    const LEEDS: &str = "E08000035";
    const YORKSHIRE: &str = "E12000003";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn person(id: i64, scope: Scope) -> Person {
        Person {
            id,
            username: format!("p{id}"),
            display_name: format!("P {id}"),
            scope,
            scope_label: String::new(),
        }
    }

    fn planner() -> Person {
        person(1, Scope::England)
    }

    fn lead(region: &str) -> Person {
        person(2, Scope::Region(region.into()))
    }

    fn area(code: &str) -> Person {
        person(3, Scope::LocalArea(code.into()))
    }

    fn inspector(id: i64) -> Person {
        let scope = Scope::Inspector {
            inspectorate: Inspectorate::Ofsted,
            social_care: false,
            home_region: INNER_LONDON.into(),
        };
        person(id, scope)
    }

    /// A waiting request to `area` in `region`, answer by `reply_by`, window in March 2027.
    fn request(area: &str, region: &str, reply_by: &str) -> VisitRequest {
        VisitRequest {
            id: format!("request-{area}-{reply_by}"),
            local_area_code: area.into(),
            local_area_name: format!("Area {area}"),
            region_code: region.into(),
            region_name: format!("Region {region}"),
            term: Term::Spring,
            academic_year: 2026,
            window: DateRange { first: d("2027-03-01"), last: d("2027-03-26") },
            reply_by: d(reply_by),
            note: String::new(),
            state: RequestState::Requested,
            version: 1,
            safeguarding_concern: false,
            created_at: String::new(),
            consent: None,
            history: Vec::new(),
        }
    }

    fn facts(today: &str) -> StartFacts {
        StartFacts { today: d(today), ..StartFacts::default() }
    }

    fn letter(state: LetterState, returned_reason: &str, writer: Option<TeamRole>) -> LetterFacts {
        let now: DateTime<Utc> = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        LetterFacts {
            letter: LetterRecord {
                id: 1,
                public_id: format!("letter-{}", state.as_str()),
                engagement_id: 1,
                engagement_public_id: "engagement".into(),
                engagement_kind: EngagementKind::InterimVisit,
                local_area_code: CAMDEN.into(),
                local_area_name: "Camden".into(),
                region_name: "Inner London".into(),
                area_kind: String::new(),
                title: "Interim visit to Camden".into(),
                body: String::new(),
                state,
                version: 1,
                distribution: vec![("local_area".into(), None), ("dfe".into(), None)],
                publish_at: None,
                published: false,
                named: false,
                supersedes_id: None,
                superseded_by_id: None,
                issued_at: None,
                first_opened_at: None,
                returned_reason: returned_reason.into(),
            },
            team: TeamFacts { caller_role: writer, has_lead: true },
            onsite_last: d("2027-03-03"),
            now,
            references: Vec::new(),
        }
    }

    /// A proposed full inspection of `area` in `region` onsite from `onsite_first`, with
    /// inspector person 10 on its team.
    fn inspection(area: &str, region: &str, onsite_first: &str) -> EngagementRecord {
        EngagementRecord {
            id: 1,
            public_id: format!("engagement-{area}-{onsite_first}"),
            local_area_code: area.into(),
            local_area_name: format!("Area {area}"),
            region_code: region.into(),
            region_name: format!("Region {region}"),
            kind: EngagementKind::FullInspection,
            state: EngagementState::Proposed,
            onsite: DateRange { first: d(onsite_first), last: d(onsite_first) + TimeDelta::days(2) },
            note: String::new(),
            postponed_reason: String::new(),
            outcome: None,
            version: 1,
            team: vec![MemberRecord {
                inspector_id: 5,
                name: "Ira Inspector".into(),
                role: TeamRole::LeadHmi,
                person_id: Some(10),
            }],
        }
    }

    fn concern(id: &str, acknowledged: bool) -> SafeguardingConcern {
        SafeguardingConcern {
            id: id.into(),
            request_id: "request".into(),
            local_area_name: "Camden".into(),
            region_name: "Inner London".into(),
            raised_by: "Someone".into(),
            note: "A child at risk".into(),
            raised_at: "2027-01-10T09:00:00Z".into(),
            acknowledged: acknowledged.then(|| ("Pat Planner".into(), "2027-01-10T10:00:00Z".into())),
        }
    }

    fn replies(page: &StartPage) -> Vec<(&str, bool)> {
        page.replies.iter().map(|r| (r.request.id.as_str(), r.overdue)).collect()
    }

    #[test]
    fn a_request_for_more_case_studies_reaches_only_its_own_local_area() {
        let mut f = facts("2027-01-15");
        f.more_asked = [CAMDEN, LEEDS]
            .map(|code| MoreAskedDue {
                engagement_id: format!("engagement-{code}"),
                kind: EngagementKind::InterimVisit,
                local_area_code: code.into(),
                local_area_name: format!("Area {code}"),
                asked_at: "2027-01-14T10:00:00Z".into(),
            })
            .to_vec();
        let ids = |page: StartPage| page.more_asked.into_iter().map(|m| m.engagement_id).collect::<Vec<_>>();
        assert_eq!(ids(start_page(&area(CAMDEN), f.clone())), ["engagement-E09000007"]);
        for viewer in [planner(), lead(INNER_LONDON), lead(YORKSHIRE), inspector(7)] {
            assert!(ids(start_page(&viewer, f.clone())).is_empty(), "{:?}", viewer.scope);
        }
    }

    #[test]
    fn a_request_is_waiting_on_its_reply_by_day_and_overdue_the_day_after() {
        let mut f = facts("2027-01-15");
        f.requests = vec![
            request(CAMDEN, INNER_LONDON, "2027-01-14"),
            request(CAMDEN, INNER_LONDON, "2027-01-15"),
            request(CAMDEN, INNER_LONDON, "2027-01-16"),
        ];
        let page = start_page(&area(CAMDEN), f);
        assert_eq!(
            replies(&page),
            [
                ("request-E09000007-2027-01-14", true),
                ("request-E09000007-2027-01-15", false),
                ("request-E09000007-2027-01-16", false),
            ]
        );
    }

    #[test]
    fn an_overdue_request_drops_off_once_its_window_has_ended() {
        let mut f = facts("2027-03-27");
        f.requests = vec![request(CAMDEN, INNER_LONDON, "2027-01-14")];
        assert!(start_page(&area(CAMDEN), f.clone()).replies.is_empty());
        f.today = d("2027-03-26");
        assert_eq!(replies(&start_page(&area(CAMDEN), f)), [("request-E09000007-2027-01-14", true)]);
    }

    #[test]
    fn answered_requests_wait_for_nobody() {
        let mut f = facts("2027-01-10");
        for state in [RequestState::Consented, RequestState::Declined, RequestState::Cancelled] {
            f.requests.push(VisitRequest { state, ..request(CAMDEN, INNER_LONDON, "2027-01-15") });
        }
        assert!(start_page(&area(CAMDEN), f.clone()).replies.is_empty());
        assert!(start_page(&lead(INNER_LONDON), f).replies.is_empty());
    }

    #[test]
    fn each_role_sees_only_its_own_scopes_requests() {
        let mut f = facts("2027-01-15");
        f.requests =
            vec![request(CAMDEN, INNER_LONDON, "2027-01-20"), request(LEEDS, YORKSHIRE, "2027-01-10")];
        let ids = |p: &Person| {
            start_page(p, f.clone())
                .replies
                .into_iter()
                .map(|r| r.request.local_area_code)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&area(CAMDEN)), [CAMDEN]);
        assert_eq!(ids(&area(LEEDS)), [LEEDS]);
        assert_eq!(ids(&lead(INNER_LONDON)), [CAMDEN]);
        assert_eq!(ids(&lead(YORKSHIRE)), [LEEDS]);
        assert!(ids(&inspector(10)).is_empty());
        assert!(ids(&person(4, Scope::Accounts)).is_empty());
    }

    #[test]
    fn national_planners_see_only_overdue_replies() {
        let mut f = facts("2027-01-15");
        f.requests =
            vec![request(CAMDEN, INNER_LONDON, "2027-01-20"), request(LEEDS, YORKSHIRE, "2027-01-14")];
        assert_eq!(replies(&start_page(&planner(), f)), [("request-E08000035-2027-01-14", true)]);
    }

    #[test]
    fn letters_wait_for_the_approver_the_writer_and_the_unread_recipient() {
        let mut f = facts("2027-03-10");
        f.letters = vec![
            letter(LetterState::Submitted, "", None),
            letter(LetterState::Draft, "Add the dates of the visit", Some(TeamRole::LeadHmi)),
            letter(LetterState::Issued, "", None),
        ];
        let planner_page = start_page(&planner(), f.clone());
        assert_eq!(planner_page.letters_to_approve.len(), 1);
        assert!(planner_page.returned_letters.is_empty() && planner_page.unread_letters.is_empty());

        let writer = start_page(&inspector(10), f.clone());
        assert_eq!(writer.returned_letters[0].returned_reason, "Add the dates of the visit");
        assert!(writer.letters_to_approve.is_empty() && writer.unread_letters.is_empty());

        let camden = start_page(&area(CAMDEN), f.clone());
        assert_eq!(camden.unread_letters.len(), 1);
        assert!(camden.returned_letters.is_empty() && camden.letters_to_approve.is_empty());
        assert!(start_page(&area(LEEDS), f.clone()).unread_letters.is_empty());
        assert!(start_page(&lead(INNER_LONDON), f).unread_letters.is_empty());
    }

    #[test]
    fn a_returned_letter_waits_only_for_its_writer_and_only_until_resubmitted() {
        let mut f = facts("2027-03-10");
        f.letters = vec![letter(LetterState::Draft, "Add the dates", Some(TeamRole::CqcInspector))];
        assert!(start_page(&inspector(10), f.clone()).returned_letters.is_empty(), "not the writer");
        f.letters = vec![letter(LetterState::Draft, "", Some(TeamRole::LeadHmi))];
        assert!(start_page(&inspector(10), f.clone()).returned_letters.is_empty(), "never returned");
        f.letters = vec![letter(LetterState::Submitted, "Add the dates", Some(TeamRole::LeadHmi))];
        assert!(start_page(&inspector(10), f).returned_letters.is_empty(), "resubmitted");
    }

    #[test]
    fn an_opened_or_revoked_letter_is_not_unread() {
        let mut f = facts("2027-03-10");
        let mut opened = letter(LetterState::Issued, "", None);
        opened.letter.first_opened_at = Some("2027-03-09T10:00:00Z".into());
        let mut revoked = letter(LetterState::Issued, "", None);
        revoked.letter.distribution = vec![("local_area".into(), Some("2027-03-09T10:00:00Z".into()))];
        f.letters = vec![opened, revoked];
        assert!(start_page(&area(CAMDEN), f).unread_letters.is_empty());
    }

    #[test]
    fn the_notice_week_ends_on_friday_and_looks_ahead_at_weekends() {
        assert_eq!(end_of_notice_week(d("2027-01-11")), d("2027-01-15"), "Monday");
        assert_eq!(end_of_notice_week(d("2027-01-15")), d("2027-01-15"), "Friday");
        assert_eq!(end_of_notice_week(d("2027-01-16")), d("2027-01-22"), "Saturday");
        assert_eq!(end_of_notice_week(d("2027-01-17")), d("2027-01-22"), "Sunday");
    }

    /// Notices as (engagement id, notification date, overdue).
    fn notices(viewer: &Person, f: &StartFacts) -> Vec<(String, String, bool)> {
        start_page(viewer, f.clone())
            .notices
            .into_iter()
            .map(|n| (n.engagement.public_id, n.notification.to_string(), n.overdue))
            .collect()
    }

    #[test]
    fn a_notice_due_on_monday_shows_all_week_and_is_late_from_tuesday() {
        // Onsite from Monday 25 January 2027: notify on Monday 11 January (10 working days).
        let mut f = facts("2027-01-11");
        f.engagements = vec![inspection(CAMDEN, INNER_LONDON, "2027-01-25")];
        let due = |late| vec![("engagement-E09000007-2027-01-25".to_owned(), "2027-01-11".to_owned(), late)];
        assert_eq!(notices(&planner(), &f), due(false), "Monday: due today");
        f.today = d("2027-01-15");
        assert_eq!(notices(&planner(), &f), due(true), "Friday: late");
        f.today = d("2027-01-08");
        assert!(notices(&planner(), &f).is_empty(), "the Friday before: next week's");
        f.today = d("2027-01-09");
        assert_eq!(notices(&planner(), &f), due(false), "the Saturday before: the coming week's");
    }

    #[test]
    fn a_notified_postponed_or_unnoticed_engagement_needs_no_notice() {
        let mut f = facts("2027-01-11");
        let proposed = inspection(CAMDEN, INNER_LONDON, "2027-01-25");
        f.engagements = vec![
            EngagementRecord { state: EngagementState::Notified, ..proposed.clone() },
            EngagementRecord { state: EngagementState::Postponed, ..proposed.clone() },
            EngagementRecord { kind: EngagementKind::InterimVisit, ..proposed },
        ];
        assert!(notices(&planner(), &f).is_empty());
    }

    #[test]
    fn notices_reach_the_regions_lead_and_the_team_only() {
        let mut f = facts("2027-01-11");
        f.engagements = vec![inspection(CAMDEN, INNER_LONDON, "2027-01-25")];
        assert_eq!(notices(&lead(INNER_LONDON), &f).len(), 1);
        assert!(notices(&lead(YORKSHIRE), &f).is_empty());
        assert_eq!(notices(&inspector(10), &f).len(), 1, "on the team");
        assert!(notices(&inspector(11), &f).is_empty(), "not on the team");
        assert!(notices(&area(CAMDEN), &f).is_empty(), "local areas are never shown proposals");
    }

    #[test]
    fn open_concerns_reach_national_planners_until_acknowledged() {
        let mut f = facts("2027-01-11");
        f.concerns = vec![concern("open", false), concern("seen", true)];
        let open: Vec<_> = start_page(&planner(), f.clone()).concerns.into_iter().map(|c| c.id).collect();
        assert_eq!(open, ["open"]);
        assert!(start_page(&lead(INNER_LONDON), f.clone()).concerns.is_empty());
        assert!(start_page(&area(CAMDEN), f).concerns.is_empty());
    }

    #[test]
    fn only_national_planners_acknowledge_and_twice_changes_nothing() {
        assert_eq!(acknowledge(&planner(), false), Ok(Acknowledgement::Record));
        assert_eq!(acknowledge(&planner(), true), Ok(Acknowledgement::AlreadyDone));
        assert!(matches!(acknowledge(&lead(INNER_LONDON), false), Err(Refusal::NotFound(_))));
        assert!(matches!(acknowledge(&area(CAMDEN), false), Err(Refusal::NotFound(_))));
    }
}
