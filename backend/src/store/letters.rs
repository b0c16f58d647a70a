//! Letters, their distribution, read receipts and publication. The audience of a letter is
//! decided in SQL: national planners; the engagement's team (through their inspector records);
//! and, once issued, the recipients on its distribution list whose access is not revoked.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, audit::append_audit, scope_params, with_pool, write_tx};
use crate::domain::{
    FieldViolation, InvalidInput,
    audit::NewAuditEvent,
    clock::canonical,
    identity::{Person, RecipientBody, Scope},
    letters::{LetterMove, LetterState, letter_transition},
    programme::EngagementKind,
};

/// A letter as its audience sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRecord {
    /// Id.
    pub id: i64,
    /// Engagement.
    pub engagement_id: i64,
    /// Kind of engagement.
    pub engagement_kind: EngagementKind,
    /// Area code.
    pub local_area_code: String,
    /// Area name.
    pub local_area_name: String,
    /// Region name.
    pub region_name: String,
    /// Kind of area (stored name).
    pub area_kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// State.
    pub state: LetterState,
    /// Version.
    pub version: i64,
    /// (recipient, revoked at).
    pub distribution: Vec<(String, Option<String>)>,
    /// Embargo for full reports.
    pub publish_at: Option<String>,
    /// The local area chose to publish.
    pub published: bool,
    /// The local area agreed to be named in national reports.
    pub named: bool,
    /// The letter this corrects.
    pub supersedes_id: Option<i64>,
    /// The letter that corrected this one.
    pub superseded_by_id: Option<i64>,
    /// When issued.
    pub issued_at: Option<String>,
    /// When the viewer first opened it.
    pub first_opened_at: Option<String>,
}

/// Why a change to a letter was refused.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// Not visible to the caller, or missing.
    #[error("letter not found")]
    NotFound,
    /// The caller may see it but not do this.
    #[error("{0}")]
    NotAllowed(String),
    /// The state does not allow it.
    #[error("{0}")]
    Illegal(String),
    /// Someone else changed it meanwhile.
    #[error("someone else changed this letter meanwhile: it is now {}; reload it and try again", .0.as_str())]
    Stale(LetterState),
    /// Bad input found by the store.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for LetterError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// A change to a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterChange {
    /// New title and text (drafts only).
    Edit {
        /// Title.
        title: String,
        /// Text.
        body: String,
    },
    /// Send for QA.
    Submit,
    /// Back to the team.
    Return,
    /// Approve, with the checks overridden and why.
    Approve(Vec<(String, String)>),
    /// New distribution list (before issue).
    Distribution(Vec<&'static str>),
    /// Issue, with the publication time for full reports.
    Issue(Option<DateTime<Utc>>),
}

fn body_param(scope: &Scope) -> &'static str {
    match scope {
        Scope::Body(RecipientBody::Dfe) => "dfe",
        Scope::Body(RecipientBody::NhsEngland) => "nhs_england",
        _ => "",
    }
}

/// Letter columns; `$1`/`$2` scope, `$3` the viewer's person id, `$4` their recipient body.
macro_rules! letter_select {
    () => {
        "SELECT l.id, l.engagement_id, e.kind AS engagement_kind, e.local_area_code, a.name AS local_area_name, \
           r.name AS region_name, a.kind AS area_kind, l.title, l.body, l.state, l.version, l.supersedes_id, \
           (SELECT n.id FROM letters n WHERE n.supersedes_id = l.id) AS superseded_by_id, \
           l.publish_at, l.published, l.named_in_national_reports, l.issued_at, \
           (SELECT rd.first_opened_at FROM letter_reads rd WHERE rd.letter_id = l.id AND rd.person_id = $3) AS first_opened_at \
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

const GET_LETTER: &str = concat!(letter_select!(), "AND l.id = $5");
const LIST_FOR_ENGAGEMENT: &str = concat!(letter_select!(), "AND l.engagement_id = $5 ORDER BY l.id");
const INBOX: &str = concat!(
    letter_select!(),
    "AND l.state = 'issued' AND $1 <> 'england' AND $5 = $5 ORDER BY l.issued_at DESC, l.id DESC"
);

#[derive(sqlx::FromRow)]
struct LetterRow {
    id: i64,
    engagement_id: i64,
    engagement_kind: String,
    local_area_code: String,
    local_area_name: String,
    region_name: String,
    area_kind: String,
    title: String,
    body: String,
    state: String,
    version: i64,
    supersedes_id: Option<i64>,
    superseded_by_id: Option<i64>,
    publish_at: Option<String>,
    published: bool,
    named_in_national_reports: bool,
    issued_at: Option<String>,
    first_opened_at: Option<String>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")))
}

fn parse_state(s: &str) -> Option<LetterState> {
    [
        LetterState::Draft,
        LetterState::Submitted,
        LetterState::Approved,
        LetterState::Issued,
        LetterState::Superseded,
    ]
    .into_iter()
    .find(|l| l.as_str() == s)
}

impl TryFrom<LetterRow> for LetterRecord {
    type Error = StoreError;

    fn try_from(r: LetterRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id,
            engagement_id: r.engagement_id,
            engagement_kind: EngagementKind::parse(&r.engagement_kind).ok_or_else(|| corrupt("kind"))?,
            local_area_code: r.local_area_code,
            local_area_name: r.local_area_name,
            region_name: r.region_name,
            area_kind: r.area_kind,
            title: r.title,
            body: r.body,
            state: parse_state(&r.state).ok_or_else(|| corrupt("letter state"))?,
            version: r.version,
            distribution: Vec::new(),
            publish_at: r.publish_at,
            published: r.published,
            named: r.named_in_national_reports,
            supersedes_id: r.supersedes_id,
            superseded_by_id: r.superseded_by_id,
            issued_at: r.issued_at,
            first_opened_at: r.first_opened_at,
        })
    }
}

/// The default distribution for a kind of engagement: interim visits to the local area, DfE and
/// NHS England; inspections to the local area and, on publication day, the public.
pub fn default_distribution(kind: EngagementKind) -> &'static [&'static str] {
    match kind {
        EngagementKind::InterimVisit => &["local_area", "dfe", "nhs_england"],
        EngagementKind::FullInspection
        | EngagementKind::MonitoringInspection
        | EngagementKind::LegacyInspection => &["local_area", "public"],
        EngagementKind::EngagementMeeting | EngagementKind::ThematicVisit => &["local_area"],
    }
}

impl Store {
    async fn distribution(&self, id: i64) -> Result<Vec<(String, Option<String>)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as("SELECT recipient, revoked_at FROM letter_recipients WHERE letter_id = $1 ORDER BY recipient")
                .bind(id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// One letter `viewer` may see.
    pub async fn letter(&self, id: i64, viewer: &Person) -> Result<LetterRecord, StoreError> {
        let (kind, code) = scope_params(&viewer.scope);
        let row: Option<LetterRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_LETTER)
                .bind(kind)
                .bind(code)
                .bind(viewer.id)
                .bind(body_param(&viewer.scope))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let mut letter = LetterRecord::try_from(row.ok_or(StoreError::NotFound)?)?;
        letter.distribution = self.distribution(id).await?;
        Ok(letter)
    }

    /// Letters of an engagement `viewer` may see.
    pub async fn letters_of(
        &self,
        engagement: i64,
        viewer: &Person,
    ) -> Result<Vec<LetterRecord>, StoreError> {
        self.letters_where(LIST_FOR_ENGAGEMENT, engagement, viewer).await
    }

    /// Issued letters distributed to `viewer`, newest first.
    pub async fn inbox(&self, viewer: &Person) -> Result<Vec<LetterRecord>, StoreError> {
        self.letters_where(INBOX, 0, viewer).await
    }

    async fn letters_where(
        &self,
        sql: &'static str,
        param: i64,
        viewer: &Person,
    ) -> Result<Vec<LetterRecord>, StoreError> {
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
        let mut out = rows.into_iter().map(LetterRecord::try_from).collect::<Result<Vec<_>, _>>()?;
        // Every list's distributions in one query: the rows between the lowest and highest id
        // listed, matched up here (no query per letter).
        let (Some(low), Some(high)) = (out.iter().map(|l| l.id).min(), out.iter().map(|l| l.id).max()) else {
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
        for letter in &mut out {
            letter.distribution =
                recipients.iter().filter(|r| r.0 == letter.id).map(|r| (r.1.clone(), r.2.clone())).collect();
        }
        Ok(out)
    }

    /// Whether `person` writes letters for `engagement`: its lead (the lead HMI, or for
    /// engagements without one an Ofsted inspector on the team).
    async fn leads_engagement(&self, engagement: i64, person: i64) -> Result<bool, StoreError> {
        let roles: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.team_role FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
                 WHERE t.engagement_id = $1 AND i.person_id = $2",
            )
            .bind(engagement)
            .bind(person)
            .fetch_all(pool)
            .await?
        });
        let has_lead: Option<(i64,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT engagement_id FROM engagement_team WHERE engagement_id = $1 AND team_role = 'lead_hmi'")
                .bind(engagement)
                .fetch_optional(pool)
                .await?
        });
        Ok(roles.iter().any(|(r,)| r == "lead_hmi" || (has_lead.is_none() && r == "ofsted_inspector")))
    }

    /// Starts a letter for an engagement, as its lead, with the default distribution.
    pub async fn create_letter(
        &self,
        engagement: i64,
        title: &str,
        body: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(i64) -> NewAuditEvent,
    ) -> Result<LetterRecord, LetterError> {
        if !self.leads_engagement(engagement, by.id).await? {
            return Err(LetterError::NotFound);
        }
        let id: i64 = write_tx!(self, tx => {
            let kind: Option<(String,)> = sqlx::query_as("SELECT kind FROM engagements WHERE id = $1")
                .bind(engagement)
                .fetch_optional(&mut *tx)
                .await?;
            let kind = kind.and_then(|(k,)| EngagementKind::parse(&k)).ok_or(LetterError::NotFound)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO letters (engagement_id, title, body, state, created_by, created_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5) RETURNING id",
            )
            .bind(engagement)
            .bind(title)
            .bind(body)
            .bind(by.id)
            .bind(canonical(now))
            .fetch_one(&mut *tx)
            .await?;
            for recipient in default_distribution(kind) {
                sqlx::query("INSERT INTO letter_recipients (letter_id, recipient) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*recipient)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, now, &audit(id));
            id
        });
        Ok(self.letter(id, by).await?)
    }

    /// Applies a change to letter `id` read at `version`, with its audit event; one transaction.
    pub async fn change_letter(
        &self,
        id: i64,
        version: i64,
        change: &LetterChange,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<LetterRecord, LetterError> {
        let current = self.letter(id, by).await.map_err(|e| match e {
            StoreError::NotFound => LetterError::NotFound,
            e => e.into(),
        })?;
        let planner = matches!(by.scope, Scope::England);
        let team = self.leads_engagement(current.engagement_id, by.id).await?
            || {
                let on_team: Option<(i64,)> = with_pool!(self, pool => {
                    sqlx::query_as(
                        "SELECT t.engagement_id FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
                         WHERE t.engagement_id = $1 AND i.person_id = $2",
                    )
                    .bind(current.engagement_id)
                    .bind(by.id)
                    .fetch_optional(pool)
                    .await?
                });
                on_team.is_some()
            };
        let (m, allowed) = match change {
            LetterChange::Edit { .. } => (LetterMove::Edit, team),
            LetterChange::Submit => (LetterMove::Submit, team),
            LetterChange::Return => (LetterMove::Return, planner),
            LetterChange::Approve(_) => (LetterMove::Approve, planner),
            LetterChange::Issue(_) => (LetterMove::Issue, planner),
            LetterChange::Distribution(_) => (LetterMove::Edit, planner),
        };
        if !allowed {
            return Err(LetterError::NotAllowed("your role does not allow this change to the letter".into()));
        }
        if current.version != version {
            return Err(LetterError::Stale(current.state));
        }
        let next = match change {
            // The distribution may change until the letter is issued.
            LetterChange::Distribution(_)
                if current.state != LetterState::Issued && current.state != LetterState::Superseded =>
            {
                current.state
            }
            LetterChange::Distribution(_) => {
                return Err(LetterError::Illegal(format!(
                    "the letter is {}; its distribution can only be revoked, not changed",
                    current.state.as_str()
                )));
            }
            _ => letter_transition(current.state, m).map_err(LetterError::Illegal)?,
        };
        write_tx!(self, tx => {
            let updated = sqlx::query(
                "UPDATE letters SET state = $1, version = version + 1 WHERE id = $2 AND version = $3",
            )
            .bind(next.as_str())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(LetterError::Stale(current.state));
            }
            match change {
                LetterChange::Edit { title, body } => {
                    sqlx::query("UPDATE letters SET title = $2, body = $3 WHERE id = $1")
                        .bind(id)
                        .bind(title)
                        .bind(body)
                        .execute(&mut *tx)
                        .await?;
                }
                LetterChange::Approve(overrides) => {
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
                    let (recipients,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM letter_recipients WHERE letter_id = $1 AND revoked_at IS NULL",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if recipients == 0 {
                        return Err(LetterError::Illegal("distribution: the list is empty; add a recipient before issue".into()));
                    }
                    sqlx::query("UPDATE letters SET issued_at = $2, publish_at = $3 WHERE id = $1")
                        .bind(id)
                        .bind(canonical(now))
                        .bind(publish_at.map(canonical))
                        .execute(&mut *tx)
                        .await?;
                    if let Some(old) = current.supersedes_id {
                        sqlx::query("UPDATE letters SET state = 'superseded', version = version + 1 WHERE id = $1")
                            .bind(old)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                LetterChange::Submit | LetterChange::Return => {}
            }
            append_audit!(tx, now, audit);
        });
        Ok(self.letter(id, by).await?)
    }

    /// Ends one recipient's access at once (audited).
    pub async fn revoke_recipient(
        &self,
        id: i64,
        recipient: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<LetterRecord, LetterError> {
        self.letter(id, by).await.map_err(|_| LetterError::NotFound)?;
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE letter_recipients SET revoked_at = $3 WHERE letter_id = $1 AND recipient = $2 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(recipient)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                let v = FieldViolation::new("recipient", "is not on the letter's distribution list");
                return Err(LetterError::Invalid(v.into()));
            }
            append_audit!(tx, now, audit);
        });
        Ok(self.letter(id, by).await?)
    }

    /// A corrected version of an issued letter, as a new draft with the same distribution.
    pub async fn correct_letter(
        &self,
        id: i64,
        title: &str,
        body: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(i64) -> NewAuditEvent,
    ) -> Result<LetterRecord, LetterError> {
        let old = self.letter(id, by).await.map_err(|_| LetterError::NotFound)?;
        if old.state != LetterState::Issued {
            return Err(LetterError::Illegal(format!(
                "the letter is {}; only an issued letter is corrected",
                old.state.as_str()
            )));
        }
        if old.superseded_by_id.is_some() {
            return Err(LetterError::Illegal("a correction of this letter already exists".into()));
        }
        let new_id: i64 = write_tx!(self, tx => {
            let (new_id,): (i64,) = sqlx::query_as(
                "INSERT INTO letters (engagement_id, title, body, state, supersedes_id, created_by, created_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6) RETURNING id",
            )
            .bind(old.engagement_id)
            .bind(title)
            .bind(body)
            .bind(id)
            .bind(by.id)
            .bind(canonical(now))
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
            append_audit!(tx, now, &audit(new_id));
            new_id
        });
        Ok(self.letter(new_id, by).await?)
    }

    /// The local area's publication choice for an issued interim-visit letter (audited).
    pub async fn set_publication(
        &self,
        id: i64,
        publish: bool,
        named: bool,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<LetterRecord, LetterError> {
        let letter = self.letter(id, by).await.map_err(|_| LetterError::NotFound)?;
        let own_area = matches!(&by.scope, Scope::LocalArea(code) if *code == letter.local_area_code);
        if !own_area {
            return Err(LetterError::NotFound);
        }
        if letter.engagement_kind != EngagementKind::InterimVisit || letter.state != LetterState::Issued {
            return Err(LetterError::Illegal(
                "only an issued interim-visit letter is published by the local area's choice".into(),
            ));
        }
        write_tx!(self, tx => {
            sqlx::query("UPDATE letters SET published = $2, named_in_national_reports = $3 WHERE id = $1")
                .bind(id)
                .bind(publish)
                .bind(named)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, audit);
        });
        Ok(self.letter(id, by).await?)
    }

    /// Records that `viewer` opened or downloaded a letter: the audit event, and the read
    /// receipt the first time; one transaction.
    pub async fn record_letter_view(
        &self,
        id: i64,
        viewer: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO letter_reads (letter_id, person_id, first_opened_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (letter_id, person_id) DO NOTHING",
            )
            .bind(id)
            .bind(viewer.id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Who opened or downloaded a letter: (username, action, time).
    pub async fn letter_views(&self, id: i64) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT actor_username, action, occurred_at FROM audit_events \
                 WHERE object_type = 'letter' AND object_id = $1 AND action IN ('letter.view', 'letter.download') \
                 ORDER BY seq",
            )
            .bind(id.to_string())
            .fetch_all(pool)
            .await?
        }))
    }

    /// Everyone who can see a letter now: (username, name, role, because).
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
        rows.into_iter().map(LetterRecord::try_from).collect()
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
        rows.into_iter().map(LetterRecord::try_from).collect()
    }

    /// Every stored name and reference an anonymised export must not contain: people's names
    /// and usernames, inspectors, signatories, and the names of areas that did not agree to be
    /// named.
    pub async fn identifying_names(&self, named_areas: &[String]) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT display_name FROM people UNION SELECT username FROM people UNION SELECT name FROM inspectors \
                 UNION SELECT signatory_name FROM consents UNION SELECT name FROM local_areas",
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
