//! `send-planner demo`: a realistic fictional programme to look around in, in a database of its
//! own (issue #12, item 2). Every step goes through the service's own handlers, as the person
//! who would take it, so the demo holds only what the rules allow: accounts for every role;
//! last year's interim visits with their teams and letters in every state; this year's
//! requests in every state across all ten regions, consented visits scheduled with teams and
//! full inspections proposed; and past inspections with the due dates they give.
//!
//! People's names are fictional; the local areas and regions are the real ones. No child is
//! named anywhere.

use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use proto::pb::{
    self, consent_service_server::ConsentService as _, letter_service_server::LetterService as _,
    programme_service_server::ProgrammeService as _,
};
use tonic::Request;

use crate::{
    auth::{Authenticator, SessionSettings},
    domain::{
        audit::Actor,
        clock::Clock,
        identity::{Caller, Person},
    },
    grpc::{
        account::create_person, consent::ConsentService, letters::LetterService, programme::ProgrammeService,
    },
    store::Store,
};

/// The demo's own database, beside the real one's default.
pub const DEMO_DATABASE: &str = "sqlite://send-planner-demo.db";

/// Every demo account's password (the demo holds nothing real).
pub const DEMO_PASSWORD: &str = "explore the demo programme";

/// The audit action that marks a database the demo seeded.
const SEEDED: &str = "demo.seed";

/// A demo account, as printed for people to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Sign-in name.
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// Role and scope in words.
    pub role: String,
}

/// What `seed` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// A fresh database, now holding the demo programme.
    Fresh(Vec<DemoAccount>),
    /// A database the demo seeded before: served as it is.
    Again(Vec<DemoAccount>),
}

impl Seeded {
    /// The accounts to sign in with.
    pub fn accounts(&self) -> &[DemoAccount] {
        match self {
            Self::Fresh(a) | Self::Again(a) => a,
        }
    }
}

/// The database holds data the demo did not make: it is never seeded.
#[derive(Debug, thiserror::Error)]
#[error(
    "this database already holds data ({what}), so the demo will not add its example programme to it. \
     Give the demo a database of its own: `send-planner demo` uses {DEMO_DATABASE} unless \
     --database-url names another"
)]
pub struct HoldsData {
    /// What it holds, in words.
    pub what: String,
}

/// The ten regions' leads: (region code, username, name).
const LEADS: [(&str, &str, &str); 10] = [
    ("E12000001", "lead.northeast", "Tom Barker"),
    ("E12000002", "lead.northwest", "Priya Shah"),
    ("E12000003", "lead.yorkshire", "Gareth Lloyd"),
    ("E12000004", "lead.eastmidlands", "Maya Chen"),
    ("E12000005", "lead.westmidlands", "Daniel Osei"),
    ("E12000006", "lead.east", "Helen Ward"),
    ("E12000008", "lead.southeast", "Sam Patel"),
    ("E12000009", "lead.southwest", "Rosa Martin"),
    ("E13000001", "lead.innerlondon", "Leila Haddad"),
    ("E13000002", "lead.outerlondon", "Ben Clarke"),
];

/// Local areas with an account each: (ONS code, region code, username, name, organisation).
const AREAS: [(&str, &str, &str, &str, &str); 20] = [
    ("E09000007", "E13000001", "area.camden", "Chloe Bennett", "London Borough of Camden"),
    ("E09000019", "E13000001", "area.islington", "Marcus Reid", "London Borough of Islington"),
    ("E09000012", "E13000001", "area.hackney", "Aisha Begum", "London Borough of Hackney"),
    ("E08000003", "E12000002", "area.manchester", "Liam Walsh", "Manchester City Council"),
    ("E08000012", "E12000002", "area.liverpool", "Sophie Grant", "Liverpool City Council"),
    ("E08000001", "E12000002", "area.bolton", "Imran Akhtar", "Bolton Council"),
    ("E06000001", "E12000001", "area.hartlepool", "Rachel Moore", "Hartlepool Borough Council"),
    ("E08000037", "E12000001", "area.gateshead", "Owen Davies", "Gateshead Council"),
    ("E08000035", "E12000003", "area.leeds", "Hannah Scott", "Leeds City Council"),
    ("E06000014", "E12000003", "area.york", "Peter Lang", "City of York Council"),
    ("E06000018", "E12000004", "area.nottingham", "Grace Obi", "Nottingham City Council"),
    ("E10000019", "E12000004", "area.lincolnshire", "Neil Foster", "Lincolnshire County Council"),
    ("E08000025", "E12000005", "area.birmingham", "Zara Malik", "Birmingham City Council"),
    ("E06000021", "E12000005", "area.stoke", "Carl Hughes", "Stoke-on-Trent City Council"),
    ("E10000020", "E12000006", "area.norfolk", "Emma Price", "Norfolk County Council"),
    ("E06000032", "E12000006", "area.luton", "Yusuf Karim", "Luton Borough Council"),
    ("E10000016", "E12000008", "area.kent", "Laura Hill", "Kent County Council"),
    ("E06000043", "E12000008", "area.brighton", "Josh Turner", "Brighton and Hove City Council"),
    ("E06000052", "E12000009", "area.cornwall", "Tamsin Penrose", "Cornwall Council"),
    ("E09000008", "E13000002", "area.croydon", "Nia Campbell", "London Borough of Croydon"),
];

/// Past inspections of areas without an account here: (ONS code, completed on, outcome).
const PAST: [(&str, &str, pb::Outcome); 10] = [
    ("E08000021", "2023-03-10", pb::Outcome::Positive),
    ("E06000009", "2023-06-16", pb::Outcome::Inconsistent),
    ("E08000032", "2023-11-24", pb::Outcome::SystemicFailings),
    ("E06000016", "2024-02-09", pb::Outcome::Positive),
    ("E08000026", "2024-05-17", pb::Outcome::Inconsistent),
    ("E10000029", "2024-07-05", pb::Outcome::Positive),
    ("E06000044", "2024-10-11", pb::Outcome::SystemicFailings),
    ("E06000023", "2025-01-31", pb::Outcome::Inconsistent),
    ("E09000003", "2025-03-21", pb::Outcome::Positive),
    ("E09000022", "2025-06-27", pb::Outcome::Inconsistent),
];

fn at(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text).with_context(|| format!("{text} is a time"))?.to_utc())
}

fn range(first: &str, last: &str) -> pb::DateRange {
    pb::DateRange { first_day: first.into(), last_day: last.into() }
}

/// The demo's people and the services it drives, all on one manual clock it moves forward.
struct Demo {
    store: Store,
    clock: Clock,
    consent: ConsentService,
    programme: ProgrammeService,
    letters: LetterService,
    accounts: Vec<DemoAccount>,
}

/// A request as `who` makes it.
fn by<T>(who: &Person, message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.extensions_mut().insert(Caller {
        person: who.clone(),
        session: String::new(),
        must_change_password: false,
    });
    request
}

/// What a handler answered, or the step that failed and why.
macro_rules! step {
    ($what:expr, $call:expr) => {{
        let what: String = $what.into();
        $call
            .await
            .map_err(|status| anyhow::anyhow!("demo step {what:?} was refused: {}", status.message()))?
            .into_inner()
    }};
}

impl Demo {
    async fn person(
        &mut self,
        username: &str,
        name: &str,
        role: pb::Role,
        scope: impl FnOnce(&mut pb::CreatePersonRequest),
    ) -> anyhow::Result<Person> {
        let mut request = pb::CreatePersonRequest {
            username: username.into(),
            display_name: name.into(),
            password: DEMO_PASSWORD.into(),
            role: role.into(),
            // A reserved domain (RFC 2606): the demo's emails wait in its outbox, for planners
            // to see at /notifications, and could reach nobody.
            email: format!("{username}@demo.send-planner.example"),
            ..Default::default()
        };
        scope(&mut request);
        let person = create_person(&self.store, &request, &Actor::system("demo"), self.clock.now())
            .await
            .map_err(|s| anyhow::anyhow!("demo account {username} was refused: {}", s.message()))?;
        self.accounts.push(DemoAccount {
            username: person.username.clone(),
            display_name: person.display_name.clone(),
            role: format!("{}, {}", role_words(role), person.scope_label),
        });
        Ok(person)
    }

    /// A request to `area` for an interim visit in `window` of `phase`, answered by `reply_by`.
    async fn ask(
        &self,
        lead: &Person,
        area: &str,
        phase: (pb::Term, i32),
        window: (&str, &str),
        reply_by: &str,
    ) -> anyhow::Result<pb::VisitRequest> {
        let reply = step!(format!("ask {area}"), self.consent.create_visit_request(by(lead, pb::CreateVisitRequestRequest {
            local_area_code: area.into(),
            phase: Some(pb::Phase { term: phase.0.into(), academic_year: phase.1 }),
            window: Some(range(window.0, window.1)),
            reply_by: reply_by.into(),
            note: "Interim visit: how the area's partnership is supporting children and young people with SEND".into(),
        })));
        reply.request.context("the created request")
    }

    /// The area's written consent, with the days it cannot host.
    async fn consent(
        &self,
        user: &Person,
        organisation: &str,
        request: &pb::VisitRequest,
        unavailable: (&str, &str),
    ) -> anyhow::Result<pb::VisitRequest> {
        let signed = self.clock.now().date_naive().to_string();
        let document =
            format!("%PDF-1.4\n% Signed consent of {organisation} to an interim visit\n%%EOF\n").into_bytes();
        let reply = step!(
            format!("consent {organisation}"),
            self.consent.answer_visit_request(by(
                user,
                pb::AnswerVisitRequestRequest {
                    id: request.id.clone(),
                    version: request.version,
                    answer: Some(pb::answer_visit_request_request::Answer::Consent(pb::ConsentAnswer {
                        signatory_name: user.display_name.clone(),
                        signatory_role: "Director of Children's Services".into(),
                        organisation: organisation.into(),
                        date_signed: signed,
                        document,
                        unavailable: vec![range(unavailable.0, unavailable.1)],
                    })),
                }
            ))
        );
        reply.request.context("the consented request")
    }

    async fn decline(
        &self,
        user: &Person,
        request: &pb::VisitRequest,
        reason: &str,
    ) -> anyhow::Result<pb::VisitRequest> {
        let reply = step!(
            "decline",
            self.consent.answer_visit_request(by(
                user,
                pb::AnswerVisitRequestRequest {
                    id: request.id.clone(),
                    version: request.version,
                    answer: Some(pb::answer_visit_request_request::Answer::Decline(pb::DeclineAnswer {
                        reason: reason.into()
                    })),
                }
            ))
        );
        reply.request.context("the declined request")
    }

    /// Three inspectors in `region` (Ofsted, Ofsted social care, CQC), each linked to its account
    /// in `accounts` if given; their ids.
    async fn team(
        &self,
        lead: &Person,
        region: &str,
        names: [&str; 3],
        accounts: [Option<&Person>; 3],
    ) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::new();
        for (i, (name, inspectorate, social_care)) in [
            (names[0], pb::Inspectorate::Ofsted, false),
            (names[1], pb::Inspectorate::Ofsted, true),
            (names[2], pb::Inspectorate::Cqc, false),
        ]
        .into_iter()
        .enumerate()
        {
            let person_id = accounts[i].map(|a| a.id.to_string()).unwrap_or_default();
            let reply = step!(
                format!("inspector {name}"),
                self.programme.create_inspector(by(
                    lead,
                    pb::CreateInspectorRequest {
                        name: name.into(),
                        inspectorate: inspectorate.into(),
                        social_care,
                        home_region_code: region.into(),
                        max_engagements_per_term: 6,
                        person_id,
                    }
                ))
            );
            ids.push(reply.inspector.context("the inspector")?.id);
        }
        Ok(ids)
    }

    /// An interim visit to `area` on `days`, with the team `team`, notified to the area if `notify`.
    async fn visit(
        &self,
        lead: &Person,
        area: &str,
        days: (&str, &str),
        team: &[String],
        notify: bool,
    ) -> anyhow::Result<pb::Engagement> {
        let scheduled = step!(
            format!("schedule {area}"),
            self.programme.schedule_engagement(by(
                lead,
                pb::ScheduleEngagementRequest {
                    local_area_code: area.into(),
                    kind: pb::EngagementKind::InterimVisit.into(),
                    onsite: Some(range(days.0, days.1)),
                    note: String::new(),
                }
            ))
        )
        .engagement
        .context("the scheduled engagement")?;
        let member = |id: &String, role: pb::TeamRole| pb::TeamMember {
            inspector_id: id.clone(),
            name: String::new(),
            role: role.into(),
        };
        let mut engagement = step!(
            format!("team for {area}"),
            self.programme.assign_team(by(
                lead,
                pb::AssignTeamRequest {
                    id: scheduled.id.clone(),
                    version: scheduled.version,
                    members: vec![
                        member(&team[0], pb::TeamRole::OfstedInspector),
                        member(&team[1], pb::TeamRole::SocialCareInspector),
                        member(&team[2], pb::TeamRole::CqcInspector),
                    ],
                    reason: String::new(),
                }
            ))
        )
        .engagement
        .context("the engagement with its team")?;
        if notify {
            engagement = step!(
                format!("notify {area}"),
                self.programme.notify_local_area(by(
                    lead,
                    pb::NotifyLocalAreaRequest { id: engagement.id.clone(), version: engagement.version }
                ))
            )
            .engagement
            .context("the notified engagement")?;
        }
        Ok(engagement)
    }

    /// The team's letter about `area`'s visit, drafted by `writer`.
    async fn draft(
        &self,
        writer: &Person,
        engagement: &pb::Engagement,
        area: &str,
        days: &str,
    ) -> anyhow::Result<pb::Letter> {
        let body = format!(
            "Context\nWe visited {area} on {days}, with leaders from education, health and social care.\n\n\
             What we found\nLeaders described how they have strengthened joint commissioning and how families \
             now hear sooner about the support on offer. Waiting times for some therapies remain long.\n\n\
             Next steps\nWe will share what we learned in our national report, and leaders will continue their \
             work on waiting times.\n"
        );
        let reply = step!(
            format!("draft for {area}"),
            self.letters.create_letter(by(
                writer,
                pb::CreateLetterRequest {
                    engagement_id: engagement.id.clone(),
                    title: format!("Interim visit to {area}"),
                    body,
                }
            ))
        );
        reply.letter.context("the draft")
    }

    async fn submit(&self, writer: &Person, letter: &pb::Letter) -> anyhow::Result<pb::Letter> {
        let reply = step!(
            "submit",
            self.letters.submit_letter(by(
                writer,
                pb::SubmitLetterRequest { id: letter.id.clone(), version: letter.version }
            ))
        );
        reply.letter.context("the submitted letter")
    }
}

fn role_words(role: pb::Role) -> &'static str {
    match role {
        pb::Role::NationalPlanner => "National planner",
        pb::Role::RegionalLead => "Regional lead",
        pb::Role::LocalAreaUser => "Local area user",
        pb::Role::Inspector => "Inspector",
        pb::Role::RecipientBody => "Recipient body",
        pb::Role::Administrator => "Administrator",
        pb::Role::Unspecified => "No role",
    }
}

/// What the database holds, in words, if anything.
async fn held(store: &Store) -> anyhow::Result<Option<String>> {
    let counts = store.row_counts(&["people", "visit_requests", "engagements", "letters"]).await?;
    let words: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{n} {} in {t}", if n == 1 { "row" } else { "rows" }))
        .collect();
    Ok((!words.is_empty()).then(|| words.join(", ")))
}

/// Seeds the demo programme into `store`, ending at `now`; a database the demo seeded before is
/// left as it is. A database holding anything else is refused with [`HoldsData`].
pub async fn seed(store: &Store, now: DateTime<Utc>) -> anyhow::Result<Seeded> {
    if store.audit_action_recorded(SEEDED).await? {
        return Ok(Seeded::Again(accounts_of(store).await?));
    }
    if let Some(what) = held(store).await? {
        return Err(HoldsData { what }.into());
    }
    // Last year's visits happen in the past: the handlers' clock starts in November 2025 and
    // moves forward to `now`, so every rule sees the dates it would have seen then.
    let clock = Clock::manual(at("2025-11-03T09:00:00Z")?);
    let auth = Arc::new(
        Authenticator::new(
            store.clone(),
            clock.clone(),
            SessionSettings { idle: TimeDelta::minutes(30), absolute: TimeDelta::hours(12) },
        )
        .await
        .context("sign-in")?,
    );
    let mut demo = Demo {
        store: store.clone(),
        clock: clock.clone(),
        consent: ConsentService::new(store.clone(), auth.clone()),
        programme: ProgrammeService::new(store.clone(), auth.clone()),
        letters: LetterService::new(store.clone(), auth.clone()),
        accounts: Vec::new(),
    };

    // Accounts for every role.
    demo.person("ada.okafor", "Ada Okafor", pb::Role::Administrator, |_| {}).await?;
    let planner = demo.person("nadia.hussain", "Nadia Hussain", pb::Role::NationalPlanner, |_| {}).await?;
    let mut leads = std::collections::HashMap::new();
    for (region, username, name) in LEADS {
        let lead =
            demo.person(username, name, pb::Role::RegionalLead, |r| r.region_code = region.into()).await?;
        leads.insert(region, lead);
    }
    let mut users = std::collections::HashMap::new();
    for (area, _, username, name, _) in AREAS {
        let user =
            demo.person(username, name, pb::Role::LocalAreaUser, |r| r.local_area_code = area.into()).await?;
        users.insert(area, user);
    }
    let inspector = |region: &'static str, inspectorate: pb::Inspectorate| {
        move |r: &mut pb::CreatePersonRequest| {
            r.region_code = region.into();
            r.inspectorate = inspectorate.into();
        }
    };
    let hana = demo
        .person(
            "hmi.hana",
            "Hana Mwangi",
            pb::Role::Inspector,
            inspector("E13000001", pb::Inspectorate::Ofsted),
        )
        .await?;
    let omar = demo
        .person(
            "hmi.omar",
            "Omar Farouk",
            pb::Role::Inspector,
            inspector("E12000002", pb::Inspectorate::Ofsted),
        )
        .await?;
    let iris = demo
        .person(
            "cqc.iris",
            "Iris Kowalski",
            pb::Role::Inspector,
            inspector("E12000003", pb::Inspectorate::Cqc),
        )
        .await?;
    demo.person("reader.dfe", "Grace Adams", pb::Role::RecipientBody, |r| {
        r.recipient_body = pb::RecipientBody::Dfe.into()
    })
    .await?;
    demo.person("reader.nhse", "Kwame Boateng", pb::Role::RecipientBody, |r| {
        r.recipient_body = pb::RecipientBody::NhsEngland.into()
    })
    .await?;

    // The inspector pools of three regions, each Ofsted inspector linked to their account.
    let inner = &leads["E13000001"];
    let north_west = &leads["E12000002"];
    let yorkshire = &leads["E12000003"];
    let london_team = demo
        .team(inner, "E13000001", ["Hana Mwangi", "Ruth Adeyemi", "Felix Grant"], [Some(&hana), None, None])
        .await?;
    let nw_team = demo
        .team(north_west, "E12000002", ["Omar Farouk", "Julia Novak", "Dev Raman"], [Some(&omar), None, None])
        .await?;
    let yorks_team = demo
        .team(
            yorkshire,
            "E12000003",
            ["Kate Irving", "Luca Romano", "Iris Kowalski"],
            [None, None, Some(&iris)],
        )
        .await?;

    // Past inspections, with the due dates they give.
    for (area, completed_on, outcome) in PAST {
        step!(
            format!("past inspection of {area}"),
            demo.programme.record_past_inspection(by(
                &planner,
                pb::RecordPastInspectionRequest {
                    local_area_code: area.into(),
                    kind: pb::EngagementKind::FullInspection.into(),
                    completed_on: completed_on.into(),
                    outcome: outcome.into(),
                }
            ))
        );
    }

    // Last year (2025/26): five summer interim visits, asked in November, consented in writing.
    let last_summer = (pb::Term::Summer, 2025);
    let window = ("2026-04-20", "2026-05-15");
    let past_visits = [
        ("E09000007", "Camden", inner, &london_team, ("2026-04-21", "2026-04-22"), &hana),
        ("E09000019", "Islington", inner, &london_team, ("2026-05-12", "2026-05-13"), &hana),
        ("E08000003", "Manchester", north_west, &nw_team, ("2026-04-28", "2026-04-29"), &omar),
        ("E08000012", "Liverpool", north_west, &nw_team, ("2026-05-05", "2026-05-06"), &omar),
        ("E08000001", "Bolton", north_west, &nw_team, ("2026-05-12", "2026-05-13"), &omar),
    ];
    let mut engagements = Vec::new();
    for (area, name, lead, team, days, writer) in past_visits {
        let organisation = AREAS.iter().find(|a| a.0 == area).map(|a| a.4).unwrap_or(name);
        let request = demo.ask(lead, area, last_summer, window, "2026-01-16").await?;
        demo.consent(&users[area], organisation, &request, ("2026-05-25", "2026-05-29")).await?;
        let engagement = demo.visit(lead, area, days, team, true).await?;
        engagements.push((engagement, name, days, writer));
    }
    // One area of last year never answered: its request expired.
    demo.ask(inner, "E09000012", last_summer, window, "2026-01-16").await?;

    // After the visits: letters in every state.
    clock.set(at("2026-06-15T09:00:00Z")?);
    let mut letters = Vec::new();
    for (engagement, name, days, writer) in &engagements {
        let when = format!("{} and {}", long_day(days.0)?, long_day(days.1)?);
        letters.push(demo.draft(writer, engagement, name, &when).await?);
    }
    let (camden, islington, manchester, liverpool, bolton) =
        (&letters[0], &letters[1], &letters[2], &letters[3], &letters[4]);
    // Camden's and Manchester's issued (Camden's published by the area, Manchester's with a
    // correction being drafted), Liverpool's approved, Islington's waiting for approval,
    // Bolton's returned to its writer.
    for (letter, writer) in
        [(camden, &hana), (manchester, &omar), (liverpool, &omar), (islington, &hana), (bolton, &omar)]
    {
        let submitted = demo.submit(writer, letter).await?;
        match letter.id.as_str() {
            id if id == islington.id => {}
            id if id == bolton.id => {
                step!("return Bolton's letter", demo.letters.return_letter(by(&planner, pb::ReturnLetterRequest {
                    id: submitted.id.clone(),
                    version: submitted.version,
                    reason: "Say which therapies have the longest waits, and what leaders are doing about them".into(),
                })));
            }
            _ => {
                let approved = step!(
                    "approve",
                    demo.letters.approve_letter(by(
                        &planner,
                        pb::ApproveLetterRequest {
                            id: submitted.id.clone(),
                            version: submitted.version,
                            overrides: vec![],
                        }
                    ))
                )
                .letter
                .context("the approved letter")?;
                if letter.id != liverpool.id {
                    step!(
                        "issue",
                        demo.letters.issue_letter(by(
                            &planner,
                            pb::IssueLetterRequest {
                                id: approved.id.clone(),
                                version: approved.version,
                                publish_at: String::new(),
                            }
                        ))
                    );
                }
            }
        }
    }
    step!(
        "Camden publishes its letter",
        demo.letters.set_publication(by(
            &users["E09000007"],
            pb::SetPublicationRequest {
                id: camden.id.clone(),
                publish: true,
                named_in_national_reports: true,
            }
        ))
    );

    let body = format!(
        "{}\nCorrection: the visit also met the area's parent carer forum.\n",
        "Context\nWe visited Manchester on 28 and 29 April 2026.\n\nWhat we found\nLeaders described how families now hear sooner about support.\n\nNext steps\nWe will share what we learned in our national report."
    );
    step!(
        "correct Manchester's letter",
        demo.letters.correct_letter(by(
            &planner,
            pb::CorrectLetterRequest {
                id: manchester.id.clone(),
                title: "Interim visit to Manchester (corrected)".into(),
                body,
            }
        ))
    );

    // This year (2026/27), from the autumn: requests in every state across the regions.
    clock.set(at("2026-09-14T09:00:00Z")?.max(clock.now()));
    let summer = (pb::Term::Summer, 2026);
    let spring = (pb::Term::Spring, 2026);
    let summer_window = ("2027-04-19", "2027-05-14");
    let spring_window = ("2027-02-22", "2027-03-26");
    let organisation = |area: &str| AREAS.iter().find(|a| a.0 == area).map_or("", |a| a.4);
    // Consented, then scheduled with a team (notified or still proposed).
    for (area, region, team, days, notify) in [
        ("E09000012", "E13000001", &london_team, ("2027-03-02", "2027-03-03"), true),
        ("E08000035", "E12000003", &yorks_team, ("2027-03-09", "2027-03-10"), true),
        ("E06000014", "E12000003", &yorks_team, ("2027-03-16", "2027-03-17"), false),
    ] {
        let request = demo.ask(&leads[region], area, spring, spring_window, "2026-11-20").await?;
        demo.consent(&users[area], organisation(area), &request, ("2027-03-22", "2027-03-26")).await?;
        demo.visit(&leads[region], area, days, team, notify).await?;
    }
    // Consented, not yet scheduled.
    for (area, region) in [("E06000018", "E12000004"), ("E08000025", "E12000005")] {
        let request = demo.ask(&leads[region], area, summer, summer_window, "2027-01-15").await?;
        demo.consent(&users[area], organisation(area), &request, ("2027-05-10", "2027-05-14")).await?;
    }
    // Declined, with the area's reason.
    let declined = demo.ask(&leads["E12000006"], "E10000020", summer, summer_window, "2027-01-15").await?;
    demo.decline(
        &users["E10000020"],
        &declined,
        "Our new SEND leadership team starts in April; we would welcome a visit in the autumn",
    )
    .await?;
    // Consented, then withdrawn.
    let withdrawn = demo.ask(&leads["E12000008"], "E10000016", summer, summer_window, "2027-01-15").await?;
    let withdrawn = demo
        .consent(&users["E10000016"], organisation("E10000016"), &withdrawn, ("2027-05-10", "2027-05-14"))
        .await?;
    step!(
        "Kent withdraws",
        demo.consent.withdraw_consent(by(
            &users["E10000016"],
            pb::WithdrawConsentRequest {
                id: withdrawn.id.clone(),
                version: withdrawn.version,
                reason: "An inspection of our children's services is due in the same term".into(),
            }
        ))
    );
    // Cancelled by the region.
    let cancelled = demo.ask(&leads["E12000009"], "E06000052", summer, summer_window, "2027-01-15").await?;
    step!(
        "cancel Cornwall",
        demo.consent.cancel_visit_request(by(
            &leads["E12000009"],
            pb::CancelVisitRequestRequest {
                id: cancelled.id.clone(),
                version: cancelled.version,
                reason: "Asked in error: Cornwall had a full inspection this year".into(),
            }
        ))
    );

    // Now: requests still waiting for an answer, one with a safeguarding concern. The story is
    // this academic year's: run after January 2027 it is told as of 31 January (the later
    // reply-by dates then read as passed).
    let now = now.clamp(clock.now(), at("2027-01-31T17:00:00Z")?);
    clock.set(now);
    let reply_by = (now.date_naive() + TimeDelta::days(28)).to_string();
    let soon = (now.date_naive() + TimeDelta::days(4)).to_string();
    for (area, region, reply) in [
        ("E09000007", "E13000001", &reply_by),
        ("E06000001", "E12000001", &soon),
        ("E08000037", "E12000001", &reply_by),
        ("E06000021", "E12000005", &reply_by),
        ("E06000032", "E12000006", &reply_by),
        ("E06000043", "E12000008", &soon),
        ("E09000008", "E13000002", &reply_by),
        ("E10000019", "E12000004", &reply_by),
    ] {
        let request = demo.ask(&leads[region], area, summer, summer_window, reply).await?;
        if area == "E06000043" {
            step!("safeguarding concern", demo.consent.record_safeguarding_concern(by(&leads[region], pb::RecordSafeguardingConcernRequest {
                id: request.id.clone(),
                note: "A parent carers' forum raised concerns about how reviews of plans are being carried out".into(),
            })));
        }
    }
    // Full inspections proposed for the spring, from the areas' due dates.
    for (area, region, days) in [
        ("E08000021", "E12000001", ("2027-02-08", "2027-02-12")),
        ("E08000032", "E12000003", ("2027-02-15", "2027-02-19")),
    ] {
        step!(
            format!("full inspection of {area}"),
            demo.programme.schedule_engagement(by(
                &leads[region],
                pb::ScheduleEngagementRequest {
                    local_area_code: area.into(),
                    kind: pb::EngagementKind::FullInspection.into(),
                    onsite: Some(range(days.0, days.1)),
                    note: "Due after the last inspection's outcome".into(),
                }
            ))
        );
    }

    store.append_audit(clock.now(), &Actor::system("demo").event(SEEDED, "demo", "", "ok", "")).await?;
    Ok(Seeded::Fresh(demo.accounts))
}

/// "21 April 2026" for an ISO day.
fn long_day(iso: &str) -> anyhow::Result<String> {
    let day = NaiveDate::parse_from_str(iso, "%Y-%m-%d").with_context(|| format!("{iso} is a day"))?;
    Ok(crate::domain::clock::long_date(day))
}

/// The demo's accounts as stored (for a database seeded before).
async fn accounts_of(store: &Store) -> anyhow::Result<Vec<DemoAccount>> {
    let people = store.list_people("", 500).await?;
    Ok(people
        .into_iter()
        .map(|a| DemoAccount {
            role: format!(
                "{}, {}",
                role_words(crate::grpc::convert::role_to_pb(a.person.role())),
                a.person.scope_label
            ),
            username: a.person.username,
            display_name: a.person.display_name,
        })
        .collect())
}
