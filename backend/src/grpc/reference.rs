//! `sendplanner.v1.ReferenceService`: regions and local areas.

use proto::pb::{
    self, ListLocalAreasRequest, ListLocalAreasResponse, ListRegionsRequest, ListRegionsResponse,
    reference_service_server::ReferenceService as Rpc,
};
use tonic::{Request, Response, Status};

use super::status;
use crate::{
    domain::{
        FieldViolation, InvalidInput,
        reference::{LocalArea, LocalAreaKind, LocalAreaQuery, LocalAreaQueryInput, Region},
    },
    store::Store,
};

/// Serves reference data from the store.
#[derive(Debug, Clone)]
pub struct ReferenceService {
    store: Store,
}

impl ReferenceService {
    /// A service over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn kind_from_pb(value: i32) -> Result<Option<LocalAreaKind>, i32> {
    match pb::LocalAreaKind::try_from(value) {
        Ok(pb::LocalAreaKind::Unspecified) => Ok(None),
        Ok(pb::LocalAreaKind::LondonBorough) => Ok(Some(LocalAreaKind::LondonBorough)),
        Ok(pb::LocalAreaKind::MetropolitanDistrict) => Ok(Some(LocalAreaKind::MetropolitanDistrict)),
        Ok(pb::LocalAreaKind::UnitaryAuthority) => Ok(Some(LocalAreaKind::UnitaryAuthority)),
        Ok(pb::LocalAreaKind::County) => Ok(Some(LocalAreaKind::County)),
        Err(_) => Err(value),
    }
}

/// A ListLocalAreas request's fields checked, every fault at once.
pub(crate) fn local_area_query(req: &ListLocalAreasRequest) -> Result<LocalAreaQuery, InvalidInput> {
    LocalAreaQuery::parse(LocalAreaQueryInput {
        region_code: &req.region_code,
        name_prefix: &req.name_prefix,
        kind: kind_from_pb(req.kind),
        include_retired: req.include_retired,
        page_size: req.page_size,
        page_token: &req.page_token,
    })
}

fn kind_to_pb(kind: LocalAreaKind) -> pb::LocalAreaKind {
    match kind {
        LocalAreaKind::LondonBorough => pb::LocalAreaKind::LondonBorough,
        LocalAreaKind::MetropolitanDistrict => pb::LocalAreaKind::MetropolitanDistrict,
        LocalAreaKind::UnitaryAuthority => pb::LocalAreaKind::UnitaryAuthority,
        LocalAreaKind::County => pb::LocalAreaKind::County,
    }
}

fn region_to_pb(r: Region) -> pb::Region {
    pb::Region { code: r.code, name: r.name, local_area_count: r.local_area_count }
}

fn local_area_to_pb(a: LocalArea) -> pb::LocalArea {
    pb::LocalArea {
        ons_code: a.ons_code,
        name: a.name,
        dfe_code: a.dfe_code.unwrap_or_default(),
        kind: kind_to_pb(a.kind).into(),
        region_code: a.region_code,
        region_name: a.region_name,
        retired_on: a.retired_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl Rpc for ReferenceService {
    async fn list_regions(
        &self,
        _request: Request<ListRegionsRequest>,
    ) -> Result<Response<ListRegionsResponse>, Status> {
        let regions = self.store.list_regions().await.map_err(status::from_store)?;
        Ok(Response::new(ListRegionsResponse { regions: regions.into_iter().map(region_to_pb).collect() }))
    }

    async fn list_local_areas(
        &self,
        request: Request<ListLocalAreasRequest>,
    ) -> Result<Response<ListLocalAreasResponse>, Status> {
        let query = local_area_query(&request.into_inner()).map_err(|e| status::invalid_argument(&e))?;
        if let Some(code) = &query.region_code
            && !self.store.region_exists(code).await.map_err(status::from_store)?
        {
            let violation = FieldViolation::new("region_code", format!("no region has code {code:?}"));
            return Err(status::invalid_argument(&InvalidInput::from(violation)));
        }
        let page = self.store.list_local_areas(&query).await.map_err(status::from_store)?;
        Ok(Response::new(ListLocalAreasResponse {
            local_areas: page.local_areas.into_iter().map(local_area_to_pb).collect(),
            next_page_token: page.next.map(|c| c.encode()).unwrap_or_default(),
            total_size: page.total_size,
        }))
    }
}
