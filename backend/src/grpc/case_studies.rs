//! `sendplanner.v1.CaseStudyService`: case-study samples. Each handler decodes the request,
//! lets the store load the sample (only for those who may see its engagement: anyone else is
//! answered exactly as for a missing engagement) and run [`case_studies::decide`] inside the
//! write's transaction, and encodes what it returns. Reads are audited.

use std::sync::Arc;

use proto::pb::{self, case_study_service_server::CaseStudyService as Rpc};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, request_id},
    status,
};
use crate::{
    auth::Authenticator,
    domain::{
        audit::Actor,
        case_studies::{
            self, CSV_TEMPLATE, Entry, Party, Population, RuleCheck, Rules, SampleChange, SampleView,
            check_pick, list_shortfalls, parse_csv, representativeness,
        },
        identity::Caller,
        public_id::parse_public_id,
    },
    store::Store,
};

/// What a missing or hidden engagement answers.
const ENGAGEMENT: &str = "engagement";

/// Case-study samples.
#[derive(Debug, Clone)]
pub struct CaseStudyService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl CaseStudyService {
    /// A service over `store`, timed by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }

    async fn read(
        &self,
        caller: &Caller,
        rid: &str,
        id: &str,
        action: &'static str,
    ) -> Result<SampleView, Status> {
        let id = parse_public_id(id).ok_or_else(|| status::not_found(ENGAGEMENT))?;
        let actor = Actor::person(&caller.person, rid);
        self.store
            .case_study_sample(id, &caller.person, self.auth.clock().now(), |view| {
                actor.event(action, "engagement", &view.engagement_id, "ok", "")
            })
            .await
            .map_err(status::store(ENGAGEMENT))
    }

    async fn change(
        &self,
        caller: &Caller,
        rid: &str,
        id: &str,
        version: i64,
        change: SampleChange,
        action: &'static str,
    ) -> Result<pb::CaseStudySample, Status> {
        let id = parse_public_id(id).ok_or_else(|| status::not_found(ENGAGEMENT))?;
        let party = Party::of(&caller.person.scope);
        let actor = Actor::person(&caller.person, rid);
        let view = self
            .store
            .change_case_study_sample(
                id,
                &caller.person,
                self.auth.clock().now(),
                |facts| case_studies::decide(party, facts, version, change),
                |view| {
                    let detail = format!("list version {}, {} picked", view.list_version, view.picked.len());
                    actor.event(action, "engagement", &view.engagement_id, "ok", &detail)
                },
            )
            .await
            .map_err(status::store(ENGAGEMENT))?;
        Ok(to_pb(&view, party))
    }
}

fn rule_to_pb(c: RuleCheck) -> pb::CaseStudyRule {
    pb::CaseStudyRule { rule: c.rule.to_owned(), met: c.met, missing: c.missing, message: c.message }
}

pub(crate) fn population_from_pb(p: Option<&pb::CaseStudyPopulation>) -> Population {
    p.map(|p| Population {
        needs: [
            p.communication_interaction,
            p.cognition_learning,
            p.social_emotional_mental_health,
            p.sensory_physical,
        ],
        sen_support: p.sen_support,
        ehc_plan: p.ehc_plan,
    })
    .unwrap_or_default()
}

/// The entries of a list that `references` name (trimmed, any case), in the list's order.
pub(crate) fn picked_by<'a>(entries: &'a [Entry], references: &[String]) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|e| references.iter().any(|r| r.trim().eq_ignore_ascii_case(&e.reference)))
        .collect()
}

fn rules_summary(rules: Option<Rules>) -> &'static str {
    match rules {
        Some(Rules::Interim) => {
            "An interim visit has 4 to 6 case studies: at least 2 on SEN Support and at least 3 receiving \
             multi-agency support."
        }
        Some(Rules::Full) => {
            "A full inspection case-tracks 6 children: covering each of the 4 areas of need, at least 2 on \
             SEN Support and at least 1 in alternative provision."
        }
        None => "This engagement has no case studies.",
    }
}

/// The sample as `party` may see it, with what they may do now.
fn to_pb(view: &SampleView, party: Party) -> pb::CaseStudySample {
    let rules = Rules::for_kind(view.kind);
    let picked = view.picked_entries();
    let (pick_rules, shortfalls) = match rules {
        Some(r) => (
            check_pick(r, &picked).into_iter().map(rule_to_pb).collect(),
            list_shortfalls(r, &view.entries)
                .into_iter()
                .map(|f| pb::CaseStudyRule {
                    rule: f.rule.to_owned(),
                    met: false,
                    missing: 1,
                    message: f.message,
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut actions = Vec::new();
    if rules.is_some() {
        match party {
            Party::Area => actions.push(pb::CaseStudyAction::Upload),
            Party::Team if !view.entries.is_empty() => {
                actions.push(pb::CaseStudyAction::Pick);
                if rules.is_some_and(|r| !list_shortfalls(r, &view.entries).is_empty()) {
                    actions.push(pb::CaseStudyAction::AskForMore);
                }
            }
            _ => {}
        }
        let agreed = match party {
            Party::Area => view.area_agreed.is_some(),
            Party::Team => view.team_agreed.is_some(),
            Party::Viewer => true,
        };
        let valid_pick =
            rules.is_some_and(|r| !picked.is_empty() && case_studies::pick_findings(r, &picked).is_empty());
        if !agreed && valid_pick {
            actions.push(pb::CaseStudyAction::Agree);
        }
    }
    let population = &view.population;
    let agreement = |a: &Option<case_studies::Agreement>| {
        a.as_ref().map(|a| pb::CaseStudyAgreement { by: a.by.clone(), at: a.at.clone() })
    };
    pb::CaseStudySample {
        id: view.public_id.clone().unwrap_or_default(),
        engagement_id: view.engagement_id.clone(),
        local_area_name: view.local_area_name.clone(),
        has_case_studies: rules.is_some(),
        rules_summary: rules_summary(rules).to_owned(),
        version: view.version,
        list_version: view.list_version,
        entries: view
            .entries
            .iter()
            .map(|e| pb::CaseStudyEntry {
                reference: e.reference.clone(),
                age_band: e.age_band.clone(),
                needs: e.needs.iter().map(|n| n.label().to_owned()).collect(),
                support: e.support.label().to_owned(),
                alternative_provision: e.alternative_provision,
                multi_agency: e.multi_agency,
                school_phase: e.school_phase.label().to_owned(),
                picked: view.picked.contains(&e.reference),
            })
            .collect(),
        pick_rules,
        list_shortfalls: shortfalls,
        seed: view.seed.clone().unwrap_or_default(),
        population: population.is_declared().then(|| pb::CaseStudyPopulation {
            communication_interaction: population.needs[0],
            cognition_learning: population.needs[1],
            social_emotional_mental_health: population.needs[2],
            sensory_physical: population.needs[3],
            sen_support: population.sen_support,
            ehc_plan: population.ehc_plan,
        }),
        representativeness: representativeness(&view.entries, population)
            .into_iter()
            .map(|s| pb::CaseStudyShare {
                label: s.label,
                sample_percent: s.sample_percent,
                population_percent: s.population_percent,
                within: s.within,
            })
            .collect(),
        area_agreed: agreement(&view.area_agreed),
        team_agreed: agreement(&view.team_agreed),
        frozen: view.frozen,
        history: view
            .history
            .iter()
            .map(|h| pb::CaseStudyListVersion {
                list_version: h.list_version,
                entries: h.entries,
                reason: h.reason.clone(),
                changed_by: h.changed_by.clone(),
                changed_at: h.changed_at.clone(),
            })
            .collect(),
        allowed_actions: actions.into_iter().map(Into::into).collect(),
        csv_template: CSV_TEMPLATE.to_owned(),
        more_asked: view.more_asked.as_ref().map(|m| pb::CaseStudyMoreAsked {
            by: m.by.clone(),
            at: m.at.clone(),
            missing: m.missing.clone(),
        }),
    }
}

#[tonic::async_trait]
impl Rpc for CaseStudyService {
    async fn get_case_study_sample(
        &self,
        request: Request<pb::GetCaseStudySampleRequest>,
    ) -> Result<Response<pb::GetCaseStudySampleResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let view = self.read(&caller, &rid, &request.get_ref().engagement_id, "case_study.view").await?;
        Ok(Response::new(pb::GetCaseStudySampleResponse {
            sample: Some(to_pb(&view, Party::of(&caller.person.scope))),
        }))
    }

    async fn check_case_study_pick(
        &self,
        request: Request<pb::CheckCaseStudyPickRequest>,
    ) -> Result<Response<pb::CheckCaseStudyPickResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.get_ref();
        let view = self.read(&caller, &rid, &req.engagement_id, "case_study.check").await?;
        let picked = picked_by(&view.entries, &req.references);
        let rules = match Rules::for_kind(view.kind) {
            Some(r) => check_pick(r, &picked).into_iter().map(rule_to_pb).collect(),
            None => Vec::new(),
        };
        Ok(Response::new(pb::CheckCaseStudyPickResponse { rules }))
    }

    async fn upload_case_study_sample(
        &self,
        request: Request<pb::UploadCaseStudySampleRequest>,
    ) -> Result<Response<pb::UploadCaseStudySampleResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        // Scope first: someone who may not see the engagement learns nothing about the file.
        self.read(&caller, &rid, &req.engagement_id, "case_study.view").await?;
        let entries = parse_csv(&req.file).map_err(|errors| status::file_rejected(&errors))?;
        let change = SampleChange::Upload {
            entries,
            population: population_from_pb(req.population.as_ref()),
            reason: req.reason,
        };
        let sample =
            self.change(&caller, &rid, &req.engagement_id, req.version, change, "case_study.upload").await?;
        Ok(Response::new(pb::UploadCaseStudySampleResponse { sample: Some(sample) }))
    }

    async fn pick_case_studies(
        &self,
        request: Request<pb::PickCaseStudiesRequest>,
    ) -> Result<Response<pb::PickCaseStudiesResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = SampleChange::Pick { references: req.references, reason: req.reason };
        let sample =
            self.change(&caller, &rid, &req.engagement_id, req.version, change, "case_study.pick").await?;
        Ok(Response::new(pb::PickCaseStudiesResponse { sample: Some(sample) }))
    }

    async fn suggest_case_study_pick(
        &self,
        request: Request<pb::SuggestCaseStudyPickRequest>,
    ) -> Result<Response<pb::SuggestCaseStudyPickResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        // A fresh random seed, recorded with the pick: the area cannot predict it, anyone can
        // reproduce it.
        let change = SampleChange::Suggest { seed: rand::random::<u64>(), reason: req.reason };
        let sample =
            self.change(&caller, &rid, &req.engagement_id, req.version, change, "case_study.suggest").await?;
        Ok(Response::new(pb::SuggestCaseStudyPickResponse { sample: Some(sample) }))
    }

    async fn agree_case_study_sample(
        &self,
        request: Request<pb::AgreeCaseStudySampleRequest>,
    ) -> Result<Response<pb::AgreeCaseStudySampleResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let sample = self
            .change(&caller, &rid, &req.engagement_id, req.version, SampleChange::Agree, "case_study.agree")
            .await?;
        Ok(Response::new(pb::AgreeCaseStudySampleResponse { sample: Some(sample) }))
    }

    async fn ask_for_more_case_studies(
        &self,
        request: Request<pb::AskForMoreCaseStudiesRequest>,
    ) -> Result<Response<pb::AskForMoreCaseStudiesResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = SampleChange::AskForMore;
        let sample = self
            .change(&caller, &rid, &req.engagement_id, req.version, change, "case_study.ask_for_more")
            .await?;
        Ok(Response::new(pb::AskForMoreCaseStudiesResponse { sample: Some(sample) }))
    }
}
