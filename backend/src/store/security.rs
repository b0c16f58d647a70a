//! Misses: requests for records the caller may not see, counted per caller, minute and kind.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Store, StoreError, with_pool};
use crate::domain::security::{SUSPICIOUS_MISSES, WINDOW_HOURS, minute_of};

/// A caller with repeated misses in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspiciousCaller {
    /// Their username.
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// Their role (stored name).
    pub role: String,
    /// Misses in the window.
    pub misses: i64,
    /// The first minute with a miss.
    pub first_minute: String,
    /// The last minute with a miss.
    pub last_minute: String,
    /// The kinds of record asked for, with their misses, most first.
    pub targets: Vec<(String, i64)>,
}

impl Store {
    /// Counts one miss by `person` for a record of kind `target` at `at`.
    pub async fn record_miss(&self, person: i64, target: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO security_events (person_id, minute, target, misses) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (person_id, minute, target) DO UPDATE SET misses = security_events.misses + 1",
            )
            .bind(person)
            .bind(minute_of(at))
            .bind(target)
            .execute(pool)
            .await
            .map(|_| ())?
        });
        Ok(())
    }

    /// Callers with at least [`SUSPICIOUS_MISSES`] misses in the [`WINDOW_HOURS`] before `now`,
    /// most misses first. One query.
    pub async fn suspicious_callers(&self, now: DateTime<Utc>) -> Result<Vec<SuspiciousCaller>, StoreError> {
        let since = minute_of(now - TimeDelta::hours(WINDOW_HOURS));
        let rows: Vec<(i64, String, String, String, String, String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.username, p.display_name, p.role, s.minute, s.target, s.misses \
                 FROM security_events s JOIN people p ON p.id = s.person_id \
                 WHERE s.minute >= $1 ORDER BY p.id, s.minute",
            )
            .bind(&since)
            .fetch_all(pool)
            .await?
        });
        let mut out: Vec<(i64, SuspiciousCaller)> = Vec::new();
        for (id, username, display_name, role, minute, target, misses) in rows {
            let at = match out.iter().position(|(p, _)| *p == id) {
                Some(at) => at,
                None => {
                    out.push((
                        id,
                        SuspiciousCaller {
                            username,
                            display_name,
                            role,
                            misses: 0,
                            first_minute: minute.clone(),
                            last_minute: minute.clone(),
                            targets: Vec::new(),
                        },
                    ));
                    out.len() - 1
                }
            };
            let caller = &mut out[at].1;
            caller.misses += misses;
            caller.last_minute = minute;
            match caller.targets.iter_mut().find(|t| t.0 == target) {
                Some(t) => t.1 += misses,
                None => caller.targets.push((target, misses)),
            }
        }
        let mut out: Vec<SuspiciousCaller> =
            out.into_iter().map(|(_, c)| c).filter(|c| c.misses >= SUSPICIOUS_MISSES).collect();
        for c in &mut out {
            c.targets.sort_by_key(|t| std::cmp::Reverse(t.1));
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.misses));
        Ok(out)
    }
}
