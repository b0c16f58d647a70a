//! England's regions and local areas, and the queries over them.

use std::{fmt, str::FromStr};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{FieldViolation, InvalidInput};

/// The kind of local authority that leads a local area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalAreaKind {
    /// A London borough (Inner or Outer London).
    LondonBorough,
    /// A metropolitan district.
    MetropolitanDistrict,
    /// A unitary authority.
    UnitaryAuthority,
    /// A county council.
    County,
}

impl LocalAreaKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 4] =
        [Self::LondonBorough, Self::MetropolitanDistrict, Self::UnitaryAuthority, Self::County];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LondonBorough => "london_borough",
            Self::MetropolitanDistrict => "metropolitan_district",
            Self::UnitaryAuthority => "unitary_authority",
            Self::County => "county",
        }
    }

    /// The kind named by a DfE `entity_description` (e.g. "London Boroughs").
    pub fn from_entity_description(text: &str) -> Option<Self> {
        match text {
            "London Boroughs" => Some(Self::LondonBorough),
            "Metropolitan Districts" => Some(Self::MetropolitanDistrict),
            "Unitary Authorities" => Some(Self::UnitaryAuthority),
            "Counties" => Some(Self::County),
            _ => None,
        }
    }
}

impl fmt::Display for LocalAreaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stored name did not match any kind.
#[derive(Debug, thiserror::Error)]
#[error("unknown local area kind {0:?}")]
pub struct UnknownKind(pub String);

impl FromStr for LocalAreaKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A region with the number of current local areas in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// ONS code, e.g. `E12000001`.
    pub code: String,
    /// e.g. "North East".
    pub name: String,
    /// Current local areas in the region.
    pub local_area_count: u32,
}

/// A local area: a local authority with children's services and its NHS partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalArea {
    /// ONS code, unique across history.
    pub ons_code: String,
    /// e.g. "Camden".
    pub name: String,
    /// DfE 3-digit code; absent for some long-retired areas.
    pub dfe_code: Option<String>,
    /// Kind of local authority.
    pub kind: LocalAreaKind,
    /// Code of its region.
    pub region_code: String,
    /// Name of its region.
    pub region_name: String,
    /// The day it stopped operating; `None` while current.
    pub retired_on: Option<chrono::NaiveDate>,
}

/// Page size used when a request asks for 0.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page served; larger requests are served this many.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Longest name prefix accepted.
pub const MAX_NAME_PREFIX_CHARS: usize = 100;
/// Longest page token accepted; the server never issues longer ones.
pub const MAX_PAGE_TOKEN_CHARS: usize = 400;

/// Reads a requested page size: 0 means the default, anything above the maximum is served the
/// maximum, and a negative size is refused naming `page_size`.
pub fn page_size(requested: i32) -> Result<u32, FieldViolation> {
    match requested {
        n if n < 0 => Err(FieldViolation::new("page_size", "must not be negative")),
        0 => Ok(DEFAULT_PAGE_SIZE),
        n => Ok(n.unsigned_abs().min(MAX_PAGE_SIZE)),
    }
}

/// Where the previous page ended: the sort key of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    /// Lower-cased name of the last area served.
    pub name_key: String,
    /// ONS code of the last area served (breaks ties between equal names).
    pub ons_code: String,
}

impl PageCursor {
    /// The opaque token handed to the client.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1\n{}\n{}", self.name_key, self.ons_code))
    }

    /// Reads a token this server issued.
    pub fn decode(token: &str) -> Result<Self, FieldViolation> {
        let bad = || FieldViolation::new("page_token", "is not a page token this server issued");
        if token.chars().count() > MAX_PAGE_TOKEN_CHARS {
            return Err(FieldViolation::new(
                "page_token",
                format!("is longer than {MAX_PAGE_TOKEN_CHARS} characters"),
            ));
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = text.splitn(3, '\n');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(name_key), Some(ons_code)) if !ons_code.is_empty() => {
                Ok(Self { name_key: name_key.to_owned(), ons_code: ons_code.to_owned() })
            }
            _ => Err(bad()),
        }
    }
}

/// A validated request for a page of local areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAreaQuery {
    /// Only this region, if set. Whether it exists is checked by the store.
    pub region_code: Option<String>,
    /// Only names starting with this, lower-cased.
    pub name_prefix: Option<String>,
    /// Only this kind, if set.
    pub kind: Option<LocalAreaKind>,
    /// Include retired areas.
    pub include_retired: bool,
    /// Rows per page, 1..=MAX_PAGE_SIZE.
    pub page_size: u32,
    /// Continue after this row.
    pub after: Option<PageCursor>,
}

/// The raw parts of a local-area request, as they arrive.
#[derive(Debug, Clone)]
pub struct LocalAreaQueryInput<'a> {
    /// Region code or empty.
    pub region_code: &'a str,
    /// Name prefix or empty.
    pub name_prefix: &'a str,
    /// Kind, or `None` for all kinds; `Err(n)` for a number that names no kind.
    pub kind: Result<Option<LocalAreaKind>, i32>,
    /// Include retired areas.
    pub include_retired: bool,
    /// Requested page size.
    pub page_size: i32,
    /// Page token or empty.
    pub page_token: &'a str,
}

impl LocalAreaQuery {
    /// Checks every field, reporting all that are wrong at once.
    pub fn parse(input: LocalAreaQueryInput<'_>) -> Result<Self, InvalidInput> {
        let mut errors = Vec::new();
        let region_code = input.region_code.trim();
        if region_code.len() > 16 || !region_code.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(FieldViolation::new("region_code", "is not a region code"));
        }
        let name_prefix = input.name_prefix.trim();
        if name_prefix.chars().count() > MAX_NAME_PREFIX_CHARS {
            errors.push(FieldViolation::new(
                "name_prefix",
                format!("is longer than {MAX_NAME_PREFIX_CHARS} characters"),
            ));
        }
        let kind = input.kind.unwrap_or_else(|n| {
            errors.push(FieldViolation::new("kind", format!("{n} is not a local area kind")));
            None
        });
        let page_size = page_size(input.page_size).unwrap_or_else(|e| {
            errors.push(e);
            0
        });
        let after = match input.page_token {
            "" => None,
            token => PageCursor::decode(token).map_err(|e| errors.push(e)).ok(),
        };
        if !errors.is_empty() {
            return Err(InvalidInput(errors));
        }
        Ok(Self {
            region_code: (!region_code.is_empty()).then(|| region_code.to_owned()),
            name_prefix: (!name_prefix.is_empty()).then(|| name_prefix.to_lowercase()),
            kind,
            include_retired: input.include_retired,
            page_size,
            after,
        })
    }
}

/// A page of local areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAreaPage {
    /// The areas, ordered by name then ONS code.
    pub local_areas: Vec<LocalArea>,
    /// Where the next page starts, if there is one.
    pub next: Option<PageCursor>,
    /// Matching areas over all pages.
    pub total_size: u32,
}

/// The key local areas are sorted and paged by.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> LocalAreaQueryInput<'static> {
        LocalAreaQueryInput {
            region_code: "",
            name_prefix: "",
            kind: Ok(None),
            include_retired: false,
            page_size: 0,
            page_token: "",
        }
    }

    #[test]
    fn zero_page_size_means_the_default() {
        let q = LocalAreaQuery::parse(input()).expect("valid");
        assert_eq!(q.page_size, DEFAULT_PAGE_SIZE);
    }

    #[test]
    fn oversized_page_size_is_capped() {
        let q = LocalAreaQuery::parse(LocalAreaQueryInput { page_size: 10_000, ..input() }).expect("valid");
        assert_eq!(q.page_size, MAX_PAGE_SIZE);
    }

    #[test]
    fn negative_page_size_is_rejected_naming_the_field() {
        let err =
            LocalAreaQuery::parse(LocalAreaQueryInput { page_size: -1, ..input() }).expect_err("invalid");
        assert_eq!(err.0[0].field, "page_size");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = LocalAreaQuery::parse(LocalAreaQueryInput {
            page_size: -5,
            kind: Err(42),
            page_token: "!!!",
            ..input()
        })
        .expect_err("invalid");
        let fields: Vec<_> = err.0.iter().map(|v| v.field).collect();
        assert_eq!(fields, ["kind", "page_size", "page_token"]);
    }

    #[test]
    fn page_tokens_round_trip() {
        let cursor = PageCursor { name_key: "bristol, city of".into(), ons_code: "E06000023".into() };
        assert_eq!(PageCursor::decode(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn oversized_page_token_is_rejected() {
        let token = "A".repeat(MAX_PAGE_TOKEN_CHARS + 1);
        let err = PageCursor::decode(&token).expect_err("too long");
        assert_eq!(err.field, "page_token");
        assert!(err.reason.contains("longer than"), "{}", err.reason);
    }

    #[test]
    fn forged_page_token_is_rejected() {
        let forged = URL_SAFE_NO_PAD.encode("v2\nx\ny");
        assert!(PageCursor::decode(&forged).is_err());
    }

    #[test]
    fn name_prefix_is_lower_cased_and_trimmed() {
        let q =
            LocalAreaQuery::parse(LocalAreaQueryInput { name_prefix: " CaM ", ..input() }).expect("valid");
        assert_eq!(q.name_prefix.as_deref(), Some("cam"));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in LocalAreaKind::ALL {
            assert_eq!(kind.as_str().parse::<LocalAreaKind>().ok(), Some(kind));
        }
    }
}
