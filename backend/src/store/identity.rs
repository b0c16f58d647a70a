//! People, sessions and sign-in throttling.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, audit::append_audit, current_area_region, with_pool, write_tx};
use crate::domain::{
    FieldViolation, InvalidInput,
    audit::NewAuditEvent,
    clock::{canonical, parse_canonical},
    identity::{Inspectorate, NewPerson, Person, RecipientBody, Role, Scope, SessionRecord, ThrottleRule},
};

const PERSON_SELECT: &str = "SELECT p.id, p.username, p.display_name, p.role, p.region_code, \
      p.local_area_code, p.inspectorate, p.social_care, p.recipient_body, \
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
        let (region, area, inspectorate, social_care, body) = match &new.scope {
            Scope::Region(code) => (Some(code.as_str()), None, None, false, None),
            Scope::LocalArea(code) => (None, Some(code.as_str()), None, false, None),
            Scope::Inspector { inspectorate, social_care, home_region } => {
                (Some(home_region.as_str()), None, Some(inspectorate.as_str()), *social_care, None)
            }
            Scope::Body(body) => (None, None, None, false, Some(body.as_str())),
            Scope::England | Scope::Accounts => (None, None, None, false, None),
        };
        let person_sql = sqlx::AssertSqlSafe(format!("{PERSON_SELECT} WHERE p.id = $1"));
        let person: Person = write_tx!(self, tx => {
            if let Some(code) = region {
                let found: Option<(String,)> = sqlx::query_as("SELECT code FROM regions WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    let v = FieldViolation::new("region_code", format!("There is no region with code {code}"));
                    return Err(InvalidInput::from(v).into());
                }
            }
            if let Some(code) = area {
                current_area_region!(tx, code);
            }
            let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM people WHERE username = $1")
                .bind(&new.username)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::AlreadyExists(FieldViolation::new("username", "This username is already taken")));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO people (username, display_name, password_hash, role, region_code, \
                   local_area_code, inspectorate, social_care, recipient_body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(password_hash)
            .bind(new.scope.role().as_str())
            .bind(region)
            .bind(area)
            .bind(inspectorate)
            .bind(social_care)
            .bind(body)
            .bind(canonical(now))
            .fetch_one(&mut *tx)
            .await?;
            let row: PersonRow = sqlx::query_as(person_sql).bind(id).fetch_one(&mut *tx).await?;
            let person = Person::try_from(row)?;
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

    /// A person by (normalised) username with their password hash, unless disabled.
    pub async fn person_for_sign_in(&self, username: &str) -> Result<Option<(Person, String)>, StoreError> {
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
        found.map(|(row, hash)| Ok((Person::try_from(row)?, hash))).transpose()
    }

    /// People ordered by username, after `after` (a username), at most `limit`.
    pub async fn list_people(&self, after: &str, limit: i64) -> Result<Vec<Person>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE p.username > $1 ORDER BY p.username LIMIT $2"
        ));
        let rows: Vec<PersonRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(after).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(Person::try_from).collect()
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
        Ok(Some(SessionRecord {
            person: self.person(person_id).await?,
            last_seen_at: time(&last_seen_at, "last_seen_at")?,
            idle_expires_at: time(&idle_expires_at, "idle_expires_at")?,
            absolute_expires_at: time(&absolute_expires_at, "absolute_expires_at")?,
            revoked: revoked_at.is_some(),
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
