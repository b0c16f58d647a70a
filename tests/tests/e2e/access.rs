//! The access matrix: every RPC x every role x (own scope, other scope), with the expected
//! outcome of each cell. Fails when the contract has an RPC the table does not list.
//! Later issues add their RPCs here.

use std::collections::BTreeSet;

use integration_tests::{Persona, TestApp, spawn_app_with};
use prost::Message as _;
use proto::pb::{
    self, account_service_client::AccountServiceClient, audit_service_client::AuditServiceClient,
    auth_service_client::AuthServiceClient, case_study_service_client::CaseStudyServiceClient,
    consent_service_client::ConsentServiceClient, letter_service_client::LetterServiceClient,
    notification_service_client::NotificationServiceClient, programme_service_client::ProgrammeServiceClient,
    reference_service_client::ReferenceServiceClient, scheduling_service_client::SchedulingServiceClient,
    setup_service_client::SetupServiceClient, start_service_client::StartServiceClient,
};
use tonic::Code;

/// Who calls: nobody signed in, or a persona per role (own-scope persona; the other-scope
/// cell targets an object in another scope).
const CALLERS: [Option<Persona>; 7] = [
    None,
    Some(Persona::Planner),
    Some(Persona::InnerLondonLead),
    Some(Persona::Camden),
    Some(Persona::OfstedInspector),
    Some(Persona::Dfe),
    Some(Persona::Admin),
];

/// Which object a cell aims at: one inside the caller's scope or one outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Own,
    Other,
}

const OK: Code = Code::Ok;
const UNAUTH: Code = Code::Unauthenticated;
const DENIED: Code = Code::PermissionDenied;
const HIDDEN: Code = Code::NotFound;
const INVALID: Code = Code::InvalidArgument;
/// Allowed through the access check, then refused by the engagement's state.
const STATE: Code = Code::FailedPrecondition;
/// Allowed through, then refused because the record changed since the version the call names
/// (the cells send version 0, so no account is ever changed by them).
const STALE: Code = Code::Aborted;
/// Administrators only.
const ADMIN_ONLY: Cells = [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK];
/// Administrators only, and refused as stale.
const ADMIN_STALE: Cells = [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, STALE];
/// Planners anywhere, leads in their region: own and other targets.
const PLAN_OWN: Cells = [UNAUTH, OK, OK, DENIED, DENIED, DENIED, DENIED];
const PLAN_OTHER: Cells = [UNAUTH, OK, HIDDEN, DENIED, DENIED, DENIED, DENIED];
const NATIONAL_ONLY: Cells = [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED];

/// Expected codes per caller, in `CALLERS` order: anonymous, planner, regional lead, local
/// area user, inspector, recipient body, administrator.
type Cells = [Code; 7];

/// method -> (own scope, other scope).
const MATRIX: &[(&str, Cells, Cells)] = &[
    ("/sendplanner.v1.AuthService/SignIn", [OK; 7], [OK; 7]),
    (
        "/sendplanner.v1.AuthService/SignOut",
        [UNAUTH, OK, OK, OK, OK, OK, OK],
        [UNAUTH, OK, OK, OK, OK, OK, OK],
    ),
    (
        "/sendplanner.v1.AuthService/WhoAmI",
        [UNAUTH, OK, OK, OK, OK, OK, OK],
        [UNAUTH, OK, OK, OK, OK, OK, OK],
    ),
    // A wrong current password: refused at its field, so no persona's password changes.
    (
        "/sendplanner.v1.AuthService/ChangePassword",
        [UNAUTH, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID],
        [UNAUTH, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID],
    ),
    // Open to anyone, but only with a link the server issued: the test app's link is not used.
    ("/sendplanner.v1.SetupService/CreateFirstAdministrator", [STATE; 7], [STATE; 7]),
    ("/sendplanner.v1.AccountService/GetPerson", ADMIN_ONLY, ADMIN_ONLY),
    // The outbox: national planners (messages) and administrators (only whether Notify is set).
    (
        "/sendplanner.v1.NotificationService/ListOutbox",
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, OK],
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    (
        "/sendplanner.v1.NotificationService/GetEmailPreferences",
        [UNAUTH, OK, OK, OK, OK, OK, OK],
        [UNAUTH, OK, OK, OK, OK, OK, OK],
    ),
    // A kind of email the role gets: own target turns it on; other target names one no role
    // has (refused at its field).
    (
        "/sendplanner.v1.NotificationService/SetEmailPreference",
        [UNAUTH, OK, OK, OK, OK, INVALID, INVALID],
        [UNAUTH, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID],
    ),
    ("/sendplanner.v1.AccountService/SetAccountDisabled", ADMIN_STALE, ADMIN_STALE),
    ("/sendplanner.v1.AccountService/ResetPassword", ADMIN_STALE, ADMIN_STALE),
    ("/sendplanner.v1.AccountService/ChangeRole", ADMIN_STALE, ADMIN_STALE),
    ("/sendplanner.v1.AccountService/SetEmail", ADMIN_STALE, ADMIN_STALE),
    (
        "/sendplanner.v1.AccountService/CreatePerson",
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    (
        "/sendplanner.v1.AccountService/ListPeople",
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    (
        "/sendplanner.v1.AccountService/RevokeSessions",
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
        [UNAUTH, DENIED, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    (
        "/sendplanner.v1.AuditService/ListAuditEvents",
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    ),
    ("/sendplanner.v1.AuditService/ListAuditEntries", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.AuditService/ListAuditPeople", NATIONAL_ONLY, NATIONAL_ONLY),
    (
        "/sendplanner.v1.AuditService/ListSuspiciousAccess",
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, OK],
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, OK],
    ),
    // Visit requests and consent. Own target: a request to Camden (the regional lead's region,
    // the local area user's area). Other target: a request to Hartlepool (North East).
    (
        "/sendplanner.v1.ConsentService/CreateVisitRequest",
        [UNAUTH, OK, OK, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, OK, INVALID, DENIED, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/ListVisitRequests",
        [UNAUTH, OK, OK, OK, DENIED, DENIED, DENIED],
        [UNAUTH, OK, OK, OK, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/GetVisitRequest",
        [UNAUTH, OK, OK, OK, DENIED, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/AnswerVisitRequest",
        [UNAUTH, DENIED, DENIED, OK, DENIED, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/WithdrawConsent",
        [UNAUTH, DENIED, DENIED, OK, DENIED, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/CancelVisitRequest",
        [UNAUTH, OK, OK, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, DENIED, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/RecordSafeguardingConcern",
        [UNAUTH, OK, OK, OK, DENIED, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/ListSafeguardingConcerns",
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    ),
    // Own and other: a concern raised on a request to Camden or to Hartlepool.
    ("/sendplanner.v1.ConsentService/AcknowledgeSafeguardingConcern", NATIONAL_ONLY, NATIONAL_ONLY),
    // Start pages: everyone with a scope of work; each sees only their own (start:: tests).
    (
        "/sendplanner.v1.StartService/GetStartPage",
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ConsentService/GetConsentTotals",
        [UNAUTH, OK, OK, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, OK, OK, DENIED, DENIED, DENIED, DENIED],
    ),
    // The programme. Own target: an engagement with Camden; other: with Hartlepool.
    (
        "/sendplanner.v1.ProgrammeService/ScheduleEngagement",
        PLAN_OWN,
        [UNAUTH, OK, INVALID, DENIED, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.ProgrammeService/ListEngagements",
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
    ),
    (
        // The fixture engagement has no team, so no inspector may read it.
        "/sendplanner.v1.ProgrammeService/GetEngagement",
        [UNAUTH, OK, OK, OK, HIDDEN, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, HIDDEN, HIDDEN, DENIED, DENIED],
    ),
    ("/sendplanner.v1.ProgrammeService/RescheduleEngagement", PLAN_OWN, PLAN_OTHER),
    ("/sendplanner.v1.ProgrammeService/PostponeEngagement", PLAN_OWN, PLAN_OTHER),
    ("/sendplanner.v1.ProgrammeService/NotifyLocalArea", PLAN_OWN, PLAN_OTHER),
    ("/sendplanner.v1.ProgrammeService/AssignTeam", PLAN_OWN, PLAN_OTHER),
    (
        "/sendplanner.v1.ProgrammeService/RecordOutcome",
        [UNAUTH, STATE, STATE, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, STATE, HIDDEN, DENIED, DENIED, DENIED, DENIED],
    ),
    ("/sendplanner.v1.ProgrammeService/RecordPastInspection", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.ProgrammeService/OverrideDueDate", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.ProgrammeService/CreateInspector", PLAN_OWN, PLAN_OWN),
    (
        // An inspector lists only their own record (the test inspector has none: an empty list).
        "/sendplanner.v1.ProgrammeService/ListInspectors",
        [UNAUTH, OK, OK, DENIED, OK, DENIED, DENIED],
        [UNAUTH, OK, OK, DENIED, OK, DENIED, DENIED],
    ),
    (
        // An inspector adds only to their own record; the test inspector has no record.
        "/sendplanner.v1.ProgrammeService/AddUnavailability",
        [UNAUTH, OK, OK, DENIED, HIDDEN, DENIED, DENIED],
        [UNAUTH, OK, OK, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        // An inspector may declare only their own conflicts; the test inspector has no record.
        "/sendplanner.v1.ProgrammeService/DeclareConflict",
        [UNAUTH, OK, OK, DENIED, HIDDEN, DENIED, DENIED],
        [UNAUTH, OK, OK, DENIED, HIDDEN, DENIED, DENIED],
    ),
    // Inspector entries are a national pool: planners and any lead link them (no scope).
    ("/sendplanner.v1.ProgrammeService/ListInspectorAccounts", PLAN_OWN, PLAN_OWN),
    ("/sendplanner.v1.ProgrammeService/LinkInspectorAccount", PLAN_OWN, PLAN_OWN),
    ("/sendplanner.v1.ProgrammeService/GetNationalBoard", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.ProgrammeService/ExportNationalProgramme", NATIONAL_ONLY, NATIONAL_ONLY),
    // Proposed programmes. Own target: a proposal for Inner London (its lead's); other: one for
    // England (the planner's). Starting one is asked for 99 seconds, refused at its field, so
    // no cell leaves a proposal running; accepting names version 0, refused as stale.
    (
        "/sendplanner.v1.SchedulingService/StartProposal",
        [UNAUTH, INVALID, INVALID, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, INVALID, INVALID, DENIED, DENIED, DENIED, DENIED],
    ),
    ("/sendplanner.v1.SchedulingService/GetProposal", PLAN_OWN, PLAN_OTHER),
    ("/sendplanner.v1.SchedulingService/CancelProposal", PLAN_OWN, PLAN_OTHER),
    (
        "/sendplanner.v1.SchedulingService/AcceptProposal",
        [UNAUTH, STALE, STALE, DENIED, DENIED, DENIED, DENIED],
        [UNAUTH, STALE, HIDDEN, DENIED, DENIED, DENIED, DENIED],
    ),
    // Letters. Own target: an interim-visit letter to Camden written by the test inspector's
    // team; other: an engagement-meeting letter to Hartlepool by another inspector's team.
    (
        "/sendplanner.v1.LetterService/CreateLetter",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.LetterService/UpdateDraft",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.LetterService/CheckLetter",
        [UNAUTH, OK, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, OK, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.LetterService/SubmitLetter",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    ("/sendplanner.v1.LetterService/ReturnLetter", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/ApproveLetter", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/SetDistribution", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/IssueLetter", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/RevokeRecipient", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/CorrectLetter", NATIONAL_ONLY, NATIONAL_ONLY),
    (
        "/sendplanner.v1.LetterService/SetPublication",
        [UNAUTH, DENIED, DENIED, OK, DENIED, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.LetterService/ListInbox",
        [UNAUTH, OK, DENIED, OK, OK, OK, DENIED],
        [UNAUTH, OK, DENIED, OK, OK, OK, DENIED],
    ),
    (
        "/sendplanner.v1.LetterService/ListLetters",
        [UNAUTH, OK, DENIED, OK, OK, OK, DENIED],
        [UNAUTH, OK, DENIED, OK, OK, OK, DENIED],
    ),
    (
        // DfE receives interim-visit letters, not engagement-meeting ones.
        "/sendplanner.v1.LetterService/GetLetter",
        [UNAUTH, OK, DENIED, OK, OK, OK, DENIED],
        [UNAUTH, OK, DENIED, HIDDEN, HIDDEN, HIDDEN, DENIED],
    ),
    ("/sendplanner.v1.LetterService/ListLetterViews", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/WhoCanSee", NATIONAL_ONLY, NATIONAL_ONLY),
    ("/sendplanner.v1.LetterService/ListPublishedLetters", [OK; 7], [OK; 7]),
    ("/sendplanner.v1.LetterService/ExportNationalReport", NATIONAL_ONLY, NATIONAL_ONLY),
    // Case-study samples. Own target: the interim visit to Camden (notified) whose team the
    // test inspector is on; other: the engagement meeting with Hartlepool (another region,
    // another team), which has no case studies. Rows run in this order: upload, then pick.
    (
        "/sendplanner.v1.CaseStudyService/GetCaseStudySample",
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, HIDDEN, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.CaseStudyService/CheckCaseStudyPick",
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
        [UNAUTH, OK, HIDDEN, HIDDEN, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.CaseStudyService/UploadCaseStudySample",
        [UNAUTH, DENIED, DENIED, OK, DENIED, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, HIDDEN, DENIED, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.CaseStudyService/PickCaseStudies",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.CaseStudyService/SuggestCaseStudyPick",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    (
        "/sendplanner.v1.CaseStudyService/AgreeCaseStudySample",
        [UNAUTH, DENIED, DENIED, OK, OK, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, HIDDEN, HIDDEN, DENIED, DENIED],
    ),
    // The team only; refused by the rules here, since the fixture's list gives a valid pick.
    (
        "/sendplanner.v1.CaseStudyService/AskForMoreCaseStudies",
        [UNAUTH, DENIED, DENIED, DENIED, STATE, DENIED, DENIED],
        [UNAUTH, DENIED, DENIED, DENIED, HIDDEN, DENIED, DENIED],
    ),
    // Published reference data: any signed-in person, any region.
    (
        "/sendplanner.v1.ReferenceService/ListRegions",
        [UNAUTH, OK, OK, OK, OK, OK, OK],
        [UNAUTH, OK, OK, OK, OK, OK, OK],
    ),
    (
        "/sendplanner.v1.ReferenceService/ListLocalAreas",
        [UNAUTH, OK, OK, OK, OK, OK, OK],
        [UNAUTH, OK, OK, OK, OK, OK, OK],
    ),
];

fn contract_methods() -> BTreeSet<String> {
    let set = prost_types::FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET).expect("descriptor set");
    set.file
        .iter()
        .flat_map(|f| {
            f.service.iter().flat_map(move |s| {
                s.method.iter().map(move |m| format!("/{}.{}/{}", f.package(), s.name(), m.name()))
            })
        })
        .collect()
}

/// How far along a fixture letter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Draft,
    Submitted,
    Approved,
    Issued,
}

/// Objects the cells aim at, and sessions that make fresh ones.
struct Fixtures {
    inspector_id: String,
    /// (engagement id, its team's writer's session) for the own and the other target.
    own_letters: (String, String),
    other_letters: (String, String),
    camden: pb::Person,
    westminster: pb::Person,
    planner: String,
    hartlepool_user: String,
    /// Finished proposals: Inner London's and England's to read and accept, then the same
    /// pair to cancel.
    proposals: [String; 4],
}

impl Fixtures {
    /// The target's area.
    fn area(target: Target) -> &'static str {
        match target {
            Target::Own => "E09000007",
            Target::Other => "E06000001",
        }
    }

    /// A new engagement meeting with the target's area, proposed, a week from now.
    async fn engagement(&self, app: &TestApp, target: Target) -> anyhow::Result<pb::Engagement> {
        let day = meeting_day(app).to_string();
        let mut client = ProgrammeServiceClient::new(app.authed(&self.planner).await?);
        let request = pb::ScheduleEngagementRequest {
            local_area_code: Self::area(target).into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: day.clone(), last_day: day }),
            note: String::new(),
        };
        let created = client.schedule_engagement(request).await?.into_inner();
        created.engagement.ok_or_else(|| anyhow::anyhow!("no engagement"))
    }

    /// The same, already notified (so the area may see it).
    async fn notified(&self, app: &TestApp, target: Target) -> anyhow::Result<pb::Engagement> {
        let e = self.engagement(app, target).await?;
        let mut client = ProgrammeServiceClient::new(app.authed(&self.planner).await?);
        let notified =
            client.notify_local_area(pb::NotifyLocalAreaRequest { id: e.id, version: e.version }).await?;
        notified.into_inner().engagement.ok_or_else(|| anyhow::anyhow!("no engagement"))
    }

    /// A new letter for the target's engagement, taken to `stage`.
    async fn letter(&self, app: &TestApp, target: Target, stage: Stage) -> anyhow::Result<pb::Letter> {
        let ((engagement, writer), body) = match target {
            Target::Own => (&self.own_letters, "Context\nC\nWhat we found\nF\nNext steps\nN\n"),
            Target::Other => (&self.other_letters, "Summary\nS\n"),
        };
        let mut team = LetterServiceClient::new(app.authed(writer).await?);
        let mut planner = LetterServiceClient::new(app.authed(&self.planner).await?);
        let create = pb::CreateLetterRequest {
            engagement_id: engagement.clone(),
            title: "Letter".into(),
            body: body.into(),
        };
        let mut letter = team
            .create_letter(create)
            .await?
            .into_inner()
            .letter
            .ok_or_else(|| anyhow::anyhow!("no letter"))?;
        if stage >= Stage::Submitted {
            let r = team
                .submit_letter(pb::SubmitLetterRequest { id: letter.id.clone(), version: letter.version })
                .await?;
            letter = r.into_inner().letter.ok_or_else(|| anyhow::anyhow!("no letter"))?;
        }
        // Letters are approved after their engagement's last onsite day: from then on, with
        // a session made then, and the clock put back afterwards.
        let back = app.clock.now();
        if stage >= Stage::Approved {
            app.clock.set(approval_day()?);
            let token = app.sign_in(Persona::Planner.username(), integration_tests::PASSWORD).await?;
            planner = LetterServiceClient::new(app.authed(&token).await?);
            let r = planner
                .approve_letter(pb::ApproveLetterRequest {
                    id: letter.id.clone(),
                    version: letter.version,
                    overrides: vec![],
                })
                .await?;
            letter = r.into_inner().letter.ok_or_else(|| anyhow::anyhow!("no letter"))?;
        }
        if stage >= Stage::Issued {
            let r = planner
                .issue_letter(pb::IssueLetterRequest {
                    id: letter.id.clone(),
                    version: letter.version,
                    publish_at: String::new(),
                })
                .await?;
            letter = r.into_inner().letter.ok_or_else(|| anyhow::anyhow!("no letter"))?;
        }
        app.clock.set(back);
        Ok(letter)
    }

    /// A new request (state requested) to the target's area.
    async fn request(&self, app: &TestApp, target: Target) -> anyhow::Result<pb::VisitRequest> {
        let area = match target {
            Target::Own => "E09000007",
            Target::Other => "E06000001",
        };
        let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
        let mut client = ConsentServiceClient::new(app.authed(&self.planner).await?);
        let created = client.create_visit_request(integration_tests::visit_request(area, &reply_by)).await?;
        created.into_inner().request.ok_or_else(|| anyhow::anyhow!("no request"))
    }

    /// A new request to the target's area, consented in writing by that area's user.
    async fn consented(&self, app: &TestApp, target: Target) -> anyhow::Result<pb::VisitRequest> {
        let request = self.request(app, target).await?;
        // Camden's sessions may have been revoked by the RevokeSessions cells: sign in afresh.
        let token = match target {
            Target::Own => app.sign_in(Persona::Camden.username(), integration_tests::PASSWORD).await?,
            Target::Other => self.hartlepool_user.clone(),
        };
        let mut client = ConsentServiceClient::new(app.authed(&token).await?);
        let answered = client
            .answer_visit_request(integration_tests::consent_answer(&request.id, request.version))
            .await?;
        answered.into_inner().request.ok_or_else(|| anyhow::anyhow!("no request"))
    }
}

/// Makes one call as `token` (or anonymously) aimed at `target`; the status code it ends with.
async fn call(
    app: &TestApp,
    method: &str,
    caller: Option<Persona>,
    target: Target,
    fx: &Fixtures,
    cell: usize,
) -> anyhow::Result<Code> {
    // A fresh session per cell: SignOut must not end the session other cells use. Anonymous
    // cells send no authorization header at all.
    let token = match caller {
        Some(p) => app.sign_in(p.username(), integration_tests::PASSWORD).await?,
        None => "x".repeat(43),
    };
    let anon = caller.is_none();
    let channel = app.authed(&token).await?;
    let plain = app.channel().await?;
    let (region, person) = match target {
        Target::Own => ("E13000001", &fx.camden),
        Target::Other => ("E12000001", &fx.westminster),
    };
    macro_rules! run {
        ($client:ident, $call:ident, $req:expr) => {{
            let result = if anon {
                $client::new(plain).$call($req).await.map(|_| ())
            } else {
                $client::new(channel).$call($req).await.map(|_| ())
            };
            Ok(result.err().map_or(Code::Ok, |s| s.code()))
        }};
    }
    match method {
        "/sendplanner.v1.AuthService/SignIn" => {
            let who = caller.unwrap_or(Persona::Planner).username();
            let req =
                pb::SignInRequest { username: who.into(), password: integration_tests::PASSWORD.into() };
            let result = AuthServiceClient::new(plain).sign_in(req).await;
            Ok(result.err().map_or(Code::Ok, |s| s.code()))
        }
        "/sendplanner.v1.AuthService/SignOut" => run!(AuthServiceClient, sign_out, pb::SignOutRequest {}),
        "/sendplanner.v1.AuthService/WhoAmI" => run!(AuthServiceClient, who_am_i, pb::WhoAmIRequest {}),
        "/sendplanner.v1.AccountService/CreatePerson" => {
            let req = pb::CreatePersonRequest {
                username: format!("new.{cell}.{target:?}").to_lowercase(),
                display_name: "New Person".into(),
                password: integration_tests::PASSWORD.into(),
                role: pb::Role::RegionalLead.into(),
                region_code: region.into(),
                ..Default::default()
            };
            run!(AccountServiceClient, create_person, req)
        }
        "/sendplanner.v1.AccountService/ListPeople" => {
            run!(AccountServiceClient, list_people, pb::ListPeopleRequest::default())
        }
        "/sendplanner.v1.AuthService/ChangePassword" => {
            let req = pb::ChangePasswordRequest {
                current_password: "not the password at all".into(),
                new_password: "a brand new passphrase".into(),
            };
            run!(AuthServiceClient, change_password, req)
        }
        "/sendplanner.v1.SetupService/CreateFirstAdministrator" => {
            let req = pb::CreateFirstAdministratorRequest {
                token: "x".repeat(43),
                username: format!("first.{cell}.{target:?}").to_lowercase(),
                display_name: "First Admin".into(),
                password: integration_tests::PASSWORD.into(),
            };
            let result = SetupServiceClient::new(plain).create_first_administrator(req).await;
            Ok(result.err().map_or(Code::Ok, |s| s.code()))
        }
        "/sendplanner.v1.NotificationService/ListOutbox" => {
            run!(NotificationServiceClient, list_outbox, pb::ListOutboxRequest {})
        }
        "/sendplanner.v1.NotificationService/GetEmailPreferences" => {
            run!(NotificationServiceClient, get_email_preferences, pb::GetEmailPreferencesRequest {})
        }
        "/sendplanner.v1.NotificationService/SetEmailPreference" => {
            // Own: the first kind the caller's role gets (recipient bodies get letters; an
            // administrator none). Other: a kind no one has.
            let kind = match (target, caller) {
                (Target::Other, _) => "no_such_kind",
                (_, Some(Persona::Planner)) => "safeguarding_concern",
                (_, Some(Persona::InnerLondonLead)) => "request_answered",
                (_, Some(Persona::Camden)) => "new_request",
                (_, Some(Persona::OfstedInspector)) => "letter_returned",
                _ => "new_request",
            };
            run!(
                NotificationServiceClient,
                set_email_preference,
                pb::SetEmailPreferenceRequest { kind: kind.into(), email: true }
            )
        }
        "/sendplanner.v1.AccountService/GetPerson" => {
            run!(AccountServiceClient, get_person, pb::GetPersonRequest { person_id: person.id.clone() })
        }
        "/sendplanner.v1.AccountService/SetAccountDisabled" => {
            let req =
                pb::SetAccountDisabledRequest { person_id: person.id.clone(), version: 0, disabled: true };
            run!(AccountServiceClient, set_account_disabled, req)
        }
        "/sendplanner.v1.AccountService/ResetPassword" => {
            let req = pb::ResetPasswordRequest { person_id: person.id.clone(), version: 0 };
            run!(AccountServiceClient, reset_password, req)
        }
        "/sendplanner.v1.AccountService/SetEmail" => {
            let req = pb::SetEmailRequest {
                person_id: person.id.clone(),
                version: 0,
                email: "x@example.gov.uk".into(),
            };
            run!(AccountServiceClient, set_email, req)
        }
        "/sendplanner.v1.AccountService/ChangeRole" => {
            let req = pb::ChangeRoleRequest {
                person_id: person.id.clone(),
                version: 0,
                role: pb::Role::NationalPlanner.into(),
                ..Default::default()
            };
            run!(AccountServiceClient, change_role, req)
        }
        "/sendplanner.v1.AccountService/RevokeSessions" => {
            run!(
                AccountServiceClient,
                revoke_sessions,
                pb::RevokeSessionsRequest { person_id: person.id.clone() }
            )
        }
        "/sendplanner.v1.AuditService/ListAuditEvents" => {
            let req = pb::ListAuditEventsRequest {
                object_type: "person".into(),
                object_id: person.id.clone(),
                ..Default::default()
            };
            run!(AuditServiceClient, list_audit_events, req)
        }
        "/sendplanner.v1.AuditService/ListAuditEntries" => {
            let req = pb::ListAuditEntriesRequest {
                actor_id: person.id.clone(),
                local_area_code: Fixtures::area(target).into(),
                ..Default::default()
            };
            run!(AuditServiceClient, list_audit_entries, req)
        }
        "/sendplanner.v1.AuditService/ListAuditPeople" => {
            run!(AuditServiceClient, list_audit_people, pb::ListAuditPeopleRequest {})
        }
        "/sendplanner.v1.AuditService/ListSuspiciousAccess" => {
            run!(AuditServiceClient, list_suspicious_access, pb::ListSuspiciousAccessRequest {})
        }
        "/sendplanner.v1.ConsentService/CreateVisitRequest" => {
            let area = match target {
                Target::Own => "E09000007",
                Target::Other => "E06000001",
            };
            let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
            run!(
                ConsentServiceClient,
                create_visit_request,
                integration_tests::visit_request(area, &reply_by)
            )
        }
        "/sendplanner.v1.ConsentService/ListVisitRequests" => {
            run!(ConsentServiceClient, list_visit_requests, pb::ListVisitRequestsRequest::default())
        }
        "/sendplanner.v1.ConsentService/GetVisitRequest" => {
            let request = fx.request(app, target).await?;
            run!(ConsentServiceClient, get_visit_request, pb::GetVisitRequestRequest { id: request.id })
        }
        "/sendplanner.v1.ConsentService/AnswerVisitRequest" => {
            let request = fx.request(app, target).await?;
            let decline = pb::AnswerVisitRequestRequest {
                id: request.id,
                version: request.version,
                answer: Some(pb::answer_visit_request_request::Answer::Decline(pb::DeclineAnswer::default())),
            };
            run!(ConsentServiceClient, answer_visit_request, decline)
        }
        "/sendplanner.v1.ConsentService/WithdrawConsent" => {
            let request = fx.consented(app, target).await?;
            let req = pb::WithdrawConsentRequest {
                id: request.id,
                version: request.version,
                reason: "test".into(),
            };
            run!(ConsentServiceClient, withdraw_consent, req)
        }
        "/sendplanner.v1.ConsentService/CancelVisitRequest" => {
            let request = fx.request(app, target).await?;
            let req = pb::CancelVisitRequestRequest {
                id: request.id,
                version: request.version,
                reason: "test".into(),
            };
            run!(ConsentServiceClient, cancel_visit_request, req)
        }
        "/sendplanner.v1.ConsentService/RecordSafeguardingConcern" => {
            let request = fx.request(app, target).await?;
            let req = pb::RecordSafeguardingConcernRequest { id: request.id, note: "test".into() };
            run!(ConsentServiceClient, record_safeguarding_concern, req)
        }
        "/sendplanner.v1.ConsentService/ListSafeguardingConcerns" => {
            run!(ConsentServiceClient, list_safeguarding_concerns, pb::ListSafeguardingConcernsRequest {})
        }
        "/sendplanner.v1.ConsentService/GetConsentTotals" => {
            run!(ConsentServiceClient, get_consent_totals, pb::GetConsentTotalsRequest {})
        }
        "/sendplanner.v1.ConsentService/AcknowledgeSafeguardingConcern" => {
            let request = fx.request(app, target).await?;
            let mut planner = ConsentServiceClient::new(app.authed(&fx.planner).await?);
            let concern =
                pb::RecordSafeguardingConcernRequest { id: request.id.clone(), note: "test".into() };
            planner.record_safeguarding_concern(concern).await?;
            let listed = planner.list_safeguarding_concerns(pb::ListSafeguardingConcernsRequest {}).await?;
            let id = listed
                .into_inner()
                .concerns
                .into_iter()
                .find(|c| c.request_id == request.id)
                .map(|c| c.id)
                .ok_or_else(|| anyhow::anyhow!("no concern"))?;
            let req = pb::AcknowledgeSafeguardingConcernRequest { id };
            run!(ConsentServiceClient, acknowledge_safeguarding_concern, req)
        }
        "/sendplanner.v1.StartService/GetStartPage" => {
            run!(StartServiceClient, get_start_page, pb::GetStartPageRequest {})
        }
        "/sendplanner.v1.ProgrammeService/ScheduleEngagement" => {
            let day = meeting_day(app).to_string();
            let req = pb::ScheduleEngagementRequest {
                local_area_code: Fixtures::area(target).into(),
                kind: pb::EngagementKind::EngagementMeeting.into(),
                onsite: Some(pb::DateRange { first_day: day.clone(), last_day: day }),
                note: String::new(),
            };
            run!(ProgrammeServiceClient, schedule_engagement, req)
        }
        "/sendplanner.v1.ProgrammeService/ListEngagements" => {
            run!(ProgrammeServiceClient, list_engagements, pb::ListEngagementsRequest::default())
        }
        "/sendplanner.v1.ProgrammeService/GetEngagement" => {
            let e = fx.notified(app, target).await?;
            run!(ProgrammeServiceClient, get_engagement, pb::GetEngagementRequest { id: e.id })
        }
        "/sendplanner.v1.ProgrammeService/RescheduleEngagement" => {
            let e = fx.engagement(app, target).await?;
            let day = (meeting_day(app) + chrono::TimeDelta::days(7)).to_string();
            let req = pb::RescheduleEngagementRequest {
                id: e.id,
                version: e.version,
                onsite: Some(pb::DateRange { first_day: day.clone(), last_day: day }),
                reason: String::new(),
            };
            run!(ProgrammeServiceClient, reschedule_engagement, req)
        }
        "/sendplanner.v1.ProgrammeService/PostponeEngagement" => {
            let e = fx.engagement(app, target).await?;
            let req = pb::PostponeEngagementRequest { id: e.id, version: e.version, reason: "test".into() };
            run!(ProgrammeServiceClient, postpone_engagement, req)
        }
        "/sendplanner.v1.ProgrammeService/NotifyLocalArea" => {
            let e = fx.engagement(app, target).await?;
            run!(
                ProgrammeServiceClient,
                notify_local_area,
                pb::NotifyLocalAreaRequest { id: e.id, version: e.version }
            )
        }
        "/sendplanner.v1.ProgrammeService/AssignTeam" => {
            let e = fx.engagement(app, target).await?;
            // A fresh inspector each time: earlier cells booked the fixture one on this day.
            let free = ProgrammeServiceClient::new(app.authed(&fx.planner).await?)
                .create_inspector(pb::CreateInspectorRequest {
                    name: format!("Team Inspector {cell} {target:?}"),
                    inspectorate: pb::Inspectorate::Ofsted.into(),
                    social_care: false,
                    home_region_code: "E13000001".into(),
                    max_engagements_per_term: 30,
                    ..Default::default()
                })
                .await?
                .into_inner()
                .inspector
                .ok_or_else(|| anyhow::anyhow!("no inspector"))?;
            let member = pb::TeamMember {
                inspector_id: free.id,
                name: String::new(),
                role: pb::TeamRole::OfstedInspector.into(),
            };
            let req = pb::AssignTeamRequest {
                id: e.id,
                version: e.version,
                members: vec![member],
                reason: String::new(),
            };
            run!(ProgrammeServiceClient, assign_team, req)
        }
        "/sendplanner.v1.ProgrammeService/RecordOutcome" => {
            let e = fx.engagement(app, target).await?;
            let req = pb::RecordOutcomeRequest { id: e.id, version: e.version, outcome: 0 };
            run!(ProgrammeServiceClient, record_outcome, req)
        }
        "/sendplanner.v1.ProgrammeService/RecordPastInspection" => {
            let req = pb::RecordPastInspectionRequest {
                local_area_code: Fixtures::area(target).into(),
                kind: pb::EngagementKind::FullInspection.into(),
                completed_on: "2024-01-10".into(),
                outcome: pb::Outcome::Positive.into(),
            };
            run!(ProgrammeServiceClient, record_past_inspection, req)
        }
        "/sendplanner.v1.ProgrammeService/OverrideDueDate" => {
            let req = pb::OverrideDueDateRequest {
                local_area_code: Fixtures::area(target).into(),
                due_by: "2029-01-01".into(),
                reason: "test".into(),
            };
            run!(ProgrammeServiceClient, override_due_date, req)
        }
        "/sendplanner.v1.ProgrammeService/CreateInspector" => {
            let req = pb::CreateInspectorRequest {
                name: format!("Inspector {cell}"),
                inspectorate: pb::Inspectorate::Cqc.into(),
                social_care: false,
                home_region_code: "E13000001".into(),
                max_engagements_per_term: 4,
                ..Default::default()
            };
            run!(ProgrammeServiceClient, create_inspector, req)
        }
        "/sendplanner.v1.ProgrammeService/ListInspectors" => {
            run!(ProgrammeServiceClient, list_inspectors, pb::ListInspectorsRequest {})
        }
        "/sendplanner.v1.ProgrammeService/AddUnavailability" => {
            let req = pb::AddUnavailabilityRequest {
                inspector_id: fx.inspector_id.clone(),
                period: Some(pb::DateRange { first_day: "2030-01-01".into(), last_day: "2030-01-02".into() }),
            };
            run!(ProgrammeServiceClient, add_unavailability, req)
        }
        "/sendplanner.v1.ProgrammeService/DeclareConflict" => {
            let req = pb::DeclareConflictRequest {
                inspector_id: fx.inspector_id.clone(),
                local_area_code: Fixtures::area(target).into(),
                reason: "test".into(),
            };
            run!(ProgrammeServiceClient, declare_conflict, req)
        }
        "/sendplanner.v1.ProgrammeService/ListInspectorAccounts" => {
            run!(ProgrammeServiceClient, list_inspector_accounts, pb::ListInspectorAccountsRequest {})
        }
        "/sendplanner.v1.ProgrammeService/LinkInspectorAccount" => {
            // A fresh unlinked entry and a fresh inspector account per cell: a linked one is
            // refused on its own terms.
            let entry = ProgrammeServiceClient::new(app.authed(&fx.planner).await?)
                .create_inspector(pb::CreateInspectorRequest {
                    name: format!("Unlinked {cell} {target:?}"),
                    inspectorate: pb::Inspectorate::Cqc.into(),
                    social_care: false,
                    home_region_code: "E13000001".into(),
                    max_engagements_per_term: 4,
                    ..Default::default()
                })
                .await?
                .into_inner()
                .inspector
                .ok_or_else(|| anyhow::anyhow!("no inspector"))?;
            let mut account = Persona::OfstedInspector.request();
            account.username = format!("hmi.{cell}.{target:?}").to_lowercase();
            let account = app.seed_person(account).await?;
            let req = pb::LinkInspectorAccountRequest {
                inspector_id: entry.id,
                version: entry.version,
                person_id: account.id,
            };
            run!(ProgrammeServiceClient, link_inspector_account, req)
        }
        "/sendplanner.v1.ProgrammeService/GetNationalBoard" => {
            run!(ProgrammeServiceClient, get_national_board, pb::GetNationalBoardRequest::default())
        }
        "/sendplanner.v1.ProgrammeService/ExportNationalProgramme" => {
            run!(
                ProgrammeServiceClient,
                export_national_programme,
                pb::ExportNationalProgrammeRequest::default()
            )
        }
        "/sendplanner.v1.LetterService/CreateLetter" => {
            let engagement = match target {
                Target::Own => fx.own_letters.0.clone(),
                Target::Other => fx.other_letters.0.clone(),
            };
            let req = pb::CreateLetterRequest {
                engagement_id: engagement,
                title: "Letter".into(),
                body: "Summary\n".into(),
            };
            run!(LetterServiceClient, create_letter, req)
        }
        "/sendplanner.v1.LetterService/UpdateDraft" => {
            let l = fx.letter(app, target, Stage::Draft).await?;
            let req =
                pb::UpdateDraftRequest { id: l.id, version: l.version, title: "Edited".into(), body: l.body };
            run!(LetterServiceClient, update_draft, req)
        }
        "/sendplanner.v1.LetterService/CheckLetter" => {
            let l = fx.letter(app, target, Stage::Draft).await?;
            run!(LetterServiceClient, check_letter, pb::CheckLetterRequest { id: l.id })
        }
        "/sendplanner.v1.LetterService/SubmitLetter" => {
            let l = fx.letter(app, target, Stage::Draft).await?;
            run!(LetterServiceClient, submit_letter, pb::SubmitLetterRequest { id: l.id, version: l.version })
        }
        "/sendplanner.v1.LetterService/ReturnLetter" => {
            let l = fx.letter(app, target, Stage::Submitted).await?;
            let req = pb::ReturnLetterRequest { id: l.id, version: l.version, reason: "test".into() };
            run!(LetterServiceClient, return_letter, req)
        }
        "/sendplanner.v1.LetterService/ApproveLetter" => {
            let l = fx.letter(app, target, Stage::Submitted).await?;
            let req = pb::ApproveLetterRequest { id: l.id, version: l.version, overrides: vec![] };
            // After the last onsite day, in a session made then.
            let back = app.clock.now();
            app.clock.set(approval_day()?);
            let result = match caller {
                Some(p) => {
                    let token = app.sign_in(p.username(), integration_tests::PASSWORD).await?;
                    LetterServiceClient::new(app.authed(&token).await?).approve_letter(req).await.map(|_| ())
                }
                None => LetterServiceClient::new(plain).approve_letter(req).await.map(|_| ()),
            };
            app.clock.set(back);
            Ok(result.err().map_or(Code::Ok, |s| s.code()))
        }
        "/sendplanner.v1.LetterService/SetDistribution" => {
            let l = fx.letter(app, target, Stage::Draft).await?;
            let req = pb::SetDistributionRequest {
                id: l.id,
                version: l.version,
                recipients: vec![pb::Recipient::LocalArea.into()],
            };
            run!(LetterServiceClient, set_distribution, req)
        }
        "/sendplanner.v1.LetterService/IssueLetter" => {
            let l = fx.letter(app, target, Stage::Approved).await?;
            let req = pb::IssueLetterRequest { id: l.id, version: l.version, publish_at: String::new() };
            run!(LetterServiceClient, issue_letter, req)
        }
        "/sendplanner.v1.LetterService/RevokeRecipient" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            let req = pb::RevokeRecipientRequest { id: l.id, recipient: pb::Recipient::LocalArea.into() };
            run!(LetterServiceClient, revoke_recipient, req)
        }
        "/sendplanner.v1.LetterService/CorrectLetter" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            let req = pb::CorrectLetterRequest { id: l.id, title: "Corrected".into(), body: l.body };
            run!(LetterServiceClient, correct_letter, req)
        }
        "/sendplanner.v1.LetterService/SetPublication" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            let req = pb::SetPublicationRequest { id: l.id, publish: true, named_in_national_reports: false };
            run!(LetterServiceClient, set_publication, req)
        }
        "/sendplanner.v1.LetterService/ListInbox" => {
            run!(LetterServiceClient, list_inbox, pb::ListInboxRequest {})
        }
        "/sendplanner.v1.LetterService/ListLetters" => {
            let engagement = match target {
                Target::Own => fx.own_letters.0.clone(),
                Target::Other => fx.other_letters.0.clone(),
            };
            run!(LetterServiceClient, list_letters, pb::ListLettersRequest { engagement_id: engagement })
        }
        "/sendplanner.v1.LetterService/GetLetter" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            run!(LetterServiceClient, get_letter, pb::GetLetterRequest { id: l.id })
        }
        "/sendplanner.v1.LetterService/ListLetterViews" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            run!(LetterServiceClient, list_letter_views, pb::ListLetterViewsRequest { id: l.id })
        }
        "/sendplanner.v1.LetterService/WhoCanSee" => {
            let l = fx.letter(app, target, Stage::Issued).await?;
            run!(LetterServiceClient, who_can_see, pb::WhoCanSeeRequest { id: l.id })
        }
        "/sendplanner.v1.LetterService/ListPublishedLetters" => {
            run!(LetterServiceClient, list_published_letters, pb::ListPublishedLettersRequest {})
        }
        "/sendplanner.v1.LetterService/ExportNationalReport" => {
            run!(
                LetterServiceClient,
                export_national_report,
                pb::ExportNationalReportRequest { academic_year: 2026 }
            )
        }
        "/sendplanner.v1.ReferenceService/ListRegions" => {
            run!(ReferenceServiceClient, list_regions, pb::ListRegionsRequest {})
        }
        "/sendplanner.v1.ReferenceService/ListLocalAreas" => {
            let req = pb::ListLocalAreasRequest { region_code: region.into(), ..Default::default() };
            run!(ReferenceServiceClient, list_local_areas, req)
        }
        m if m.starts_with("/sendplanner.v1.CaseStudyService/") => {
            let engagement = match target {
                Target::Own => fx.own_letters.0.clone(),
                Target::Other => fx.other_letters.0.clone(),
            };
            // The version as it stands, read by a planner (who may read every sample).
            let version = CaseStudyServiceClient::new(app.authed(&fx.planner).await?)
                .get_case_study_sample(pb::GetCaseStudySampleRequest { engagement_id: engagement.clone() })
                .await?
                .into_inner()
                .sample
                .map_or(0, |s| s.version);
            let valid = ["CYP-001", "CYP-002", "CYP-003", "CYP-005"].map(String::from).to_vec();
            match m.rsplit('/').next().unwrap_or_default() {
                "GetCaseStudySample" => run!(
                    CaseStudyServiceClient,
                    get_case_study_sample,
                    pb::GetCaseStudySampleRequest { engagement_id: engagement }
                ),
                "CheckCaseStudyPick" => run!(
                    CaseStudyServiceClient,
                    check_case_study_pick,
                    pb::CheckCaseStudyPickRequest { engagement_id: engagement, references: valid }
                ),
                "UploadCaseStudySample" => {
                    let req = pb::UploadCaseStudySampleRequest {
                        engagement_id: engagement,
                        version,
                        file: crate::case_studies::GOOD_CSV.as_bytes().to_vec(),
                        population: None,
                        reason: String::new(),
                    };
                    run!(CaseStudyServiceClient, upload_case_study_sample, req)
                }
                "PickCaseStudies" => {
                    let req = pb::PickCaseStudiesRequest {
                        engagement_id: engagement,
                        version,
                        references: valid,
                        reason: String::new(),
                    };
                    run!(CaseStudyServiceClient, pick_case_studies, req)
                }
                "SuggestCaseStudyPick" => {
                    let req = pb::SuggestCaseStudyPickRequest {
                        engagement_id: engagement,
                        version,
                        reason: String::new(),
                    };
                    run!(CaseStudyServiceClient, suggest_case_study_pick, req)
                }
                "AskForMoreCaseStudies" => run!(
                    CaseStudyServiceClient,
                    ask_for_more_case_studies,
                    pb::AskForMoreCaseStudiesRequest { engagement_id: engagement, version }
                ),
                _ => run!(
                    CaseStudyServiceClient,
                    agree_case_study_sample,
                    pb::AgreeCaseStudySampleRequest { engagement_id: engagement, version }
                ),
            }
        }
        "/sendplanner.v1.SchedulingService/StartProposal" => {
            run!(SchedulingServiceClient, start_proposal, pb::StartProposalRequest { seconds: 99 })
        }
        "/sendplanner.v1.SchedulingService/GetProposal" => {
            let id = fx.proposals[usize::from(target == Target::Other)].clone();
            run!(SchedulingServiceClient, get_proposal, pb::GetProposalRequest { id })
        }
        "/sendplanner.v1.SchedulingService/CancelProposal" => {
            let id = fx.proposals[2 + usize::from(target == Target::Other)].clone();
            run!(SchedulingServiceClient, cancel_proposal, pb::CancelProposalRequest { id })
        }
        "/sendplanner.v1.SchedulingService/AcceptProposal" => {
            let id = fx.proposals[usize::from(target == Target::Other)].clone();
            run!(
                SchedulingServiceClient,
                accept_proposal,
                pb::AcceptProposalRequest { id, programme_version: 0 }
            )
        }
        other => anyhow::bail!("the access-matrix test cannot call {other}: add it to call()"),
    }
}

/// A proposed full inspection with Camden, then four finished proposals: Inner London's (by its
/// lead), England's (by the planner), and the same pair again.
async fn proposal_fixtures(app: &TestApp, planner: &str) -> anyhow::Result<[String; 4]> {
    ProgrammeServiceClient::new(app.authed(planner).await?)
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2027-06-09".into(), last_day: "2027-06-11".into() }),
            note: String::new(),
        })
        .await?;
    let lead = app.sign_in(Persona::InnerLondonLead.username(), integration_tests::PASSWORD).await?;
    let mut ids = Vec::new();
    for token in [lead.as_str(), planner, lead.as_str(), planner] {
        let mut client = SchedulingServiceClient::new(app.authed(token).await?);
        let mut stream = client.start_proposal(pb::StartProposalRequest { seconds: 1 }).await?.into_inner();
        let mut id = String::new();
        while let Some(message) = stream.message().await? {
            id = message.proposal_id;
        }
        ids.push(id);
    }
    ids.try_into().map_err(|_| anyhow::anyhow!("four proposals"))
}

#[tokio::test]
async fn every_rpc_is_in_the_matrix() {
    let listed: BTreeSet<String> = MATRIX.iter().map(|(m, ..)| (*m).to_owned()).collect();
    let contract = contract_methods();
    let missing: Vec<_> = contract.difference(&listed).collect();
    assert!(missing.is_empty(), "RPCs with no row in the access matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&contract).collect();
    assert!(stale.is_empty(), "matrix rows for RPCs that do not exist: {stale:?}");
}

#[tokio::test]
async fn every_cell_of_the_access_matrix_holds() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    for persona in CALLERS.into_iter().flatten().chain([Persona::NorthEastLead]) {
        app.seed_person(persona.request()).await?;
    }
    let westminster = app.seed_person(Persona::Westminster.request()).await?;
    let (camden, _) = app.persona(Persona::Camden).await?;
    let planner = app.persona(Persona::Planner).await?.1;
    let inspector = ProgrammeServiceClient::new(app.authed(&planner).await?)
        .create_inspector(pb::CreateInspectorRequest {
            name: "Fixture Inspector".into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            social_care: false,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 30,
            ..Default::default()
        })
        .await?
        .into_inner()
        .inspector
        .ok_or_else(|| anyhow::anyhow!("no inspector"))?;
    let (own_letters, other_letters) = letter_fixtures(&app, &planner).await?;
    let proposals = proposal_fixtures(&app, &planner).await?;
    let fx = Fixtures {
        inspector_id: inspector.id,
        own_letters,
        other_letters,
        westminster,
        camden,
        planner,
        hartlepool_user: app.persona(Persona::Hartlepool).await?.1,
        proposals,
    };
    let mut failures = Vec::new();
    let mut cells = 0;
    for (method, own, other) in MATRIX {
        for (target, expected) in [(Target::Own, own), (Target::Other, other)] {
            for (i, caller) in CALLERS.iter().enumerate() {
                let got = call(&app, method, *caller, target, &fx, i).await?;
                cells += 1;
                if got != expected[i] {
                    failures.push(format!(
                        "{method} as {caller:?} on {target:?}: expected {:?}, got {got:?}",
                        expected[i]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(cells, MATRIX.len() * 2 * CALLERS.len());
    app.stop().await
}

/// A day after the last onsite day of every fixture engagement, when their letters may be
/// approved.
fn approval_day() -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(chrono::DateTime::parse_from_rfc3339("2027-06-01T09:00:00Z")?.to_utc())
}

/// A working day a week or so ahead of the server's clock.
fn meeting_day(app: &TestApp) -> chrono::NaiveDate {
    send_planner::domain::working_days::add_working_days(app.clock.now().date_naive(), 5)
}

/// Two engagements with teams whose writers have accounts: an interim visit to Camden (on
/// consent) written by the test inspector, and a meeting with Hartlepool written by another.
async fn letter_fixtures(
    app: &TestApp,
    planner: &str,
) -> anyhow::Result<((String, String), (String, String))> {
    let mut other = Persona::OfstedInspector.request();
    other.username = "hmi.other".into();
    other.region_code = "E12000001".into();
    let other = app.seed_person(other).await?;
    let other_token = app.sign_in("hmi.other", integration_tests::PASSWORD).await?;
    let (own, own_token) = app.persona(Persona::OfstedInspector).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(planner).await?);
    let record = |name: &'static str, inspectorate: pb::Inspectorate, social_care: bool, person: String| {
        let request = pb::CreateInspectorRequest {
            name: name.into(),
            inspectorate: inspectorate.into(),
            social_care,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 30,
            person_id: person,
        };
        let mut client = programme.clone();
        async move {
            let created = client.create_inspector(request).await?.into_inner();
            created.inspector.map(|i| i.id).ok_or_else(|| anyhow::anyhow!("no inspector"))
        }
    };
    let writer = record("Own Writer", pb::Inspectorate::Ofsted, false, own.id.clone()).await?;
    let care = record("Own Care", pb::Inspectorate::Ofsted, true, String::new()).await?;
    let cqc = record("Own CQC", pb::Inspectorate::Cqc, false, String::new()).await?;
    let other_writer = record("Other Writer", pb::Inspectorate::Ofsted, false, other.id.clone()).await?;

    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    let mut consent = ConsentServiceClient::new(app.authed(planner).await?);
    let request = consent
        .create_visit_request(integration_tests::visit_request("E09000007", &reply_by))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    let camden = app.sign_in(Persona::Camden.username(), integration_tests::PASSWORD).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .answer_visit_request(integration_tests::consent_answer(&request.id, request.version))
        .await?;
    let member = |id: &str, role: pb::TeamRole| pb::TeamMember {
        inspector_id: id.into(),
        name: String::new(),
        role: role.into(),
    };
    let schedule =
        |area: &str, kind: pb::EngagementKind, first: String, last: String| pb::ScheduleEngagementRequest {
            local_area_code: area.into(),
            kind: kind.into(),
            onsite: Some(pb::DateRange { first_day: first, last_day: last }),
            note: String::new(),
        };
    let visit = programme
        .schedule_engagement(schedule(
            "E09000007",
            pb::EngagementKind::InterimVisit,
            "2027-04-20".into(),
            "2027-04-21".into(),
        ))
        .await?
        .into_inner()
        .engagement
        .ok_or_else(|| anyhow::anyhow!("no engagement"))?;
    programme
        .assign_team(pb::AssignTeamRequest {
            id: visit.id.clone(),
            version: visit.version,
            members: vec![
                member(&writer, pb::TeamRole::OfstedInspector),
                member(&care, pb::TeamRole::SocialCareInspector),
                member(&cqc, pb::TeamRole::CqcInspector),
            ],
            reason: String::new(),
        })
        .await?;
    // Notified, so Camden's users see it (and its case-study sample).
    let assigned = ProgrammeServiceClient::new(app.authed(planner).await?)
        .get_engagement(pb::GetEngagementRequest { id: visit.id.clone() })
        .await?
        .into_inner()
        .engagement
        .ok_or_else(|| anyhow::anyhow!("no engagement"))?;
    programme
        .notify_local_area(pb::NotifyLocalAreaRequest { id: visit.id.clone(), version: assigned.version })
        .await?;
    let day = (meeting_day(app) + chrono::TimeDelta::days(14)).to_string();
    let meeting = programme
        .schedule_engagement(schedule("E06000001", pb::EngagementKind::EngagementMeeting, day.clone(), day))
        .await?
        .into_inner()
        .engagement
        .ok_or_else(|| anyhow::anyhow!("no engagement"))?;
    programme
        .assign_team(pb::AssignTeamRequest {
            id: meeting.id.clone(),
            version: meeting.version,
            members: vec![member(&other_writer, pb::TeamRole::OfstedInspector)],
            reason: String::new(),
        })
        .await?;
    Ok(((visit.id, own_token), (meeting.id, other_token)))
}
