//! Letters, their distribution, read receipts and publication, and the case-study references
//! their checks read. The audience of a letter is decided in SQL: national planners; the
//! engagement's team (through their inspector records); and, once issued, the recipients on its
//! distribution list whose access is not revoked. The rules live in `domain::letters`: this
//! module loads their facts (inside the write's own transaction for a change) and writes what
//! the decision says.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Store, StoreError,
    audit::append_audit,
    notifications::{Audience, enqueue},
    scope_params, with_pool, write_tx,
};
use crate::domain::notifications::EventKind;
use crate::domain::{
    Refusal,
    audit::NewAuditEvent,
    clock::canonical,
    identity::{Person, RecipientBody, Scope},
    letters::{
        CaseStudyEntry, DraftFacts, LetterChange, LetterDecision, LetterFacts, LetterRecord, LetterState,
        TeamFacts, default_distribution, stale,
    },
    programme::{EngagementKind, TeamRole},
    public_id::new_public_id,
};

fn body_param(scope: &Scope) -> &'static str {
    match scope {
        Scope::Body(RecipientBody::Dfe) => "dfe",
        Scope::Body(RecipientBody::NhsEngland) => "nhs_england",
        _ => "",
    }
}

/// Letter columns, with the facts its rules read about the viewer (their role on the team,
/// whether the team has a lead, the last onsite day); `$1`/`$2` scope, `$3` the viewer's person
/// id, `$4` their recipient body.
macro_rules! letter_select {
    () => {
        "SELECT l.id, l.public_id, l.engagement_id, e.public_id AS engagement_public_id, \
           e.kind AS engagement_kind, e.local_area_code, a.name AS local_area_name, \
           r.name AS region_name, a.kind AS area_kind, l.title, l.body, l.state, l.version, \
           (SELECT o.public_id FROM letters o WHERE o.id = l.supersedes_id) AS supersedes_id, \
           (SELECT n.public_id FROM letters n WHERE n.supersedes_id = l.id) AS superseded_by_id, \
           l.publish_at, l.published, l.named_in_national_reports, l.issued_at, l.returned_reason, e.onsite_last, \
           (SELECT rd.first_opened_at FROM letter_reads rd WHERE rd.letter_id = l.id AND rd.person_id = $3) AS first_opened_at, \
           (SELECT t.team_role FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
              WHERE t.engagement_id = l.engagement_id AND i.person_id = $3) AS caller_team_role, \
           EXISTS (SELECT 1 FROM engagement_team h WHERE h.engagement_id = l.engagement_id AND h.team_role = 'lead_hmi') \
             AS team_has_lead \
         FROM letters l \
         JOIN engagements e ON e.id = l.engagement_id \
         JOIN local_areas a ON a.ons_code = e.local_area_code \
         JOIN regions r ON r.code = e.region_code \
         WHERE ($1 = 'england' \
           OR EXISTS (SELECT 1 FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
                      WHERE t.engagement_id = l.engagement_id AND i.person_id = $3) \
           OR (l.state = 'issued' AND EXISTS (SELECT 1 FROM letter_recipients lr WHERE lr.letter_id = l.id \
                 AND lr.revoked_at IS NULL \
                 AND ((lr.recipient = 'local_area' AND $1 = 'area' AND e.local_area_code = $2) OR lr.recipient = $4)))) "
    };
}

/// One letter by its public id (`$5`).
const GET_LETTER: &str = concat!(letter_select!(), "AND l.public_id = $5");
/// The letters of an engagement by its public id (`$5`).
const LIST_FOR_ENGAGEMENT: &str = concat!(letter_select!(), "AND e.public_id = $5 ORDER BY l.id");
const INBOX: &str = concat!(
    letter_select!(),
    "AND l.state = 'issued' AND $1 <> 'england' AND $5 = $5 ORDER BY l.issued_at DESC, l.id DESC"
);
/// Letters that may wait for the viewer on their start page: submitted ones (for planners),
/// returned drafts (for their team) and, outside national planners, issued letters the viewer
/// has not opened; the domain decides which reach whom.
const WAITING: &str = concat!(
    letter_select!(),
    "AND $5 = $5 AND (l.state = 'submitted' \
       OR (l.state = 'draft' AND l.returned_reason <> '' AND $1 <> 'england') \
       OR (l.state = 'issued' AND $1 <> 'england' AND NOT EXISTS \
             (SELECT 1 FROM letter_reads u WHERE u.letter_id = l.id AND u.person_id = $3))) \
     ORDER BY l.id"
);
const DISTRIBUTION: &str =
    "SELECT recipient, revoked_at FROM letter_recipients WHERE letter_id = $1 ORDER BY recipient";
const REFERENCES: &str =
    "SELECT reference FROM case_study_entries WHERE engagement_id = $1 ORDER BY reference";
/// An engagement's key and kind, the caller's role on its team and whether it has a lead; `$1`
/// the engagement's public id, `$2` the person.
const TEAM: &str = "SELECT e.id, e.kind, \
       (SELECT t.team_role FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
          WHERE t.engagement_id = e.id AND i.person_id = $2) AS caller_team_role, \
       EXISTS (SELECT 1 FROM engagement_team h WHERE h.engagement_id = e.id AND h.team_role = 'lead_hmi') AS team_has_lead \
     FROM engagements e WHERE e.public_id = $1";

#[derive(sqlx::FromRow)]
struct LetterRow {
    id: i64,
    public_id: String,
    engagement_id: i64,
    engagement_public_id: String,
    engagement_kind: String,
    local_area_code: String,
    local_area_name: String,
    region_name: String,
    area_kind: String,
    title: String,
    body: String,
    state: String,
    version: i64,
    supersedes_id: Option<String>,
    superseded_by_id: Option<String>,
    publish_at: Option<String>,
    published: bool,
    named_in_national_reports: bool,
    issued_at: Option<String>,
    returned_reason: String,
    onsite_last: NaiveDate,
    first_opened_at: Option<String>,
    caller_team_role: Option<String>,
    team_has_lead: bool,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")))
}

fn team_facts(role: Option<String>, has_lead: bool) -> Result<TeamFacts, StoreError> {
    let caller_role = match role {
        Some(r) => Some(TeamRole::parse(&r).ok_or_else(|| corrupt("team role"))?),
        None => None,
    };
    Ok(TeamFacts { caller_role, has_lead })
}

impl LetterRow {
    /// The letter (its distribution filled in by the caller), the viewer on its team, and the
    /// engagement's last onsite day.
    fn record(self) -> Result<(LetterRecord, TeamFacts, NaiveDate), StoreError> {
        let team = team_facts(self.caller_team_role, self.team_has_lead)?;
        let letter = LetterRecord {
            id: self.id,
            public_id: self.public_id,
            engagement_id: self.engagement_id,
            engagement_public_id: self.engagement_public_id,
            engagement_kind: EngagementKind::parse(&self.engagement_kind).ok_or_else(|| corrupt("kind"))?,
            local_area_code: self.local_area_code,
            local_area_name: self.local_area_name,
            region_name: self.region_name,
            area_kind: self.area_kind,
            title: self.title,
            body: self.body,
            state: LetterState::parse(&self.state).ok_or_else(|| corrupt("letter state"))?,
            version: self.version,
            distribution: Vec::new(),
            publish_at: self.publish_at,
            published: self.published,
            named: self.named_in_national_reports,
            supersedes_id: self.supersedes_id,
            superseded_by_id: self.superseded_by_id,
            issued_at: self.issued_at,
            first_opened_at: self.first_opened_at,
            returned_reason: self.returned_reason,
        };
        Ok((letter, team, self.onsite_last))
    }

    /// The row as facts at `now` (distribution and references filled in by the caller).
    fn facts(self, now: DateTime<Utc>) -> Result<LetterFacts, StoreError> {
        let (letter, team, onsite_last) = self.record()?;
        Ok(LetterFacts { letter, team, onsite_last, now, references: Vec::new() })
    }
}

/// With executor `$ex` (a pool, or `&mut *tx` inside a transaction): the facts of the letter
/// whose public id is `$id` as `$viewer` sees it at `$now`, with its distribution and its engagement's case-study
/// references; `NotFound` if the viewer may not see it.
macro_rules! load_facts {
    ($ex:expr, $id:expr, $viewer:expr, $now:expr) => {{
        let viewer: &Person = $viewer;
        let id: &str = $id;
        let (kind, code) = scope_params(&viewer.scope);
        let row: Option<LetterRow> = sqlx::query_as(GET_LETTER)
            .bind(kind)
            .bind(code)
            .bind(viewer.id)
            .bind(body_param(&viewer.scope))
            .bind(id)
            .fetch_optional($ex)
            .await?;
        let mut facts = row.ok_or(StoreError::NotFound)?.facts($now)?;
        facts.letter.distribution = sqlx::query_as(DISTRIBUTION).bind(facts.letter.id).fetch_all($ex).await?;
        let references: Vec<(String,)> =
            sqlx::query_as(REFERENCES).bind(facts.letter.engagement_id).fetch_all($ex).await?;
        facts.references = references.into_iter().map(|(r,)| r).collect();
        facts
    }};
}

impl Store {
    /// One letter `viewer` may see, by its public id, with what its rules read about them at
    /// `now` and every case-study reference stored for its engagement; one read.
    pub async fn letter_facts(
        &self,
        id: &str,
        viewer: &Person,
        now: DateTime<Utc>,
    ) -> Result<LetterFacts, StoreError> {
        Ok(with_pool!(self, pool => load_facts!(pool, id, viewer, now)))
    }

    /// Letters of an engagement (by its public id) `viewer` may see (no references: lists run no
    /// checks).
    pub async fn letters_of(
        &self,
        engagement: &str,
        viewer: &Person,
        now: DateTime<Utc>,
    ) -> Result<Vec<LetterFacts>, StoreError> {
        self.letters_where(LIST_FOR_ENGAGEMENT, engagement, viewer, now).await
    }

    /// Issued letters distributed to `viewer`, newest first.
    pub async fn inbox(&self, viewer: &Person, now: DateTime<Utc>) -> Result<Vec<LetterFacts>, StoreError> {
        self.letters_where(INBOX, "", viewer, now).await
    }

    /// Letters that may wait for `viewer` (see [`WAITING`]), oldest first.
    pub async fn waiting_letters(
        &self,
        viewer: &Person,
        now: DateTime<Utc>,
    ) -> Result<Vec<LetterFacts>, StoreError> {
        self.letters_where(WAITING, "", viewer, now).await
    }

    async fn letters_where(
        &self,
        sql: &'static str,
        param: &str,
        viewer: &Person,
        now: DateTime<Utc>,
    ) -> Result<Vec<LetterFacts>, StoreError> {
        let (kind, code) = scope_params(&viewer.scope);
        let rows: Vec<LetterRow> = with_pool!(self, pool => {
            sqlx::query_as(sql)
                .bind(kind)
                .bind(code)
                .bind(viewer.id)
                .bind(body_param(&viewer.scope))
                .bind(param)
                .fetch_all(pool)
                .await?
        });
        let mut out = rows.into_iter().map(|r| r.facts(now)).collect::<Result<Vec<_>, _>>()?;
        // Every list's distributions in one query: the rows between the lowest and highest id
        // listed, matched up here (no query per letter).
        let ids = || out.iter().map(|f| f.letter.id);
        let (Some(low), Some(high)) = (ids().min(), ids().max()) else {
            return Ok(out);
        };
        let recipients: Vec<(i64, String, Option<String>)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT letter_id, recipient, revoked_at FROM letter_recipients \
                 WHERE letter_id BETWEEN $1 AND $2 ORDER BY letter_id, recipient",
            )
            .bind(low)
            .bind(high)
            .fetch_all(pool)
            .await?
        });
        for facts in &mut out {
            facts.letter.distribution = recipients
                .iter()
                .filter(|r| r.0 == facts.letter.id)
                .map(|r| (r.1.clone(), r.2.clone()))
                .collect();
        }
        Ok(out)
    }

    /// Starts a letter for an engagement (by its public id) with the default distribution, if
    /// `decide` agrees on the facts read in the same transaction (the caller's role on its
    /// team); audited with the new letter's public id.
    #[expect(clippy::too_many_arguments, reason = "one transaction, each value distinct")]
    pub async fn create_letter(
        &self,
        engagement: &str,
        title: &str,
        body: &str,
        by: &Person,
        now: DateTime<Utc>,
        decide: impl FnOnce(&DraftFacts) -> Result<(), Refusal>,
        audit: impl FnOnce(&str) -> NewAuditEvent,
    ) -> Result<LetterFacts, StoreError> {
        let public_id = new_public_id();
        Ok(write_tx!(self, tx => {
            let found: Option<(i64, String, Option<String>, bool)> =
                sqlx::query_as(TEAM).bind(engagement).bind(by.id).fetch_optional(&mut *tx).await?;
            let (engagement, kind, role, has_lead) = found.ok_or(StoreError::NotFound)?;
            let kind = EngagementKind::parse(&kind).ok_or_else(|| corrupt("kind"))?;
            decide(&DraftFacts { kind, team: team_facts(role, has_lead)? })?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO letters (engagement_id, title, body, state, created_by, created_at, public_id) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6) RETURNING id",
            )
            .bind(engagement)
            .bind(title)
            .bind(body)
            .bind(by.id)
            .bind(canonical(now))
            .bind(&public_id)
            .fetch_one(&mut *tx)
            .await?;
            for recipient in default_distribution(kind) {
                sqlx::query("INSERT INTO letter_recipients (letter_id, recipient) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*recipient)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, now, &audit(&public_id));
            load_facts!(&mut *tx, &public_id, by, now)
        }))
    }

    /// Changes the letter whose public id is `public_id` as `decide` says on the facts read in
    /// the same transaction, with the audit event of the letter written (given its public id;
    /// for a correction, the new one's); one transaction. Answers the facts of that letter
    /// afterwards.
    pub async fn change_letter(
        &self,
        public_id: &str,
        by: &Person,
        now: DateTime<Utc>,
        decide: impl FnOnce(&LetterFacts) -> Result<LetterDecision, Refusal>,
        audit: impl FnOnce(&str) -> NewAuditEvent,
    ) -> Result<LetterFacts, StoreError> {
        Ok(write_tx!(self, tx => {
            let facts = load_facts!(&mut *tx, public_id, by, now);
            let LetterDecision { next, change } = decide(&facts)?;
            let current = &facts.letter;
            let id = current.id;
            let versioned = !matches!(
                change,
                LetterChange::Revoke(_) | LetterChange::Correct { .. } | LetterChange::Publication { .. }
            );
            if versioned {
                let updated = sqlx::query(
                    "UPDATE letters SET state = $1, version = version + 1 WHERE id = $2 AND version = $3",
                )
                .bind(next.as_str())
                .bind(id)
                .bind(current.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(stale(current.state).into());
                }
            }
            let mut written = public_id.to_owned();
            match &change {
                LetterChange::Edit { title, body } => {
                    sqlx::query("UPDATE letters SET title = $2, body = $3 WHERE id = $1")
                        .bind(id)
                        .bind(title)
                        .bind(body)
                        .execute(&mut *tx)
                        .await?;
                }
                LetterChange::Return(reason) => {
                    sqlx::query("UPDATE letters SET returned_reason = $2 WHERE id = $1")
                        .bind(id)
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                    let (writer,): (i64,) = sqlx::query_as("SELECT created_by FROM letters WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let link = format!("/letters/{public_id}");
                    enqueue!(tx, now, EventKind::LetterReturned, Audience::Person(writer), &link, public_id, now);
                }
                LetterChange::Approve(overrides) => {
                    sqlx::query("UPDATE letters SET returned_reason = '' WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    for (rule, reason) in overrides {
                        sqlx::query(
                            "INSERT INTO letter_overrides (letter_id, rule, reason, approved_by, approved_at) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(rule)
                        .bind(reason)
                        .bind(by.id)
                        .bind(canonical(now))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                LetterChange::Distribution(recipients) => {
                    sqlx::query("DELETE FROM letter_recipients WHERE letter_id = $1").bind(id).execute(&mut *tx).await?;
                    for recipient in recipients {
                        sqlx::query("INSERT INTO letter_recipients (letter_id, recipient) VALUES ($1, $2)")
                            .bind(id)
                            .bind(*recipient)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                LetterChange::Issue(publish_at) => {
                    sqlx::query("UPDATE letters SET issued_at = $2, publish_at = $3 WHERE id = $1")
                        .bind(id)
                        .bind(canonical(now))
                        .bind(publish_at.map(canonical))
                        .execute(&mut *tx)
                        .await?;
                    let link = format!("/letters/{public_id}");
                    enqueue!(tx, now, EventKind::LetterIssued, Audience::LetterRecipients(id), &link, public_id, now);
                    if let Some(old) = &current.supersedes_id {
                        sqlx::query("UPDATE letters SET state = 'superseded', version = version + 1 WHERE public_id = $1")
                            .bind(old)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                LetterChange::Revoke(recipient) => {
                    let done = sqlx::query(
                        "UPDATE letter_recipients SET revoked_at = $3 \
                         WHERE letter_id = $1 AND recipient = $2 AND revoked_at IS NULL",
                    )
                    .bind(id)
                    .bind(*recipient)
                    .bind(canonical(now))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if done != 1 {
                        return Err(stale(current.state).into());
                    }
                }
                LetterChange::Correct { title, body } => {
                    // A unique index on supersedes_id refuses a second correction made at once.
                    let new_public = new_public_id();
                    let (new_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO letters (engagement_id, title, body, state, supersedes_id, created_by, created_at, \
                           public_id) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(current.engagement_id)
                    .bind(title)
                    .bind(body)
                    .bind(id)
                    .bind(by.id)
                    .bind(canonical(now))
                    .bind(&new_public)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO letter_recipients (letter_id, recipient) \
                         SELECT $1, recipient FROM letter_recipients WHERE letter_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(new_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    written = new_public;
                }
                LetterChange::Publication { publish, named } => {
                    sqlx::query("UPDATE letters SET published = $2, named_in_national_reports = $3 WHERE id = $1")
                        .bind(id)
                        .bind(*publish)
                        .bind(*named)
                        .execute(&mut *tx)
                        .await?;
                }
                LetterChange::Submit => {}
            }
            append_audit!(tx, now, &audit(&written));
            load_facts!(&mut *tx, &written, by, now)
        }))
    }

    /// Adds an entry to an engagement's (by its public id) case-study sample list, with its
    /// audit event; answers its id (128 random bits as 32 hex characters). `NotFound` for a
    /// missing engagement, `Conflict` when the engagement already has the reference.
    pub async fn add_case_study_entry(
        &self,
        engagement: &str,
        entry: &CaseStudyEntry,
        now: DateTime<Utc>,
        audit: impl FnOnce(&str) -> NewAuditEvent,
    ) -> Result<String, StoreError> {
        let id = format!("{:032x}", rand::random::<u128>());
        write_tx!(self, tx => {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM engagements WHERE public_id = $1")
                .bind(engagement)
                .fetch_optional(&mut *tx)
                .await?;
            let (engagement,) = found.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO case_study_entries (id, engagement_id, reference, age_band, primary_needs, support, \
                   school_phase, alternative_provision, multi_agency, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(engagement)
            .bind(entry.reference.trim())
            .bind(&entry.age_band)
            .bind(&entry.primary_needs)
            .bind(&entry.support)
            .bind(&entry.school_phase)
            .bind(entry.alternative_provision)
            .bind(entry.multi_agency)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, now, &audit(&id));
        });
        Ok(id)
    }

    /// Every case-study reference stored for an engagement.
    pub async fn case_study_references(&self, engagement: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as(REFERENCES).bind(engagement).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// Records that `viewer` opened or downloaded a letter (by its public id) they may see: the
    /// audit event, and the read receipt the first time; one transaction, which also checks
    /// that they may see it (`NotFound` otherwise, recording nothing). Answers the letter as
    /// they now see it.
    pub async fn view_letter(
        &self,
        id: &str,
        viewer: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<LetterFacts, StoreError> {
        Ok(write_tx!(self, tx => {
            let seen = load_facts!(&mut *tx, id, viewer, now);
            sqlx::query(
                "INSERT INTO letter_reads (letter_id, person_id, first_opened_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (letter_id, person_id) DO NOTHING",
            )
            .bind(seen.letter.id)
            .bind(viewer.id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, now, audit);
            load_facts!(&mut *tx, id, viewer, now)
        }))
    }

    /// Who opened or downloaded `letter`: (username, action, time). Events recorded before
    /// letters had public ids (migration 0008) name the letter by its integer key, so both count.
    pub async fn letter_views(
        &self,
        letter: &LetterRecord,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT actor_username, action, occurred_at FROM audit_events \
                 WHERE object_type = 'letter' AND object_id IN ($1, $2) \
                   AND action IN ('letter.view', 'letter.download') \
                 ORDER BY seq",
            )
            .bind(&letter.public_id)
            .bind(letter.id.to_string())
            .fetch_all(pool)
            .await?
        }))
    }

    /// Everyone who can see a letter (by its database key) now: (username, name, role, because).
    pub async fn who_can_see(&self, id: i64) -> Result<Vec<(String, String, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.username, p.display_name, p.role, 'national planner' FROM people p \
                   WHERE p.role = 'national_planner' AND p.disabled = FALSE \
                 UNION ALL \
                 SELECT p.username, p.display_name, p.role, 'team' FROM people p \
                   JOIN inspectors i ON i.person_id = p.id JOIN engagement_team t ON t.inspector_id = i.id \
                   JOIN letters l ON l.engagement_id = t.engagement_id WHERE l.id = $1 AND p.disabled = FALSE \
                 UNION ALL \
                 SELECT p.username, p.display_name, p.role, 'distribution: ' || lr.recipient FROM letters l \
                   JOIN engagements e ON e.id = l.engagement_id \
                   JOIN letter_recipients lr ON lr.letter_id = l.id AND lr.revoked_at IS NULL \
                   JOIN people p ON p.disabled = FALSE AND ( \
                     (lr.recipient = 'local_area' AND p.role = 'local_area_user' AND p.local_area_code = e.local_area_code) \
                     OR (lr.recipient IN ('dfe', 'nhs_england') AND p.role = 'recipient_body' AND p.recipient_body = lr.recipient)) \
                   WHERE l.id = $1 AND l.state = 'issued' \
                 ORDER BY 4, 1",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Letters anyone may read: interim letters the area chose to publish, and reports whose
    /// publication time has come; current versions only.
    pub async fn published_letters(&self, now: DateTime<Utc>) -> Result<Vec<LetterRecord>, StoreError> {
        let sql = concat!(
            letter_select!(),
            "AND l.state = 'issued' AND (l.published = TRUE OR EXISTS (SELECT 1 FROM letter_recipients lr \
               WHERE lr.letter_id = l.id AND lr.recipient = 'public' AND lr.revoked_at IS NULL \
               AND l.publish_at IS NOT NULL AND l.publish_at <= $5)) ORDER BY l.issued_at DESC"
        );
        let rows: Vec<LetterRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind("england").bind("").bind(0_i64).bind("").bind(canonical(now)).fetch_all(pool).await?
        });
        rows.into_iter().map(|r| r.record().map(|(letter, ..)| letter)).collect()
    }

    /// Issued interim-visit letters of an academic year (for the national report).
    pub async fn issued_interim_letters(&self, academic_year: i32) -> Result<Vec<LetterRecord>, StoreError> {
        let sql = concat!(
            letter_select!(),
            "AND l.state = 'issued' AND e.kind = 'interim_visit' AND e.academic_year = $5 ORDER BY r.sort_order, a.name_key"
        );
        let rows: Vec<LetterRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind("england").bind("").bind(0_i64).bind("").bind(i64::from(academic_year)).fetch_all(pool).await?
        });
        rows.into_iter().map(|r| r.record().map(|(letter, ..)| letter)).collect()
    }

    /// Every stored name and reference an anonymised export must not contain: people's names
    /// and usernames, inspectors, signatories, case-study references, and the names of areas
    /// that did not agree to be named.
    pub async fn identifying_names(&self, named_areas: &[String]) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT display_name FROM people UNION SELECT username FROM people UNION SELECT name FROM inspectors \
                 UNION SELECT signatory_name FROM consents UNION SELECT name FROM local_areas \
                 UNION SELECT reference FROM case_study_entries",
            )
            .fetch_all(pool)
            .await?
        });
        names.retain(|(n,)| !named_areas.contains(n));
        let mut out: Vec<String> = names.into_iter().map(|(n,)| n).filter(|n| n.trim().len() >= 3).collect();
        // Longest first, so "Kingston upon Hull, City of" goes before "Hull".
        out.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Ok(out)
    }
}
