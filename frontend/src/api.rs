//! The one place that talks to the backend. Pages call these functions and get plain data or
//! an [`ApiError`] they can show.

use std::fmt;

use proto::pb::{
    ListLocalAreasRequest, ListLocalAreasResponse, ListRegionsRequest, Region,
    reference_service_client::ReferenceServiceClient,
};
use tonic::Code;
use tonic_web_wasm_client::Client;

/// A failed call, ready to show to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The gRPC status code.
    pub(crate) code: Code,
    /// The server's message, naming the field and the reason for bad input.
    pub(crate) message: String,
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        Self {
            code: status.code(),
            message: status.message().to_owned(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            // The browser could not reach the server at all (fetch failed), or it answered
            // without a gRPC status.
            Code::Unavailable | Code::Unknown => f.write_str(
                "SEND Planner could not reach its server. Check your connection, then try again.",
            ),
            Code::Internal => f.write_str("Something went wrong on the server. Try again later."),
            _ => f.write_str(&self.message),
        }
    }
}

/// Where the backend is: the page's own origin (one port serves the app and the API).
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn reference() -> ReferenceServiceClient<Client> {
    ReferenceServiceClient::new(Client::new(origin()))
}

/// The ten regions with their current local-area counts.
pub(crate) async fn list_regions() -> Result<Vec<Region>, ApiError> {
    let response = reference().list_regions(ListRegionsRequest {}).await?;
    Ok(response.into_inner().regions)
}

/// Current local areas of a region whose names start with `name_prefix`.
pub(crate) async fn list_local_areas(
    region_code: String,
    name_prefix: String,
) -> Result<ListLocalAreasResponse, ApiError> {
    let request = ListLocalAreasRequest {
        region_code,
        name_prefix,
        page_size: 200,
        ..Default::default()
    };
    Ok(reference().list_local_areas(request).await?.into_inner())
}
