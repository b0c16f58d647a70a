//! The inspection programme's rules: kinds of engagement and their notice, timelines, outcomes
//! and the due dates they set, terms, and what makes a team acceptable.

use chrono::{Datelike as _, Months, NaiveDate, TimeDelta};

use super::{
    FieldViolation, Finding, InvalidInput,
    clock::{long_date, long_range},
    consent::{DateRange, Term},
    identity::Inspectorate,
    working_days::{
        add_working_days, covered, easter_sunday, is_working_day, notification_monday, working_days_between,
    },
};

/// The kinds of engagement with a local area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementKind {
    /// 2023 framework area SEND inspection.
    FullInspection,
    /// 2016 framework inspection.
    LegacyInspection,
    /// Follows systemic failings.
    MonitoringInspection,
    /// Two days onsite, on written consent.
    InterimVisit,
    /// Contact between inspections.
    EngagementMeeting,
    /// A national theme.
    ThematicVisit,
}

impl EngagementKind {
    /// Every kind.
    pub const ALL: [Self; 6] = [
        Self::FullInspection,
        Self::LegacyInspection,
        Self::MonitoringInspection,
        Self::InterimVisit,
        Self::EngagementMeeting,
        Self::ThematicVisit,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullInspection => "full_inspection",
            Self::LegacyInspection => "legacy_inspection",
            Self::MonitoringInspection => "monitoring_inspection",
            Self::InterimVisit => "interim_visit",
            Self::EngagementMeeting => "engagement_meeting",
            Self::ThematicVisit => "thematic_visit",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Working days' notice before onsite activity, for inspections.
    pub fn notice_working_days(self) -> Option<u32> {
        match self {
            Self::FullInspection | Self::MonitoringInspection => Some(10),
            Self::LegacyInspection => Some(5),
            Self::InterimVisit | Self::EngagementMeeting | Self::ThematicVisit => None,
        }
    }

    /// Inspections (with a team of inspectors and an outcome).
    pub fn is_inspection(self) -> bool {
        self.notice_working_days().is_some()
    }
}

/// Stored state; onsite and reporting follow from the dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementState {
    /// Dates proposed.
    Proposed,
    /// The local area was told.
    Notified,
    /// Onsite days are under way (derived).
    Onsite,
    /// Onsite is over; the report or letter is being written (derived).
    Reporting,
    /// Finished.
    Done,
    /// Put off, with a reason.
    Postponed,
}

impl EngagementState {
    /// Stored or derived name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Notified => "notified",
            Self::Onsite => "onsite",
            Self::Reporting => "reporting",
            Self::Done => "done",
            Self::Postponed => "postponed",
        }
    }

    /// Reads a stored name, deriving onsite and reporting from the dates.
    pub fn derive(stored: &str, onsite: DateRange, today: NaiveDate) -> Option<Self> {
        Some(match stored {
            "proposed" => Self::Proposed,
            "notified" if today > onsite.last => Self::Reporting,
            "notified" if today >= onsite.first => Self::Onsite,
            "notified" => Self::Notified,
            "done" => Self::Done,
            "postponed" => Self::Postponed,
            _ => return None,
        })
    }
}

/// The outcome of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Typically positive experiences and outcomes.
    Positive,
    /// Inconsistent experiences and outcomes.
    Inconsistent,
    /// Widespread and/or systemic failings.
    SystemicFailings,
    /// 2016 framework letter without a written statement of action.
    LegacyLetter,
    /// 2016 framework: written statement of action required.
    WrittenStatementOfAction,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Self; 5] = [
        Self::Positive,
        Self::Inconsistent,
        Self::SystemicFailings,
        Self::LegacyLetter,
        Self::WrittenStatementOfAction,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Inconsistent => "inconsistent",
            Self::SystemicFailings => "systemic_failings",
            Self::LegacyLetter => "legacy_letter",
            Self::WrittenStatementOfAction => "written_statement_of_action",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether the area "did well" for coverage reporting.
    pub fn did_well(self) -> bool {
        matches!(self, Self::Positive | Self::LegacyLetter)
    }
}

/// What an outcome schedules next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextDue {
    /// The next full inspection is due by this date.
    pub full_by: NaiveDate,
    /// After systemic failings: a monitoring inspection is due by this date.
    pub monitoring_by: Option<NaiveDate>,
}

/// The next activity an outcome schedules (shared/domain.md): 5 years after a positive
/// outcome, 3 after an inconsistent one; after systemic failings a monitoring inspection within
/// 18 months and full reinspection within 3 years. 2016 letters count as positive, written
/// statements of action as inconsistent.
pub fn next_due(outcome: Outcome, completed_on: NaiveDate) -> NextDue {
    let years = |n: u32| completed_on.checked_add_months(Months::new(12 * n)).unwrap_or(completed_on);
    match outcome {
        Outcome::Positive | Outcome::LegacyLetter => NextDue { full_by: years(5), monitoring_by: None },
        Outcome::Inconsistent | Outcome::WrittenStatementOfAction => {
            NextDue { full_by: years(3), monitoring_by: None }
        }
        Outcome::SystemicFailings => NextDue {
            full_by: years(3),
            monitoring_by: Some(completed_on.checked_add_months(Months::new(18)).unwrap_or(completed_on)),
        },
    }
}

/// The academic year (its start year) and term a day falls in, by England's three school terms:
/// autumn September to December, spring January to Easter Sunday, summer from Easter Monday to
/// the end of August (the summer holiday counts with the summer term).
pub fn term_of(day: NaiveDate) -> (i32, Term) {
    match day.month() {
        9..=12 => (day.year(), Term::Autumn),
        _ if day <= easter_sunday(day.year()) => (day.year() - 1, Term::Spring),
        _ => (day.year() - 1, Term::Summer),
    }
}

/// The days of a term.
pub fn term_dates(academic_year: i32, term: Term) -> DateRange {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    match term {
        Term::Autumn => DateRange { first: day(academic_year, 9, 1), last: day(academic_year, 12, 31) },
        Term::Spring => {
            DateRange { first: day(academic_year + 1, 1, 1), last: easter_sunday(academic_year + 1) }
        }
        Term::Summer => DateRange {
            first: easter_sunday(academic_year + 1) + chrono::TimeDelta::days(1),
            last: day(academic_year + 1, 8, 31),
        },
    }
}

/// What the national board knows of one area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaFacts {
    /// ONS code.
    pub code: String,
    /// DfE code.
    pub dfe_code: Option<String>,
    /// Name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Kind of area (stored name).
    pub kind: String,
    /// Latest recorded outcome and its date.
    pub last: Option<(Outcome, NaiveDate)>,
    /// Due-date override and its reason.
    pub override_due: Option<(NaiveDate, String)>,
    /// This academic year's engagements: (kind, stored state, first onsite day).
    pub engagements: Vec<(EngagementKind, String, NaiveDate)>,
}

/// The three working weeks of an inspection, from its notification Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    /// The Monday the area is told.
    pub notification: NaiveDate,
    /// Week one: offsite.
    pub week_one: DateRange,
    /// Week two: offsite and onsite.
    pub week_two: DateRange,
    /// Week three: onsite.
    pub week_three: DateRange,
}

/// The timeline of an inspection of `kind` whose onsite activity starts on `onsite_first`.
pub fn timeline(kind: EngagementKind, onsite_first: NaiveDate) -> Option<Timeline> {
    let notice = kind.notice_working_days()?;
    let notification = notification_monday(onsite_first, notice);
    let week = |n: i64| DateRange {
        first: notification + TimeDelta::days(7 * n),
        last: notification + TimeDelta::days(7 * n + 4),
    };
    Some(Timeline { notification, week_one: week(0), week_two: week(1), week_three: week(2) })
}

/// Most working days of onsite activity in one engagement.
pub const MAX_ONSITE_WORKING_DAYS: u32 = 10;

/// Checks proposed onsite dates for `kind`, as of `today`, naming the field at fault.
pub fn check_onsite(kind: EngagementKind, onsite: DateRange, today: NaiveDate) -> Result<(), FieldViolation> {
    let field = "onsite";
    if !covered(onsite.first) || !covered(onsite.last) {
        return Err(FieldViolation::new(
            field,
            "Onsite days must be between 2016 and 2030, the years with bank holiday data",
        ));
    }
    for (day, which) in [(onsite.first, "first"), (onsite.last, "last")] {
        if !is_working_day(day) {
            return Err(FieldViolation::new(
                field,
                format!("The {which} onsite day, {}, is a weekend or a bank holiday", long_date(day)),
            ));
        }
    }
    if onsite.first < today {
        return Err(FieldViolation::new(field, "The first onsite day must be today or in the future"));
    }
    let days = working_days_between(onsite.first, onsite.last) + 1;
    if kind == EngagementKind::InterimVisit && onsite.last != add_working_days(onsite.first, 1) {
        return Err(FieldViolation::new(field, "An interim visit is 2 working days in a row onsite"));
    }
    if days > MAX_ONSITE_WORKING_DAYS {
        return Err(FieldViolation::new(
            field,
            format!("Onsite activity must be {MAX_ONSITE_WORKING_DAYS} working days or fewer"),
        ));
    }
    if let Some(t) = timeline(kind, onsite.first)
        && t.notification < today
    {
        return Err(FieldViolation::new(
            field,
            format!(
                "These days are too soon: the local area would have to be told on Monday {}, {} working days before, which has passed",
                long_date(t.notification),
                kind.notice_working_days().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// Validated fields of a new engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEngagement {
    /// ONS code.
    pub local_area_code: String,
    /// Kind.
    pub kind: EngagementKind,
    /// Onsite days (the meeting day for meetings).
    pub onsite: DateRange,
    /// Note.
    pub note: String,
}

impl NewEngagement {
    /// Checks every field.
    pub fn parse(
        local_area_code: &str,
        kind: Option<EngagementKind>,
        onsite: Option<(&str, &str)>,
        note: &str,
        today: NaiveDate,
    ) -> Result<Self, InvalidInput> {
        let mut errors = Vec::new();
        let code = local_area_code.trim();
        if code.is_empty() {
            errors.push(FieldViolation::new("local_area_code", "Select a local area"));
        }
        if kind.is_none() {
            errors.push(FieldViolation::new("kind", "Select the kind of engagement"));
        }
        let onsite = match onsite {
            None => {
                errors.push(FieldViolation::new("onsite", "Enter the onsite days"));
                None
            }
            Some((first, last)) => DateRange::parse(first, last, "onsite").map_err(|e| errors.push(e)).ok(),
        };
        if let (Some(kind), Some(onsite)) = (kind, onsite)
            && let Err(e) = check_onsite(kind, onsite, today)
        {
            errors.push(e);
        }
        if note.chars().count() > super::consent::MAX_NOTE_CHARS {
            errors.push(FieldViolation::new("note", "Note must be 2,000 characters or fewer"));
        }
        match (kind, onsite) {
            (Some(kind), Some(onsite)) if errors.is_empty() => {
                Ok(Self { local_area_code: code.to_owned(), kind, onsite, note: note.trim().to_owned() })
            }
            _ => Err(InvalidInput(errors)),
        }
    }
}

/// The days an engagement holds its team: from notification (inspections) to the last onsite day.
pub fn busy_days(kind: EngagementKind, onsite: DateRange) -> DateRange {
    let first = timeline(kind, onsite.first).map_or(onsite.first, |t| t.notification);
    DateRange { first, last: onsite.last }
}

/// A member's place in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Lead HMI (Ofsted).
    LeadHmi,
    /// Ofsted inspector.
    OfstedInspector,
    /// CQC inspector.
    CqcInspector,
    /// Ofsted social care inspector.
    SocialCareInspector,
}

impl TeamRole {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeadHmi => "lead_hmi",
            Self::OfstedInspector => "ofsted_inspector",
            Self::CqcInspector => "cqc_inspector",
            Self::SocialCareInspector => "social_care_inspector",
        }
    }

    /// The role in words, for sentences.
    pub fn words(self) -> &'static str {
        match self {
            Self::LeadHmi => "lead HMI",
            Self::OfstedInspector => "Ofsted inspector",
            Self::CqcInspector => "CQC inspector",
            Self::SocialCareInspector => "social care inspector",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::LeadHmi, Self::OfstedInspector, Self::CqcInspector, Self::SocialCareInspector]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// What the team rules need to know of an inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Ofsted or CQC.
    pub inspectorate: Inspectorate,
    /// Ofsted social care specialism.
    pub social_care: bool,
    /// Home region code.
    pub home_region: String,
    /// Most engagements in one term.
    pub max_per_term: u32,
    /// Declared unavailability.
    pub unavailable: Vec<DateRange>,
    /// ONS codes of areas with a declared conflict of interest.
    pub conflicts: Vec<String>,
    /// Busy days of the inspector's other live engagements that the caller may see. Those the
    /// caller may not see are in `unavailable`, indistinguishable from leave.
    pub booked: Vec<DateRange>,
    /// Other engagements in the same term, seen or not: the term limit counts them all.
    pub load_this_term: u32,
    /// Of those, the ones the caller may see: the only ones workload warnings count.
    pub visible_load: u32,
}

/// Two places in one team for the same inspector.
pub const TEAM_DUPLICATE: &str = "team.duplicate";
/// The team's make-up does not fit the kind of engagement, or a member's role.
pub const TEAM_COMPOSITION: &str = "team.composition";
/// A member has declared they are unavailable on some of the days.
pub const INSPECTOR_UNAVAILABLE: &str = "inspector.unavailable";
/// A member is already on another live engagement on some of the days.
pub const INSPECTOR_DOUBLE_BOOKED: &str = "inspector.double_booked";
/// A member declared a conflict of interest with the area.
pub const INSPECTOR_CONFLICT: &str = "inspector.conflict_of_interest";
/// A member would exceed their most engagements in a term.
pub const INSPECTOR_TERM_LIMIT: &str = "inspector.term_limit";
/// A member travels from another region (a warning).
pub const INSPECTOR_TRAVEL: &str = "inspector.travel";
/// A member would carry more than the average load this term (a warning).
pub const INSPECTOR_LOAD: &str = "inspector.load";

/// The verdict on a team: hard findings refuse it; soft ones are warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamVerdict {
    /// Refuse the team.
    pub hard: Vec<Finding>,
    /// Warn about it.
    pub soft: Vec<Finding>,
}

fn finding(rule: &'static str, message: impl Into<String>) -> Finding {
    Finding::new(rule, "members", message)
}

fn composition(kind: EngagementKind, members: &[(Candidate, TeamRole)]) -> Option<String> {
    let ofsted = |c: &Candidate| c.inspectorate == Inspectorate::Ofsted;
    let count = |f: &dyn Fn(&(Candidate, TeamRole)) -> bool| members.iter().filter(|m| f(m)).count();
    for (c, role) in members {
        let fits = match role {
            TeamRole::LeadHmi | TeamRole::OfstedInspector => ofsted(c),
            TeamRole::CqcInspector => c.inspectorate == Inspectorate::Cqc,
            TeamRole::SocialCareInspector => ofsted(c) && c.social_care,
        };
        if !fits {
            return Some(format!("{} cannot be the team's {}", c.name, role.words()));
        }
    }
    match kind {
        EngagementKind::InterimVisit => {
            let ok = members.len() == 3
                && count(&|(c, _)| ofsted(c)) == 2
                && count(&|(c, _)| ofsted(c) && c.social_care) >= 1
                && count(&|(c, _)| c.inspectorate == Inspectorate::Cqc) == 1;
            (!ok).then(|| {
                "An interim visit team is 3 people: 2 from Ofsted (one from social care) and 1 from CQC"
                    .to_owned()
            })
        }
        kind if kind.is_inspection() => {
            let ok = count(&|(_, r)| *r == TeamRole::LeadHmi) == 1
                && count(&|(_, r)| *r == TeamRole::OfstedInspector) >= 1
                && count(&|(_, r)| *r == TeamRole::CqcInspector) >= 1
                && count(&|(_, r)| *r == TeamRole::SocialCareInspector) >= 1;
            (!ok).then(|| {
                "An inspection team has one lead HMI, an Ofsted inspector, a CQC inspector and a social care inspector"
                    .to_owned()
            })
        }
        _ => members.is_empty().then(|| "Choose at least one person for the team".to_owned()),
    }
}

/// Checks a proposed team for an engagement of `kind` with `area` (in `region`) holding the
/// team over `busy`. `average_load` is the mean number of engagements per inspector this term
/// that the caller may see.
pub fn check_team(
    kind: EngagementKind,
    area: &str,
    region: &str,
    busy: DateRange,
    members: &[(Candidate, TeamRole)],
    average_load: f64,
) -> TeamVerdict {
    let mut verdict = TeamVerdict::default();
    let mut seen = std::collections::HashSet::new();
    for (c, _) in members {
        if !seen.insert(c.id) {
            verdict.hard.push(finding(TEAM_DUPLICATE, format!("{} is in the team twice", c.name)));
        }
    }
    if let Some(message) = composition(kind, members) {
        verdict.hard.push(finding(TEAM_COMPOSITION, message));
    }
    for (c, _) in members {
        // Leave and other engagements read alike: only the days, never what fills them.
        let not_available = |days: &DateRange| {
            format!("{} is not available on {}", c.name, long_range(days.first, days.last))
        };
        if let Some(u) = c.unavailable.iter().find(|u| u.overlaps(&busy)) {
            verdict.hard.push(finding(INSPECTOR_UNAVAILABLE, not_available(u)));
        }
        if let Some(b) = c.booked.iter().find(|b| b.overlaps(&busy)) {
            verdict.hard.push(finding(INSPECTOR_DOUBLE_BOOKED, not_available(b)));
        }
        if c.conflicts.iter().any(|a| a == area) {
            verdict.hard.push(finding(
                INSPECTOR_CONFLICT,
                format!("{} has declared a conflict of interest with this local area", c.name),
            ));
        }
        if c.load_this_term + 1 > c.max_per_term {
            verdict.hard.push(finding(
                INSPECTOR_TERM_LIMIT,
                format!("{} cannot take on another engagement this term", c.name),
            ));
        }
        if c.home_region != region {
            verdict.soft.push(finding(INSPECTOR_TRAVEL, format!("{} travels from another region", c.name)));
        }
        if f64::from(c.visible_load + 1) > average_load + 1.0 {
            verdict.soft.push(finding(
                INSPECTOR_LOAD,
                format!("{} would carry more engagements this term than the average", c.name),
            ));
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_days::{d, range};

    fn inspector(id: i64, inspectorate: Inspectorate, social_care: bool) -> Candidate {
        Candidate {
            id,
            name: format!("Inspector {id}"),
            inspectorate,
            social_care,
            home_region: "E13000001".into(),
            max_per_term: 6,
            unavailable: vec![],
            conflicts: vec![],
            booked: vec![],
            load_this_term: 1,
            visible_load: 1,
        }
    }

    fn interim_team() -> Vec<(Candidate, TeamRole)> {
        vec![
            (inspector(1, Inspectorate::Ofsted, false), TeamRole::OfstedInspector),
            (inspector(2, Inspectorate::Ofsted, true), TeamRole::SocialCareInspector),
            (inspector(3, Inspectorate::Cqc, false), TeamRole::CqcInspector),
        ]
    }

    fn rules(v: &[Finding]) -> Vec<&'static str> {
        v.iter().map(|f| f.rule).collect()
    }

    const BUSY: DateRange = DateRange {
        first: NaiveDate::from_ymd_opt(2027, 1, 11).expect("date"),
        last: NaiveDate::from_ymd_opt(2027, 1, 12).expect("date"),
    };

    #[test]
    fn an_interim_team_is_two_ofsted_one_in_social_care_and_one_cqc() {
        let verdict =
            check_team(EngagementKind::InterimVisit, "E09000007", "E13000001", BUSY, &interim_team(), 1.0);
        assert_eq!(verdict, TeamVerdict::default());
        let mut no_social_care = interim_team();
        no_social_care[1] = (inspector(2, Inspectorate::Ofsted, false), TeamRole::OfstedInspector);
        let verdict =
            check_team(EngagementKind::InterimVisit, "E09000007", "E13000001", BUSY, &no_social_care, 1.0);
        assert_eq!(rules(&verdict.hard), ["team.composition"]);
        let two = &interim_team()[..2];
        assert_eq!(
            rules(&check_team(EngagementKind::InterimVisit, "a", "E13000001", BUSY, two, 1.0).hard),
            ["team.composition"]
        );
    }

    #[test]
    fn an_inspection_team_needs_each_role_and_roles_must_fit_the_inspectorate() {
        let mut team = vec![
            (inspector(1, Inspectorate::Ofsted, false), TeamRole::LeadHmi),
            (inspector(2, Inspectorate::Ofsted, false), TeamRole::OfstedInspector),
            (inspector(3, Inspectorate::Cqc, false), TeamRole::CqcInspector),
            (inspector(4, Inspectorate::Ofsted, true), TeamRole::SocialCareInspector),
        ];
        assert!(
            check_team(EngagementKind::FullInspection, "a", "E13000001", BUSY, &team, 1.0).hard.is_empty()
        );
        team[2].0.inspectorate = Inspectorate::Ofsted;
        let verdict = check_team(EngagementKind::FullInspection, "a", "E13000001", BUSY, &team, 1.0);
        assert_eq!(rules(&verdict.hard), ["team.composition"]);
        assert!(verdict.hard[0].message.contains("cannot be the team's CQC inspector"), "{:?}", verdict.hard);
    }

    #[test]
    fn unavailable_double_booked_conflicted_and_over_limit_inspectors_are_refused() {
        let mut team = interim_team();
        team[0].0.unavailable.push(range("2027-01-12", "2027-01-15"));
        team[1].0.booked.push(range("2027-01-04", "2027-01-11"));
        team[2].0.conflicts.push("E09000007".into());
        team[2].0.load_this_term = 6;
        let verdict = check_team(EngagementKind::InterimVisit, "E09000007", "E13000001", BUSY, &team, 1.0);
        assert_eq!(
            rules(&verdict.hard),
            [
                "inspector.unavailable",
                "inspector.double_booked",
                "inspector.conflict_of_interest",
                "inspector.term_limit"
            ]
        );
    }

    #[test]
    fn travel_and_heavy_load_are_warnings_only() {
        let mut team = interim_team();
        team[0].0.home_region = "E12000001".into();
        team[1].0.load_this_term = 4;
        team[1].0.visible_load = 4;
        let verdict = check_team(EngagementKind::InterimVisit, "E09000007", "E13000001", BUSY, &team, 1.5);
        assert!(verdict.hard.is_empty());
        assert_eq!(rules(&verdict.soft), ["inspector.travel", "inspector.load"]);
    }

    #[test]
    fn outcomes_set_the_next_due_dates() {
        let done = d("2024-03-15");
        assert_eq!(
            next_due(Outcome::Positive, done),
            NextDue { full_by: d("2029-03-15"), monitoring_by: None }
        );
        assert_eq!(next_due(Outcome::Inconsistent, done).full_by, d("2027-03-15"));
        assert_eq!(
            next_due(Outcome::SystemicFailings, done),
            NextDue { full_by: d("2027-03-15"), monitoring_by: Some(d("2025-09-15")) }
        );
    }

    #[test]
    fn terms_follow_the_academic_year() {
        assert_eq!(term_of(d("2026-11-23")), (2026, Term::Autumn));
        assert_eq!(term_of(d("2027-02-01")), (2026, Term::Spring));
        assert_eq!(term_of(d("2027-03-28")), (2026, Term::Spring), "Easter Sunday 2027 ends spring");
        assert_eq!(term_of(d("2027-03-29")), (2026, Term::Summer), "Easter Monday begins summer");
        assert_eq!(term_of(d("2027-05-01")), (2026, Term::Summer));
        assert_eq!(term_of(d("2027-08-31")), (2026, Term::Summer));
        assert_eq!(term_dates(2026, Term::Spring), range("2027-01-01", "2027-03-28"));
        assert_eq!(term_dates(2026, Term::Summer), range("2027-03-29", "2027-08-31"));
        assert_eq!(term_dates(2025, Term::Spring), range("2026-01-01", "2026-04-05"), "Easter 2026");
        // Every day of an academic year is in exactly one term, and in the one term_of names.
        let mut day = d("2026-09-01");
        while day <= d("2027-08-31") {
            let (year, term) = term_of(day);
            assert_eq!(year, 2026);
            let days = term_dates(year, term);
            assert!(days.first <= day && day <= days.last, "{day} in {term:?}");
            day = day.succ_opt().expect("a next day");
        }
    }

    #[test]
    fn onsite_dates_are_checked_for_bank_holidays_notice_and_shape() {
        let today = d("2026-11-23");
        let full = EngagementKind::FullInspection;
        assert!(check_onsite(full, range("2027-04-07", "2027-04-09"), today).is_ok());
        let holiday =
            check_onsite(full, range("2027-03-29", "2027-03-31"), today).expect_err("Easter Monday");
        assert_eq!(holiday.reason, "The first onsite day, 29 March 2027, is a weekend or a bank holiday");
        let soon = check_onsite(full, range("2026-11-30", "2026-12-01"), today).expect_err("too soon");
        assert!(soon.reason.contains("too soon"), "{}", soon.reason);
        let interim = EngagementKind::InterimVisit;
        assert!(check_onsite(interim, range("2027-01-11", "2027-01-12"), today).is_ok());
        assert!(check_onsite(interim, range("2027-01-11", "2027-01-13"), today).is_err());
        // The second day cannot be Good Friday; the next working day after Maundy Thursday is
        // the Tuesday after Easter.
        assert!(check_onsite(interim, range("2027-03-25", "2027-03-26"), today).is_err(), "Good Friday");
        assert!(check_onsite(interim, range("2027-03-25", "2027-03-30"), today).is_ok());
        assert!(
            check_onsite(interim, range("2027-04-30", "2027-05-04"), today).is_ok(),
            "Early May bank holiday skipped"
        );
    }

    #[test]
    fn an_inspection_holds_its_team_from_the_notification_day() {
        let busy = busy_days(EngagementKind::FullInspection, range("2027-04-07", "2027-04-09"));
        assert_eq!(busy, range("2027-03-22", "2027-04-09"));
        assert_eq!(busy_days(EngagementKind::InterimVisit, BUSY), BUSY);
    }
}
