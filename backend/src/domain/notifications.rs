//! Email notifications (issue #12, items 4 and 5): which events email whom, when the reply-by
//! reminders fall, what a Notify API key looks like, and what the worker does with each answer
//! from Notify (send, try again later with backoff, or give up). Pure decisions; the store
//! writes the outbox in each event's own transaction and `crate::notify` sends it.
//!
//! An email never carries confidential content: it says that something waits in SEND Planner,
//! with a link, and greets the person by name.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{FieldViolation, identity::Role, working_days::is_working_day};

/// Every rule id of notifications. A unit test below makes each one fire.
pub const RULES: &[&str] = &[
    "notify.key_format",
    "notify.retry",
    "notify.give_up",
    "notify.reminder_days",
    "notify.preference_kind",
];

/// What happened, as an email tells of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A visit request to the local area's users.
    NewRequest,
    /// The local area's reply is due in 5 working days, or in 1.
    ReplyReminder,
    /// The local area answered: to the region's lead and national planners.
    RequestAnswered,
    /// The visit's dates, notified to the local area's users.
    VisitNotified,
    /// A letter returned to the inspector who wrote it.
    LetterReturned,
    /// A letter issued: to each of its recipients.
    LetterIssued,
    /// A safeguarding concern escalated: to national planners.
    SafeguardingConcern,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::NewRequest,
        Self::ReplyReminder,
        Self::RequestAnswered,
        Self::VisitNotified,
        Self::LetterReturned,
        Self::LetterIssued,
        Self::SafeguardingConcern,
    ];

    /// The stable stored name (also the suffix of its template flag).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewRequest => "new_request",
            Self::ReplyReminder => "reply_reminder",
            Self::RequestAnswered => "request_answered",
            Self::VisitNotified => "visit_notified",
            Self::LetterReturned => "letter_returned",
            Self::LetterIssued => "letter_issued",
            Self::SafeguardingConcern => "safeguarding_concern",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind in words, as people choose their emails.
    pub fn label(self) -> &'static str {
        match self {
            Self::NewRequest => "A new request for an interim visit",
            Self::ReplyReminder => {
                "Reminders before a reply is due (5 working days and 1 working day before)"
            }
            Self::RequestAnswered => "A local area answered a request",
            Self::VisitNotified => "The dates of a visit were notified",
            Self::LetterReturned => "A letter you wrote was returned to you",
            Self::LetterIssued => "A letter was issued to you",
            Self::SafeguardingConcern => "A safeguarding concern was escalated",
        }
    }

    /// The roles whose people this kind can email.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Self::NewRequest | Self::ReplyReminder | Self::VisitNotified => &[Role::LocalAreaUser],
            Self::RequestAnswered => &[Role::RegionalLead, Role::NationalPlanner],
            Self::LetterReturned => &[Role::Inspector],
            Self::LetterIssued => &[Role::LocalAreaUser, Role::RecipientBody],
            Self::SafeguardingConcern => &[Role::NationalPlanner],
        }
    }

    /// The kinds a person with `role` can get, in order.
    pub fn for_role(role: Role) -> Vec<Self> {
        Self::ALL.into_iter().filter(|k| k.roles().contains(&role)).collect()
    }
}

/// `notify.preference_kind`: a person chooses only among the kinds their role can get.
pub fn decide_preference(role: Role, kind: &str) -> Result<EventKind, FieldViolation> {
    EventKind::parse(kind)
        .filter(|k| k.roles().contains(&role))
        .ok_or_else(|| FieldViolation::new("kind", "Choose one of the emails listed for your role"))
}

/// `notify.reminder_days`: the days a reply-by reminder is due, 5 working days and 1 working
/// day before `reply_by` (England and Wales bank holidays and weekends do not count), leaving
/// out days before `today`.
pub fn reminder_days(reply_by: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    [5, 1].into_iter().map(|n| working_days_before(reply_by, n)).filter(|day| *day >= today).collect()
}

/// The working day `n` working days before `day`.
fn working_days_before(day: NaiveDate, n: u32) -> NaiveDate {
    let mut at = day;
    let mut left = n;
    while left > 0 {
        at -= TimeDelta::days(1);
        if is_working_day(at) {
            left -= 1;
        }
    }
    at
}

/// When a reminder due on `day` is sent: 08:00 UTC, before the working day starts.
pub fn reminder_due_at(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc()
}

/// A GOV.UK Notify API key, split: `{key name}-{service id}-{secret key}`, where the service id
/// and the secret are each a UUID (36 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct NotifyKey {
    /// The service id: the JWT's issuer.
    pub service_id: String,
    /// The secret the JWT is signed with (HS256).
    pub secret: String,
}

impl std::fmt::Debug for NotifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyKey").field("service_id", &self.service_id).finish_non_exhaustive()
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// `notify.key_format`: reads a Notify API key, or says what is wrong with it (never echoing
/// the key).
pub fn parse_key(text: &str) -> Result<NotifyKey, FieldViolation> {
    let text = text.trim();
    let bad = || {
        FieldViolation::new(
            "notify_api_key",
            "is not a GOV.UK Notify API key: expected the key's name, then the service id and the secret key, \
             each a UUID, joined by hyphens (as Notify shows it when the key is made)",
        )
    };
    if text.len() < 36 + 1 + 36 + 2 {
        return Err(bad());
    }
    let (rest, secret) = text.split_at(text.len() - 36);
    let rest = rest.strip_suffix('-').ok_or_else(bad)?;
    if rest.len() < 36 + 2 {
        return Err(bad());
    }
    let (name, service_id) = rest.split_at(rest.len() - 36);
    if !is_uuid(service_id) || !is_uuid(secret) || name.strip_suffix('-').is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(NotifyKey { service_id: service_id.to_owned(), secret: secret.to_owned() })
}

/// Attempts before a message is given up on.
pub const MAX_ATTEMPTS: i64 = 8;

/// How Notify answered one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted (2xx): Notify's id for it, and its status.
    Accepted {
        /// Notify's notification id.
        id: String,
        /// e.g. "created", "sending", "delivered".
        status: String,
    },
    /// An HTTP error status, with what Notify said.
    Status(u16, String),
    /// No answer: the connection failed or timed out.
    Unreachable(String),
}

/// What the outbox row becomes after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Sent: Notify has it.
    Sent {
        /// Notify's notification id.
        id: String,
        /// Its status as Notify reported it.
        status: String,
    },
    /// `notify.retry`: try again at this time (a server error, rate limit or outage).
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// Why, for the administrators' page.
        error: String,
    },
    /// `notify.give_up`: a request Notify refuses (4xx other than 429), or too many attempts.
    Failed {
        /// Why.
        error: String,
    },
}

/// The backoff before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i64) -> TimeDelta {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    (TimeDelta::seconds(30) * 2_i32.pow(doublings)).min(TimeDelta::hours(1))
}

/// What to do after attempt number `attempts` (1 for the first) got `answer` at `now`.
pub fn after_attempt(answer: Answer, attempts: i64, now: DateTime<Utc>) -> AttemptOutcome {
    let retry = |error: String| {
        if attempts >= MAX_ATTEMPTS {
            AttemptOutcome::Failed { error: format!("gave up after {attempts} attempts: {error}") }
        } else {
            AttemptOutcome::Retry { at: now + backoff(attempts), error }
        }
    };
    match answer {
        Answer::Accepted { id, status } => AttemptOutcome::Sent { id, status },
        Answer::Status(code, body) if code == 429 || code >= 500 => {
            retry(format!("Notify answered {code}: {body}"))
        }
        Answer::Status(code, body) => {
            AttemptOutcome::Failed { error: format!("Notify refused it ({code}): {body}") }
        }
        Answer::Unreachable(error) => retry(format!("Notify could not be reached: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
    }

    fn now() -> DateTime<Utc> {
        "2026-12-03T09:00:00Z".parse().expect("time")
    }

    const KEY: &str =
        "send_planner_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn a_notify_key_splits_into_its_service_id_and_secret() {
        let key = parse_key(KEY).expect("valid");
        assert_eq!(key.service_id, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(key.secret, "3d844edf-8d35-48ac-975b-e847b4f122b0");
        assert!(!format!("{key:?}").contains(&key.secret), "the secret never shows in logs");
        for bad in ["", "not-a-key", &KEY[..KEY.len() - 1], &KEY.replace('a', "z"), &KEY[18..]] {
            let refused = parse_key(bad).expect_err(bad);
            assert_eq!(refused.field, "notify_api_key");
            assert!(!refused.reason.contains("3d844edf"), "{}", refused.reason);
        }
    }

    #[test]
    fn reminders_fall_five_and_one_working_days_before_the_reply_by_date() {
        // Friday 15 January 2027: Friday 8th and Thursday 14th.
        assert_eq!(reminder_days(d("2027-01-15"), d("2026-12-03")), [d("2027-01-08"), d("2027-01-14")]);
        // Over Christmas: 28 December 2026 and 1 January 2027 are bank holidays.
        assert_eq!(reminder_days(d("2027-01-05"), d("2026-12-03")), [d("2026-12-24"), d("2027-01-04")]);
        // Days already past are left out.
        assert_eq!(reminder_days(d("2026-12-07"), d("2026-12-03")), [d("2026-12-04")]);
        assert_eq!(reminder_due_at(d("2027-01-08")).to_rfc3339(), "2027-01-08T08:00:00+00:00");
    }

    #[test]
    fn server_errors_are_tried_again_with_growing_waits_and_refusals_are_not() {
        let accepted = Answer::Accepted { id: "n1".into(), status: "created".into() };
        assert_eq!(
            after_attempt(accepted, 1, now()),
            AttemptOutcome::Sent { id: "n1".into(), status: "created".into() }
        );
        let AttemptOutcome::Retry { at, .. } = after_attempt(Answer::Status(500, "oops".into()), 1, now())
        else {
            panic!("a 500 is tried again")
        };
        assert_eq!(at, now() + TimeDelta::seconds(30));
        assert!(
            matches!(after_attempt(Answer::Status(429, String::new()), 3, now()), AttemptOutcome::Retry { at, .. } if at == now() + TimeDelta::minutes(2))
        );
        assert!(matches!(
            after_attempt(Answer::Unreachable("reset".into()), 2, now()),
            AttemptOutcome::Retry { .. }
        ));
        assert!(matches!(
            after_attempt(Answer::Status(400, "bad".into()), 1, now()),
            AttemptOutcome::Failed { .. }
        ));
        assert!(matches!(
            after_attempt(Answer::Status(503, String::new()), MAX_ATTEMPTS, now()),
            AttemptOutcome::Failed { .. }
        ));
        assert_eq!(backoff(20), TimeDelta::hours(1));
    }

    #[test]
    fn people_choose_only_among_their_roles_emails() {
        assert_eq!(decide_preference(Role::LocalAreaUser, "new_request"), Ok(EventKind::NewRequest));
        assert!(decide_preference(Role::LocalAreaUser, "safeguarding_concern").is_err());
        assert!(decide_preference(Role::NationalPlanner, "nonsense").is_err());
        assert_eq!(EventKind::for_role(Role::Administrator), []);
        assert_eq!(
            EventKind::for_role(Role::NationalPlanner),
            [EventKind::RequestAnswered, EventKind::SafeguardingConcern]
        );
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn every_rule_fires() {
        let fired = [
            ("notify.key_format", parse_key("x").is_err()),
            (
                "notify.retry",
                matches!(
                    after_attempt(Answer::Status(502, String::new()), 1, now()),
                    AttemptOutcome::Retry { .. }
                ),
            ),
            (
                "notify.give_up",
                matches!(
                    after_attempt(Answer::Status(403, String::new()), 1, now()),
                    AttemptOutcome::Failed { .. }
                ),
            ),
            ("notify.reminder_days", reminder_days(d("2027-01-15"), d("2027-01-09")) == [d("2027-01-14")]),
            ("notify.preference_kind", decide_preference(Role::Inspector, "new_request").is_err()),
        ];
        let ids: Vec<&str> = fired.iter().map(|(id, _)| *id).collect();
        crate::domain::consent::assert_rules_covered(RULES, &ids, include_str!("notifications.rs"));
        for (id, ok) in fired {
            assert!(ok, "{id} did not fire");
        }
    }
}
