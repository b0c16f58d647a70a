//! Case-study samples: the local area's pseudonymous sample list, the rules a pick of case
//! studies must meet, a seeded "suggest a pick" and how representative the list is.
//!
//! Every rule id is in [`RULES`]; each has a test below that makes it fire. The list holds
//! pseudonymous references only: [`check_reference`] refuses anything that looks like a name
//! or an email address, so a child's name never reaches the database.
//!
//! Rules (domain.md, "Case studies"):
//! - interim visit: 4 to 6 case studies; at least 2 on SEN Support; at least 3 receiving
//!   multi-agency support;
//! - full inspection: 6 case-tracked; each of the 4 areas of need; at least 2 on SEN Support;
//!   at least 1 in alternative provision.

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::{Finding, Refusal, programme::EngagementKind};

/// An interim visit picks 4 to 6 case studies.
pub const INTERIM_SIZE: &str = "case_study.interim_size";
/// An interim visit picks at least 2 children on SEN Support.
pub const INTERIM_SEN_SUPPORT: &str = "case_study.interim_sen_support";
/// An interim visit picks at least 3 children receiving multi-agency support.
pub const INTERIM_MULTI_AGENCY: &str = "case_study.interim_multi_agency";
/// A full inspection case-tracks 6 children.
pub const FULL_SIZE: &str = "case_study.full_size";
/// A full inspection's 6 cover each of the 4 areas of need.
pub const FULL_AREAS_OF_NEED: &str = "case_study.full_areas_of_need";
/// A full inspection's 6 include at least 2 on SEN Support.
pub const FULL_SEN_SUPPORT: &str = "case_study.full_sen_support";
/// A full inspection's 6 include at least 1 in alternative provision.
pub const FULL_ALTERNATIVE_PROVISION: &str = "case_study.full_alternative_provision";
/// This kind of engagement has no case studies.
pub const NOT_FOR_KIND: &str = "case_study.not_for_kind";
/// A change to an agreed (frozen) list or pick needs a reason.
pub const REASON_REQUIRED: &str = "case_study.reason_required";
/// Agreement needs a list and a pick that meets the rules.
pub const AGREE_NEEDS_VALID_PICK: &str = "case_study.agree_needs_valid_pick";
/// The team asks the area for more children only when the list cannot give a valid pick.
pub const MORE_ONLY_WHEN_SHORT: &str = "case_study.more_only_when_short";

/// Every rule id of this module.
pub const RULES: &[&str] = &[
    INTERIM_SIZE,
    INTERIM_SEN_SUPPORT,
    INTERIM_MULTI_AGENCY,
    FULL_SIZE,
    FULL_AREAS_OF_NEED,
    FULL_SEN_SUPPORT,
    FULL_ALTERNATIVE_PROVISION,
    NOT_FOR_KIND,
    REASON_REQUIRED,
    AGREE_NEEDS_VALID_PICK,
    MORE_ONLY_WHEN_SHORT,
];

/// The most entries one sample list may hold.
pub const MAX_ENTRIES: usize = 200;
/// The longest reason for a change.
pub const MAX_REASON_CHARS: usize = 2000;

/// The columns of the CSV template, in order.
pub const CSV_HEADER: [&str; 7] = [
    "reference",
    "age_band",
    "primary_needs",
    "support",
    "alternative_provision",
    "multi_agency",
    "school_phase",
];

/// The columns in words, for messages people read.
const COLUMN_WORDS: [&str; 7] = [
    "reference",
    "age band",
    "primary needs",
    "support",
    "alternative provision",
    "multi-agency support",
    "school phase",
];

/// A template file: the header and two example rows.
pub const CSV_TEMPLATE: &str = "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
CYP-001,5-10,CI;CL,SEN Support,no,yes,primary\n\
CYP-002,11-15,SEMH,EHC plan,yes,yes,secondary\n";

/// The four areas of primary need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// Communication and interaction (`CI`).
    CommunicationInteraction,
    /// Cognition and learning (`CL`).
    CognitionLearning,
    /// Social, emotional and mental health (`SEMH`).
    SocialEmotionalMentalHealth,
    /// Sensory and/or physical (`SP`).
    SensoryPhysical,
}

impl Need {
    /// The four, in the Code of Practice's order.
    pub const ALL: [Self; 4] = [
        Self::CommunicationInteraction,
        Self::CognitionLearning,
        Self::SocialEmotionalMentalHealth,
        Self::SensoryPhysical,
    ];

    /// The code used in files and storage.
    pub fn code(self) -> &'static str {
        match self {
            Self::CommunicationInteraction => "CI",
            Self::CognitionLearning => "CL",
            Self::SocialEmotionalMentalHealth => "SEMH",
            Self::SensoryPhysical => "SP",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::CommunicationInteraction => "communication and interaction",
            Self::CognitionLearning => "cognition and learning",
            Self::SocialEmotionalMentalHealth => "social, emotional and mental health",
            Self::SensoryPhysical => "sensory and/or physical",
        }
    }

    /// A code (any case), or `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The support a child has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// An education, health and care plan.
    EhcPlan,
    /// SEN Support (no EHC plan).
    SenSupport,
}

impl Support {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EhcPlan => "ehc_plan",
            Self::SenSupport => "sen_support",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::EhcPlan => "EHC plan",
            Self::SenSupport => "SEN Support",
        }
    }

    /// "EHC plan", "SEN Support" (any case, spaces or underscores), or the stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
            "ehc plan" | "ehcp" => Some(Self::EhcPlan),
            "sen support" => Some(Self::SenSupport),
            _ => None,
        }
    }
}

/// School phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Early years.
    EarlyYears,
    /// Primary.
    Primary,
    /// Secondary.
    Secondary,
    /// 16 to 19.
    Post16,
    /// 19 to 25.
    Post19,
}

impl Phase {
    const ALL: [Self; 5] = [Self::EarlyYears, Self::Primary, Self::Secondary, Self::Post16, Self::Post19];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EarlyYears => "early_years",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Post16 => "post_16",
            Self::Post19 => "post_19",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::EarlyYears => "early years",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Post16 => "post-16",
            Self::Post19 => "post-19",
        }
    }

    /// The words or the stored form (any case, spaces, hyphens or underscores).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL.into_iter().find(|p| p.as_str() == t)
    }
}

/// Age bands, as written.
pub const AGE_BANDS: [&str; 5] = ["0-4", "5-10", "11-15", "16-19", "20-25"];

/// One entry of a sample list. Never a name: `reference` passed [`check_reference`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The pseudonymous reference; the local area keeps the key.
    pub reference: String,
    /// One of [`AGE_BANDS`].
    pub age_band: String,
    /// Areas of primary need, at least one, in [`Need::ALL`] order, no repeats.
    pub needs: Vec<Need>,
    /// EHC plan or SEN Support.
    pub support: Support,
    /// In alternative provision.
    pub alternative_provision: bool,
    /// Receiving multi-agency support (education, health, social care).
    pub multi_agency: bool,
    /// School phase.
    pub school_phase: Phase,
}

impl Entry {
    /// The needs as stored: codes joined by `;`.
    pub fn needs_codes(&self) -> String {
        self.needs.iter().map(|n| n.code()).collect::<Vec<_>>().join(";")
    }

    fn need_bits(&self) -> u8 {
        self.needs.iter().fold(0, |bits, n| bits | n.bit())
    }
}

/// Parses stored needs (`CI;SEMH`), dropping nothing silently: `None` if any code is unknown.
pub fn parse_needs(text: &str) -> Option<Vec<Need>> {
    let mut needs = Vec::new();
    for part in text.split([';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
        let need = Need::parse(part)?;
        if !needs.contains(&need) {
            needs.push(need);
        }
    }
    needs.sort();
    (!needs.is_empty()).then_some(needs)
}

/// A reference's shape: `Ok` with it trimmed, or the reason it is refused. A pseudonymous
/// reference has 3 to 20 characters (letters, digits, spaces, `-`, `_`, `/`) and at least one
/// digit: a name never has one, so a child's name cannot be stored by mistake.
pub fn check_reference(text: &str) -> Result<String, String> {
    let r = text.trim();
    if r.is_empty() {
        return Err("Enter the pseudonymous reference".into());
    }
    if r.contains('@') {
        return Err(
            "This looks like an email address. Enter the pseudonymous reference from your own key instead"
                .into(),
        );
    }
    let length = r.chars().count();
    if !(3..=20).contains(&length) {
        return Err("A reference must be 3 to 20 characters long".into());
    }
    if let Some(c) = r.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '/'))) {
        return Err(format!(
            "A reference can contain only letters, numbers, spaces, hyphens, underscores and slashes, not {c:?}"
        ));
    }
    if !r.chars().any(|c| c.is_ascii_digit()) {
        return Err("This looks like a name. A reference must contain a number, for example CYP-014: \
             never enter a child's name"
            .into());
    }
    Ok(r.to_owned())
}

/// One problem with an uploaded file, at a line (1 is the header) and a column (1-based; 0
/// for the whole line or file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's line.
    pub line: u32,
    /// The column's position, or 0.
    pub column: u32,
    /// The sentence a person reads, naming the line and column.
    pub message: String,
}

impl RowError {
    fn at(line: u32, column: usize, message: impl Into<String>) -> Self {
        let column = u32::try_from(column).unwrap_or(0);
        let message = message.into();
        let place = match column {
            0 => format!("Line {line}"),
            c => format!(
                "Line {line}, column {c} ({})",
                COLUMN_WORDS.get(c as usize - 1).copied().unwrap_or("?")
            ),
        };
        Self { line, column, message: format!("{place}: {message}") }
    }

    /// The subject a program matches: `file:LINE:COLUMN`.
    pub fn subject(&self) -> String {
        format!("file:{}:{}", self.line, self.column)
    }
}

/// The most row errors reported for one file.
const MAX_ROW_ERRORS: usize = 50;

/// Parses an uploaded CSV (UTF-8, an optional byte-order mark, the [`CSV_HEADER`] exactly):
/// every entry, or every problem found (by line and column), in which case nothing is kept.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Entry>, Vec<RowError>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![RowError::at(
            1,
            0,
            "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again",
        )]);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![RowError::at(
            1,
            0,
            "The file is empty. Use the template's header and add a row per child",
        )]);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut seen: Vec<(String, u32)> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(RowError::at(line, 0, "This line is not valid CSV (check its quotes)"));
                continue;
            }
        };
        if index == 0 {
            let header: Vec<String> = record.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
            if header != CSV_HEADER {
                let wrong = CSV_HEADER
                    .iter()
                    .enumerate()
                    .find(|(i, h)| header.get(*i).map(String::as_str) != Some(**h));
                let (at, message) = match wrong {
                    Some((i, h)) => {
                        (i + 1, format!("The header must be the template's: expected {h:?} here"))
                    }
                    None => {
                        (CSV_HEADER.len() + 1, "The header has columns the template does not have".to_owned())
                    }
                };
                let mut e =
                    RowError::at(line, 0, format!("{message}. The header is {}", CSV_HEADER.join(",")));
                e.column = u32::try_from(at).unwrap_or(0);
                return Err(vec![e]);
            }
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != CSV_HEADER.len() {
            errors.push(RowError::at(
                line,
                0,
                format!("This line has {} columns; the template has {}", record.len(), CSV_HEADER.len()),
            ));
            continue;
        }
        let parsed = parse_row(&record, line);
        let key = record.get(0).unwrap_or_default().trim().to_lowercase();
        let duplicate = seen.iter().find(|(r, _)| *r == key).map(|(_, first)| *first);
        match (parsed, duplicate) {
            (Err(row), _) if row.first().is_some_and(|e| e.column == 1) => errors.extend(row),
            (parsed, Some(first)) => {
                errors.push(RowError::at(line, 1, format!("This reference is already on line {first}")));
                errors.extend(parsed.err().unwrap_or_default());
            }
            (Ok(entry), None) => {
                seen.push((key, line));
                entries.push(entry);
            }
            (Err(row), None) => {
                seen.push((key, line));
                errors.extend(row);
            }
        }
        if errors.len() >= MAX_ROW_ERRORS {
            break;
        }
    }
    if entries.len() > MAX_ENTRIES {
        errors.push(RowError::at(1, 0, format!("A sample list can have at most {MAX_ENTRIES} children")));
    }
    if errors.is_empty() && entries.is_empty() {
        errors.push(RowError::at(2, 0, "The file has a header but no children. Add a row per child"));
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => None,
    }
}

fn parse_row(record: &csv::StringRecord, line: u32) -> Result<Entry, Vec<RowError>> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim();
    let mut errors = Vec::new();
    let reference = check_reference(field(0)).map_err(|m| errors.push(RowError::at(line, 1, m))).ok();
    let age_band = field(1).replace(['\u{2013}', ' '], "-").replace("--", "-");
    let age_band = if AGE_BANDS.contains(&age_band.as_str()) {
        Some(age_band)
    } else {
        errors.push(RowError::at(line, 2, format!("Enter an age band: one of {}", AGE_BANDS.join(", "))));
        None
    };
    let needs = match parse_needs(field(2)) {
        Some(n) => Some(n),
        None => {
            let unknown: Vec<&str> = field(2)
                .split([';', '|'])
                .map(str::trim)
                .filter(|p| !p.is_empty() && Need::parse(p).is_none())
                .collect();
            let message = if unknown.is_empty() {
                "Enter at least one area of need: CI, CL, SEMH or SP, separated by ;".to_owned()
            } else {
                format!(
                    "{} is not an area of need. Use CI (communication and interaction), CL (cognition and \
                     learning), SEMH (social, emotional and mental health) or SP (sensory and/or physical)",
                    unknown.join(", ")
                )
            };
            errors.push(RowError::at(line, 3, message));
            None
        }
    };
    let support = Support::parse(field(3))
        .ok_or_else(|| errors.push(RowError::at(line, 4, "Enter EHC plan or SEN Support")))
        .ok();
    let ap = yes_no(field(4)).ok_or_else(|| errors.push(RowError::at(line, 5, "Enter yes or no"))).ok();
    let ma = yes_no(field(5)).ok_or_else(|| errors.push(RowError::at(line, 6, "Enter yes or no"))).ok();
    let phase = Phase::parse(field(6))
        .ok_or_else(|| {
            errors.push(RowError::at(
                line,
                7,
                "Enter a school phase: early years, primary, secondary, post-16 or post-19",
            ))
        })
        .ok();
    match (reference, age_band, needs, support, ap, ma, phase) {
        (
            Some(reference),
            Some(age_band),
            Some(needs),
            Some(support),
            Some(alternative_provision),
            Some(multi_agency),
            Some(school_phase),
        ) if errors.is_empty() => Ok(Entry {
            reference,
            age_band,
            needs,
            support,
            alternative_provision,
            multi_agency,
            school_phase,
        }),
        _ => Err(errors),
    }
}

/// Which rules a pick must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    /// Interim visit: 4 to 6; at least 2 on SEN Support; at least 3 with multi-agency support.
    Interim,
    /// Full inspection: 6; each area of need; at least 2 on SEN Support; at least 1 in AP.
    Full,
}

impl Rules {
    /// The rules of an engagement of `kind`, or `None` if it has no case studies.
    pub fn for_kind(kind: EngagementKind) -> Option<Self> {
        match kind {
            EngagementKind::InterimVisit => Some(Self::Interim),
            EngagementKind::FullInspection | EngagementKind::LegacyInspection => Some(Self::Full),
            _ => None,
        }
    }

    /// The smallest and largest pick.
    pub fn sizes(self) -> (usize, usize) {
        match self {
            Self::Interim => (4, 6),
            Self::Full => (6, 6),
        }
    }
}

/// The refusal for an engagement kind without case studies.
pub fn not_for_kind() -> Finding {
    Finding::new(NOT_FOR_KIND, "engagement_id", "This engagement has no case studies")
}

/// The refusal to ask for more children when the list already gives a valid pick.
pub fn more_only_when_short() -> Finding {
    Finding::new(
        MORE_ONLY_WHEN_SHORT,
        "entries",
        "The sample list already has enough children for a valid pick, so there is nothing more to ask for",
    )
}

/// One rule as it stands for a pick or a list: met or not, and how many more entries it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCheck {
    /// The rule id (never shown).
    pub rule: &'static str,
    /// Whether it is met.
    pub met: bool,
    /// How many more entries are needed (or, for too large a pick, how many to take out).
    pub missing: u32,
    /// The sentence a person reads.
    pub message: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count<'a>(entries: impl IntoIterator<Item = &'a Entry>, f: impl Fn(&Entry) -> bool) -> usize {
    entries.into_iter().filter(|e| f(e)).count()
}

fn check(
    rule: &'static str,
    have: usize,
    need: usize,
    met_text: String,
    short_text: impl Fn(usize) -> String,
) -> RuleCheck {
    let missing = need.saturating_sub(have);
    RuleCheck {
        rule,
        met: missing == 0,
        missing: u32::try_from(missing).unwrap_or(u32::MAX),
        message: if missing == 0 { met_text } else { short_text(missing) },
    }
}

/// Each rule for a pick of `picked`, met or not, in the order people read them.
pub fn check_pick(rules: Rules, picked: &[&Entry]) -> Vec<RuleCheck> {
    let n = picked.len();
    let sen = count(picked.iter().copied(), |e| e.support == Support::SenSupport);
    let mut out = Vec::new();
    match rules {
        Rules::Interim => {
            let size = if n > 6 {
                RuleCheck {
                    rule: INTERIM_SIZE,
                    met: false,
                    missing: u32::try_from(n - 6).unwrap_or(u32::MAX),
                    message: format!(
                        "An interim visit has 4 to 6 case studies: take out {}",
                        plural(n - 6, "child", "children")
                    ),
                }
            } else {
                check(
                    INTERIM_SIZE,
                    n,
                    4,
                    format!("{} picked (4 to 6 needed)", plural(n, "child", "children")),
                    |m| {
                        format!(
                            "An interim visit has 4 to 6 case studies: pick {}",
                            plural(m, "more child", "more children")
                        )
                    },
                )
            };
            out.push(size);
            out.push(check(
                INTERIM_SEN_SUPPORT,
                sen,
                2,
                format!("{sen} on SEN Support (at least 2 needed)"),
                |m| format!("At least 2 must be on SEN Support: {m} more needed"),
            ));
            let ma = count(picked.iter().copied(), |e| e.multi_agency);
            out.push(check(
                INTERIM_MULTI_AGENCY,
                ma,
                3,
                format!("{ma} receiving multi-agency support (at least 3 needed)"),
                |m| format!("At least 3 must receive multi-agency support: {m} more needed"),
            ));
        }
        Rules::Full => {
            let size = if n > 6 {
                RuleCheck {
                    rule: FULL_SIZE,
                    met: false,
                    missing: u32::try_from(n - 6).unwrap_or(u32::MAX),
                    message: format!(
                        "A full inspection case-tracks 6 children: take out {}",
                        plural(n - 6, "child", "children")
                    ),
                }
            } else {
                check(FULL_SIZE, n, 6, "6 picked".to_owned(), |m| {
                    format!(
                        "A full inspection case-tracks 6 children: pick {}",
                        plural(m, "more child", "more children")
                    )
                })
            };
            out.push(size);
            let absent: Vec<&str> = Need::ALL
                .into_iter()
                .filter(|need| !picked.iter().any(|e| e.needs.contains(need)))
                .map(Need::label)
                .collect();
            out.push(check(
                FULL_AREAS_OF_NEED,
                4 - absent.len(),
                4,
                "Each of the 4 areas of need is covered".into(),
                |_| {
                    format!(
                        "Each of the 4 areas of need must be covered: none picked for {}",
                        absent.join("; ")
                    )
                },
            ));
            out.push(check(
                FULL_SEN_SUPPORT,
                sen,
                2,
                format!("{sen} on SEN Support (at least 2 needed)"),
                |m| format!("At least 2 must be on SEN Support: {m} more needed"),
            ));
            let ap = count(picked.iter().copied(), |e| e.alternative_provision);
            out.push(check(
                FULL_ALTERNATIVE_PROVISION,
                ap,
                1,
                format!("{ap} in alternative provision (at least 1 needed)"),
                |m| format!("At least 1 must be in alternative provision: {m} more needed"),
            ));
        }
    }
    out
}

/// The broken rules of a pick, as findings (subject `picked`).
pub fn pick_findings(rules: Rules, picked: &[&Entry]) -> Vec<Finding> {
    check_pick(rules, picked)
        .into_iter()
        .filter(|c| !c.met)
        .map(|c| Finding::new(c.rule, "picked", c.message))
        .collect()
}

/// Whether the whole list can give a valid pick: per rule, how many more entries the local
/// area would have to supply. Empty exactly when a valid pick exists.
pub fn list_shortfalls(rules: Rules, entries: &[Entry]) -> Vec<Finding> {
    let n = entries.len();
    let sen = count(entries, |e| e.support == Support::SenSupport);
    let mut out = Vec::new();
    let mut more = |rule, have: usize, need: usize, what: &str| {
        if have < need {
            let m = need - have;
            out.push(Finding::new(
                rule,
                "entries",
                format!(
                    "The sample list needs {} {what}: ask the local area for more",
                    plural(m, "more child", "more children")
                ),
            ));
        }
    };
    match rules {
        Rules::Interim => {
            more(INTERIM_SIZE, n, 4, "(an interim visit has at least 4 case studies)");
            more(INTERIM_SEN_SUPPORT, sen, 2, "on SEN Support");
            more(
                INTERIM_MULTI_AGENCY,
                count(entries, |e| e.multi_agency),
                3,
                "receiving multi-agency support",
            );
        }
        Rules::Full => {
            more(FULL_SIZE, n, 6, "(a full inspection case-tracks 6)");
            for need in Need::ALL {
                more(
                    FULL_AREAS_OF_NEED,
                    count(entries, |e| e.needs.contains(&need)),
                    1,
                    &format!("with {} needs", need.label()),
                );
            }
            more(FULL_SEN_SUPPORT, sen, 2, "on SEN Support");
            more(
                FULL_ALTERNATIVE_PROVISION,
                count(entries, |e| e.alternative_provision),
                1,
                "in alternative provision",
            );
        }
    }
    // When each rule can be met on its own, some one set meets them all: the (at most 3)
    // children on SEN Support and in AP cover at least one area of need, so at most 3 more
    // cover the rest, within 6 (the property test below checks this on random lists).
    out
}

/// What the rules read of an entry, packed: need bits, SEN Support, multi-agency, AP.
#[derive(Clone, Copy)]
struct Facts {
    needs: u8,
    sen: bool,
    multi_agency: bool,
    ap: bool,
}

fn facts(entries: &[Entry]) -> Vec<Facts> {
    entries
        .iter()
        .map(|e| Facts {
            needs: e.need_bits(),
            sen: e.support == Support::SenSupport,
            multi_agency: e.multi_agency,
            ap: e.alternative_provision,
        })
        .collect()
}

fn valid(rules: Rules, facts: &[Facts], set: &[usize]) -> bool {
    let sen = set.iter().filter(|&&i| facts[i].sen).count();
    match rules {
        Rules::Interim => {
            (4..=6).contains(&set.len())
                && sen >= 2
                && set.iter().filter(|&&i| facts[i].multi_agency).count() >= 3
        }
        Rules::Full => {
            set.len() == 6
                && sen >= 2
                && set.iter().any(|&i| facts[i].ap)
                && set.iter().fold(0, |bits, &i| bits | facts[i].needs) == 0b1111
        }
    }
}

/// `n` choose `k`, saturating.
fn choose(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    (0..k).fold(1_u128, |acc, i| acc.saturating_mul((n - i) as u128) / (i as u128 + 1))
}

/// Calls `f` with every `k`-subset of `0..n` (ascending indices) until it answers `false`.
fn each_subset(n: usize, k: usize, f: &mut impl FnMut(&[usize]) -> bool) -> bool {
    if k > n {
        return true;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        if !f(&idx) {
            return false;
        }
        // Advance to the next combination.
        let mut i = k;
        loop {
            if i == 0 {
                return true;
            }
            i -= 1;
            if idx[i] < n - k + i {
                break;
            }
            if i == 0 {
                return true;
            }
        }
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Above this many candidate sets, "suggest a pick" samples instead of enumerating.
const ENUMERATE_UP_TO: u128 = 300_000;

/// How many valid picks the list allows (enumerated: for lists small enough, else capped
/// at the first one found, answered as 1).
pub fn count_valid(rules: Rules, entries: &[Entry]) -> u128 {
    let facts = facts(entries);
    let (lo, hi) = rules.sizes();
    let total: u128 = (lo..=hi).map(|k| choose(facts.len(), k)).sum();
    let mut found = 0_u128;
    for k in lo..=hi {
        each_subset(facts.len(), k, &mut |set| {
            if valid(rules, &facts, set) {
                found += 1;
            }
            total <= ENUMERATE_UP_TO || found == 0
        });
        if total > ENUMERATE_UP_TO && found > 0 {
            return 1;
        }
    }
    found
}

/// A valid pick chosen uniformly at random among all valid picks of `entries`, from `seed`:
/// the same seed and list always give the same pick. Indices into `entries`, ascending; `None`
/// when no valid pick exists. Small lists enumerate every valid set and take the one the seed
/// points at; larger ones draw uniform candidate sets until one is valid (uniform among the
/// valid ones too), falling back to enumeration if the draws find none.
pub fn suggest_pick(rules: Rules, entries: &[Entry], seed: u64) -> Option<Vec<usize>> {
    let facts = facts(entries);
    let n = facts.len();
    let (lo, hi) = rules.sizes();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total: u128 = (lo..=hi).map(|k| choose(n, k)).sum();
    if total == 0 {
        return None;
    }
    if total > ENUMERATE_UP_TO {
        for _ in 0..200_000 {
            // A size with weight C(n, k), then a uniform k-subset: uniform over all candidates.
            let mut r = rng.random_range(0..total);
            let mut k = lo;
            while r >= choose(n, k) {
                r -= choose(n, k);
                k += 1;
            }
            let mut set = rand::seq::index::sample(&mut rng, n, k).into_vec();
            set.sort_unstable();
            if valid(rules, &facts, &set) {
                return Some(set);
            }
        }
    }
    let valid_count = {
        let mut c = 0_u128;
        for k in lo..=hi {
            each_subset(n, k, &mut |set| {
                c += u128::from(valid(rules, &facts, set));
                true
            });
        }
        c
    };
    if valid_count == 0 {
        return None;
    }
    let mut target = rng.random_range(0..valid_count);
    let mut chosen = None;
    for k in lo..=hi {
        let finished = each_subset(n, k, &mut |set| {
            if valid(rules, &facts, set) {
                if target == 0 {
                    chosen = Some(set.to_vec());
                    return false;
                }
                target -= 1;
            }
            true
        });
        if !finished {
            break;
        }
    }
    chosen
}

/// The local area's declared SEND population: how many children have each area of primary
/// need, and how many are on SEN Support and on EHC plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Population {
    /// By [`Need::ALL`] order.
    pub needs: [u32; 4],
    /// On SEN Support.
    pub sen_support: u32,
    /// On an EHC plan.
    pub ehc_plan: u32,
}

impl Population {
    /// Whether the area gave any counts.
    pub fn is_declared(&self) -> bool {
        self.needs.iter().any(|n| *n > 0) || self.sen_support + self.ehc_plan > 0
    }
}

/// A difference, in percentage points, above which a share counts as off.
pub const REPRESENTATIVE_WITHIN: u32 = 10;

/// One line of the representativeness report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// What is counted ("social, emotional and mental health", "SEN Support").
    pub label: String,
    /// Percent of the sample list (rounded).
    pub sample_percent: u32,
    /// Percent of the declared population (rounded).
    pub population_percent: u32,
    /// Whether the two are within [`REPRESENTATIVE_WITHIN`] points.
    pub within: bool,
}

fn percent(part: usize, whole: usize) -> u32 {
    (part * 100 + whole / 2).checked_div(whole).map_or(0, |p| u32::try_from(p).unwrap_or(100))
}

/// How the list compares with the declared population, per area of need (as a share of all
/// needs recorded, since a child may have more than one) and per support type; empty when the
/// area declared nothing or the list is empty.
pub fn representativeness(entries: &[Entry], population: &Population) -> Vec<Share> {
    if !population.is_declared() || entries.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let need_total: usize = entries.iter().map(|e| e.needs.len()).sum();
    let population_needs: usize = population.needs.iter().map(|n| *n as usize).sum();
    if population_needs > 0 {
        for (i, need) in Need::ALL.into_iter().enumerate() {
            let s = percent(count(entries, |e| e.needs.contains(&need)), need_total.max(1)).min(100);
            let p = percent(population.needs[i] as usize, population_needs);
            out.push(Share {
                label: need.label().to_owned(),
                sample_percent: s,
                population_percent: p,
                within: s.abs_diff(p) <= REPRESENTATIVE_WITHIN,
            });
        }
    }
    let population_support = (population.sen_support + population.ehc_plan) as usize;
    if population_support > 0 {
        for support in [Support::SenSupport, Support::EhcPlan] {
            let s = percent(count(entries, |e| e.support == support), entries.len());
            let p = percent(
                if support == Support::SenSupport { population.sen_support } else { population.ehc_plan }
                    as usize,
                population_support,
            );
            out.push(Share {
                label: support.label().to_owned(),
                sample_percent: s,
                population_percent: p,
                within: s.abs_diff(p) <= REPRESENTATIVE_WITHIN,
            });
        }
    }
    out
}

/// A reason for a change, checked: `Ok` trimmed; a frozen list needs one.
pub fn change_reason(frozen: bool, reason: &str) -> Result<String, Finding> {
    let reason = reason.trim();
    if frozen && reason.is_empty() {
        return Err(Finding::new(
            REASON_REQUIRED,
            "reason",
            "The sample list has been agreed: give a reason for changing it",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Finding::new(
            REASON_REQUIRED,
            "reason",
            format!("A reason must be {MAX_REASON_CHARS} characters or fewer"),
        ));
    }
    Ok(reason.to_owned())
}

/// Agreement needs a pick that meets the rules.
pub fn check_agreement(rules: Rules, picked: &[&Entry]) -> Result<(), Finding> {
    if picked.is_empty() || !pick_findings(rules, picked).is_empty() {
        return Err(Finding::new(
            AGREE_NEEDS_VALID_PICK,
            "picked",
            "The team must pick case studies that meet the rules before the sample can be agreed",
        ));
    }
    Ok(())
}

/// Who is acting on a sample, from their scope (the store has already found that they may see
/// it: the area's users, the engagement's team, the region's lead, national planners).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A user of the engagement's local area: supplies the list, agrees it.
    Area,
    /// A member of the engagement's team: picks, agrees.
    Team,
    /// The region's lead or a national planner: reads only.
    Viewer,
}

impl Party {
    /// The party of someone with `scope` who may see the sample.
    pub fn of(scope: &super::identity::Scope) -> Self {
        use super::identity::Scope;
        match scope {
            Scope::LocalArea(_) => Self::Area,
            Scope::Inspector { .. } => Self::Team,
            _ => Self::Viewer,
        }
    }
}

/// A sample as its rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFacts {
    /// The engagement's rules, or `None` if it has no case studies.
    pub rules: Option<Rules>,
    /// The concurrency version (0 when there is no sample yet).
    pub version: i64,
    /// Both sides agreed: changes need a reason.
    pub frozen: bool,
    /// The current list.
    pub entries: Vec<Entry>,
    /// The references of the current pick.
    pub picked: Vec<String>,
}

/// One version of a list, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVersion {
    /// 1, 2, ...
    pub list_version: i64,
    /// How many children it had.
    pub entries: i64,
    /// Why it changed (empty for changes before agreement).
    pub reason: String,
    /// Who changed it (their name).
    pub changed_by: String,
    /// When (canonical time).
    pub changed_at: String,
}

/// A side's agreement: who and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// The person's name.
    pub by: String,
    /// When (canonical time).
    pub at: String,
}

/// A sample as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleView {
    /// The engagement's public id.
    pub engagement_id: String,
    /// Its kind.
    pub kind: EngagementKind,
    /// The local area's name.
    pub local_area_name: String,
    /// The sample's public id, once there is one.
    pub public_id: Option<String>,
    /// Concurrency version (0 before the first list).
    pub version: i64,
    /// The list's version (0 before the first list).
    pub list_version: i64,
    /// The current list, by reference.
    pub entries: Vec<Entry>,
    /// The current pick.
    pub picked: Vec<String>,
    /// The seed of the current pick when it was suggested.
    pub seed: Option<String>,
    /// Declared population.
    pub population: Population,
    /// The area's agreement.
    pub area_agreed: Option<Agreement>,
    /// The team's agreement.
    pub team_agreed: Option<Agreement>,
    /// Both agreed.
    pub frozen: bool,
    /// Every version of the list.
    pub history: Vec<ListVersion>,
    /// The team's open request for more children, if any.
    pub more_asked: Option<MoreAsked>,
}

/// The team's request to the local area for more children on the list: who asked, when, and
/// what the list lacked then (the rules' sentences). Open until the area supplies a new list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoreAsked {
    /// The person's name.
    pub by: String,
    /// When (canonical time).
    pub at: String,
    /// What the list lacked, one sentence per rule.
    pub missing: Vec<String>,
}

impl SampleView {
    /// The facts the decisions read.
    pub fn facts(&self) -> SampleFacts {
        SampleFacts {
            rules: Rules::for_kind(self.kind),
            version: self.version,
            frozen: self.frozen,
            entries: self.entries.clone(),
            picked: self.picked.clone(),
        }
    }

    /// The picked entries.
    pub fn picked_entries(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| self.picked.contains(&e.reference)).collect()
    }
}

/// A change to a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleChange {
    /// The area supplies (or replaces) the list.
    Upload {
        /// Parsed entries.
        entries: Vec<Entry>,
        /// Declared population (may be empty).
        population: Population,
        /// Needed once frozen.
        reason: String,
    },
    /// The team picks these references.
    Pick {
        /// References on the list.
        references: Vec<String>,
        /// Needed once frozen.
        reason: String,
    },
    /// The team asks for a suggested pick from this seed.
    Suggest {
        /// The seed, recorded.
        seed: u64,
        /// Needed once frozen.
        reason: String,
    },
    /// The caller's side agrees the list and pick.
    Agree,
    /// The team asks the local area for more children on the list.
    AskForMore,
}

/// What to write for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleWrite {
    /// Replace the list (entries off the new list are kept as removed, so letters still refuse them).
    List {
        /// The new list.
        entries: Vec<Entry>,
        /// Population.
        population: Population,
        /// The reason, recorded with the new list version.
        reason: String,
    },
    /// Set the pick.
    Pick {
        /// References picked.
        references: Vec<String>,
        /// The seed when suggested.
        seed: Option<u64>,
        /// The reason.
        reason: String,
    },
    /// Record the caller's side's agreement.
    Agree(Party),
    /// Record the team's request for more children, with what the list lacks.
    AskForMore {
        /// The rules' sentences for what the list lacks.
        missing: Vec<String>,
    },
}

fn only(party: Party, wanted: Party, what: &str) -> Result<(), Refusal> {
    if party == wanted { Ok(()) } else { Err(Refusal::NotAllowed(what.to_owned())) }
}

/// Decides a change to a sample by `party`, with `version` the caller read (0 for none yet).
pub fn decide(
    party: Party,
    facts: &SampleFacts,
    version: i64,
    change: SampleChange,
) -> Result<SampleWrite, Refusal> {
    let Some(rules) = facts.rules else {
        return Err(Refusal::Failed(vec![not_for_kind()]));
    };
    if version != facts.version {
        return Err(Refusal::Stale(
            "Someone else changed this sample list since you opened it. Reload the page to see it".into(),
        ));
    }
    let reason = |r: &str| change_reason(facts.frozen, r).map_err(|f| Refusal::Failed(vec![f]));
    match change {
        SampleChange::Upload { entries, population, reason: r } => {
            only(party, Party::Area, "Only the local area supplies the sample list")?;
            Ok(SampleWrite::List { entries, population, reason: reason(&r)? })
        }
        SampleChange::Pick { references, reason: r } => {
            only(party, Party::Team, "Only the visiting team picks the case studies")?;
            let reason = reason(&r)?;
            let mut picked = Vec::new();
            for reference in &references {
                let Some(entry) =
                    facts.entries.iter().find(|e| e.reference.eq_ignore_ascii_case(reference.trim()))
                else {
                    return Err(Refusal::field("picked", "Pick only children on the sample list"));
                };
                if !picked.contains(&entry) {
                    picked.push(entry);
                }
            }
            let findings = pick_findings(rules, &picked);
            if !findings.is_empty() {
                return Err(Refusal::Failed(findings));
            }
            Ok(SampleWrite::Pick {
                references: picked.iter().map(|e| e.reference.clone()).collect(),
                seed: None,
                reason,
            })
        }
        SampleChange::Suggest { seed, reason: r } => {
            only(party, Party::Team, "Only the visiting team picks the case studies")?;
            let reason = reason(&r)?;
            let shortfalls = list_shortfalls(rules, &facts.entries);
            if !shortfalls.is_empty() {
                return Err(Refusal::Failed(shortfalls));
            }
            let mut sorted: Vec<&Entry> = facts.entries.iter().collect();
            sorted.sort_by(|a, b| a.reference.cmp(&b.reference));
            let sorted: Vec<Entry> = sorted.into_iter().cloned().collect();
            let pick = suggest_pick(rules, &sorted, seed)
                .ok_or_else(|| Refusal::Failed(list_shortfalls(rules, &sorted)))?;
            Ok(SampleWrite::Pick {
                references: pick.into_iter().map(|i| sorted[i].reference.clone()).collect(),
                seed: Some(seed),
                reason,
            })
        }
        SampleChange::Agree => {
            if party == Party::Viewer {
                return Err(Refusal::NotAllowed(
                    "Only the local area and the visiting team agree the sample".into(),
                ));
            }
            let picked: Vec<&Entry> =
                facts.entries.iter().filter(|e| facts.picked.contains(&e.reference)).collect();
            check_agreement(rules, &picked).map_err(|f| Refusal::Failed(vec![f]))?;
            Ok(SampleWrite::Agree(party))
        }
        SampleChange::AskForMore => {
            only(party, Party::Team, "Only the visiting team asks the local area for more children")?;
            let shortfalls = list_shortfalls(rules, &facts.entries);
            if shortfalls.is_empty() {
                return Err(Refusal::Failed(vec![more_only_when_short()]));
            }
            Ok(SampleWrite::AskForMore { missing: shortfalls.into_iter().map(|f| f.message).collect() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(reference: &str, needs: &[Need], sen: bool, ap: bool, ma: bool) -> Entry {
        Entry {
            reference: reference.into(),
            age_band: "5-10".into(),
            needs: needs.to_vec(),
            support: if sen { Support::SenSupport } else { Support::EhcPlan },
            alternative_provision: ap,
            multi_agency: ma,
            school_phase: Phase::Primary,
        }
    }

    use Need::*;

    /// Eight entries from which valid interim and full picks exist.
    fn list() -> Vec<Entry> {
        vec![
            entry("CYP-1", &[CommunicationInteraction], true, false, true),
            entry("CYP-2", &[CognitionLearning], true, false, true),
            entry("CYP-3", &[SocialEmotionalMentalHealth], false, true, true),
            entry("CYP-4", &[SensoryPhysical], false, false, false),
            entry("CYP-5", &[CommunicationInteraction, CognitionLearning], false, false, true),
            entry("CYP-6", &[SocialEmotionalMentalHealth], true, false, false),
            entry("CYP-7", &[CognitionLearning], false, false, false),
            entry("CYP-8", &[SensoryPhysical], false, true, true),
        ]
    }

    fn refs<'a>(list: &'a [Entry], picked: &[usize]) -> Vec<&'a Entry> {
        picked.iter().map(|&i| &list[i]).collect()
    }

    fn rules_of(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn references_refuse_names_and_emails_with_the_reason() {
        assert_eq!(check_reference(" CYP-014 "), Ok("CYP-014".into()));
        assert_eq!(check_reference("Case 7"), Ok("Case 7".into()));
        assert!(check_reference("Amara Jones").expect_err("refused").contains("looks like a name"));
        assert!(check_reference("amara").expect_err("refused").contains("looks like a name"));
        assert!(check_reference("jo@example.org").expect_err("refused").contains("email address"));
        assert!(check_reference("").is_err());
        assert!(check_reference("C1").is_err());
        assert!(check_reference("CYP-1; DROP").is_err());
        assert!(check_reference("CYP-000000000000000001").is_err());
    }

    #[test]
    fn a_good_file_parses_with_a_bom_and_any_case() {
        let file =
            format!("\u{feff}{CSV_TEMPLATE}cyp-003 , 16-19 , sp|ci , sen_support , No , Y , Post-16\n");
        let entries = parse_csv(file.as_bytes()).expect("parses");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].needs, [CommunicationInteraction, CognitionLearning]);
        assert_eq!(entries[2].reference, "cyp-003");
        assert_eq!(entries[2].needs, [CommunicationInteraction, SensoryPhysical]);
        assert_eq!(entries[2].support, Support::SenSupport);
        assert!(entries[2].multi_agency && !entries[2].alternative_provision);
        assert_eq!(entries[2].school_phase, Phase::Post16);
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_column_and_nothing_is_kept() {
        let file = format!(
            "{CSV_TEMPLATE}Amara Jones,5-10,CI,SEN Support,no,yes,primary\n\
             CYP-004,5-10,XY;CI,SEN Support,no,yes,primary\n\
             cyp-001,5-10,CI,SEN Support,maybe,yes,primary\n\
             CYP-005,5-10,CI\n"
        );
        let errors = parse_csv(file.as_bytes()).expect_err("refused");
        let places: Vec<(u32, u32)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(places, [(4, 1), (5, 3), (6, 1), (6, 5), (7, 0)], "{errors:?}");
        assert!(errors[0].message.starts_with("Line 4, column 1 (reference): This looks like a name"));
        assert_eq!(errors[1].subject(), "file:5:3");
        assert!(errors[1].message.contains("XY is not an area of need"));
        assert!(errors[2].message.contains("already on line 2"));
        assert!(errors[4].message.contains("has 3 columns"));
    }

    #[test]
    fn a_wrong_header_or_encoding_is_refused_whole() {
        let wrong = parse_csv(b"ref,age,needs\nCYP-1,5-10,CI\n").expect_err("header");
        assert_eq!((wrong[0].line, wrong[0].column), (1, 1));
        assert!(wrong[0].message.contains("expected \"reference\""), "{wrong:?}");
        let latin1 = parse_csv(b"reference,age_band\n\xe9\n").expect_err("encoding");
        assert!(latin1[0].message.contains("not UTF-8"));
        assert!(parse_csv(b"").is_err());
        assert!(
            parse_csv(CSV_HEADER.join(",").as_bytes()).expect_err("no rows")[0]
                .message
                .contains("no children")
        );
    }

    #[test]
    fn every_rule_fires() {
        let list = list();
        let mut fired = Vec::new();
        // Interim: 3 picked, 1 on SEN Support, 2 multi-agency.
        let picked = refs(&list, &[2, 3, 0]);
        fired.extend(rules_of(&pick_findings(Rules::Interim, &picked)));
        // Full: 4 picked, missing SP, 1 SEN Support, no AP.
        let picked = refs(&list, &[0, 4, 6]);
        let full = pick_findings(Rules::Full, &picked);
        fired.extend(rules_of(&full));
        assert!(
            full[1]
                .message
                .ends_with("none picked for social, emotional and mental health; sensory and/or physical"),
            "{full:?}"
        );
        assert!(full[0].message.ends_with("pick 3 more children"));
        fired.push(not_for_kind().rule);
        assert!(Rules::for_kind(EngagementKind::EngagementMeeting).is_none());
        fired.push(change_reason(true, " ").expect_err("frozen").rule);
        assert_eq!(change_reason(false, " "), Ok(String::new()));
        fired.push(check_agreement(Rules::Interim, &refs(&list, &[0])).expect_err("invalid pick").rule);
        fired.push(more_only_when_short().rule);
        assert_eq!(fired, RULES, "each rule of RULES fires once, in order");
    }

    #[test]
    fn valid_picks_pass_and_a_short_list_says_how_many_are_missing() {
        let list = list();
        assert!(pick_findings(Rules::Interim, &refs(&list, &[0, 1, 2, 4])).is_empty());
        assert!(pick_findings(Rules::Full, &refs(&list, &[0, 1, 2, 3, 5, 7])).is_empty());
        assert!(list_shortfalls(Rules::Interim, &list).is_empty());
        assert!(list_shortfalls(Rules::Full, &list).is_empty());
        let short = &list[2..5];
        let findings = list_shortfalls(Rules::Interim, short);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "The sample list needs 1 more child (an interim visit has at least 4 case studies): ask the local area for more",
                "The sample list needs 2 more children on SEN Support: ask the local area for more",
                "The sample list needs 1 more child receiving multi-agency support: ask the local area for more",
            ]
        );
        let too_many = check_pick(Rules::Interim, &refs(&list, &[0, 1, 2, 3, 4, 5, 6]));
        assert_eq!((too_many[0].met, too_many[0].missing), (false, 1));
        assert!(too_many[0].message.contains("take out 1 child"));
    }

    #[test]
    fn a_suggested_pick_is_valid_reproducible_and_spread_over_every_valid_set() {
        let list = list();
        for rules in [Rules::Interim, Rules::Full] {
            let valid_sets = count_valid(rules, &list);
            assert!(valid_sets > 1, "{rules:?}");
            let mut seen = std::collections::BTreeMap::new();
            for seed in 0..2000_u64 {
                let pick = suggest_pick(rules, &list, seed).expect("a valid set exists");
                assert_eq!(suggest_pick(rules, &list, seed).as_ref(), Some(&pick), "same seed, same pick");
                assert!(
                    pick_findings(rules, &refs(&list, &pick)).is_empty(),
                    "{rules:?} seed {seed}: {pick:?}"
                );
                *seen.entry(pick).or_insert(0_u32) += 1;
            }
            // Uniform: every valid set turns up, none much more often than its share.
            if valid_sets <= 60 {
                assert_eq!(seen.len() as u128, valid_sets, "{rules:?}");
                let expected = 2000.0 / valid_sets as f64;
                for (set, n) in &seen {
                    assert!(f64::from(*n) < expected * 2.5 + 10.0, "{rules:?} {set:?} drawn {n} times");
                }
            }
        }
        assert_eq!(suggest_pick(Rules::Full, &list[..5], 1), None);
    }

    /// Property: on random lists, a valid pick exists exactly when the list has no shortfall,
    /// and the suggested pick then meets every rule.
    #[test]
    fn a_valid_pick_exists_exactly_when_the_list_has_no_shortfall() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for case in 0..400 {
            let n = rng.random_range(0..10);
            let list: Vec<Entry> = (0..n)
                .map(|i| {
                    let mut needs: Vec<Need> =
                        Need::ALL.into_iter().filter(|_| rng.random_bool(0.3)).collect();
                    if needs.is_empty() {
                        needs.push(Need::ALL[rng.random_range(0..4)]);
                    }
                    entry(
                        &format!("CYP-{i}"),
                        &needs,
                        rng.random_bool(0.3),
                        rng.random_bool(0.15),
                        rng.random_bool(0.4),
                    )
                })
                .collect();
            for rules in [Rules::Interim, Rules::Full] {
                let short = list_shortfalls(rules, &list);
                let pick = suggest_pick(rules, &list, case);
                assert_eq!(short.is_empty(), count_valid(rules, &list) > 0, "{rules:?} {list:?}");
                assert_eq!(short.is_empty(), pick.is_some(), "{rules:?} {list:?}");
                if let Some(pick) = pick {
                    assert!(pick_findings(rules, &refs(&list, &pick)).is_empty());
                }
            }
        }
    }

    #[test]
    fn each_side_does_its_own_part_and_a_frozen_list_needs_a_reason() {
        let facts = SampleFacts {
            rules: Some(Rules::Interim),
            version: 3,
            frozen: true,
            entries: list(),
            picked: vec![],
        };
        let upload = || SampleChange::Upload {
            entries: list(),
            population: Population::default(),
            reason: String::new(),
        };
        assert!(matches!(decide(Party::Team, &facts, 3, upload()), Err(Refusal::NotAllowed(_))));
        assert!(matches!(decide(Party::Area, &facts, 2, upload()), Err(Refusal::Stale(_))));
        assert_eq!(decide(Party::Area, &facts, 3, upload()).expect_err("reason").rules(), [REASON_REQUIRED]);
        let pick = |refs: &[&str]| SampleChange::Pick {
            references: refs.iter().map(|r| (*r).to_owned()).collect(),
            reason: "Agreed on the phone".into(),
        };
        assert!(matches!(decide(Party::Area, &facts, 3, pick(&["CYP-1"])), Err(Refusal::NotAllowed(_))));
        let refused = decide(Party::Team, &facts, 3, pick(&["CYP-1", "CYP-3"])).expect_err("too few");
        assert_eq!(refused.rules(), [INTERIM_SIZE, INTERIM_SEN_SUPPORT, INTERIM_MULTI_AGENCY]);
        assert!(matches!(decide(Party::Team, &facts, 3, pick(&["CYP-99"])), Err(Refusal::Invalid(_))));
        let ok = decide(Party::Team, &facts, 3, pick(&["cyp-1", "CYP-2", "CYP-3", "CYP-5"])).expect("valid");
        assert!(
            matches!(ok, SampleWrite::Pick { ref references, seed: None, .. } if references[0] == "CYP-1")
        );
        let suggest = |seed| SampleChange::Suggest { seed, reason: "Redo".into() };
        assert_eq!(decide(Party::Team, &facts, 3, suggest(9)), decide(Party::Team, &facts, 3, suggest(9)));
        assert!(matches!(decide(Party::Viewer, &facts, 3, SampleChange::Agree), Err(Refusal::NotAllowed(_))));
        assert_eq!(
            decide(Party::Area, &facts, 3, SampleChange::Agree).expect_err("no pick").rules(),
            [AGREE_NEEDS_VALID_PICK]
        );
        let picked = SampleFacts {
            picked: ["CYP-1", "CYP-2", "CYP-3", "CYP-5"].map(String::from).to_vec(),
            ..facts.clone()
        };
        assert_eq!(decide(Party::Area, &picked, 3, SampleChange::Agree), Ok(SampleWrite::Agree(Party::Area)));
        let none = SampleFacts { rules: None, ..facts };
        assert_eq!(
            decide(Party::Area, &none, 3, upload()).expect_err("no case studies").rules(),
            [NOT_FOR_KIND]
        );
    }

    #[test]
    fn the_team_asks_for_more_only_when_the_list_is_short_and_says_what_it_lacks() {
        let full = SampleFacts {
            rules: Some(Rules::Interim),
            version: 2,
            frozen: false,
            entries: list(),
            picked: vec![],
        };
        assert_eq!(
            decide(Party::Team, &full, 2, SampleChange::AskForMore).expect_err("enough").rules(),
            [MORE_ONLY_WHEN_SHORT]
        );
        // Three children, one on SEN Support: short of one child and one on SEN Support.
        let short = SampleFacts { entries: refs(&list(), &[0, 2, 3]).into_iter().cloned().collect(), ..full };
        for party in [Party::Area, Party::Viewer] {
            assert!(matches!(
                decide(party, &short, 2, SampleChange::AskForMore),
                Err(Refusal::NotAllowed(_))
            ));
        }
        assert!(matches!(decide(Party::Team, &short, 1, SampleChange::AskForMore), Err(Refusal::Stale(_))));
        let Ok(SampleWrite::AskForMore { missing }) =
            decide(Party::Team, &short, 2, SampleChange::AskForMore)
        else {
            panic!("asked")
        };
        let expected: Vec<String> =
            list_shortfalls(Rules::Interim, &short.entries).into_iter().map(|f| f.message).collect();
        assert_eq!(missing, expected);
        assert!(missing.len() >= 2 && missing.iter().all(|m| !m.is_empty()), "{missing:?}");
    }

    #[test]
    fn large_lists_are_sampled_and_still_valid() {
        let mut big = Vec::new();
        for i in 0..60 {
            let need = Need::ALL[i % 4];
            big.push(entry(&format!("CYP-{i}"), &[need], i % 3 == 0, i % 7 == 0, i % 2 == 0));
        }
        for rules in [Rules::Interim, Rules::Full] {
            let pick = suggest_pick(rules, &big, 42).expect("valid");
            assert_eq!(suggest_pick(rules, &big, 42), Some(pick.clone()));
            assert!(pick_findings(rules, &refs(&big, &pick)).is_empty());
            assert_ne!(suggest_pick(rules, &big, 43), Some(pick));
        }
    }

    #[test]
    fn representativeness_compares_shares_with_the_declared_population() {
        let list = list();
        assert!(representativeness(&list, &Population::default()).is_empty());
        let population = Population { needs: [40, 30, 20, 10], sen_support: 80, ehc_plan: 20 };
        let shares = representativeness(&list, &population);
        let labels: Vec<&str> = shares.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels[..4], Need::ALL.map(Need::label));
        // 9 needs recorded: CI 2 (22%), CL 3 (33%), SEMH 2 (22%), SP 2 (22%).
        assert_eq!(
            (shares[0].sample_percent, shares[0].population_percent, shares[0].within),
            (22, 40, false)
        );
        assert_eq!((shares[1].sample_percent, shares[1].within), (33, true));
        // SEN Support 3 of 8 (38%) against 80%.
        assert_eq!(
            (shares[4].label.as_str(), shares[4].sample_percent, shares[4].population_percent),
            ("SEN Support", 38, 80)
        );
        assert!(!shares[4].within);
    }
}
