//! An engagement's own timetable, from its kind and onsite days (shared/domain.md, "The
//! inspection's timetable"): the day the area is told, the information request and case
//! selection in week 1, surveys open and closed, the Parent Carer Forum leads contacted on the
//! day of announcement and met on the Thursday of the following week, the onsite days, and the
//! self-evaluation and feedback meetings in the last onsite week. Interim visits have their
//! surveys and a feedback meeting; meetings and thematic visits only their days.

use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};

use super::{
    consent::DateRange,
    programme::{EngagementKind, timeline},
    working_days::{add_working_days, is_working_day},
};

/// What happens on a timetable entry's days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The local area is told and the timetable discussed.
    Notification,
    /// The lead inspectors contact the Parent Carer Forum's leads.
    PcfContact,
    /// Key documents are requested from the local area partnership.
    InformationRequest,
    /// The team selects the children and young people to track.
    CaseSelection,
    /// The surveys are open.
    Surveys,
    /// The lead inspectors meet the Parent Carer Forum's leads.
    PcfMeeting,
    /// The onsite timetable is agreed with the local area.
    FinaliseTimetable,
    /// The team is onsite.
    Onsite,
    /// The self-evaluation meeting.
    SelfEvaluation,
    /// The feedback meeting.
    Feedback,
}

impl Step {
    /// The step in words, as a timetable shows it.
    pub fn words(self) -> &'static str {
        match self {
            Self::Notification => "Local area told; timetable discussed",
            Self::PcfContact => "Lead inspectors contact the Parent Carer Forum leads",
            Self::InformationRequest => "Key documents requested",
            Self::CaseSelection => "Children and young people selected for case tracking",
            Self::Surveys => "Surveys open",
            Self::PcfMeeting => "Lead inspectors meet the Parent Carer Forum leads",
            Self::FinaliseTimetable => "Onsite timetable agreed",
            Self::Onsite => "Onsite",
            Self::SelfEvaluation => "Self-evaluation meeting",
            Self::Feedback => "Feedback meeting",
        }
    }
}

/// One entry of a timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// What happens.
    pub step: Step,
    /// On which days.
    pub days: DateRange,
}

/// The working day before `day`.
fn working_day_before(day: NaiveDate) -> NaiveDate {
    let mut d = day - TimeDelta::days(1);
    while !is_working_day(d) {
        d -= TimeDelta::days(1);
    }
    d
}

/// Working days an interim visit's surveys stay open before its first onsite day.
pub const INTERIM_SURVEY_WORKING_DAYS: u32 = 10;

/// The timetable of an engagement of `kind` onsite on `onsite`, in date order.
pub fn timetable(kind: EngagementKind, onsite: DateRange) -> Vec<Entry> {
    let one = |step, day| Entry { step, days: DateRange { first: day, last: day } };
    let span = |step, first, last| Entry { step, days: DateRange { first, last } };
    let before_onsite = working_day_before(onsite.first);
    let mut out = Vec::new();
    if let Some(t) = timeline(kind, onsite.first) {
        let thursday_after =
            t.week_two.first + TimeDelta::days(i64::from(Weekday::Thu.num_days_from_monday()));
        let thursday_after =
            if is_working_day(thursday_after) { thursday_after } else { add_working_days(thursday_after, 1) };
        out.push(one(Step::Notification, t.notification));
        out.push(one(Step::PcfContact, t.notification));
        out.push(one(Step::InformationRequest, t.notification));
        out.push(span(Step::CaseSelection, t.notification, t.week_one.last));
        out.push(span(Step::Surveys, t.notification, before_onsite.max(t.notification)));
        out.push(one(Step::PcfMeeting, thursday_after));
        out.push(span(
            Step::FinaliseTimetable,
            t.week_two.first,
            t.week_two.last.min(before_onsite).max(t.week_two.first),
        ));
    } else if kind == EngagementKind::InterimVisit {
        let open = working_day_before(onsite.first);
        let mut first = open;
        for _ in 1..INTERIM_SURVEY_WORKING_DAYS {
            first = working_day_before(first);
        }
        out.push(span(Step::Surveys, first, open));
    }
    out.push(span(Step::Onsite, onsite.first, onsite.last));
    if kind.is_inspection() {
        // The self-evaluation meeting opens the last onsite week; feedback closes it.
        let last_week_monday =
            onsite.last - TimeDelta::days(i64::from(onsite.last.weekday().num_days_from_monday()));
        let self_evaluation = if onsite.first >= last_week_monday {
            onsite.first
        } else {
            add_working_days(last_week_monday, 0)
        };
        out.push(one(Step::SelfEvaluation, self_evaluation));
    }
    if kind.is_inspection() || kind == EngagementKind::InterimVisit {
        out.push(one(Step::Feedback, onsite.last));
    }
    out.sort_by_key(|e| e.days.first);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_days::{d, range};

    fn steps(entries: &[Entry]) -> Vec<(Step, DateRange)> {
        entries.iter().map(|e| (e.step, e.days)).collect()
    }

    #[test]
    fn a_full_inspection_runs_from_notification_to_feedback() {
        // Onsite Monday 18 to Friday 22 January 2027: told Monday 4 January, ten working days before.
        let t = timetable(EngagementKind::FullInspection, range("2027-01-18", "2027-01-22"));
        assert_eq!(
            steps(&t),
            [
                (Step::Notification, range("2027-01-04", "2027-01-04")),
                (Step::PcfContact, range("2027-01-04", "2027-01-04")),
                (Step::InformationRequest, range("2027-01-04", "2027-01-04")),
                (Step::CaseSelection, range("2027-01-04", "2027-01-08")),
                (Step::Surveys, range("2027-01-04", "2027-01-15")),
                (Step::FinaliseTimetable, range("2027-01-11", "2027-01-15")),
                (Step::PcfMeeting, range("2027-01-14", "2027-01-14")),
                (Step::Onsite, range("2027-01-18", "2027-01-22")),
                (Step::SelfEvaluation, range("2027-01-18", "2027-01-18")),
                (Step::Feedback, range("2027-01-22", "2027-01-22")),
            ]
        );
    }

    #[test]
    fn the_parent_carer_forum_meets_on_the_thursday_of_the_week_after_announcement() {
        for onsite in [range("2027-04-07", "2027-04-09"), range("2027-03-01", "2027-03-12")] {
            let t = timetable(EngagementKind::FullInspection, onsite);
            let told = t.iter().find(|e| e.step == Step::Notification).expect("told").days.first;
            let met = t.iter().find(|e| e.step == Step::PcfMeeting).expect("met").days.first;
            assert_eq!(told.weekday(), Weekday::Mon);
            assert_eq!(met.weekday(), Weekday::Thu, "{met}");
            assert_eq!(met - told, TimeDelta::days(10));
        }
    }

    #[test]
    fn a_two_week_onsite_holds_its_self_evaluation_in_the_last_week() {
        let t = timetable(EngagementKind::FullInspection, range("2027-03-01", "2027-03-12"));
        let meeting = t.iter().find(|e| e.step == Step::SelfEvaluation).expect("meeting");
        assert_eq!(meeting.days.first, d("2027-03-08"));
    }

    #[test]
    fn an_interim_visit_has_surveys_onsite_days_and_feedback_only() {
        let t = timetable(EngagementKind::InterimVisit, range("2027-04-20", "2027-04-21"));
        assert_eq!(
            steps(&t),
            [
                (Step::Surveys, range("2027-04-06", "2027-04-19")),
                (Step::Onsite, range("2027-04-20", "2027-04-21")),
                (Step::Feedback, range("2027-04-21", "2027-04-21")),
            ],
            "ten working days of surveys, Easter Monday (29 March) not among them"
        );
        let meeting = timetable(EngagementKind::EngagementMeeting, range("2027-03-03", "2027-03-03"));
        assert_eq!(steps(&meeting), [(Step::Onsite, range("2027-03-03", "2027-03-03"))]);
    }
}
