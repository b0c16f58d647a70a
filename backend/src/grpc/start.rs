//! `sendplanner.v1.StartService`: what waits for the signed-in person. The store loads each
//! list within the caller's scope; `domain::start_page` decides what reaches whom.

use std::sync::Arc;

use proto::pb::{self, GetStartPageRequest, GetStartPageResponse, start_service_server::StartService as Rpc};
use tonic::{Request, Response, Status};

use super::{
    consent::term_to_pb,
    convert::{caller, kind_to_pb},
    status,
};
use crate::{
    auth::Authenticator,
    domain::{
        identity::Scope,
        letters::LetterRecord,
        start_page::{StartFacts, end_of_notice_week, start_page},
    },
    store::Store,
};

/// Start pages.
#[derive(Debug, Clone)]
pub struct StartService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl StartService {
    /// A service over `store`, timed by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

fn letter_to_pb(l: LetterRecord) -> pb::LetterDue {
    pb::LetterDue {
        letter_id: l.public_id,
        title: l.title,
        local_area_name: l.local_area_name,
        engagement_kind: kind_to_pb(l.engagement_kind).into(),
        returned_reason: l.returned_reason,
        issued_at: l.issued_at.unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl Rpc for StartService {
    async fn get_start_page(
        &self,
        request: Request<GetStartPageRequest>,
    ) -> Result<Response<GetStartPageResponse>, Status> {
        let caller = caller(&request)?;
        let viewer = &caller.person;
        let now = self.auth.clock().now();
        let today = now.date_naive();
        let store = status::store("start page");
        let facts = StartFacts {
            today,
            requests: self.store.unanswered_requests(&viewer.scope, today).await.map_err(store)?,
            letters: self.store.waiting_letters(viewer, now).await.map_err(status::store("letter"))?,
            engagements: self
                .store
                .notices_pending(viewer, end_of_notice_week(today), today)
                .await
                .map_err(status::store("engagement"))?,
            concerns: if viewer.scope == Scope::England {
                self.store.safeguarding_concerns().await.map_err(status::store("safeguarding concern"))?
            } else {
                Vec::new()
            },
            more_asked: if matches!(viewer.scope, Scope::LocalArea(_)) {
                self.store.case_studies_asked(viewer).await.map_err(status::store("engagement"))?
            } else {
                Vec::new()
            },
        };
        let page = start_page(viewer, facts);
        Ok(Response::new(GetStartPageResponse {
            replies: page
                .replies
                .into_iter()
                .map(|r| pb::ReplyDue {
                    request_id: r.request.id,
                    local_area_name: r.request.local_area_name,
                    region_name: r.request.region_name,
                    phase: Some(pb::Phase {
                        term: term_to_pb(r.request.term).into(),
                        academic_year: r.request.academic_year,
                    }),
                    reply_by: r.request.reply_by.to_string(),
                    overdue: r.overdue,
                })
                .collect(),
            unread_letters: page.unread_letters.into_iter().map(letter_to_pb).collect(),
            returned_letters: page.returned_letters.into_iter().map(letter_to_pb).collect(),
            letters_to_approve: page.letters_to_approve.into_iter().map(letter_to_pb).collect(),
            notices: page
                .notices
                .into_iter()
                .map(|n| pb::NoticeDue {
                    engagement_id: n.engagement.public_id,
                    local_area_name: n.engagement.local_area_name,
                    region_name: n.engagement.region_name,
                    kind: kind_to_pb(n.engagement.kind).into(),
                    notification_date: n.notification.to_string(),
                    onsite_first: n.engagement.onsite.first.to_string(),
                    overdue: n.overdue,
                })
                .collect(),
            concerns: page
                .concerns
                .into_iter()
                .map(|c| pb::ConcernDue {
                    concern_id: c.id,
                    local_area_name: c.local_area_name,
                    region_name: c.region_name,
                    raised_at: c.raised_at,
                })
                .collect(),
            case_studies_asked: page
                .more_asked
                .into_iter()
                .map(|m| pb::CaseStudiesAsked {
                    engagement_id: m.engagement_id,
                    local_area_name: m.local_area_name,
                    kind: kind_to_pb(m.kind).into(),
                    asked_at: m.asked_at,
                })
                .collect(),
        }))
    }
}
