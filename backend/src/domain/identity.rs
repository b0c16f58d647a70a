//! People, roles and scopes, and the rules of the person and session aggregates: who may
//! change accounts and how a new account's role and scope fit together
//! ([`decide_account`]), when a session lives, ends or has its idle expiry refreshed
//! ([`decide_session`]), and how many failed sign-ins lock a username or an address
//! ([`ThrottleRule`]). Rule ids (see [`RULES`]) are for programs and tests; people read the
//! sentences.

use std::{collections::HashSet, fmt, str::FromStr, sync::LazyLock};

use chrono::{DateTime, TimeDelta, Utc};

use super::{FieldViolation, InvalidInput, Refusal};

/// Every rule id of the person and session aggregates. A unit test below makes each one fire.
pub const RULES: &[&str] = &[
    "account.administrators_only",
    "account.role_scope",
    "account.username",
    "account.display_name",
    "account.password",
    "account.email",
    "sign_in.fields",
    "sign_in.throttle_username",
    "sign_in.throttle_source",
    "sign_in.locked",
    "session.ended",
    "session.idle_expiry",
    "session.absolute_expiry",
    "session.refresh",
    "account.stale",
    "account.not_own",
    "account.no_change",
    "password.change",
    "setup.link",
    "session.password_change_due",
];

/// What a person does. One role per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// All of England.
    NationalPlanner,
    /// One region.
    RegionalLead,
    /// One local area.
    LocalAreaUser,
    /// An Ofsted or CQC inspector.
    Inspector,
    /// DfE or NHS England.
    RecipientBody,
    /// Manages accounts; sees no case content.
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 6] = [
        Self::NationalPlanner,
        Self::RegionalLead,
        Self::LocalAreaUser,
        Self::Inspector,
        Self::RecipientBody,
        Self::Administrator,
    ];

    /// The stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NationalPlanner => "national_planner",
            Self::RegionalLead => "regional_lead",
            Self::LocalAreaUser => "local_area_user",
            Self::Inspector => "inspector",
            Self::RecipientBody => "recipient_body",
            Self::Administrator => "administrator",
        }
    }
}

/// A stored name that names nothing known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownName {
    /// What kind of name.
    pub what: &'static str,
    /// The text.
    pub value: String,
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName { what: "role", value: s.to_owned() })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two inspectorates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inspectorate {
    /// Ofsted.
    Ofsted,
    /// The Care Quality Commission.
    Cqc,
}

impl Inspectorate {
    /// The stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ofsted => "ofsted",
            Self::Cqc => "cqc",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Result<Self, UnknownName> {
        match s {
            "ofsted" => Ok(Self::Ofsted),
            "cqc" => Ok(Self::Cqc),
            _ => Err(UnknownName { what: "inspectorate", value: s.to_owned() }),
        }
    }
}

/// Bodies that receive letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientBody {
    /// The Department for Education.
    Dfe,
    /// NHS England.
    NhsEngland,
}

impl RecipientBody {
    /// The stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dfe => "dfe",
            Self::NhsEngland => "nhs_england",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Result<Self, UnknownName> {
        match s {
            "dfe" => Ok(Self::Dfe),
            "nhs_england" => Ok(Self::NhsEngland),
            _ => Err(UnknownName { what: "recipient body", value: s.to_owned() }),
        }
    }

    /// The body's name in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Dfe => "DfE",
            Self::NhsEngland => "NHS England",
        }
    }
}

/// What a person may see, by role. Checked on the server for every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// National planners: all of England.
    England,
    /// Regional leads: one region (its code).
    Region(String),
    /// Local area users: one local area (its ONS code).
    LocalArea(String),
    /// Inspectors: their own teams; they have an inspectorate and a home region.
    Inspector {
        /// Ofsted or CQC.
        inspectorate: Inspectorate,
        /// Ofsted inspectors with a social care specialism.
        social_care: bool,
        /// Code of their home region.
        home_region: String,
    },
    /// Recipient body users: letters distributed to their body.
    Body(RecipientBody),
    /// Administrators: accounts only.
    Accounts,
}

impl Scope {
    /// Whether someone with this scope may plan (ask, schedule) in `region`: national planners
    /// anywhere, regional leads in their own region, nobody else.
    pub fn may_plan_in(&self, region: &str) -> Result<(), FieldViolation> {
        match self {
            Self::England => Ok(()),
            Self::Region(own) if own == region => Ok(()),
            _ => Err(FieldViolation::new("local_area_code", "Select a local area in your region")),
        }
    }

    /// The role this scope belongs to.
    pub fn role(&self) -> Role {
        match self {
            Self::England => Role::NationalPlanner,
            Self::Region(_) => Role::RegionalLead,
            Self::LocalArea(_) => Role::LocalAreaUser,
            Self::Inspector { .. } => Role::Inspector,
            Self::Body(_) => Role::RecipientBody,
            Self::Accounts => Role::Administrator,
        }
    }
}

/// Someone who can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Database id.
    pub id: i64,
    /// Lower-case, unique.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role and scope.
    pub scope: Scope,
    /// The scope in words ("Inner London", "Camden", "DfE", …).
    pub scope_label: String,
}

impl Person {
    /// The person's role.
    pub fn role(&self) -> Role {
        self.scope.role()
    }
}

/// Who is making a call: a signed-in person, and the request's id for the audit trail.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The person.
    pub person: Person,
    /// SHA-256 of the session token (hex): identifies the session without revealing it.
    pub session: String,
    /// The person's password is a temporary one they must change before anything else.
    pub must_change_password: bool,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (argon2 hashes any length; this bounds the work per request).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest username.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// 19,640 commonly used passwords (Django's list; see data/LICENSE-django-common-passwords).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../../data/common-passwords.txt").lines().map(str::trim).collect());

/// Checks a new password against the policy: length, not common, not the username.
pub fn check_new_password(password: &str, username: &str) -> Result<(), FieldViolation> {
    let chars = password.chars().count();
    let reason = if chars < MIN_PASSWORD_CHARS {
        format!("Password must be at least {MIN_PASSWORD_CHARS} characters")
    } else if chars > MAX_PASSWORD_CHARS {
        format!("Password must be {MAX_PASSWORD_CHARS} characters or fewer")
    } else if COMMON_PASSWORDS.contains(password.to_lowercase().as_str()) {
        "This is a commonly used password. Choose another".to_owned()
    } else if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        "Password must not contain the username".to_owned()
    } else {
        return Ok(());
    };
    Err(FieldViolation::new("password", reason))
}

/// Normalises a username: trimmed, lower-case; 3 to 64 of `a-z 0-9 . _ - @`.
pub fn parse_username(text: &str) -> Result<String, FieldViolation> {
    let username = text.trim().to_lowercase();
    let ok_chars = username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if username.is_empty() {
        Err(FieldViolation::new("username", "Enter a username"))
    } else if username.chars().count() > MAX_USERNAME_CHARS {
        Err(FieldViolation::new(
            "username",
            format!("Username must be {MAX_USERNAME_CHARS} characters or fewer"),
        ))
    } else if username.len() < 3 || !ok_chars {
        Err(FieldViolation::new(
            "username",
            "Username must be 3 or more letters, digits, full stops, underscores, hyphens or @",
        ))
    } else {
        Ok(username)
    }
}

/// The raw fields of a new account, as they arrive.
#[derive(Debug, Clone)]
pub struct NewPersonInput<'a> {
    /// Username.
    pub username: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Password in clear (never stored or logged).
    pub password: &'a str,
    /// Role, or `None` if not given.
    pub role: Option<Role>,
    /// Region code (regional lead, inspector's home region).
    pub region_code: &'a str,
    /// Local area ONS code (local area user).
    pub local_area_code: &'a str,
    /// Inspectorate (inspector).
    pub inspectorate: Option<Inspectorate>,
    /// Social care specialism (Ofsted inspector).
    pub social_care: bool,
    /// Recipient body (recipient body user).
    pub recipient_body: Option<RecipientBody>,
    /// Email address, or empty for none.
    pub email: &'a str,
}

/// A validated new account. Whether its region or local area exists is checked by the store.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Normalised username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Password in clear, to be hashed.
    pub password: String,
    /// Role and scope.
    pub scope: Scope,
    /// Where emails go, if anywhere.
    pub email: Option<String>,
}

/// Longest email address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// `account.email`: an optional address, trimmed and lower-cased: one `@` with text on both
/// sides, a dot in the domain, no spaces, at most 254 characters.
pub fn parse_email(text: &str) -> Result<Option<String>, FieldViolation> {
    let email = text.trim().to_lowercase();
    if email.is_empty() {
        return Ok(None);
    }
    let well_formed = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if well_formed {
        Ok(Some(email))
    } else {
        Err(FieldViolation::new(
            "email",
            "Enter an email address in the correct format, like name@example.gov.uk",
        ))
    }
}

impl NewPerson {
    /// Checks every field, reporting all that are wrong at once.
    pub fn parse(input: NewPersonInput<'_>) -> Result<Self, InvalidInput> {
        let mut errors = Vec::new();
        // account.username
        let username = parse_username(input.username).map_err(|e| errors.push(e)).ok();
        // account.display_name
        let display_name = input.display_name.trim();
        errors.extend(required_within(
            display_name,
            "display_name",
            MAX_DISPLAY_NAME_CHARS,
            "Enter the person's name",
            "Name",
        ));
        // account.password
        if let Err(e) = check_new_password(input.password, username.as_deref().unwrap_or_default()) {
            errors.push(e);
        }
        // account.email
        let email = parse_email(input.email).map_err(|e| errors.push(e)).ok().flatten();
        let scope = parse_scope(ScopeInput::of(&input), &mut errors);
        if !errors.is_empty() {
            return Err(InvalidInput(errors));
        }
        let Some(scope) = scope else { return Err(FieldViolation::new("role", "Select a role").into()) };
        Ok(Self {
            username: username.unwrap_or_default(),
            display_name: display_name.to_owned(),
            password: input.password.to_owned(),
            scope,
            email,
        })
    }
}

/// The role and scope fields of an account, as they arrive (a new account, or a change of role).
#[derive(Debug, Clone, Copy)]
pub struct ScopeInput<'a> {
    /// Role, or `None` if not given.
    pub role: Option<Role>,
    /// Region code (regional lead, inspector's home region).
    pub region_code: &'a str,
    /// Local area ONS code (local area user).
    pub local_area_code: &'a str,
    /// Inspectorate (inspector).
    pub inspectorate: Option<Inspectorate>,
    /// Social care specialism (Ofsted inspector).
    pub social_care: bool,
    /// Recipient body (recipient body user).
    pub recipient_body: Option<RecipientBody>,
}

impl<'a> ScopeInput<'a> {
    /// The scope fields of a new account.
    pub fn of(input: &NewPersonInput<'a>) -> Self {
        Self {
            role: input.role,
            region_code: input.region_code,
            local_area_code: input.local_area_code,
            inspectorate: input.inspectorate,
            social_care: input.social_care,
            recipient_body: input.recipient_body,
        }
    }
}

/// `account.role_scope`: each role needs its own scope fields and no others. Pushes every
/// fault to `errors`; the scope when there are none of its own.
pub fn parse_scope(input: ScopeInput<'_>, errors: &mut Vec<FieldViolation>) -> Option<Scope> {
    let before = errors.len();
    let region = input.region_code.trim();
    let area = input.local_area_code.trim();
    let mut require = |ok: bool, field: &'static str, reason: &str| {
        if !ok {
            errors.push(FieldViolation::new(field, reason));
        }
    };
    let role = input.role;
    require(
        !region.is_empty() || !matches!(role, Some(Role::RegionalLead | Role::Inspector)),
        "region_code",
        "Select the region: a regional lead's region or an inspector's home region",
    );
    require(
        region.is_empty() || matches!(role, Some(Role::RegionalLead | Role::Inspector)),
        "region_code",
        "Only regional leads and inspectors have a region",
    );
    require(
        !area.is_empty() || role != Some(Role::LocalAreaUser),
        "local_area_code",
        "Select the local area of a local area user",
    );
    require(
        area.is_empty() || role == Some(Role::LocalAreaUser),
        "local_area_code",
        "Only local area users have a local area",
    );
    require(
        input.inspectorate.is_some() || role != Some(Role::Inspector),
        "inspectorate",
        "Select the inspector's inspectorate",
    );
    require(
        input.inspectorate.is_none() || role == Some(Role::Inspector),
        "inspectorate",
        "Only inspectors have an inspectorate",
    );
    require(
        !input.social_care || input.inspectorate == Some(Inspectorate::Ofsted),
        "social_care",
        "Only Ofsted inspectors have a social care specialism",
    );
    require(
        input.recipient_body.is_some() || role != Some(Role::RecipientBody),
        "recipient_body",
        "Select the recipient body",
    );
    require(
        input.recipient_body.is_none() || role == Some(Role::RecipientBody),
        "recipient_body",
        "Only recipient body users have a recipient body",
    );
    require(role.is_some(), "role", "Select a role");
    if errors.len() > before {
        return None;
    }
    match (role, input.inspectorate, input.recipient_body) {
        (Some(Role::NationalPlanner), ..) => Some(Scope::England),
        (Some(Role::RegionalLead), ..) => Some(Scope::Region(region.to_owned())),
        (Some(Role::LocalAreaUser), ..) => Some(Scope::LocalArea(area.to_owned())),
        (Some(Role::Inspector), Some(inspectorate), _) => Some(Scope::Inspector {
            inspectorate,
            social_care: input.social_care,
            home_region: region.to_owned(),
        }),
        (Some(Role::RecipientBody), _, Some(body)) => Some(Scope::Body(body)),
        (Some(Role::Administrator), ..) => Some(Scope::Accounts),
        _ => None,
    }
}

/// Who asks for an account change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountActor {
    /// A signed-in person with this role.
    Signed(Role),
    /// The server's own command line (`send-planner user add`), which creates the first
    /// administrator.
    CommandLine,
}

/// An existing account as the lifecycle rules read it (loaded in the change's transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    /// The person.
    pub person: Person,
    /// Whether the account may not sign in.
    pub disabled: bool,
    /// Its version: every change to the account adds one.
    pub version: i64,
    /// Whether its password is a temporary one, to be changed at the next sign-in.
    pub must_change_password: bool,
    /// Where emails go, if anywhere.
    pub email: Option<String>,
}

/// A change to accounts.
#[derive(Debug, Clone)]
pub enum AccountChange<'a> {
    /// A new account from its raw fields.
    CreatePerson(NewPersonInput<'a>),
    /// End every live session of one person.
    RevokeSessions,
    /// Disable an account (`true`) or enable it again.
    SetDisabled {
        /// The account (`None`: there is none).
        target: Option<&'a AccountFacts>,
        /// Whether the target is the caller's own account.
        own: bool,
        /// The version the administrator read.
        version: i64,
        /// What to set.
        disabled: bool,
    },
    /// Give the account a temporary password.
    ResetPassword {
        /// The account (`None`: there is none).
        target: Option<&'a AccountFacts>,
        /// The version the administrator read.
        version: i64,
    },
    /// Change the account's role and scope.
    ChangeRole {
        /// The account (`None`: there is none).
        target: Option<&'a AccountFacts>,
        /// Whether the target is the caller's own account.
        own: bool,
        /// The version the administrator read.
        version: i64,
        /// The new role and scope fields.
        scope: ScopeInput<'a>,
    },
    /// Change or remove the account's email address.
    SetEmail {
        /// The account (`None`: there is none).
        target: Option<&'a AccountFacts>,
        /// The version the administrator read.
        version: i64,
        /// The address as typed (empty: none).
        email: &'a str,
    },
}

/// What to write for an accepted account change.
#[derive(Debug, Clone)]
pub enum AccountDecision {
    /// Store this person (whether the region or area exists, and whether the username is
    /// free, the store checks in the same transaction).
    Create(NewPerson),
    /// End the sessions.
    RevokeSessions,
    /// Set the account's disabled flag to this and end its sessions.
    SetDisabled(bool),
    /// Store a new temporary password, to be changed at the next sign-in, and end its sessions.
    ResetPassword,
    /// Store this role and scope (whether its region or area exists the store checks in the
    /// same transaction) and end its sessions.
    ChangeRole(Scope),
    /// Store this email address (or none); the sessions go on.
    SetEmail(Option<String>),
}

impl AccountDecision {
    /// Whether the change ends the person's sessions: every one that changes what they may do
    /// or how they sign in.
    pub fn ends_sessions(&self) -> bool {
        !matches!(self, Self::SetEmail(_))
    }
}

/// The one decision of the person aggregate. `account.administrators_only`: administrators
/// (and the command line) manage accounts, nobody else. A new account's fields follow
/// `account.username`, `account.display_name`, `account.password` and `account.role_scope`,
/// every fault reported at once. A change to an existing account is refused if the account was
/// changed since it was read (`account.stale`), if it would disable or change the role of the
/// administrator's own account (`account.not_own`: so one enabled administrator always
/// remains), or if it changes nothing (`account.no_change`).
pub fn decide_account(actor: AccountActor, change: AccountChange<'_>) -> Result<AccountDecision, Refusal> {
    if !matches!(actor, AccountActor::CommandLine | AccountActor::Signed(Role::Administrator)) {
        return Err(Refusal::NotAllowed("Only administrators can manage accounts".into()));
    }
    let current = |target: Option<&AccountFacts>, version: i64| -> Result<AccountFacts, Refusal> {
        let target = target.ok_or(Refusal::NotFound("person"))?;
        if target.version != version {
            return Err(Refusal::Stale(
                "Someone else changed this account since you opened it. Reload it and try again".to_owned(),
            ));
        }
        Ok(target.clone())
    };
    Ok(match change {
        AccountChange::CreatePerson(input) => AccountDecision::Create(NewPerson::parse(input)?),
        AccountChange::RevokeSessions => AccountDecision::RevokeSessions,
        AccountChange::SetDisabled { target, own, version, disabled } => {
            let target = current(target, version)?;
            if own && disabled {
                return Err(Refusal::field("disabled", "You cannot disable your own account"));
            }
            if target.disabled == disabled {
                let state = if disabled { "disabled" } else { "enabled" };
                return Err(Refusal::field("disabled", format!("This account is already {state}")));
            }
            AccountDecision::SetDisabled(disabled)
        }
        AccountChange::ResetPassword { target, version } => {
            current(target, version)?;
            AccountDecision::ResetPassword
        }
        AccountChange::ChangeRole { target, own, version, scope } => {
            let target = current(target, version)?;
            if own {
                return Err(Refusal::field("role", "You cannot change your own role"));
            }
            let mut errors = Vec::new();
            let scope = parse_scope(scope, &mut errors);
            let scope = match scope {
                Some(scope) if errors.is_empty() => scope,
                _ => return Err(InvalidInput(errors).into()),
            };
            if scope == target.person.scope {
                return Err(Refusal::field("role", "This is already the person's role and scope"));
            }
            AccountDecision::ChangeRole(scope)
        }
        AccountChange::SetEmail { target, version, email } => {
            let target = current(target, version)?;
            let email = parse_email(email)?;
            if email == target.email {
                return Err(Refusal::field("email", "This is already the person's email address"));
            }
            AccountDecision::SetEmail(email)
        }
    })
}

/// `password.change`: a person changing their own password gives the current one (`current_ok`:
/// whether it matched the stored hash) and a new one that follows the password policy and
/// differs from it. Every fault at once, on the fields `current_password` and `new_password`.
pub fn decide_password_change(
    current: &str,
    current_ok: bool,
    new: &str,
    username: &str,
) -> Result<(), InvalidInput> {
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(FieldViolation::new("current_password", "Enter your current password"));
    } else if !current_ok {
        errors.push(FieldViolation::new("current_password", "Your current password is incorrect"));
    }
    if new.is_empty() {
        errors.push(FieldViolation::new("new_password", "Enter a new password"));
    } else if let Err(e) = check_new_password(new, username) {
        errors.push(FieldViolation::new("new_password", e.reason));
    } else if new == current {
        errors.push(FieldViolation::new(
            "new_password",
            "Your new password must be different from your current one",
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(InvalidInput(errors)) }
}

/// How long a setup link lasts.
pub const SETUP_LINK_LIFETIME: TimeDelta = TimeDelta::hours(1);

/// A setup link as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupLinkFacts {
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether it has been used.
    pub used: bool,
}

/// `setup.link`: the first administrator is created only from a link the server issued
/// (`None`: an unknown token), unused, before it expires, and only while the database has no
/// administrator. Every refusal reads the same, so a guessed token learns nothing.
pub fn decide_setup(
    link: Option<SetupLinkFacts>,
    administrators: i64,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    match link {
        Some(link) if !link.used && now < link.expires_at && administrators == 0 => Ok(()),
        _ => Err(Refusal::rule(
            "setup.link",
            "token",
            "This setup link has expired or has already been used. Restart SEND Planner to get a new \
             link, or ask an administrator for an account",
        )),
    }
}

/// Whether a setup link is due when the server starts: only on a database with no enabled
/// administrator.
pub fn setup_link_due(enabled_administrators: i64) -> bool {
    enabled_administrators == 0
}

/// A required text of at most `max` characters: `empty` says what to enter, `label` names it.
fn required_within(
    value: &str,
    field: &'static str,
    max: usize,
    empty: &str,
    label: &str,
) -> Option<FieldViolation> {
    if value.is_empty() {
        Some(FieldViolation::new(field, empty))
    } else if value.chars().count() > max {
        Some(FieldViolation::new(field, format!("{label} must be {max} characters or fewer")))
    } else {
        None
    }
}

/// `sign_in.fields`: a sign-in names a username and a password, each within its limit. Returns
/// the normalised username.
pub fn parse_sign_in(username: &str, password: &str) -> Result<String, InvalidInput> {
    let username = username.trim().to_lowercase();
    let errors: Vec<_> = [
        required_within(&username, "username", MAX_USERNAME_CHARS, "Enter your username", "Username"),
        required_within(password, "password", MAX_PASSWORD_CHARS, "Enter your password", "Password"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if errors.is_empty() { Ok(username) } else { Err(InvalidInput(errors)) }
}

/// How many failed sign-ins within a window lock a throttle key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures that lock the key.
    pub max_failures: i64,
    /// Failures older than this are forgotten.
    pub window: TimeDelta,
    /// How long a lock lasts.
    pub lock_for: TimeDelta,
}

impl ThrottleRule {
    /// Whether `failures` within the window lock the key.
    pub fn locks(&self, failures: i64) -> bool {
        failures >= self.max_failures
    }
}

/// `sign_in.throttle_username`: five failed sign-ins for one username (known or not) within 15
/// minutes lock it for 15 minutes.
pub const PER_USERNAME: ThrottleRule =
    ThrottleRule { max_failures: 5, window: TimeDelta::minutes(15), lock_for: TimeDelta::minutes(15) };
/// `sign_in.throttle_source`: fifty failed sign-ins from one address (over all usernames)
/// within 15 minutes lock that address for 15 minutes.
pub const PER_SOURCE: ThrottleRule =
    ThrottleRule { max_failures: 50, window: TimeDelta::minutes(15), lock_for: TimeDelta::minutes(15) };

/// The throttle keys of a sign-in, each with its rule: the username's first.
pub fn throttle_keys(username: &str, source: Option<std::net::IpAddr>) -> Vec<(String, ThrottleRule)> {
    let mut keys = vec![(format!("user:{username}"), PER_USERNAME)];
    if let Some(ip) = source {
        keys.push((format!("source:{ip}"), PER_SOURCE));
    }
    keys
}

/// `sign_in.locked`: a sign-in is refused while any of its keys is locked; the answer is when
/// the last of those locks ends.
pub fn locked_until(locks: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    locks.iter().copied().filter(|until| *until > now).max()
}

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle: TimeDelta,
    /// A session ends this long after sign-in, used or not.
    pub absolute: TimeDelta,
}

impl SessionSettings {
    /// A session started at `now`: (idle expiry, absolute expiry). The idle expiry never
    /// passes the absolute one.
    pub fn start(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let absolute = now + self.absolute;
        ((now + self.idle).min(absolute), absolute)
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Whose session.
    pub person: Person,
    /// Last use (as last refreshed).
    pub last_seen_at: DateTime<Utc>,
    /// Ends if unused past this.
    pub idle_expires_at: DateTime<Utc>,
    /// Ends regardless at this.
    pub absolute_expires_at: DateTime<Utc>,
    /// Set once signed out or revoked, or when the account is disabled.
    pub revoked: bool,
    /// The person's password is a temporary one they must change before anything else.
    pub must_change_password: bool,
}

/// Why a session no longer admits its bearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionEnd {
    /// `session.ended`: signed out, revoked or unknown.
    #[error("Your session has ended. Sign in again.")]
    Ended,
    /// `session.idle_expiry` or `session.absolute_expiry`.
    #[error("Your session has expired. Sign in again.")]
    Expired,
}

/// A live session's use: push the idle expiry to this, or leave it.
pub type SessionRefresh = Option<DateTime<Utc>>;

/// The one decision of the session aggregate, at `now`: whether the session (if any) is live
/// and, if so, whether to refresh its idle expiry.
pub fn decide_session(
    session: Option<&SessionRecord>,
    now: DateTime<Utc>,
    settings: SessionSettings,
) -> Result<SessionRefresh, SessionEnd> {
    // session.ended
    let session = session.filter(|s| !s.revoked).ok_or(SessionEnd::Ended)?;
    // session.idle_expiry, session.absolute_expiry
    if now >= session.idle_expires_at || now >= session.absolute_expires_at {
        return Err(SessionEnd::Expired);
    }
    // session.refresh: at most once a minute (one write per active minute, not per call), never
    // past the absolute expiry.
    Ok((now - session.last_seen_at >= TimeDelta::minutes(1))
        .then(|| (now + settings.idle).min(session.absolute_expires_at)))
}

/// `session.password_change_due`: a person whose password is a temporary one may only call
/// the methods that let them change it (`open`), until they do.
pub fn password_change_due(must_change_password: bool, open: bool) -> Result<(), Refusal> {
    if must_change_password && !open {
        return Err(Refusal::rule(
            "session.password_change_due",
            "new_password",
            "Your password was reset. Change your password to continue",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: Role) -> NewPersonInput<'static> {
        NewPersonInput {
            username: "a.lead",
            display_name: "A Lead",
            password: "correct horse battery",
            role: Some(role),
            region_code: "",
            local_area_code: "",
            inspectorate: None,
            social_care: false,
            recipient_body: None,
            email: "",
        }
    }

    fn fields(err: &InvalidInput) -> Vec<&'static str> {
        err.0.iter().map(|v| v.field).collect()
    }

    #[test]
    fn a_national_planner_needs_no_scope_fields() {
        let p = NewPerson::parse(input(Role::NationalPlanner)).expect("valid");
        assert_eq!(p.scope, Scope::England);
    }

    #[test]
    fn a_regional_lead_without_a_region_is_refused_naming_region_code() {
        let err = NewPerson::parse(input(Role::RegionalLead)).expect_err("invalid");
        assert_eq!(fields(&err), ["region_code"]);
    }

    #[test]
    fn scope_fields_of_another_role_are_refused() {
        let err =
            NewPerson::parse(NewPersonInput { local_area_code: "E09000007", ..input(Role::NationalPlanner) })
                .expect_err("invalid");
        assert_eq!(fields(&err), ["local_area_code"]);
    }

    #[test]
    fn only_ofsted_inspectors_have_a_social_care_specialism() {
        let cqc = NewPersonInput {
            region_code: "E12000001",
            inspectorate: Some(Inspectorate::Cqc),
            social_care: true,
            ..input(Role::Inspector)
        };
        assert_eq!(fields(&NewPerson::parse(cqc.clone()).expect_err("invalid")), ["social_care"]);
        let ofsted = NewPersonInput { inspectorate: Some(Inspectorate::Ofsted), ..cqc };
        assert!(matches!(
            NewPerson::parse(ofsted).expect("valid").scope,
            Scope::Inspector { social_care: true, .. }
        ));
    }

    #[test]
    fn short_common_and_username_passwords_are_refused() {
        for (password, why) in
            [("short", "at least 12"), ("password1234", "commonly used"), ("my a.lead password", "username")]
        {
            let err = NewPerson::parse(NewPersonInput { password, ..input(Role::NationalPlanner) })
                .expect_err("invalid");
            assert_eq!(fields(&err), ["password"]);
            assert!(err.0[0].reason.contains(why), "{password}: {}", err.0[0].reason);
        }
    }

    #[test]
    fn the_common_password_list_is_loaded() {
        assert!(COMMON_PASSWORDS.len() > 19_000);
        assert!(COMMON_PASSWORDS.contains("qwerty"));
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(parse_username("  Jo.Bloggs@Ofsted ").as_deref(), Ok("jo.bloggs@ofsted"));
        assert!(parse_username("").is_err());
        assert!(parse_username("no spaces").is_err());
        assert!(parse_username(&"a".repeat(65)).is_err());
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().expect("time") + TimeDelta::minutes(minutes)
    }

    const SETTINGS: SessionSettings =
        SessionSettings { idle: TimeDelta::minutes(30), absolute: TimeDelta::hours(12) };

    fn session(last_seen: i64, idle: i64, absolute: i64, revoked: bool) -> SessionRecord {
        let person = Person {
            id: 1,
            username: "a.lead".into(),
            display_name: "A Lead".into(),
            scope: Scope::England,
            scope_label: String::new(),
        };
        SessionRecord {
            person,
            last_seen_at: at(last_seen),
            idle_expires_at: at(idle),
            absolute_expires_at: at(absolute),
            revoked,
            must_change_password: false,
        }
    }

    /// How a rule shows when it fires.
    enum Fired {
        NotAllowed,
        Fields(Vec<&'static str>),
        Locks,
        Session(SessionEnd),
        /// A time: the refreshed idle expiry, or when a lock ends.
        At(DateTime<Utc>),
        /// Someone else changed the record.
        Stale,
        /// A broken rule, by id.
        Rule(&'static str),
    }

    /// Every rule of the two aggregates, each made to fire.
    fn firings() -> Vec<(&'static str, Fired, Fired)> {
        let fields = |r: Result<AccountDecision, Refusal>| match r {
            Err(Refusal::Invalid(e)) => Fired::Fields(e.0.iter().map(|v| v.field).collect()),
            Err(Refusal::NotAllowed(_)) => Fired::NotAllowed,
            Err(Refusal::Stale(_)) => Fired::Stale,
            Err(Refusal::Failed(f)) => Fired::Rule(f[0].rule),
            _ => Fired::Fields(Vec::new()),
        };
        let refusal = |r: Result<(), Refusal>| fields(r.map(|()| AccountDecision::RevokeSessions));
        let admin = AccountActor::Signed(Role::Administrator);
        let target = Box::leak(Box::new(account(false, 4)));
        let create = |i: NewPersonInput<'static>| {
            decide_account(AccountActor::CommandLine, AccountChange::CreatePerson(i))
        };
        let sign_in = |u: &str, p: &str| {
            Fired::Fields(
                parse_sign_in(u, p).err().map(|e| e.0.iter().map(|v| v.field).collect()).unwrap_or_default(),
            )
        };
        let live = |s: Option<&SessionRecord>, now| match decide_session(s, now, SETTINGS) {
            Ok(Some(to)) => Fired::At(to),
            Ok(None) => Fired::Fields(Vec::new()),
            Err(end) => Fired::Session(end),
        };
        let locks = |rule: ThrottleRule, n| {
            if rule.locks(n) && !rule.locks(n - 1) { Fired::Locks } else { Fired::NotAllowed }
        };
        vec![
            (
                "account.administrators_only",
                fields(decide_account(
                    AccountActor::Signed(Role::NationalPlanner),
                    AccountChange::RevokeSessions,
                )),
                Fired::NotAllowed,
            ),
            (
                "account.role_scope",
                fields(create(input(Role::RegionalLead))),
                Fired::Fields(vec!["region_code"]),
            ),
            (
                "account.username",
                fields(create(NewPersonInput { username: "no spaces", ..input(Role::Administrator) })),
                Fired::Fields(vec!["username"]),
            ),
            (
                "account.display_name",
                fields(create(NewPersonInput { display_name: " ", ..input(Role::Administrator) })),
                Fired::Fields(vec!["display_name"]),
            ),
            (
                "account.password",
                fields(create(NewPersonInput { password: "short", ..input(Role::Administrator) })),
                Fired::Fields(vec!["password"]),
            ),
            (
                "account.email",
                fields(create(NewPersonInput { email: "not an address", ..input(Role::Administrator) })),
                Fired::Fields(vec!["email"]),
            ),
            ("sign_in.fields", sign_in(" ", ""), Fired::Fields(vec!["username", "password"])),
            ("sign_in.throttle_username", locks(PER_USERNAME, 5), Fired::Locks),
            ("sign_in.throttle_source", locks(PER_SOURCE, 50), Fired::Locks),
            (
                "sign_in.locked",
                locked_until(&[at(-1), at(15), at(10)], at(0)).map_or(Fired::NotAllowed, Fired::At),
                Fired::At(at(15)),
            ),
            (
                "session.ended",
                live(Some(&session(0, 30, 720, true)), at(1)),
                Fired::Session(SessionEnd::Ended),
            ),
            (
                "session.idle_expiry",
                live(Some(&session(0, 30, 720, false)), at(30)),
                Fired::Session(SessionEnd::Expired),
            ),
            (
                "session.absolute_expiry",
                live(Some(&session(700, 730, 720, false)), at(720)),
                Fired::Session(SessionEnd::Expired),
            ),
            ("session.refresh", live(Some(&session(0, 30, 720, false)), at(5)), Fired::At(at(35))),
            (
                "account.stale",
                fields(decide_account(
                    admin,
                    AccountChange::SetDisabled {
                        target: Some(target),
                        own: false,
                        version: 3,
                        disabled: true,
                    },
                )),
                Fired::Stale,
            ),
            (
                "account.not_own",
                fields(decide_account(
                    admin,
                    AccountChange::SetDisabled {
                        target: Some(target),
                        own: true,
                        version: 4,
                        disabled: true,
                    },
                )),
                Fired::Fields(vec!["disabled"]),
            ),
            (
                "account.no_change",
                fields(decide_account(
                    admin,
                    AccountChange::SetDisabled {
                        target: Some(target),
                        own: false,
                        version: 4,
                        disabled: false,
                    },
                )),
                Fired::Fields(vec!["disabled"]),
            ),
            (
                "password.change",
                fields(
                    decide_password_change("old one", false, "short", "a.lead")
                        .map(|()| AccountDecision::RevokeSessions)
                        .map_err(Refusal::from),
                ),
                Fired::Fields(vec!["current_password", "new_password"]),
            ),
            ("setup.link", refusal(decide_setup(None, 0, at(0))), Fired::Rule("setup.link")),
            (
                "session.password_change_due",
                refusal(password_change_due(true, false)),
                Fired::Rule("session.password_change_due"),
            ),
        ]
    }

    #[test]
    fn every_rule_fires_as_it_should() {
        for (rule, fired, expected) in firings() {
            let same = match (&fired, &expected) {
                (Fired::NotAllowed, Fired::NotAllowed) | (Fired::Locks, Fired::Locks) => true,
                (Fired::Fields(a), Fired::Fields(b)) => a == b,
                (Fired::Session(a), Fired::Session(b)) => a == b,
                (Fired::At(a), Fired::At(b)) => a == b,
                (Fired::Stale, Fired::Stale) => true,
                (Fired::Rule(a), Fired::Rule(b)) => a == b,
                _ => false,
            };
            assert!(same, "{rule} did not fire as expected");
        }
    }

    #[test]
    fn the_firings_cover_every_rule_id() {
        let fired: Vec<&str> = firings().iter().map(|(rule, ..)| *rule).collect();
        crate::domain::consent::assert_rules_covered(RULES, &fired, include_str!("identity.rs"));
    }

    #[test]
    fn a_live_session_is_refreshed_at_most_once_a_minute_and_never_past_its_absolute_end() {
        let s = session(0, 30, 40, false);
        assert_eq!(decide_session(Some(&s), at(0), SETTINGS), Ok(None), "used this minute");
        assert_eq!(
            decide_session(Some(&s), at(20), SETTINGS),
            Ok(Some(at(40))),
            "capped at the absolute end"
        );
        assert_eq!(decide_session(None, at(0), SETTINGS), Err(SessionEnd::Ended), "unknown");
        assert_eq!(SETTINGS.start(at(0)), (at(30), at(720)));
        assert_eq!(
            SessionSettings { idle: TimeDelta::hours(13), ..SETTINGS }.start(at(0)),
            (at(720), at(720))
        );
    }

    #[test]
    fn administrators_and_the_command_line_manage_accounts() {
        for actor in [AccountActor::CommandLine, AccountActor::Signed(Role::Administrator)] {
            assert!(matches!(
                decide_account(actor, AccountChange::CreatePerson(input(Role::NationalPlanner))),
                Ok(AccountDecision::Create(p)) if p.scope == Scope::England
            ));
        }
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Administrator) {
            let refused = decide_account(AccountActor::Signed(role), AccountChange::RevokeSessions);
            assert!(matches!(refused, Err(Refusal::NotAllowed(_))), "{role}");
        }
    }

    #[test]
    fn a_missing_role_is_reported_with_the_other_faults() {
        let err =
            NewPerson::parse(NewPersonInput { role: None, display_name: "", ..input(Role::Administrator) })
                .expect_err("invalid");
        assert_eq!(fields(&err), ["display_name", "role"]);
    }

    fn account(disabled: bool, version: i64) -> AccountFacts {
        AccountFacts {
            person: session(0, 1, 2, false).person,
            disabled,
            version,
            must_change_password: false,
            email: None,
        }
    }

    #[test]
    fn an_administrator_changes_an_email_address_and_the_sessions_go_on() {
        let admin = AccountActor::Signed(Role::Administrator);
        let on = account(false, 3);
        let set =
            |email| decide_account(admin, AccountChange::SetEmail { target: Some(&on), version: 3, email });
        assert!(
            matches!(set("Ada@Example.gov.uk"), Ok(AccountDecision::SetEmail(Some(e))) if e == "ada@example.gov.uk")
        );
        assert!(!AccountDecision::SetEmail(None).ends_sessions());
        assert!(AccountDecision::ResetPassword.ends_sessions());
        assert!(matches!(set("no address"), Err(Refusal::Invalid(e)) if e.0[0].field == "email"));
        assert!(matches!(set(""), Err(Refusal::Invalid(e)) if e.0[0].reason.contains("already")));
    }

    #[test]
    fn an_email_address_is_optional_and_checked_when_given() {
        assert_eq!(parse_email("  "), Ok(None));
        assert_eq!(parse_email(" Ada@Example.GOV.uk "), Ok(Some("ada@example.gov.uk".into())));
        for bad in
            ["ada", "ada@", "@example.gov.uk", "ada@example", "a da@example.gov.uk", "a@b@example.gov.uk"]
        {
            assert_eq!(parse_email(bad).map_err(|e| e.field), Err("email"), "{bad}");
        }
    }

    fn lead_scope() -> ScopeInput<'static> {
        ScopeInput {
            role: Some(Role::RegionalLead),
            region_code: "E12000001",
            local_area_code: "",
            inspectorate: None,
            social_care: false,
            recipient_body: None,
        }
    }

    #[test]
    fn an_administrator_disables_enables_resets_and_changes_the_role_of_another_account() {
        let admin = AccountActor::Signed(Role::Administrator);
        let on = account(false, 2);
        let off = account(true, 2);
        let decide = |change| decide_account(admin, change);
        assert!(matches!(
            decide(AccountChange::SetDisabled { target: Some(&on), own: false, version: 2, disabled: true }),
            Ok(AccountDecision::SetDisabled(true))
        ));
        assert!(matches!(
            decide(AccountChange::SetDisabled {
                target: Some(&off),
                own: false,
                version: 2,
                disabled: false
            }),
            Ok(AccountDecision::SetDisabled(false))
        ));
        // Enabling one's own account cannot happen (a disabled account cannot sign in), and is no change.
        assert!(matches!(
            decide(AccountChange::SetDisabled { target: Some(&on), own: true, version: 2, disabled: false }),
            Err(Refusal::Invalid(_))
        ));
        assert!(matches!(
            decide(AccountChange::ResetPassword { target: Some(&on), version: 2 }),
            Ok(AccountDecision::ResetPassword)
        ));
        assert!(matches!(
            decide(AccountChange::ChangeRole { target: Some(&on), own: false, version: 2, scope: lead_scope() }),
            Ok(AccountDecision::ChangeRole(Scope::Region(r))) if r == "E12000001"
        ));
    }

    #[test]
    fn a_missing_account_reads_as_missing_and_a_stale_one_as_changed() {
        let admin = AccountActor::Signed(Role::Administrator);
        assert!(matches!(
            decide_account(admin, AccountChange::ResetPassword { target: None, version: 1 }),
            Err(Refusal::NotFound("person"))
        ));
        assert!(matches!(
            decide_account(
                admin,
                AccountChange::ResetPassword { target: Some(&account(false, 2)), version: 1 }
            ),
            Err(Refusal::Stale(_))
        ));
    }

    #[test]
    fn a_change_of_role_follows_the_role_scope_rule_and_must_change_something() {
        let admin = AccountActor::Signed(Role::Administrator);
        let on = account(false, 1);
        let no_region = ScopeInput { region_code: "", ..lead_scope() };
        let refused = decide_account(
            admin,
            AccountChange::ChangeRole { target: Some(&on), own: false, version: 1, scope: no_region },
        );
        assert!(matches!(refused, Err(Refusal::Invalid(e)) if e.0[0].field == "region_code"));
        let same = ScopeInput { role: Some(Role::NationalPlanner), region_code: "", ..lead_scope() };
        let refused = decide_account(
            admin,
            AccountChange::ChangeRole { target: Some(&on), own: false, version: 1, scope: same },
        );
        assert!(matches!(refused, Err(Refusal::Invalid(e)) if e.0[0].field == "role"));
        let own = decide_account(
            admin,
            AccountChange::ChangeRole { target: Some(&on), own: true, version: 1, scope: lead_scope() },
        );
        assert!(matches!(own, Err(Refusal::Invalid(e)) if e.0[0].reason.contains("your own role")));
        let planner = decide_account(
            AccountActor::Signed(Role::NationalPlanner),
            AccountChange::ChangeRole { target: Some(&on), own: false, version: 1, scope: lead_scope() },
        );
        assert!(matches!(planner, Err(Refusal::NotAllowed(_))));
    }

    #[test]
    fn a_new_own_password_follows_the_policy_and_differs_from_the_current_one() {
        assert_eq!(decide_password_change("current secret", true, "a fresh long phrase", "a.lead"), Ok(()));
        let fields_of = |r: Result<(), InvalidInput>| r.err().map(|e| fields(&e)).unwrap_or_default();
        assert_eq!(
            fields_of(decide_password_change("", true, "a fresh long phrase", "a.lead")),
            ["current_password"]
        );
        assert_eq!(
            fields_of(decide_password_change("current secret", true, "current secret", "a.lead")),
            ["new_password"]
        );
        assert_eq!(
            fields_of(decide_password_change("current secret", true, "password1234", "a.lead")),
            ["new_password"]
        );
        assert_eq!(fields_of(decide_password_change("current secret", true, "", "a.lead")), ["new_password"]);
    }

    #[test]
    fn a_setup_link_works_once_within_the_hour_while_there_is_no_administrator() {
        let link = SetupLinkFacts { expires_at: at(0) + SETUP_LINK_LIFETIME, used: false };
        assert_eq!(decide_setup(Some(link), 0, at(59)), Ok(()));
        for (link, admins, now) in [
            (Some(link), 0, at(60)),
            (Some(SetupLinkFacts { used: true, ..link }), 0, at(1)),
            (Some(link), 1, at(1)),
            (None, 0, at(1)),
        ] {
            let refused = decide_setup(link, admins, now).expect_err("refused");
            assert_eq!(refused.rules(), ["setup.link"]);
            assert_eq!(refused.to_string(), decide_setup(None, 0, at(0)).expect_err("refused").to_string());
        }
        assert!(setup_link_due(0) && !setup_link_due(1));
    }

    #[test]
    fn a_temporary_password_admits_only_changing_it() {
        assert_eq!(password_change_due(false, false), Ok(()));
        assert_eq!(password_change_due(true, true), Ok(()));
        assert!(password_change_due(true, false).is_err());
    }
}
