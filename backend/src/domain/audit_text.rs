//! The audit trail in words: each stored event as one sentence a national planner can read,
//! with the names of the people and places it concerns and the UK date and time it happened
//! ("Nadia Planner approved the letter to Manchester, 3 February 2027 at 10:14"). Sentences
//! never carry ids, codes or rule ids; an action without words of its own gets a generic
//! sentence.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{audit::AuditEvent, clock::parse_canonical, programme::EngagementKind};

/// The names an event's sentence needs, as the store finds them when it reads the event. Any
/// of them may be empty (an anonymous caller, an object that is not on record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventNames {
    /// The actor's display name.
    pub actor: String,
    /// The object's own name: a person's display name, an inspector's name.
    pub object: String,
    /// The name of the local area the object concerns (the area itself, a request to it, its
    /// signed consent, an engagement there, its letter, a conflict of interest with it).
    pub area: String,
    /// The engagement's kind (stored name), for engagements and their letters.
    pub engagement_kind: String,
}

/// A stored event with the names its sentence needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The event as chained.
    pub event: AuditEvent,
    /// The names of who and what it concerns.
    pub names: EventNames,
}

impl AuditEntry {
    /// The event as a sentence.
    pub fn sentence(&self) -> String {
        sentence(&self.event, &self.names)
    }
}

/// `at` as a wall-clock time in the UK (Europe/London, from the IANA time zone database):
/// British Summer Time from the last Sunday of March to the last Sunday of October, Greenwich
/// Mean Time otherwise.
pub fn london_time(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&chrono_tz::Europe::London).naive_local()
}

/// `at` as people in the UK read it: "3 February 2027 at 10:14" (local time, 24-hour).
pub fn uk_date_time(at: DateTime<Utc>) -> String {
    london_time(at).format("%-d %B %Y at %H:%M").to_string()
}

/// Who acted, in words.
fn actor_words(event: &AuditEvent, names: &EventNames) -> String {
    let e = &event.event;
    if !names.actor.is_empty() {
        names.actor.clone()
    } else if e.actor_id.is_empty() && e.actor_username == "setup_link" {
        // The first administrator, made in the browser from the server's one-time link.
        "Someone with the first-run setup link".to_owned()
    } else if e.actor_id.is_empty() && e.request_id.is_empty() && !e.actor_username.is_empty() {
        // The system itself (an administrator's command line).
        "SEND Planner's command line".to_owned()
    } else if e.actor_id.is_empty() {
        "Someone not signed in".to_owned()
    } else {
        "A person no longer on record".to_owned()
    }
}

/// The engagement's kind as a noun with the preposition before its area: "interim visit to".
fn engagement_noun(kind: &str) -> &'static str {
    match EngagementKind::parse(kind) {
        Some(EngagementKind::FullInspection) => "full inspection of",
        Some(EngagementKind::LegacyInspection) => "inspection of",
        Some(EngagementKind::MonitoringInspection) => "monitoring inspection of",
        Some(EngagementKind::InterimVisit) => "interim visit to",
        Some(EngagementKind::EngagementMeeting) => "engagement meeting with",
        Some(EngagementKind::ThematicVisit) => "thematic visit to",
        None => "engagement with",
    }
}

/// A recipient of a letter (stored name) in words.
fn recipient_words(recipient: &str) -> &'static str {
    match recipient {
        "dfe" => "DfE",
        "nhs_england" => "NHS England",
        "local_area" => "the local area",
        "public" => "the public",
        _ => "a recipient",
    }
}

/// The object in words, by its kind: "the letter to Camden", "Ivy Inspector".
fn object_words(event: &AuditEvent, names: &EventNames) -> String {
    let area = (!names.area.is_empty()).then_some(names.area.as_str());
    let named = |fallback: &str| {
        if names.object.is_empty() { fallback.to_owned() } else { names.object.clone() }
    };
    match (event.event.object_type.as_str(), area) {
        ("person", _) => named("an account no longer on record"),
        ("inspector", _) => named("an inspector no longer on record"),
        ("local_area", Some(area)) => area.to_owned(),
        ("local_area", None) => "a local area".to_owned(),
        ("visit_request", Some(area)) => format!("the visit request to {area}"),
        ("visit_request", None) => "a visit request".to_owned(),
        ("consent_document", Some(area)) => format!("the signed consent of {area}"),
        ("consent_document", None) => "a signed consent".to_owned(),
        ("engagement", Some(area)) => format!("the {} {area}", engagement_noun(&names.engagement_kind)),
        ("engagement", None) => "an engagement".to_owned(),
        ("letter", Some(area)) => format!("the letter to {area}"),
        ("letter", None) => "a letter".to_owned(),
        ("programme_proposal", _) => "a proposed programme".to_owned(),
        _ => "a record".to_owned(),
    }
}

/// What was done, as (past tense, infinitive) with `{o}` for the object; `None` for an action
/// without words of its own.
fn phrases(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        "person.create" => ("created an account for {o}", "create an account for {o}"),
        "session.sign_in" => ("signed in", "sign in"),
        "session.sign_out" => ("signed out", "sign out"),
        "session.revoke_all" => ("ended every session of {o}", "end every session of {o}"),
        "person.disable" => ("disabled the account of {o}", "disable the account of {o}"),
        "person.enable" => ("enabled the account of {o} again", "enable the account of {o}"),
        "person.reset_password" => {
            ("reset the password of {o} to a temporary one", "reset the password of {o}")
        }
        "person.change_role" => ("changed the role of {o}", "change the role of {o}"),
        "person.set_email" => ("changed the email address of {o}", "change the email address of {o}"),
        "person.change_password" => ("changed their own password", "change their own password"),
        "audit.read" => ("read the audit trail of {o}", "read the audit trail of {o}"),
        "audit.search" => ("searched the audit trail", "search the audit trail"),
        "visit_request.create" => ("sent {o}", "send {o}"),
        "visit_request.read" => ("read {o}", "read {o}"),
        "visit_request.consent" => ("recorded written consent to {o}", "record written consent to {o}"),
        "visit_request.decline" => ("declined {o}", "decline {o}"),
        "visit_request.withdraw" => ("withdrew consent to {o}", "withdraw consent to {o}"),
        "visit_request.cancel" => ("cancelled {o}", "cancel {o}"),
        "consent_document.read" => ("opened {o}", "open {o}"),
        "engagement.schedule" => ("proposed {o}", "propose {o}"),
        "engagement.reschedule" => ("changed the dates of {o}", "change the dates of {o}"),
        "engagement.postpone" => ("postponed {o}", "postpone {o}"),
        "engagement.notify" => ("notified the local area of {o}", "notify the local area of {o}"),
        "engagement.assign_team" => ("set the team for {o}", "set the team for {o}"),
        "engagement.complete" => ("recorded the outcome of {o}", "record the outcome of {o}"),
        "engagement.plan" => {
            ("changed the dates and team of {o} by accepting a proposal", "change the dates and team of {o}")
        }
        "proposal.accept" => ("accepted {o}", "accept {o}"),
        "case_study.view" => ("read the case-study sample for {o}", "read the case-study sample for {o}"),
        "case_study.check" => ("checked a case-study pick for {o}", "check a case-study pick for {o}"),
        "case_study.upload" => {
            ("uploaded the case-study sample list for {o}", "upload the case-study sample list for {o}")
        }
        "case_study.pick" => ("picked case studies for {o}", "pick case studies for {o}"),
        "case_study.suggest" => ("suggested case studies for {o}", "suggest case studies for {o}"),
        "case_study.agree" => ("agreed the case-study sample for {o}", "agree the case-study sample for {o}"),
        "case_study.ask_for_more" => (
            "asked the local area for more children on the case-study list for {o}",
            "ask the local area for more children on the case-study list for {o}",
        ),
        "letter.create" => ("started {o}", "start {o}"),
        "letter.edit" => ("edited the draft of {o}", "edit the draft of {o}"),
        "letter.submit" => ("submitted {o} for approval", "submit {o} for approval"),
        "letter.return" => ("returned {o} to its writers", "return {o} to its writers"),
        "letter.approve" => ("approved {o}", "approve {o}"),
        "letter.distribution" => ("chose who receives {o}", "choose who receives {o}"),
        "letter.issue" => ("issued {o}", "issue {o}"),
        "letter.revoke" => ("withdrew {o} from {r}", "withdraw {o} from {r}"),
        "letter.correct" => ("issued a correction of {o}", "issue a correction of {o}"),
        "letter.publication" => ("chose whether to publish {o}", "choose whether to publish {o}"),
        "letter.view" => ("read {o}", "read {o}"),
        "letter.download" => ("downloaded {o}", "download {o}"),
        "inspector.create" => ("added {o} to the inspectors", "add {o} to the inspectors"),
        "inspector.link" => ("linked {o} to their own account", "link {o} to their own account"),
        "inspector.unavailable" => ("recorded days {o} cannot work", "record days {o} cannot work"),
        "inspector.conflict" => (
            "declared a conflict of interest of {o} with {a}",
            "declare a conflict of interest of {o} with {a}",
        ),
        "inspection.record_past" => ("recorded a past inspection of {o}", "record a past inspection of {o}"),
        "due_date.override" => (
            "set by hand when {o} is next due an inspection",
            "set by hand when {o} is next due an inspection",
        ),
        _ => return None,
    })
}

/// The event as a sentence: who did what to which named object, then when in UK time.
pub fn sentence(event: &AuditEvent, names: &EventNames) -> String {
    let e = &event.event;
    let object = object_words(event, names);
    let area = if names.area.is_empty() { "a local area".to_owned() } else { names.area.clone() };
    let fill = |text: &str| {
        text.replace("{o}", &object).replace("{a}", &area).replace("{r}", recipient_words(&e.detail))
    };
    let refused = e.outcome != "ok";
    let what = match (e.action.as_str(), phrases(&e.action)) {
        ("session.sign_in", _) if refused => {
            let whom = if names.object.is_empty() { "an unknown username" } else { names.object.as_str() };
            format!("Someone tried to sign in as {whom} with the wrong password")
        }
        (_, Some((_, infinitive))) if refused => {
            format!("{} tried to {}, and was refused", actor_words(event, names), fill(infinitive))
        }
        (_, Some((past, _))) => format!("{} {}", actor_words(event, names), fill(past)),
        (_, None) if refused => {
            format!("{} tried to change {object}, and was refused", actor_words(event, names))
        }
        (_, None) => format!("{} did something recorded about {object}", actor_words(event, names)),
    };
    match parse_canonical(&event.occurred_at) {
        Some(at) => format!("{what}, {}", uk_date_time(at)),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{GENESIS_HASH, NewAuditEvent};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
    }

    fn event(action: &str, object_type: &str, outcome: &str, detail: &str, occurred_at: &str) -> AuditEvent {
        AuditEvent {
            seq: 7,
            occurred_at: occurred_at.to_owned(),
            event: NewAuditEvent {
                actor_id: "12".into(),
                actor_username: "nadia".into(),
                actor_role: "national_planner".into(),
                action: action.into(),
                object_type: object_type.into(),
                object_id: "0b7f3c1e-9d2a-4c55-8e0f-3a1b2c3d4e5f".into(),
                outcome: outcome.into(),
                request_id: "req-1".into(),
                detail: detail.into(),
            },
            prev_hash: GENESIS_HASH.into(),
            hash: "ab".repeat(32),
        }
    }

    fn names(object: &str, area: &str, kind: &str) -> EventNames {
        EventNames {
            actor: "Nadia Planner".into(),
            object: object.into(),
            area: area.into(),
            engagement_kind: kind.into(),
        }
    }

    const WINTER: &str = "2027-02-03T10:14:00.000000Z";

    fn said(action: &str, object_type: &str, names: &EventNames) -> String {
        sentence(&event(action, object_type, "ok", "", WINTER), names)
    }

    #[test]
    fn an_approved_letter_reads_as_the_brief_says() {
        assert_eq!(
            said("letter.approve", "letter", &names("", "Manchester", "interim_visit")),
            "Nadia Planner approved the letter to Manchester, 3 February 2027 at 10:14"
        );
    }

    #[test]
    fn winter_times_are_greenwich_mean_time() {
        assert_eq!(uk_date_time(at("2027-01-01T00:05:00Z")), "1 January 2027 at 00:05");
        assert_eq!(uk_date_time(at("2026-12-31T23:59:00Z")), "31 December 2026 at 23:59");
    }

    #[test]
    fn summer_times_are_an_hour_ahead_and_may_fall_on_the_next_day() {
        assert_eq!(uk_date_time(at("2027-07-14T13:30:00Z")), "14 July 2027 at 14:30");
        assert_eq!(uk_date_time(at("2027-06-30T23:30:00Z")), "1 July 2027 at 00:30");
    }

    #[test]
    fn the_clocks_go_forward_at_one_in_the_morning_utc_on_the_last_sunday_of_march() {
        // 28 March 2027 is the last Sunday of March.
        assert_eq!(uk_date_time(at("2027-03-28T00:59:00Z")), "28 March 2027 at 00:59");
        assert_eq!(uk_date_time(at("2027-03-28T01:00:00Z")), "28 March 2027 at 02:00");
        // A week earlier is still winter time.
        assert_eq!(uk_date_time(at("2027-03-21T12:00:00Z")), "21 March 2027 at 12:00");
    }

    #[test]
    fn the_clocks_go_back_at_one_in_the_morning_utc_on_the_last_sunday_of_october() {
        // 31 October 2027 is the last Sunday of October; 25 October 2026 the one before.
        assert_eq!(uk_date_time(at("2027-10-31T00:59:00Z")), "31 October 2027 at 01:59");
        assert_eq!(uk_date_time(at("2027-10-31T01:00:00Z")), "31 October 2027 at 01:00");
        assert_eq!(uk_date_time(at("2026-10-25T00:30:00Z")), "25 October 2026 at 01:30");
        assert_eq!(uk_date_time(at("2026-10-25T01:30:00Z")), "25 October 2026 at 01:30");
    }

    #[test]
    fn each_action_kind_has_its_own_words() {
        let area = names("", "Camden", "interim_visit");
        let person = names("Ivy Inspector", "", "");
        let nobody = EventNames::default();
        let cases: Vec<(&str, &str, &EventNames, &str)> = vec![
            ("person.create", "person", &person, "Nadia Planner created an account for Ivy Inspector"),
            ("session.sign_in", "person", &person, "Nadia Planner signed in"),
            ("session.sign_out", "person", &person, "Nadia Planner signed out"),
            ("session.revoke_all", "person", &person, "Nadia Planner ended every session of Ivy Inspector"),
            ("person.disable", "person", &person, "Nadia Planner disabled the account of Ivy Inspector"),
            ("person.enable", "person", &person, "Nadia Planner enabled the account of Ivy Inspector again"),
            (
                "person.reset_password",
                "person",
                &person,
                "Nadia Planner reset the password of Ivy Inspector to a temporary one",
            ),
            ("person.change_role", "person", &person, "Nadia Planner changed the role of Ivy Inspector"),
            (
                "person.set_email",
                "person",
                &person,
                "Nadia Planner changed the email address of Ivy Inspector",
            ),
            ("person.change_password", "person", &person, "Nadia Planner changed their own password"),
            ("audit.search", "audit", &nobody, "A person no longer on record searched the audit trail"),
            (
                "visit_request.create",
                "visit_request",
                &area,
                "Nadia Planner sent the visit request to Camden",
            ),
            ("visit_request.read", "visit_request", &area, "Nadia Planner read the visit request to Camden"),
            (
                "visit_request.consent",
                "visit_request",
                &area,
                "Nadia Planner recorded written consent to the visit request to Camden",
            ),
            (
                "visit_request.decline",
                "visit_request",
                &area,
                "Nadia Planner declined the visit request to Camden",
            ),
            (
                "visit_request.withdraw",
                "visit_request",
                &area,
                "Nadia Planner withdrew consent to the visit request to Camden",
            ),
            (
                "visit_request.cancel",
                "visit_request",
                &area,
                "Nadia Planner cancelled the visit request to Camden",
            ),
            (
                "consent_document.read",
                "consent_document",
                &area,
                "Nadia Planner opened the signed consent of Camden",
            ),
            (
                "engagement.schedule",
                "engagement",
                &area,
                "Nadia Planner proposed the interim visit to Camden",
            ),
            (
                "engagement.reschedule",
                "engagement",
                &area,
                "Nadia Planner changed the dates of the interim visit to Camden",
            ),
            (
                "engagement.postpone",
                "engagement",
                &area,
                "Nadia Planner postponed the interim visit to Camden",
            ),
            (
                "engagement.notify",
                "engagement",
                &area,
                "Nadia Planner notified the local area of the interim visit to Camden",
            ),
            (
                "engagement.assign_team",
                "engagement",
                &area,
                "Nadia Planner set the team for the interim visit to Camden",
            ),
            (
                "engagement.complete",
                "engagement",
                &area,
                "Nadia Planner recorded the outcome of the interim visit to Camden",
            ),
            (
                "engagement.plan",
                "engagement",
                &area,
                "Nadia Planner changed the dates and team of the interim visit to Camden by accepting a proposal",
            ),
            ("proposal.accept", "programme_proposal", &area, "Nadia Planner accepted a proposed programme"),
            (
                "case_study.upload",
                "engagement",
                &area,
                "Nadia Planner uploaded the case-study sample list for the interim visit to Camden",
            ),
            (
                "case_study.agree",
                "engagement",
                &area,
                "Nadia Planner agreed the case-study sample for the interim visit to Camden",
            ),
            (
                "case_study.ask_for_more",
                "engagement",
                &area,
                "Nadia Planner asked the local area for more children on the case-study list for the interim \
                 visit to Camden",
            ),
            ("letter.create", "letter", &area, "Nadia Planner started the letter to Camden"),
            ("letter.edit", "letter", &area, "Nadia Planner edited the draft of the letter to Camden"),
            ("letter.submit", "letter", &area, "Nadia Planner submitted the letter to Camden for approval"),
            ("letter.return", "letter", &area, "Nadia Planner returned the letter to Camden to its writers"),
            ("letter.issue", "letter", &area, "Nadia Planner issued the letter to Camden"),
            ("letter.correct", "letter", &area, "Nadia Planner issued a correction of the letter to Camden"),
            ("letter.view", "letter", &area, "Nadia Planner read the letter to Camden"),
            ("letter.download", "letter", &area, "Nadia Planner downloaded the letter to Camden"),
            ("inspector.create", "inspector", &person, "Nadia Planner added Ivy Inspector to the inspectors"),
            (
                "inspector.link",
                "inspector",
                &person,
                "Nadia Planner linked Ivy Inspector to their own account",
            ),
            (
                "inspector.unavailable",
                "inspector",
                &person,
                "Nadia Planner recorded days Ivy Inspector cannot work",
            ),
            (
                "inspection.record_past",
                "local_area",
                &area,
                "Nadia Planner recorded a past inspection of Camden",
            ),
            (
                "due_date.override",
                "local_area",
                &area,
                "Nadia Planner set by hand when Camden is next due an inspection",
            ),
        ];
        for (action, object_type, names, expected) in cases {
            assert_eq!(
                said(action, object_type, names),
                format!("{expected}, 3 February 2027 at 10:14"),
                "{action}"
            );
        }
    }

    #[test]
    fn a_conflict_names_the_inspector_and_the_area() {
        let names = names("Ivy Inspector", "Camden", "");
        assert_eq!(
            sentence(&event("inspector.conflict", "inspector", "ok", "E09000007", WINTER), &names),
            "Nadia Planner declared a conflict of interest of Ivy Inspector with Camden, 3 February 2027 at 10:14"
        );
    }

    #[test]
    fn a_revoked_recipient_is_named_in_words() {
        let names = names("", "Camden", "interim_visit");
        let text = sentence(&event("letter.revoke", "letter", "ok", "nhs_england", WINTER), &names);
        assert_eq!(
            text,
            "Nadia Planner withdrew the letter to Camden from NHS England, 3 February 2027 at 10:14"
        );
    }

    #[test]
    fn each_engagement_kind_has_its_noun() {
        for (kind, expected) in [
            ("full_inspection", "the full inspection of Leeds"),
            ("monitoring_inspection", "the monitoring inspection of Leeds"),
            ("engagement_meeting", "the engagement meeting with Leeds"),
            ("thematic_visit", "the thematic visit to Leeds"),
            ("", "the engagement with Leeds"),
        ] {
            let text = said("engagement.postpone", "engagement", &names("", "Leeds", kind));
            assert!(text.contains(&format!("postponed {expected},")), "{kind}: {text}");
        }
    }

    #[test]
    fn a_failed_sign_in_names_whom_it_tried() {
        let names = EventNames { object: "Ivy Inspector".into(), ..EventNames::default() };
        let mut e = event("session.sign_in", "person", "wrong_credentials", "", WINTER);
        e.event.actor_id = String::new();
        e.event.actor_username = String::new();
        assert_eq!(
            sentence(&e, &names),
            "Someone tried to sign in as Ivy Inspector with the wrong password, 3 February 2027 at 10:14"
        );
    }

    #[test]
    fn a_refused_action_says_it_was_refused() {
        let text = sentence(
            &event("visit_request.consent", "visit_request", "denied", "", WINTER),
            &names("", "Camden", ""),
        );
        assert_eq!(
            text,
            "Nadia Planner tried to record written consent to the visit request to Camden, and was refused, \
             3 February 2027 at 10:14"
        );
    }

    #[test]
    fn an_unknown_action_gets_a_generic_sentence_without_codes() {
        let text = said("letter.teleport", "letter", &names("", "Camden", ""));
        assert_eq!(
            text,
            "Nadia Planner did something recorded about the letter to Camden, 3 February 2027 at 10:14"
        );
        let odd = said("widget.spin", "widget", &names("", "", ""));
        assert_eq!(odd, "Nadia Planner did something recorded about a record, 3 February 2027 at 10:14");
        for text in [text, odd] {
            assert!(!text.contains("teleport") && !text.contains("widget"), "{text}");
            assert!(!text.contains("0b7f3c1e"), "{text}");
        }
    }

    #[test]
    fn missing_names_read_as_words_never_as_ids() {
        let e = event("letter.approve", "letter", "ok", "", WINTER);
        let text = sentence(&e, &EventNames::default());
        assert_eq!(text, "A person no longer on record approved a letter, 3 February 2027 at 10:14");
        let mut system = event("person.create", "person", "ok", "", WINTER);
        system.event.actor_id = String::new();
        system.event.request_id = String::new();
        system.event.actor_username = "cli".into();
        assert_eq!(
            sentence(&system, &names("", "", "").clone_with_actor("")),
            "SEND Planner's command line created an account for an account no longer on record, \
             3 February 2027 at 10:14"
        );
        let mut setup = system.clone();
        setup.event.actor_username = "setup_link".into();
        setup.event.request_id = "req-2".into();
        assert!(
            sentence(&setup, &names("Ada Admin", "", "").clone_with_actor(""))
                .starts_with("Someone with the first-run setup link created an account for Ada Admin"),
        );
        let mut anonymous = event("session.sign_out", "person", "ok", "", WINTER);
        anonymous.event.actor_id = String::new();
        anonymous.event.actor_username = String::new();
        assert!(sentence(&anonymous, &EventNames::default()).starts_with("Someone not signed in signed out"));
    }

    impl EventNames {
        fn clone_with_actor(&self, actor: &str) -> Self {
            Self { actor: actor.to_owned(), ..self.clone() }
        }
    }
}
