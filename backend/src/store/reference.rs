//! Regions and local areas.

use sha2::{Digest, Sha256};

use super::{Store, StoreError, with_pool};
use crate::domain::{
    reference::{LocalArea, LocalAreaPage, LocalAreaQuery, PageCursor, Region, name_key},
    reference_data::{LAS_CSV, REGIONS_CSV, parse_local_areas, parse_regions},
};

#[derive(sqlx::FromRow)]
struct RegionRow {
    code: String,
    name: String,
    local_area_count: i64,
}

#[derive(sqlx::FromRow)]
struct LocalAreaRow {
    ons_code: String,
    name: String,
    name_key: String,
    dfe_code: Option<String>,
    kind: String,
    region_code: String,
    region_name: String,
    retired_on: Option<chrono::NaiveDate>,
}

const LIST_REGIONS: &str = "\
    SELECT r.code, r.name, COUNT(a.ons_code) AS local_area_count \
    FROM regions r LEFT JOIN local_areas a ON a.region_code = r.code AND a.retired_on IS NULL \
    GROUP BY r.code, r.name, r.sort_order \
    ORDER BY r.sort_order";

/// Filters shared by the page and the count: $1 region, $2 LIKE pattern, $3 kind,
/// $4 include retired. An empty text parameter means "no filter".
macro_rules! area_filters {
    () => {
        "($1 = '' OR a.region_code = $1) \
         AND ($2 = '' OR a.name_key LIKE $2 ESCAPE '\\') \
         AND ($3 = '' OR a.kind = $3) \
         AND ($4 OR a.retired_on IS NULL)"
    };
}

/// A page of areas: the filters, then $5/$6 the (name_key, ons_code) the last page ended on,
/// $7 the row limit.
const LIST_AREAS: &str = concat!(
    "SELECT a.ons_code, a.name, a.name_key, a.dfe_code, a.kind, a.region_code, \
            r.name AS region_name, a.retired_on \
     FROM local_areas a JOIN regions r ON r.code = a.region_code WHERE ",
    area_filters!(),
    " AND ($5 = '' OR a.name_key > $5 OR (a.name_key = $5 AND a.ons_code > $6)) \
     ORDER BY a.name_key, a.ons_code LIMIT $7"
);

/// How many areas match the filters.
const COUNT_AREAS: &str = concat!("SELECT COUNT(*) FROM local_areas a WHERE ", area_filters!());

/// Escapes LIKE wildcards in a user's prefix and appends the trailing `%`.
fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// Loads `migrations/data/{regions,las}.csv` in one transaction, once per version of the
    /// files: rows are upserted by code, so a corrected file updates names and dates in place.
    pub(super) async fn load_reference_data(&self) -> Result<(), StoreError> {
        let digest = hex::encode(Sha256::new().chain_update(REGIONS_CSV).chain_update(LAS_CSV).finalize());
        let regions = parse_regions(REGIONS_CSV)?;
        let areas = parse_local_areas(LAS_CSV)?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let loaded: Option<(String,)> =
                sqlx::query_as("SELECT sha256 FROM reference_data_loads WHERE sha256 = $1")
                    .bind(&digest)
                    .fetch_optional(&mut *tx)
                    .await?;
            if loaded.is_some() {
                return Ok(());
            }
            for r in &regions {
                sqlx::query(
                    "INSERT INTO regions (code, name, sort_order) VALUES ($1, $2, $3) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order",
                )
                .bind(&r.code)
                .bind(&r.name)
                .bind(r.sort_order)
                .execute(&mut *tx)
                .await?;
            }
            for a in &areas {
                sqlx::query(
                    "INSERT INTO local_areas \
                       (ons_code, name, name_key, dfe_code, kind, region_code, operational_from, retired_on) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (ons_code) DO UPDATE SET name = excluded.name, \
                       name_key = excluded.name_key, dfe_code = excluded.dfe_code, kind = excluded.kind, \
                       region_code = excluded.region_code, operational_from = excluded.operational_from, \
                       retired_on = excluded.retired_on",
                )
                .bind(&a.ons_code)
                .bind(&a.name)
                .bind(name_key(&a.name))
                .bind(&a.dfe_code)
                .bind(a.kind.as_str())
                .bind(&a.region_code)
                .bind(a.operational_from)
                .bind(a.retired_on)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO reference_data_loads (sha256, regions, local_areas) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&digest)
            .bind(i64::try_from(regions.len()).unwrap_or(i64::MAX))
            .bind(i64::try_from(areas.len()).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        tracing::info!(regions = regions.len(), local_areas = areas.len(), "loaded reference data");
        Ok(())
    }

    /// The ten regions with their current local-area counts.
    pub async fn list_regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows: Vec<RegionRow> =
            with_pool!(self, pool => sqlx::query_as(LIST_REGIONS).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| Region {
                code: r.code,
                name: r.name,
                local_area_count: u32::try_from(r.local_area_count).unwrap_or(u32::MAX),
            })
            .collect())
    }

    /// Whether a region has this code.
    pub async fn region_exists(&self, code: &str) -> Result<bool, StoreError> {
        let found: Option<(String,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code FROM regions WHERE code = $1").bind(code).fetch_optional(pool).await?
        });
        Ok(found.is_some())
    }

    /// One page of local areas matching `q`, ordered by name, with the total over all pages.
    pub async fn list_local_areas(&self, q: &LocalAreaQuery) -> Result<LocalAreaPage, StoreError> {
        let region = q.region_code.clone().unwrap_or_default();
        let pattern = q.name_prefix.as_deref().map(like_prefix).unwrap_or_default();
        let kind = q.kind.map(|k| k.as_str()).unwrap_or_default();
        let (after_key, after_code) =
            q.after.as_ref().map(|c| (c.name_key.as_str(), c.ons_code.as_str())).unwrap_or_default();
        let limit = i64::from(q.page_size) + 1;
        let (mut rows, total): (Vec<LocalAreaRow>, i64) = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query_as(LIST_AREAS)
                .bind(&region)
                .bind(&pattern)
                .bind(kind)
                .bind(q.include_retired)
                .bind(after_key)
                .bind(after_code)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let (total,): (i64,) = sqlx::query_as(COUNT_AREAS)
                .bind(&region)
                .bind(&pattern)
                .bind(kind)
                .bind(q.include_retired)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            (rows, total)
        });
        let next = if rows.len() > q.page_size as usize {
            rows.truncate(q.page_size as usize);
            rows.last().map(|r| PageCursor { name_key: r.name_key.clone(), ons_code: r.ons_code.clone() })
        } else {
            None
        };
        let local_areas = rows
            .into_iter()
            .map(|r| {
                Ok(LocalArea {
                    kind: r
                        .kind
                        .parse()
                        .map_err(|e| StoreError::Unexpected(sqlx::Error::Decode(Box::new(e))))?,
                    ons_code: r.ons_code,
                    name: r.name,
                    dfe_code: r.dfe_code,
                    region_code: r.region_code,
                    region_name: r.region_name,
                    retired_on: r.retired_on,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(LocalAreaPage { local_areas, next, total_size: u32::try_from(total).unwrap_or(u32::MAX) })
    }
}

#[cfg(test)]
mod tests {
    use super::like_prefix;

    #[test]
    fn like_wildcards_in_a_prefix_match_only_themselves() {
        assert_eq!(like_prefix("a%b_c\\"), "a\\%b\\_c\\\\%");
    }
}
