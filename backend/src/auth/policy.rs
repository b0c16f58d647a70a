//! Who may call what: one table, consulted before any handler runs. A method the table does
//! not name is refused (deny by default); a unit test fails when the contract has a method
//! the table leaves out.

use crate::domain::identity::Role;

/// Who may call a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Signed-in people with one of these roles. Scope is then checked by the handler and,
    /// for lists, inside the SQL.
    Roles(&'static [Role]),
}

use Role::{Administrator, Inspector, LocalAreaUser, NationalPlanner, RegionalLead};

/// Those who may read letters distributed or written to them.
const LETTER_READERS: &[Role] = &[NationalPlanner, LocalAreaUser, Inspector, Role::RecipientBody];

/// Who reads engagements: planners, leads, the area's users (confirmed ones) and inspectors
/// (their own teams'); the SQL narrows each.
const ENGAGEMENT_READERS: &[Role] = &[NationalPlanner, RegionalLead, LocalAreaUser, Inspector];

/// Those who plan: national planners (anywhere) and regional leads (their region).
const PLANNERS: &[Role] = &[NationalPlanner, RegionalLead];

/// The audience of visit requests and consent records.
const CONSENT_AUDIENCE: &[Role] = &[NationalPlanner, RegionalLead, LocalAreaUser];

/// Those whose start page lists what waits for them.
const START_AUDIENCE: &[Role] = &[NationalPlanner, RegionalLead, LocalAreaUser, Inspector];

/// Every method of the SEND Planner contract and who may call it.
pub const RULES: &[(&str, Access)] = &[
    ("/sendplanner.v1.AuthService/SignIn", Access::Public),
    ("/sendplanner.v1.AuthService/SignOut", Access::SignedIn),
    ("/sendplanner.v1.AuthService/WhoAmI", Access::SignedIn),
    ("/sendplanner.v1.AuthService/ChangePassword", Access::SignedIn),
    // The first administrator, from the one-time link (the link's token is the credential).
    ("/sendplanner.v1.SetupService/CreateFirstAdministrator", Access::Public),
    ("/sendplanner.v1.AccountService/CreatePerson", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/ListPeople", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/RevokeSessions", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/GetPerson", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/SetAccountDisabled", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/ResetPassword", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/ChangeRole", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AccountService/SetEmail", Access::Roles(&[Administrator])),
    ("/sendplanner.v1.AuditService/ListAuditEvents", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.AuditService/ListSuspiciousAccess", Access::Roles(&[NationalPlanner, Administrator])),
    // The trail searched by person or local area, and whom it can be searched for.
    ("/sendplanner.v1.AuditService/ListAuditEntries", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.AuditService/ListAuditPeople", Access::Roles(&[NationalPlanner])),
    // Visit requests: the handler and the SQL then narrow to the caller's region or area.
    ("/sendplanner.v1.ConsentService/CreateVisitRequest", Access::Roles(&[NationalPlanner, RegionalLead])),
    ("/sendplanner.v1.ConsentService/ListVisitRequests", Access::Roles(CONSENT_AUDIENCE)),
    ("/sendplanner.v1.ConsentService/GetVisitRequest", Access::Roles(CONSENT_AUDIENCE)),
    ("/sendplanner.v1.ConsentService/AnswerVisitRequest", Access::Roles(&[LocalAreaUser])),
    ("/sendplanner.v1.ConsentService/WithdrawConsent", Access::Roles(&[LocalAreaUser])),
    ("/sendplanner.v1.ConsentService/CancelVisitRequest", Access::Roles(&[NationalPlanner, RegionalLead])),
    ("/sendplanner.v1.ConsentService/RecordSafeguardingConcern", Access::Roles(CONSENT_AUDIENCE)),
    ("/sendplanner.v1.ConsentService/ListSafeguardingConcerns", Access::Roles(&[NationalPlanner])),
    // The first planner to read a concern acknowledges it for all of them.
    ("/sendplanner.v1.ConsentService/AcknowledgeSafeguardingConcern", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.ConsentService/GetConsentTotals", Access::Roles(&[NationalPlanner, RegionalLead])),
    // The programme: planners everywhere, leads in their region (narrowed in SQL); local area
    // users read their own area's confirmed engagements, never teams or proposals; inspectors
    // read the engagements of their own teams.
    ("/sendplanner.v1.ProgrammeService/ScheduleEngagement", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/ListEngagements", Access::Roles(ENGAGEMENT_READERS)),
    ("/sendplanner.v1.ProgrammeService/GetEngagement", Access::Roles(ENGAGEMENT_READERS)),
    ("/sendplanner.v1.ProgrammeService/RescheduleEngagement", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/PostponeEngagement", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/NotifyLocalArea", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/AssignTeam", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/RecordOutcome", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/RecordPastInspection", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.ProgrammeService/OverrideDueDate", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.ProgrammeService/CreateInspector", Access::Roles(PLANNERS)),
    // An inspector sees and changes only their own record (TeamFacts decides).
    (
        "/sendplanner.v1.ProgrammeService/ListInspectors",
        Access::Roles(&[NationalPlanner, RegionalLead, Inspector]),
    ),
    (
        "/sendplanner.v1.ProgrammeService/AddUnavailability",
        Access::Roles(&[NationalPlanner, RegionalLead, Inspector]),
    ),
    (
        "/sendplanner.v1.ProgrammeService/DeclareConflict",
        Access::Roles(&[NationalPlanner, RegionalLead, Inspector]),
    ),
    // Linking an inspector's entry to their own account: whoever adds inspectors.
    ("/sendplanner.v1.ProgrammeService/ListInspectorAccounts", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/LinkInspectorAccount", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.ProgrammeService/GetNationalBoard", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.ProgrammeService/ExportNationalProgramme", Access::Roles(&[NationalPlanner])),
    // Letters: the store narrows each to its audience (planners, the engagement's team, and
    // once issued, its unrevoked recipients); the handlers check who may change what.
    ("/sendplanner.v1.LetterService/CreateLetter", Access::Roles(&[Inspector])),
    ("/sendplanner.v1.LetterService/UpdateDraft", Access::Roles(&[Inspector])),
    ("/sendplanner.v1.LetterService/CheckLetter", Access::Roles(&[NationalPlanner, Inspector])),
    ("/sendplanner.v1.LetterService/SubmitLetter", Access::Roles(&[Inspector])),
    ("/sendplanner.v1.LetterService/ReturnLetter", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/ApproveLetter", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/SetDistribution", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/IssueLetter", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/RevokeRecipient", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/CorrectLetter", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/SetPublication", Access::Roles(&[LocalAreaUser])),
    ("/sendplanner.v1.LetterService/ListInbox", Access::Roles(LETTER_READERS)),
    ("/sendplanner.v1.LetterService/ListLetters", Access::Roles(LETTER_READERS)),
    ("/sendplanner.v1.LetterService/GetLetter", Access::Roles(LETTER_READERS)),
    ("/sendplanner.v1.LetterService/ListLetterViews", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/WhoCanSee", Access::Roles(&[NationalPlanner])),
    ("/sendplanner.v1.LetterService/ListPublishedLetters", Access::Public),
    ("/sendplanner.v1.LetterService/ExportNationalReport", Access::Roles(&[NationalPlanner])),
    // Case-study samples: the handlers find the engagement through its own scope query (the
    // area's users once notified, the engagement's team, the region's lead, national
    // planners; anyone else answered as a missing engagement), then the domain decides who
    // may upload (the area), pick (the team) and agree (both).
    ("/sendplanner.v1.CaseStudyService/GetCaseStudySample", Access::Roles(ENGAGEMENT_READERS)),
    ("/sendplanner.v1.CaseStudyService/CheckCaseStudyPick", Access::Roles(ENGAGEMENT_READERS)),
    ("/sendplanner.v1.CaseStudyService/UploadCaseStudySample", Access::Roles(&[LocalAreaUser])),
    ("/sendplanner.v1.CaseStudyService/PickCaseStudies", Access::Roles(&[Inspector])),
    ("/sendplanner.v1.CaseStudyService/SuggestCaseStudyPick", Access::Roles(&[Inspector])),
    ("/sendplanner.v1.CaseStudyService/AgreeCaseStudySample", Access::Roles(&[LocalAreaUser, Inspector])),
    ("/sendplanner.v1.CaseStudyService/AskForMoreCaseStudies", Access::Roles(&[Inspector])),
    // Emails: the outbox's messages for national planners only (the handler answers
    // administrators with whether Notify is configured); everyone chooses their own emails.
    ("/sendplanner.v1.NotificationService/ListOutbox", Access::Roles(&[NationalPlanner, Administrator])),
    ("/sendplanner.v1.NotificationService/GetEmailPreferences", Access::SignedIn),
    ("/sendplanner.v1.NotificationService/SetEmailPreference", Access::SignedIn),
    // Proposed programmes: national planners for England, regional leads for their region
    // (the store narrows every proposal to the caller's scope; another scope's answers as
    // missing).
    ("/sendplanner.v1.SchedulingService/StartProposal", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.SchedulingService/CancelProposal", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.SchedulingService/GetProposal", Access::Roles(PLANNERS)),
    ("/sendplanner.v1.SchedulingService/AcceptProposal", Access::Roles(PLANNERS)),
    // Start pages: the store narrows every list to the caller's scope, the domain to their role.
    ("/sendplanner.v1.StartService/GetStartPage", Access::Roles(START_AUDIENCE)),
    // Published reference data; still behind sign-in, like the rest of the service.
    ("/sendplanner.v1.ReferenceService/ListRegions", Access::SignedIn),
    ("/sendplanner.v1.ReferenceService/ListLocalAreas", Access::SignedIn),
];

/// Standard services open to any client: health checks and reflection (schema only).
const PUBLIC_SERVICES: &[&str] = &[
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

/// Plain HTTP routes beside the gRPC services, by path prefix.
pub const HTTP_RULES: &[(&str, Access)] = &[
    // Signed consent documents: the handler's SQL narrows to the request's audience.
    ("/documents/", Access::Roles(CONSENT_AUDIENCE)),
    // Letters as PDF: the handler's SQL narrows to the letter's audience.
    ("/letters/", Access::Roles(LETTER_READERS)),
];

/// The rule for a request path (`/package.Service/Method` or an HTTP route), or `None`: refuse.
pub fn access(path: &str) -> Option<Access> {
    if PUBLIC_SERVICES.iter().any(|prefix| path.starts_with(prefix)) {
        return Some(Access::Public);
    }
    if let Some((_, access)) = HTTP_RULES.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        return Some(*access);
    }
    RULES.iter().find(|(method, _)| *method == path).map(|(_, access)| *access)
}

/// What a person whose password is a temporary one may still call: changing it, asking who
/// they are, signing out (`session.password_change_due`), and public methods.
const OPEN_WHILE_PASSWORD_CHANGE_DUE: &[&str] = &[
    "/sendplanner.v1.AuthService/ChangePassword",
    "/sendplanner.v1.AuthService/WhoAmI",
    "/sendplanner.v1.AuthService/SignOut",
];

/// Whether `path` stays open to a person who must change their password first.
pub fn open_while_password_change_due(path: &str) -> bool {
    OPEN_WHILE_PASSWORD_CHANGE_DUE.contains(&path)
}

/// The metrics label of a request path: the method itself when the contract has it, an HTTP
/// route's prefix, else "other" (so a scan of made-up paths cannot grow the metrics).
pub fn metric_label(path: &str) -> &'static str {
    if let Some((method, _)) = RULES.iter().find(|(method, _)| *method == path) {
        return method;
    }
    if let Some((prefix, _)) = HTTP_RULES.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        return prefix;
    }
    if PUBLIC_SERVICES.iter().any(|prefix| path.starts_with(prefix)) {
        return "grpc";
    }
    "other"
}

/// Whether `role` passes `access` (for a signed-in caller).
pub fn allows(access: Access, role: Role) -> bool {
    match access {
        Access::Public | Access::SignedIn => true,
        Access::Roles(roles) => roles.contains(&role),
    }
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;

    /// Every method in the compiled contract, as `/package.Service/Method`.
    fn contract_methods() -> Vec<String> {
        let set =
            prost_types::FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET).expect("valid descriptor set");
        let mut methods = Vec::new();
        for file in set.file {
            for service in &file.service {
                for method in &service.method {
                    methods.push(format!("/{}.{}/{}", file.package(), service.name(), method.name()));
                }
            }
        }
        methods
    }

    #[test]
    fn every_method_of_the_contract_has_a_rule() {
        let methods = contract_methods();
        assert!(methods.len() >= RULES.len());
        for method in &methods {
            assert!(access(method).is_some(), "{method} has no access rule: add it to RULES");
        }
    }

    #[test]
    fn every_rule_names_a_method_that_exists() {
        let methods = contract_methods();
        for (method, _) in RULES {
            assert!(methods.iter().any(|m| m == method), "{method} is not in the contract");
        }
    }

    #[test]
    fn a_temporary_password_leaves_open_only_changing_it_who_am_i_and_signing_out() {
        let open: Vec<&str> =
            RULES.iter().map(|(m, _)| *m).filter(|m| open_while_password_change_due(m)).collect();
        assert_eq!(open.len(), OPEN_WHILE_PASSWORD_CHANGE_DUE.len(), "each names a method of the contract");
        assert!(!open_while_password_change_due("/sendplanner.v1.StartService/GetStartPage"));
        assert!(!open_while_password_change_due("/letters/x"));
    }

    #[test]
    fn metrics_name_only_known_methods_and_routes() {
        assert_eq!(metric_label("/sendplanner.v1.AuthService/SignIn"), "/sendplanner.v1.AuthService/SignIn");
        assert_eq!(metric_label("/letters/abc/pdf"), "/letters/");
        assert_eq!(metric_label("/grpc.health.v1.Health/Check"), "grpc");
        assert_eq!(metric_label("/sendplanner.v1.Made/Up1"), "other");
        assert_eq!(metric_label("/sendplanner.v1.Made/Up2"), "other");
        // The streaming method is labelled like any other (its duration is the time to the
        // reply's headers, not the whole stream).
        assert_eq!(
            metric_label("/sendplanner.v1.SchedulingService/StartProposal"),
            "/sendplanner.v1.SchedulingService/StartProposal"
        );
    }

    #[test]
    fn unknown_methods_are_refused() {
        assert_eq!(access("/sendplanner.v1.SecretService/Leak"), None);
        assert_eq!(access("/sendplanner.v1.AuthService/SignInX"), None);
    }

    #[test]
    fn administrators_manage_accounts_and_see_no_audit_trail() {
        let create = access("/sendplanner.v1.AccountService/CreatePerson").expect("rule");
        let audit = access("/sendplanner.v1.AuditService/ListAuditEvents").expect("rule");
        assert!(allows(create, Role::Administrator) && !allows(create, Role::NationalPlanner));
        assert!(allows(audit, Role::NationalPlanner) && !allows(audit, Role::Administrator));
    }
}
