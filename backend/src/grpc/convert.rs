//! Proto <-> domain conversions shared by the services.

use proto::pb;
use tonic::{Request, Status};

use crate::{
    auth::RequestId,
    domain::identity::{Caller, Inspectorate, Person, RecipientBody, Role, Scope},
};

/// The signed-in caller. The access check put it there for every non-public method, so its
/// absence is a server fault, not the caller's.
pub fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| super::status::internal_fault("handler for a signed-in method ran without a caller"))
}

/// The request's id (empty if the access check did not run, as in unit tests).
pub fn request_id<T>(request: &Request<T>) -> String {
    request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}

/// Domain role to proto.
pub fn role_to_pb(role: Role) -> pb::Role {
    match role {
        Role::NationalPlanner => pb::Role::NationalPlanner,
        Role::RegionalLead => pb::Role::RegionalLead,
        Role::LocalAreaUser => pb::Role::LocalAreaUser,
        Role::Inspector => pb::Role::Inspector,
        Role::RecipientBody => pb::Role::RecipientBody,
        Role::Administrator => pb::Role::Administrator,
    }
}

/// Proto role to domain; `None` for unspecified or unknown values.
pub fn role_from_pb(value: i32) -> Option<Role> {
    match pb::Role::try_from(value).ok()? {
        pb::Role::Unspecified => None,
        pb::Role::NationalPlanner => Some(Role::NationalPlanner),
        pb::Role::RegionalLead => Some(Role::RegionalLead),
        pb::Role::LocalAreaUser => Some(Role::LocalAreaUser),
        pb::Role::Inspector => Some(Role::Inspector),
        pb::Role::RecipientBody => Some(Role::RecipientBody),
        pb::Role::Administrator => Some(Role::Administrator),
    }
}

/// Proto inspectorate to domain.
pub fn inspectorate_from_pb(value: i32) -> Option<Inspectorate> {
    match pb::Inspectorate::try_from(value).ok()? {
        pb::Inspectorate::Unspecified => None,
        pb::Inspectorate::Ofsted => Some(Inspectorate::Ofsted),
        pb::Inspectorate::Cqc => Some(Inspectorate::Cqc),
    }
}

/// Proto recipient body to domain.
pub fn recipient_body_from_pb(value: i32) -> Option<RecipientBody> {
    match pb::RecipientBody::try_from(value).ok()? {
        pb::RecipientBody::Unspecified => None,
        pb::RecipientBody::Dfe => Some(RecipientBody::Dfe),
        pb::RecipientBody::NhsEngland => Some(RecipientBody::NhsEngland),
    }
}

/// An account as administrators see it: the person, whether disabled, its version.
pub fn account_to_pb(a: &crate::domain::identity::AccountFacts) -> pb::Person {
    pb::Person {
        disabled: a.disabled,
        version: a.version,
        must_change_password: a.must_change_password,
        email: a.email.clone().unwrap_or_default(),
        ..person_to_pb(&a.person)
    }
}

/// A person as the contract shows them (never a password hash).
pub fn person_to_pb(p: &Person) -> pb::Person {
    let mut out = pb::Person {
        id: p.id.to_string(),
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        role: role_to_pb(p.role()).into(),
        scope_label: p.scope_label.clone(),
        ..Default::default()
    };
    match &p.scope {
        Scope::England | Scope::Accounts => {}
        Scope::Region(code) => out.region_code.clone_from(code),
        Scope::LocalArea(code) => out.local_area_code.clone_from(code),
        Scope::Inspector { inspectorate, social_care, home_region } => {
            out.region_code.clone_from(home_region);
            out.social_care = *social_care;
            out.inspectorate = match inspectorate {
                Inspectorate::Ofsted => pb::Inspectorate::Ofsted,
                Inspectorate::Cqc => pb::Inspectorate::Cqc,
            }
            .into();
        }
        Scope::Body(body) => {
            out.recipient_body = match body {
                RecipientBody::Dfe => pb::RecipientBody::Dfe,
                RecipientBody::NhsEngland => pb::RecipientBody::NhsEngland,
            }
            .into();
        }
    }
    out
}

/// Engagement kind to proto.
pub fn kind_to_pb(k: crate::domain::programme::EngagementKind) -> pb::EngagementKind {
    use crate::domain::programme::EngagementKind;
    match k {
        EngagementKind::FullInspection => pb::EngagementKind::FullInspection,
        EngagementKind::LegacyInspection => pb::EngagementKind::LegacyInspection,
        EngagementKind::MonitoringInspection => pb::EngagementKind::MonitoringInspection,
        EngagementKind::InterimVisit => pb::EngagementKind::InterimVisit,
        EngagementKind::EngagementMeeting => pb::EngagementKind::EngagementMeeting,
        EngagementKind::ThematicVisit => pb::EngagementKind::ThematicVisit,
    }
}

/// Days to proto (ISO dates).
pub fn range_to_pb(r: crate::domain::consent::DateRange) -> pb::DateRange {
    pb::DateRange { first_day: r.first.to_string(), last_day: r.last.to_string() }
}
