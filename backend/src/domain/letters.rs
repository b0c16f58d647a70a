//! Letters and reports: their lifecycle and the content checks run before approval. Every
//! check is a named rule with a message and the place in the text it concerns.

use std::sync::LazyLock;

use regex::Regex;

use super::programme::EngagementKind;

/// Where a letter stands. Nothing issued is edited in place: a correction is a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterState {
    /// Being written by the team.
    Draft,
    /// Sent for quality assurance.
    Submitted,
    /// Approved by a national planner.
    Approved,
    /// Issued to its distribution list.
    Issued,
    /// Replaced by a corrected version (kept in history).
    Superseded,
}

impl LetterState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Issued => "issued",
            Self::Superseded => "superseded",
        }
    }
}

/// A step in a letter's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterMove {
    /// Change the text.
    Edit,
    /// Send for quality assurance.
    Submit,
    /// Send back to the team.
    Return,
    /// Approve.
    Approve,
    /// Issue to the distribution list.
    Issue,
    /// Replace by a corrected version.
    Supersede,
}

/// The state after a move, or a message naming the current state.
pub fn letter_transition(current: LetterState, m: LetterMove) -> Result<LetterState, String> {
    use LetterState::{Approved, Draft, Issued, Submitted, Superseded};
    match (current, m) {
        (Draft, LetterMove::Edit) => Ok(Draft),
        (Draft, LetterMove::Submit) => Ok(Submitted),
        (Submitted, LetterMove::Return) => Ok(Draft),
        (Submitted, LetterMove::Approve) => Ok(Approved),
        (Approved, LetterMove::Issue) => Ok(Issued),
        (Issued, LetterMove::Supersede) => Ok(Superseded),
        (state, m) => Err(format!(
            "the letter is {}; it cannot be {}",
            state.as_str(),
            match m {
                LetterMove::Edit => "edited (an issued letter is corrected by a new version)",
                LetterMove::Submit => "submitted",
                LetterMove::Return => "returned to the team",
                LetterMove::Approve => "approved",
                LetterMove::Issue => "issued",
                LetterMove::Supersede => "superseded",
            }
        )),
    }
}

/// Words and phrases that carry a formal judgement or recommendation, which an interim-visit
/// letter must not contain. The framework's outcome phrases first, then judgement vocabulary.
/// This is the one list: change it here.
pub const JUDGEMENT_WORDING: &[&str] = &[
    "typically positive experiences and outcomes",
    "inconsistent experiences and outcomes",
    "widespread and/or systemic failings",
    "systemic failings",
    "written statement of action",
    "priority action plan",
    "requires improvement",
    "inadequate",
    "outstanding",
    "judgement",
    "recommendation",
    "recommendations",
    "recommend",
    "recommends",
    "recommended",
];

/// The sections each kind of letter must have, as headings on lines of their own.
pub fn required_sections(kind: EngagementKind) -> &'static [&'static str] {
    match kind {
        EngagementKind::InterimVisit => &["Context", "What we found", "Next steps"],
        EngagementKind::FullInspection
        | EngagementKind::MonitoringInspection
        | EngagementKind::LegacyInspection => &["Summary", "Outcome", "Recommendations"],
        EngagementKind::EngagementMeeting | EngagementKind::ThematicVisit => &["Summary"],
    }
}

/// One problem found in a letter's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFinding {
    /// Rule name, e.g. `letter.judgement_wording`.
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
    /// 1-based line, 0 for the whole letter.
    pub line: usize,
    /// 1-based column (characters), 0 for the whole letter.
    pub column: usize,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b").expect("a constant pattern compiles")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+44\s?7\d{3}|\b07\d{3})\s?\d{3}\s?\d{3}\b|\b0\d{2,4}\s\d{3,4}\s\d{3,4}\b")
        .expect("a constant pattern compiles")
});
static CASE_REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:CYP|CS)[- ]?\d{1,5}\b").expect("a constant pattern compiles"));
static CHILD_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:child|young person|pupil|boy|girl|learner) (?:called|named) [A-Z][a-z]+|\b[A-Z][a-z]+,? (?:aged|age) \d{1,2}\b")
        .expect("a constant pattern compiles")
});

fn locate(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Runs every check on a letter of `kind`. `references` are case-study pseudonyms and names
/// stored for the engagement, none of which may appear.
pub fn check_letter(kind: EngagementKind, text: &str, references: &[String]) -> Vec<ContentFinding> {
    let mut findings = Vec::new();
    let mut push = |rule: &'static str, message: String, at: Option<usize>| {
        let (line, column) = at.map_or((0, 0), |b| locate(text, b));
        findings.push(ContentFinding { rule, message, line, column });
    };
    if kind == EngagementKind::InterimVisit {
        let lower = text.to_lowercase();
        for phrase in JUDGEMENT_WORDING {
            let pattern = format!(r"\b{}\b", regex::escape(phrase));
            if let Ok(re) = Regex::new(&pattern)
                && let Some(m) = re.find(&lower)
            {
                // A longer phrase already reported covers its parts.
                if !JUDGEMENT_WORDING
                    .iter()
                    .any(|p| p.len() > phrase.len() && p.contains(phrase) && lower.contains(p))
                {
                    push(
                        "letter.judgement_wording",
                        format!(
                            "an interim-visit letter carries no formal judgement or recommendation: {phrase:?}"
                        ),
                        Some(m.start()),
                    );
                }
            }
        }
    }
    for m in EMAIL.find_iter(text) {
        push(
            "letter.personal_email",
            format!("an email address ({}) must not appear", m.as_str()),
            Some(m.start()),
        );
    }
    for m in PHONE.find_iter(text) {
        push(
            "letter.personal_phone",
            format!("a phone number ({}) must not appear", m.as_str()),
            Some(m.start()),
        );
    }
    for m in CASE_REFERENCE.find_iter(text) {
        push(
            "letter.case_reference",
            format!("a case-study reference ({}) must not appear", m.as_str()),
            Some(m.start()),
        );
    }
    for reference in references.iter().filter(|r| r.trim().len() >= 2) {
        if let Some(at) = text.find(reference.trim()) {
            push(
                "letter.case_reference",
                format!("{:?} identifies a case study", reference.trim()),
                Some(at),
            );
        }
    }
    for m in CHILD_NAME.find_iter(text) {
        push(
            "letter.child_name",
            format!("this looks like a child's name: {:?}", m.as_str()),
            Some(m.start()),
        );
    }
    let headings: Vec<&str> = text.lines().map(str::trim).collect();
    for section in required_sections(kind) {
        if !headings.iter().any(|h| h.eq_ignore_ascii_case(section)) {
            push("letter.required_section", format!("the section {section:?} is missing"), None);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_INTERIM: &str = "Context\nWe visited Camden on 20 and 21 April.\n\nWhat we found\n\
        Leaders know their area well.\n\nNext steps\nWe will share learning nationally.\n";

    fn rules(findings: &[ContentFinding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn the_patterns_compile() {
        for re in [&*EMAIL, &*PHONE, &*CASE_REFERENCE, &*CHILD_NAME] {
            assert!(!re.as_str().is_empty());
        }
    }

    #[test]
    fn a_clean_interim_letter_passes() {
        assert_eq!(check_letter(EngagementKind::InterimVisit, GOOD_INTERIM, &[]), vec![]);
    }

    #[test]
    fn judgement_wording_is_found_with_its_place() {
        let text = format!("{GOOD_INTERIM}We recommend that leaders act.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &text, &[]);
        assert_eq!(rules(&findings), ["letter.judgement_wording"]);
        assert_eq!((findings[0].line, findings[0].column), (9, 4));
        let phrase = format!("{GOOD_INTERIM}There are widespread and/or systemic failings.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &phrase, &[]);
        assert_eq!(findings.len(), 1, "the longest phrase only: {findings:?}");
    }

    #[test]
    fn full_reports_may_recommend() {
        let text =
            "Summary\nS\nOutcome\nInconsistent experiences and outcomes.\nRecommendations\nWe recommend X.\n";
        assert_eq!(check_letter(EngagementKind::FullInspection, text, &[]), vec![]);
    }

    #[test]
    fn personal_details_case_references_and_names_are_found() {
        let text = format!(
            "{GOOD_INTERIM}Contact jo.bloggs@example.org or 07700 900123.\nCYP-12 improved.\nA child called Amara was seen.\nSam, aged 9, spoke to us.\n"
        );
        let findings = check_letter(EngagementKind::InterimVisit, &text, &["Case Blue".into()]);
        assert_eq!(
            rules(&findings),
            [
                "letter.personal_email",
                "letter.personal_phone",
                "letter.case_reference",
                "letter.child_name",
                "letter.child_name"
            ]
        );
        let with_reference = format!("{GOOD_INTERIM}Case Blue moved school.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &with_reference, &["Case Blue".into()]);
        assert_eq!(rules(&findings), ["letter.case_reference"]);
    }

    #[test]
    fn missing_sections_are_named() {
        let findings = check_letter(EngagementKind::InterimVisit, "Context\nOnly this.\n", &[]);
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            ["the section \"What we found\" is missing", "the section \"Next steps\" is missing"]
        );
    }

    #[test]
    fn issued_letters_are_never_edited_only_superseded() {
        assert!(
            letter_transition(LetterState::Issued, LetterMove::Edit)
                .expect_err("refused")
                .contains("new version")
        );
        assert_eq!(
            letter_transition(LetterState::Issued, LetterMove::Supersede),
            Ok(LetterState::Superseded)
        );
        assert!(letter_transition(LetterState::Draft, LetterMove::Issue).is_err(), "unapproved");
        assert_eq!(letter_transition(LetterState::Approved, LetterMove::Issue), Ok(LetterState::Issued));
    }
}
