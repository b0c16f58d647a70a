//! Case-study samples. Who may see a sample is decided by the engagement's own scope query
//! (the area's users once notified, the engagement's team, the region's lead, national
//! planners), inside the transaction of the read or the write; the rules live in
//! `domain::case_studies` and run on facts read in the same transaction. Every read and every
//! change appends its audit event in that transaction.

use chrono::{DateTime, Utc};

use super::{
    Store, StoreError,
    audit::append_audit,
    programme::{engagement_scope, engagement_select},
    with_pool, write_tx,
};
use crate::domain::{
    Refusal,
    audit::NewAuditEvent,
    case_studies::{
        Agreement, Entry, ListVersion, MoreAsked, Phase, Population, SampleFacts, SampleView, SampleWrite,
        Support, parse_needs,
    },
    clock::canonical,
    identity::Person,
    programme::EngagementKind,
    public_id::new_public_id,
    start_page::MoreAskedDue,
};

/// The engagement, if the viewer may see it; `$1`/`$2` scope, `$3` its public id.
const ENGAGEMENT: &str = concat!(engagement_select!(), "AND e.public_id = $3");

#[derive(sqlx::FromRow)]
struct EngagementRow {
    id: i64,
    public_id: String,
    kind: String,
    local_area_name: String,
}

#[derive(sqlx::FromRow)]
struct SampleRow {
    id: i64,
    public_id: String,
    version: i64,
    list_version: i64,
    population: String,
    area_agreed_name: Option<String>,
    area_agreed_at: Option<String>,
    team_agreed_name: Option<String>,
    team_agreed_at: Option<String>,
    frozen_at: Option<String>,
    more_asked_name: Option<String>,
    more_asked_at: Option<String>,
    more_asked_for: String,
}

const SAMPLE: &str = "SELECT s.id, s.public_id, s.version, s.list_version, s.population, \
       pa.display_name AS area_agreed_name, s.area_agreed_at, pt.display_name AS team_agreed_name, s.team_agreed_at, \
       s.frozen_at, pm.display_name AS more_asked_name, s.more_asked_at, s.more_asked_for \
     FROM case_study_samples s \
     LEFT JOIN people pa ON pa.id = s.area_agreed_by \
     LEFT JOIN people pt ON pt.id = s.team_agreed_by \
     LEFT JOIN people pm ON pm.id = s.more_asked_by \
     WHERE s.engagement_id = $1";

#[derive(sqlx::FromRow)]
struct EntryRow {
    reference: String,
    age_band: String,
    primary_needs: String,
    support: String,
    school_phase: String,
    alternative_provision: bool,
    multi_agency: bool,
    picked: bool,
}

const ENTRIES: &str = "SELECT reference, age_band, primary_needs, support, school_phase, alternative_provision, \
       multi_agency, picked FROM case_study_entries WHERE engagement_id = $1 AND removed_at IS NULL ORDER BY reference";

fn corrupt(what: &str) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")))
}

fn entry(r: EntryRow) -> Result<(Entry, bool), StoreError> {
    Ok((
        Entry {
            reference: r.reference,
            age_band: r.age_band,
            needs: parse_needs(&r.primary_needs).ok_or_else(|| corrupt("case-study needs"))?,
            support: Support::parse(&r.support).ok_or_else(|| corrupt("case-study support"))?,
            alternative_provision: r.alternative_provision,
            multi_agency: r.multi_agency,
            school_phase: Phase::parse(&r.school_phase).ok_or_else(|| corrupt("case-study phase"))?,
        },
        r.picked,
    ))
}

fn agreement(by: Option<String>, at: Option<String>) -> Option<Agreement> {
    Some(Agreement { by: by?, at: at? })
}

/// Loads the sample of the engagement `$id` (a public id) as `$viewer` may see it, inside
/// `$tx`: `NotFound` when they may not see the engagement. Evaluates to `(engagement key,
/// sample key, view)`.
macro_rules! load_sample {
    ($tx:ident, $id:expr, $viewer:expr) => {{
        let (scope, code) = engagement_scope($viewer);
        let found: Option<EngagementRow> =
            sqlx::query_as(ENGAGEMENT).bind(scope).bind(&code).bind($id).fetch_optional(&mut *$tx).await?;
        let e = found.ok_or(StoreError::NotFound)?;
        let kind = EngagementKind::parse(&e.kind).ok_or_else(|| corrupt("engagement kind"))?;
        let sample: Option<SampleRow> = sqlx::query_as(SAMPLE).bind(e.id).fetch_optional(&mut *$tx).await?;
        let rows: Vec<EntryRow> = sqlx::query_as(ENTRIES).bind(e.id).fetch_all(&mut *$tx).await?;
        let mut entries = Vec::new();
        let mut picked = Vec::new();
        for row in rows {
            let (entry, is_picked) = entry(row)?;
            if is_picked {
                picked.push(entry.reference.clone());
            }
            entries.push(entry);
        }
        let mut view = SampleView {
            engagement_id: e.public_id,
            kind,
            local_area_name: e.local_area_name,
            public_id: None,
            version: 0,
            list_version: 0,
            entries,
            picked,
            seed: None,
            population: Population::default(),
            area_agreed: None,
            team_agreed: None,
            frozen: false,
            history: Vec::new(),
            more_asked: None,
        };
        let mut sample_id = None;
        if let Some(s) = sample {
            let history: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
                "SELECT v.list_version, v.entries, v.reason, p.display_name, v.changed_at \
                 FROM case_study_list_versions v JOIN people p ON p.id = v.changed_by \
                 WHERE v.sample_id = $1 ORDER BY v.list_version",
            )
            .bind(s.id)
            .fetch_all(&mut *$tx)
            .await?;
            let seed: Option<(String,)> = sqlx::query_as(
                "SELECT seed FROM case_study_picks WHERE sample_id = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(s.id)
            .fetch_optional(&mut *$tx)
            .await?;
            view.public_id = Some(s.public_id);
            view.version = s.version;
            view.list_version = s.list_version;
            view.seed = seed.map(|(s,)| s).filter(|s| !s.is_empty());
            view.population = if s.population.is_empty() {
                Population::default()
            } else {
                serde_json::from_str(&s.population).map_err(|_| corrupt("population"))?
            };
            view.area_agreed = agreement(s.area_agreed_name, s.area_agreed_at);
            view.team_agreed = agreement(s.team_agreed_name, s.team_agreed_at);
            view.frozen = s.frozen_at.is_some();
            view.more_asked = match (s.more_asked_name, s.more_asked_at) {
                (Some(by), Some(at)) => {
                    Some(MoreAsked { by, at, missing: s.more_asked_for.lines().map(str::to_owned).collect() })
                }
                _ => None,
            };
            view.history = history
                .into_iter()
                .map(|(list_version, entries, reason, changed_by, changed_at)| ListVersion {
                    list_version,
                    entries,
                    reason,
                    changed_by,
                    changed_at,
                })
                .collect();
            sample_id = Some(s.id);
        }
        (e.id, sample_id, view)
    }};
}

/// The engagements the viewer may see whose sample the team asked the area to add to.
const MORE_ASKED: &str = concat!(
    "SELECT x.public_id, x.kind, x.local_area_code, x.local_area_name, s.more_asked_at FROM (",
    engagement_select!(),
    ") x JOIN case_study_samples s ON s.engagement_id = x.id WHERE s.more_asked_at IS NOT NULL \
     ORDER BY s.more_asked_at, x.public_id"
);

impl Store {
    /// The case-study lists, among the engagements `viewer` may see, that the visiting team
    /// asked the local area to add children to (for the area's start page).
    pub async fn case_studies_asked(&self, viewer: &Person) -> Result<Vec<MoreAskedDue>, StoreError> {
        let (scope, code) = engagement_scope(viewer);
        let rows: Vec<(String, String, String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(MORE_ASKED).bind(scope).bind(&code).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(engagement_id, kind, local_area_code, local_area_name, asked_at)| {
                Ok(MoreAskedDue {
                    engagement_id,
                    kind: EngagementKind::parse(&kind).ok_or_else(|| corrupt("engagement kind"))?,
                    local_area_code,
                    local_area_name,
                    asked_at,
                })
            })
            .collect()
    }

    /// The case-study sample of an engagement (by its public id) as `viewer` sees it, with the
    /// audit event of the read (one transaction); `NotFound` for an engagement they may not
    /// see, recording nothing.
    pub async fn case_study_sample(
        &self,
        engagement: &str,
        viewer: &Person,
        now: DateTime<Utc>,
        audit: impl FnOnce(&SampleView) -> NewAuditEvent,
    ) -> Result<SampleView, StoreError> {
        Ok(write_tx!(self, tx => {
            let (_, _, view) = load_sample!(tx, engagement, viewer);
            append_audit!(tx, now, &audit(&view));
            view
        }))
    }

    /// Changes an engagement's sample as `decide` rules on its facts, read in the same
    /// transaction: the list (entries off the new list kept as removed), the pick (recorded
    /// with its seed), an agreement (both sides: frozen), the team's request for more children
    /// (answered by the area's next list); a new list or pick clears both agreements. Version-guarded; with its audit event. Answers the sample as it now is.
    pub async fn change_case_study_sample(
        &self,
        engagement: &str,
        by: &Person,
        now: DateTime<Utc>,
        decide: impl FnOnce(&SampleFacts) -> Result<SampleWrite, Refusal>,
        audit: impl FnOnce(&SampleView) -> NewAuditEvent,
    ) -> Result<SampleView, StoreError> {
        let at = canonical(now);
        Ok(write_tx!(self, tx => {
            let (engagement_id, sample_id, view) = load_sample!(tx, engagement, by);
            let write = decide(&view.facts())?;
            let sample_id = match sample_id {
                Some(id) => {
                    let updated = sqlx::query(
                        "UPDATE case_study_samples SET version = version + 1 WHERE id = $1 AND version = $2",
                    )
                    .bind(id)
                    .bind(view.version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if updated != 1 {
                        return Err(StoreError::Conflict);
                    }
                    id
                }
                None => {
                    if !matches!(write, SampleWrite::List { .. }) {
                        return Err(Refusal::rule(
                            crate::domain::case_studies::AGREE_NEEDS_VALID_PICK,
                            "entries",
                            "The local area has not supplied a sample list yet",
                        )
                        .into());
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO case_study_samples (public_id, engagement_id, version, list_version, created_at) \
                         VALUES ($1, $2, 1, 0, $3) RETURNING id",
                    )
                    .bind(new_public_id())
                    .bind(engagement_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?;
                    id
                }
            };
            let clear_agreement = "UPDATE case_study_samples SET area_agreed_by = NULL, area_agreed_at = NULL, \
                 team_agreed_by = NULL, team_agreed_at = NULL, frozen_at = NULL WHERE id = $1";
            match write {
                SampleWrite::List { entries, population, reason } => {
                    sqlx::query(
                        "UPDATE case_study_entries SET removed_at = $2, picked = FALSE \
                         WHERE engagement_id = $1 AND removed_at IS NULL",
                    )
                    .bind(engagement_id)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                    for e in &entries {
                        sqlx::query(
                            "INSERT INTO case_study_entries (id, engagement_id, reference, age_band, primary_needs, \
                               support, school_phase, alternative_provision, multi_agency, created_at, removed_at, picked) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, FALSE) \
                             ON CONFLICT (engagement_id, reference) DO UPDATE SET age_band = excluded.age_band, \
                               primary_needs = excluded.primary_needs, support = excluded.support, \
                               school_phase = excluded.school_phase, \
                               alternative_provision = excluded.alternative_provision, \
                               multi_agency = excluded.multi_agency, removed_at = NULL, picked = FALSE",
                        )
                        .bind(new_public_id())
                        .bind(engagement_id)
                        .bind(&e.reference)
                        .bind(&e.age_band)
                        .bind(e.needs_codes())
                        .bind(e.support.as_str())
                        .bind(e.school_phase.as_str())
                        .bind(e.alternative_provision)
                        .bind(e.multi_agency)
                        .bind(&at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let population = if population.is_declared() {
                        serde_json::to_string(&population).map_err(|_| corrupt("population"))?
                    } else {
                        String::new()
                    };
                    let (list_version,): (i64,) = sqlx::query_as(
                        "UPDATE case_study_samples SET list_version = list_version + 1, population = $2 \
                         WHERE id = $1 RETURNING list_version",
                    )
                    .bind(sample_id)
                    .bind(population)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO case_study_list_versions (sample_id, list_version, entries, reason, changed_by, changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(sample_id)
                    .bind(list_version)
                    .bind(i64::try_from(entries.len()).unwrap_or(i64::MAX))
                    .bind(&reason)
                    .bind(by.id)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(clear_agreement).bind(sample_id).execute(&mut *tx).await?;
                    // A new list answers the team's request for more children.
                    sqlx::query(
                        "UPDATE case_study_samples SET more_asked_by = NULL, more_asked_at = NULL, \
                         more_asked_for = '' WHERE id = $1",
                    )
                    .bind(sample_id)
                    .execute(&mut *tx)
                    .await?;
                }
                SampleWrite::Pick { references, seed, reason } => {
                    sqlx::query("UPDATE case_study_entries SET picked = FALSE WHERE engagement_id = $1 AND removed_at IS NULL")
                        .bind(engagement_id)
                        .execute(&mut *tx)
                        .await?;
                    for r in &references {
                        sqlx::query(
                            "UPDATE case_study_entries SET picked = TRUE \
                             WHERE engagement_id = $1 AND reference = $2 AND removed_at IS NULL",
                        )
                        .bind(engagement_id)
                        .bind(r)
                        .execute(&mut *tx)
                        .await?;
                    }
                    sqlx::query(
                        "INSERT INTO case_study_picks (sample_id, list_version, seed, picked, reason, made_by, made_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(sample_id)
                    .bind(view.list_version)
                    .bind(seed.map(|s| s.to_string()).unwrap_or_default())
                    .bind(references.join("\n"))
                    .bind(&reason)
                    .bind(by.id)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(clear_agreement).bind(sample_id).execute(&mut *tx).await?;
                }
                SampleWrite::Agree(party) => {
                    let sql = match party {
                        crate::domain::case_studies::Party::Area => {
                            "UPDATE case_study_samples SET area_agreed_by = $2, area_agreed_at = $3 WHERE id = $1"
                        }
                        _ => "UPDATE case_study_samples SET team_agreed_by = $2, team_agreed_at = $3 WHERE id = $1",
                    };
                    sqlx::query(sql).bind(sample_id).bind(by.id).bind(&at).execute(&mut *tx).await?;
                    sqlx::query(
                        "UPDATE case_study_samples SET frozen_at = $2 WHERE id = $1 \
                         AND area_agreed_at IS NOT NULL AND team_agreed_at IS NOT NULL",
                    )
                    .bind(sample_id)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                }
                SampleWrite::AskForMore { missing } => {
                    sqlx::query(
                        "UPDATE case_study_samples SET more_asked_by = $2, more_asked_at = $3, more_asked_for = $4 \
                         WHERE id = $1",
                    )
                    .bind(sample_id)
                    .bind(by.id)
                    .bind(&at)
                    .bind(missing.join("\n"))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let (_, _, written) = load_sample!(tx, engagement, by);
            append_audit!(tx, now, &audit(&written));
            written
        }))
    }
}
