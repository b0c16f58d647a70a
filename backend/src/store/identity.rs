//! People, sessions and sign-in throttling.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, audit::append_audit, current_area_region, with_pool, write_tx};
use crate::domain::{
    FieldViolation, InvalidInput, Refusal,
    audit::NewAuditEvent,
    clock::{canonical, parse_canonical},
    identity::{
        AccountDecision, AccountFacts, Inspectorate, NewPerson, Person, RecipientBody, Role, Scope,
        SessionRecord, SetupLinkFacts, ThrottleRule,
    },
};

/// A scope as the columns of `people`: (region, local area, inspectorate, social care, body).
type ScopeColumns<'a> = (Option<&'a str>, Option<&'a str>, Option<&'static str>, bool, Option<&'static str>);

fn scope_columns(scope: &Scope) -> ScopeColumns<'_> {
    match scope {
        Scope::Region(code) => (Some(code.as_str()), None, None, false, None),
        Scope::LocalArea(code) => (None, Some(code.as_str()), None, false, None),
        Scope::Inspector { inspectorate, social_care, home_region } => {
            (Some(home_region.as_str()), None, Some(inspectorate.as_str()), *social_care, None)
        }
        Scope::Body(body) => (None, None, None, false, Some(body.as_str())),
        Scope::England | Scope::Accounts => (None, None, None, false, None),
    }
}

/// Inside the open transaction `$tx`: an early return of `Invalid` unless the region `$region`
/// and the local area `$area` (each if given) exist.
macro_rules! places_exist {
    ($tx:ident, $region:expr, $area:expr) => {{
        if let Some(code) = $region {
            let found: Option<(String,)> = sqlx::query_as("SELECT code FROM regions WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *$tx)
                .await?;
            if found.is_none() {
                let v = FieldViolation::new("region_code", format!("There is no region with code {code}"));
                return Err(InvalidInput::from(v).into());
            }
        }
        if let Some(code) = $area {
            current_area_region!($tx, code);
        }
    }};
}

/// Inside the open transaction `$tx`: inserts the new person `$new` (username free, else an
/// early return of `AlreadyExists`) with the password hash `$hash`; the stored person.
macro_rules! insert_person {
    ($tx:ident, $new:expr, $hash:expr, $now:expr) => {{
        let new: &NewPerson = $new;
        let (region, area, inspectorate, social_care, body) = scope_columns(&new.scope);
        places_exist!($tx, region, area);
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM people WHERE username = $1")
            .bind(&new.username)
            .fetch_optional(&mut *$tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists(FieldViolation::new(
                "username",
                "This username is already taken",
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO people (username, display_name, password_hash, role, region_code, \
               local_area_code, inspectorate, social_care, recipient_body, created_at, email) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind($hash)
        .bind(new.scope.role().as_str())
        .bind(region)
        .bind(area)
        .bind(inspectorate)
        .bind(social_care)
        .bind(body)
        .bind(canonical($now))
        .bind(new.email.as_deref())
        .fetch_one(&mut *$tx)
        .await?;
        let sql = sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.id = $1"));
        let row: PersonRow = sqlx::query_as(sql).bind(id).fetch_one(&mut *$tx).await?;
        Person::try_from(row)?
    }};
}

/// Inside the open transaction `$tx`: the account `$id` as the lifecycle rules read it.
macro_rules! load_account_facts {
    ($tx:ident, $id:expr) => {{
        let sql = sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.id = $1"));
        let row: Option<PersonRow> = sqlx::query_as(sql).bind($id).fetch_optional(&mut *$tx).await?;
        row.map(AccountFacts::try_from).transpose()?
    }};
}

/// Inside the open transaction `$tx`: ends every live session of person `$id` at `$now`, but
/// `$keep` (a token hash, or "" for none); how many.
macro_rules! end_sessions {
    ($tx:ident, $id:expr, $now:expr, $keep:expr) => {{
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL AND token_hash <> $3",
        )
        .bind($id)
        .bind(canonical($now))
        .bind($keep)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    }};
}

const PERSON_SELECT: &str = "SELECT p.id, p.username, p.display_name, p.role, p.region_code, \
      p.local_area_code, p.inspectorate, p.social_care, p.recipient_body, \
      p.disabled, p.version, p.must_change_password, p.email, \
      r.name AS region_name, a.name AS local_area_name \
    FROM people p \
    LEFT JOIN regions r ON r.code = p.region_code \
    LEFT JOIN local_areas a ON a.ons_code = p.local_area_code";

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    region_code: Option<String>,
    local_area_code: Option<String>,
    inspectorate: Option<String>,
    social_care: bool,
    recipient_body: Option<String>,
    disabled: bool,
    version: i64,
    must_change_password: bool,
    email: Option<String>,
    region_name: Option<String>,
    local_area_name: Option<String>,
}

/// A stored time that is not a canonical time.
#[derive(Debug, thiserror::Error)]
#[error("stored {0} is not a time")]
struct BadTime(&'static str);

fn corrupt(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Decode(Box::new(e)))
}

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;

    fn try_from(r: PersonRow) -> Result<Self, StoreError> {
        let region = r.region_code.unwrap_or_default();
        let region_name = r.region_name.unwrap_or_else(|| region.clone());
        let (scope, scope_label) = match r.role.parse::<Role>().map_err(corrupt)? {
            Role::NationalPlanner => (Scope::England, "All of England".to_owned()),
            Role::RegionalLead => (Scope::Region(region), region_name),
            Role::LocalAreaUser => {
                let area = r.local_area_code.unwrap_or_default();
                let label = r.local_area_name.unwrap_or_else(|| area.clone());
                (Scope::LocalArea(area), label)
            }
            Role::Inspector => {
                let inspectorate =
                    Inspectorate::parse(r.inspectorate.as_deref().unwrap_or_default()).map_err(corrupt)?;
                let who = match (inspectorate, r.social_care) {
                    (Inspectorate::Ofsted, true) => "Ofsted (social care)",
                    (Inspectorate::Ofsted, false) => "Ofsted",
                    (Inspectorate::Cqc, _) => "CQC",
                };
                let label = format!("{who}, {region_name}");
                (Scope::Inspector { inspectorate, social_care: r.social_care, home_region: region }, label)
            }
            Role::RecipientBody => {
                let body =
                    RecipientBody::parse(r.recipient_body.as_deref().unwrap_or_default()).map_err(corrupt)?;
                (Scope::Body(body), body.label().to_owned())
            }
            Role::Administrator => (Scope::Accounts, "Accounts".to_owned()),
        };
        Ok(Self { id: r.id, username: r.username, display_name: r.display_name, scope, scope_label })
    }
}

impl TryFrom<PersonRow> for AccountFacts {
    type Error = StoreError;

    fn try_from(r: PersonRow) -> Result<Self, StoreError> {
        let (disabled, version, must_change_password) = (r.disabled, r.version, r.must_change_password);
        let email = r.email.clone();
        Ok(Self { person: Person::try_from(r)?, disabled, version, must_change_password, email })
    }
}

impl Store {
    /// Creates a person and records it in the audit trail, in one transaction. Fails with
    /// `Invalid` (unknown region or local area) or `AlreadyExists` (username taken).
    pub async fn create_person(
        &self,
        new: &NewPerson,
        password_hash: &str,
        now: DateTime<Utc>,
        audit: impl Fn(&Person) -> NewAuditEvent,
    ) -> Result<Person, StoreError> {
        let person: Person = write_tx!(self, tx => {
            let person = insert_person!(tx, new, password_hash, now);
            append_audit!(tx, now, &audit(&person));
            person
        });
        Ok(person)
    }

    /// A person by id.
    pub async fn person(&self, id: i64) -> Result<Person, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.id = $1"));
        let row: PersonRow = with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_one(pool).await?);
        Person::try_from(row)
    }

    /// An account by person id, with its lifecycle facts; `None` if there is none.
    pub async fn account(&self, id: i64) -> Result<Option<AccountFacts>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.id = $1"));
        let row: Option<PersonRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?);
        row.map(AccountFacts::try_from).transpose()
    }

    /// Applies an administrator's change to account `id`, in one transaction: loads the account,
    /// lets `decide` rule on it, writes what it decided (`new_hash`: the temporary password's
    /// hash, for a reset), ends every session of the account (unless the change is only its
    /// email address), and records `audit` (given the
    /// account after the change and how many sessions ended). The account after, and how many
    /// sessions ended.
    pub async fn change_account(
        &self,
        id: i64,
        now: DateTime<Utc>,
        new_hash: Option<&str>,
        decide: impl FnOnce(Option<&AccountFacts>) -> Result<AccountDecision, Refusal>,
        audit: impl Fn(&AccountFacts, u64) -> NewAuditEvent,
    ) -> Result<(AccountFacts, u64), StoreError> {
        let done = write_tx!(self, tx => {
            let before = load_account_facts!(tx, id);
            let decision = decide(before.as_ref())?;
            let version = before.as_ref().map_or(0, |b| b.version);
            let changed = match &decision {
                AccountDecision::SetDisabled(disabled) => {
                    sqlx::query("UPDATE people SET disabled = $2, version = version + 1 WHERE id = $1 AND version = $3")
                        .bind(id)
                        .bind(*disabled)
                        .bind(version)
                        .execute(&mut *tx)
                        .await?
                }
                AccountDecision::ResetPassword => {
                    let hash = new_hash.ok_or(StoreError::Conflict)?;
                    sqlx::query(
                        "UPDATE people SET password_hash = $2, must_change_password = TRUE, version = version + 1 \
                         WHERE id = $1 AND version = $3",
                    )
                    .bind(id)
                    .bind(hash)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                }
                AccountDecision::ChangeRole(scope) => {
                    let (region, area, inspectorate, social_care, body) = scope_columns(scope);
                    places_exist!(tx, region, area);
                    sqlx::query(
                        "UPDATE people SET role = $2, region_code = $3, local_area_code = $4, inspectorate = $5, \
                           social_care = $6, recipient_body = $7, version = version + 1 \
                         WHERE id = $1 AND version = $8",
                    )
                    .bind(id)
                    .bind(scope.role().as_str())
                    .bind(region)
                    .bind(area)
                    .bind(inspectorate)
                    .bind(social_care)
                    .bind(body)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                }
                AccountDecision::SetEmail(email) => {
                    sqlx::query("UPDATE people SET email = $2, version = version + 1 WHERE id = $1 AND version = $3")
                        .bind(id)
                        .bind(email.as_deref())
                        .bind(version)
                        .execute(&mut *tx)
                        .await?
                }
                AccountDecision::Create(_) | AccountDecision::RevokeSessions => {
                    return Err(Refusal::NotAllowed("This is not a change to an existing account".into()).into());
                }
            };
            if changed.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            let revoked = if decision.ends_sessions() { end_sessions!(tx, id, now, "") } else { 0 };
            let after = load_account_facts!(tx, id).ok_or(StoreError::NotFound)?;
            append_audit!(tx, now, &audit(&after, revoked));
            (after, revoked)
        });
        Ok(done)
    }

    /// The stored password hash of person `id`.
    pub async fn password_hash(&self, id: i64) -> Result<String, StoreError> {
        let (hash,): (String,) = with_pool!(self, pool => {
            sqlx::query_as("SELECT password_hash FROM people WHERE id = $1").bind(id).fetch_one(pool).await?
        });
        Ok(hash)
    }

    /// A person's own change of password, in one transaction: stores `new_hash` in place of
    /// `old_hash` (the hash the current password was checked against: `Conflict` if it changed
    /// meanwhile), clears the must-change flag, ends their other sessions (all but `keep`, a
    /// token hash) and records `audit`. The account after.
    pub async fn change_own_password(
        &self,
        id: i64,
        old_hash: &str,
        new_hash: &str,
        keep: &str,
        now: DateTime<Utc>,
        audit: impl Fn(u64) -> NewAuditEvent,
    ) -> Result<AccountFacts, StoreError> {
        let after = write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE people SET password_hash = $3, must_change_password = FALSE, version = version + 1 \
                 WHERE id = $1 AND password_hash = $2 AND NOT disabled",
            )
            .bind(id)
            .bind(old_hash)
            .bind(new_hash)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            let revoked = end_sessions!(tx, id, now, keep);
            append_audit!(tx, now, &audit(revoked));
            load_account_facts!(tx, id).ok_or(StoreError::NotFound)?
        });
        Ok(after)
    }

    /// How many enabled administrators there are.
    pub async fn enabled_administrators(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = with_pool!(self, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM people WHERE role = 'administrator' AND NOT disabled")
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }

    /// Stores a setup link (by its token's hash) valid until `expires_at`, if `due` says one is
    /// due given the number of enabled administrators, read in the same transaction; whether
    /// it was stored.
    pub async fn issue_setup_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        due: impl FnOnce(i64) -> bool,
    ) -> Result<bool, StoreError> {
        let issued = write_tx!(self, tx => {
            let (admins,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM people WHERE role = 'administrator' AND NOT disabled")
                    .fetch_one(&mut *tx)
                    .await?;
            if due(admins) {
                sqlx::query("INSERT INTO setup_links (token_hash, created_at, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(canonical(now))
                    .bind(canonical(expires_at))
                    .execute(&mut *tx)
                    .await?;
                true
            } else {
                false
            }
        });
        Ok(issued)
    }

    /// Creates the first administrator from a setup link, in one transaction: loads the link
    /// (by its token's hash) and counts the enabled administrators, lets `decide` rule on them,
    /// marks the link used, stores the person and records `audit`.
    pub async fn create_first_administrator(
        &self,
        token_hash: &str,
        new: &NewPerson,
        password_hash: &str,
        now: DateTime<Utc>,
        decide: impl FnOnce(Option<SetupLinkFacts>, i64) -> Result<(), Refusal>,
        audit: impl Fn(&Person) -> NewAuditEvent,
    ) -> Result<Person, StoreError> {
        let person = write_tx!(self, tx => {
            let link: Option<(String, Option<String>)> =
                sqlx::query_as("SELECT expires_at, used_at FROM setup_links WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            let link = link
                .map(|(expires_at, used_at)| {
                    let expires_at = parse_canonical(&expires_at).ok_or_else(|| corrupt(BadTime("expires_at")))?;
                    Ok::<_, StoreError>(SetupLinkFacts { expires_at, used: used_at.is_some() })
                })
                .transpose()?;
            let (admins,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM people WHERE role = 'administrator' AND NOT disabled")
                    .fetch_one(&mut *tx)
                    .await?;
            decide(link, admins)?;
            let used = sqlx::query("UPDATE setup_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
                .bind(token_hash)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            if used.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            let person = insert_person!(tx, new, password_hash, now);
            append_audit!(tx, now, &audit(&person));
            person
        });
        Ok(person)
    }

    /// A person by (normalised) username with their password hash, unless disabled.
    pub async fn person_for_sign_in(
        &self,
        username: &str,
    ) -> Result<Option<(AccountFacts, String)>, StoreError> {
        let sql =
            sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.username = $1 AND p.disabled = FALSE"));
        let hash_sql = "SELECT password_hash FROM people WHERE id = $1";
        let found: Option<(PersonRow, String)> = with_pool!(self, pool => {
            let row: Option<PersonRow> = sqlx::query_as(sql).bind(username).fetch_optional(pool).await?;
            match row {
                Some(row) => {
                    let (hash,): (String,) = sqlx::query_as(hash_sql).bind(row.id).fetch_one(pool).await?;
                    Some((row, hash))
                }
                None => None,
            }
        });
        found.map(|(row, hash)| Ok((AccountFacts::try_from(row)?, hash))).transpose()
    }

    /// People ordered by username, after `after` (a username), at most `limit`.
    pub async fn list_people(&self, after: &str, limit: i64) -> Result<Vec<AccountFacts>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE p.username > $1 ORDER BY p.username LIMIT $2"
        ));
        let rows: Vec<PersonRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(after).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(AccountFacts::try_from).collect()
    }

    /// The lock times recorded for `keys` (past ones included: the rule judges them).
    pub async fn sign_in_locks(&self, keys: &[String]) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let mut locks = Vec::new();
        for key in keys {
            let found: Option<(Option<String>,)> = with_pool!(self, pool => {
                sqlx::query_as("SELECT locked_until FROM sign_in_throttle WHERE throttle_key = $1")
                    .bind(key)
                    .fetch_optional(pool)
                    .await?
            });
            if let Some((Some(until),)) = found {
                locks.push(parse_canonical(&until).ok_or_else(|| corrupt(BadTime("locked_until")))?);
            }
        }
        Ok(locks)
    }

    /// Counts a failed sign-in against each key (with its rule), locking keys that reach their
    /// limit, and records the audit event; one transaction.
    pub async fn record_sign_in_failure(
        &self,
        keys: &[(String, ThrottleRule)],
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        let now_text = canonical(now);
        write_tx!(self, tx => {
            for (key, rule) in keys {
                let window_start = canonical(now - rule.window);
                let (failures,): (i64,) = sqlx::query_as(
                    "INSERT INTO sign_in_throttle (throttle_key, failures, window_started_at) VALUES ($1, 1, $2) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                       failures = CASE WHEN sign_in_throttle.window_started_at < $3 THEN 1 \
                                       ELSE sign_in_throttle.failures + 1 END, \
                       window_started_at = CASE WHEN sign_in_throttle.window_started_at < $3 THEN $2 \
                                       ELSE sign_in_throttle.window_started_at END \
                     RETURNING failures",
                )
                .bind(key)
                .bind(&now_text)
                .bind(&window_start)
                .fetch_one(&mut *tx)
                .await?;
                if rule.locks(failures) {
                    sqlx::query(
                        "UPDATE sign_in_throttle SET locked_until = $2, failures = 0, window_started_at = $3 \
                         WHERE throttle_key = $1",
                    )
                    .bind(key)
                    .bind(canonical(now + rule.lock_for))
                    .bind(&now_text)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Starts a session (stored by token hash), clears the failures of `clear_key`, and records
    /// the audit event; one transaction.
    #[expect(clippy::too_many_arguments, reason = "one transaction, each value distinct")]
    pub async fn create_session(
        &self,
        person_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
        absolute_expires_at: DateTime<Utc>,
        clear_key: &str,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, idle_expires_at, \
                   absolute_expires_at) VALUES ($1, $2, $3, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(person_id)
            .bind(canonical(now))
            .bind(canonical(idle_expires_at))
            .bind(canonical(absolute_expires_at))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
                .bind(clear_key)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// A session by token hash, with its person.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let found: Option<(i64, String, String, String, Option<String>)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT person_id, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at \
                 FROM sessions WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        let Some((person_id, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at)) = found else {
            return Ok(None);
        };
        let time =
            |text: &str, what: &'static str| parse_canonical(text).ok_or_else(|| corrupt(BadTime(what)));
        let account = self.account(person_id).await?.ok_or(StoreError::NotFound)?;
        Ok(Some(SessionRecord {
            person: account.person,
            last_seen_at: time(&last_seen_at, "last_seen_at")?,
            idle_expires_at: time(&idle_expires_at, "idle_expires_at")?,
            absolute_expires_at: time(&absolute_expires_at, "absolute_expires_at")?,
            // A disabled account's sessions are ended when it is disabled; refusing them here
            // too keeps one missed write from letting anyone in.
            revoked: revoked_at.is_some() || account.disabled,
            must_change_password: account.must_change_password,
        }))
    }

    /// Records use of a live session, pushing its idle expiry forward.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 \
                 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .bind(canonical(now))
            .bind(canonical(idle_expires_at))
            .execute(pool)
            .await
            .map(|_| ())?
        });
        Ok(())
    }

    /// Ends one session and records it; one transaction.
    pub async fn revoke_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(token_hash)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Ends every live session of a person and records it; `NotFound` for an unknown person.
    pub async fn revoke_sessions_of(
        &self,
        person_id: i64,
        now: DateTime<Utc>,
        audit: impl Fn(u64) -> NewAuditEvent,
    ) -> Result<u64, StoreError> {
        let revoked: u64 = write_tx!(self, tx => {
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
            )
            .bind(person_id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            append_audit!(tx, now, &audit(done));
            done
        });
        Ok(revoked)
    }
}
