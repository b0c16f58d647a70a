//! `GET /documents/{id}`: a signed consent document, to the request's audience only, as an
//! attachment that is never cached. Every download is an audit event.

use std::sync::Arc;

use axum::{
    extract::{Path, Request, State},
    response::{IntoResponse as _, Response},
};
use http::{StatusCode, header};

use crate::{
    auth::{Authenticator, RequestId},
    domain::{audit::Actor, identity::Caller, public_id::parse_public_id},
    store::{Store, StoreError},
};

/// What the route needs.
#[derive(Debug, Clone)]
pub struct Documents {
    /// The store.
    pub store: Store,
    /// For the clock.
    pub auth: Arc<Authenticator>,
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}

/// Serves one document. The access check already ran; this narrows to the audience in SQL.
pub async fn download(State(docs): State<Documents>, Path(id): Path<String>, request: Request) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return not_found();
    };
    let Some(id) = parse_public_id(&id) else { return not_found() };
    let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let event = Actor::person(&caller.person, &request_id).event(
        "consent_document.read",
        "consent_document",
        id,
        "ok",
        "",
    );
    match docs.store.consent_document(id, &caller.person.scope, docs.auth.clock().now(), &event).await {
        Ok((content_type, sha256, bytes)) => {
            let extension = match content_type.as_str() {
                "application/pdf" => "pdf",
                "image/png" => "png",
                _ => "jpg",
            };
            let disposition = format!(
                "attachment; filename=\"consent-{id}-{}.{extension}\"",
                &sha256[..12.min(sha256.len())]
            );
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (header::HeaderName::from_static("x-content-sha256"), sha256),
                ],
                bytes,
            )
                .into_response()
        }
        Err(StoreError::NotFound) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "failed to serve a consent document");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
