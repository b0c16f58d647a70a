//! The differential confidentiality test (issue #10, item 7).
//!
//! A visit request and the local area's answer are confidential to national planners, the
//! region's lead and that area. This test drives the confidential steps through the real API as
//! the insiders would, and before and after each step asks every outsider persona every RPC in
//! the contract (read from `proto::FILE_DESCRIPTOR_SET`, called generically with requests built
//! from the descriptor) plus the two file routes, aimed at the hidden objects, their area and a
//! control area with nothing on record. Any difference fails the test:
//!
//! - over time: an answer after a step differs from the same question before it;
//! - across targets: an answer about a hidden object or area differs from the same question
//!   about a random id or the control area (the ids, area code and name are replaced by
//!   placeholders first, nothing else is normalised).
//!
//! - secrets: an insider's text (a reason, a note, the signatory, a conflict's reason) appears in
//!   any outsider's answer;
//! - the visit's own team: its member's answers mention the consent behind the visit, or a
//!   consent read or the document route reads differently from one with random ids;
//! - ids: a confidential object's id is not a random UUIDv4.
//!
//! Cases that leak today are listed precisely in [`KNOWN_LEAKS`]; they still fail the test
//! unless `SEND_PLANNER_ALLOW_KNOWN_LEAKS=1`, so the list is the fix list.
//!
//! Run: `cargo test -p integration-tests --test e2e -- confidentiality::` (add
//! `SEND_PLANNER_TEST_DB=postgres` for PostgreSQL).

use std::collections::{BTreeMap, BTreeSet};

use integration_tests::{PASSWORD, Persona, TestApp, consent_answer, spawn_app_with, visit_request};
use prost::Message as _;
use prost::bytes::{Buf as _, BufMut as _};
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor, MethodDescriptor, Value};
use proto::pb::{
    self, case_study_service_client::CaseStudyServiceClient, consent_service_client::ConsentServiceClient,
    letter_service_client::LetterServiceClient, programme_service_client::ProgrammeServiceClient,
};
use tonic::{
    Status,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
    metadata::{Ascii, MetadataValue},
    service::interceptor::InterceptedService,
    transport::Channel,
};

/// Methods the test deliberately does not call, with the reason.
const OUT_OF_SCOPE: &[(&str, &str)] = &[
    ("/sendplanner.v1.AuthService/SignIn", "takes credentials and aims at no object (auth tests cover it)"),
    ("/sendplanner.v1.AuthService/SignOut", "ends the caller's own session and aims at no object"),
];

/// Name prefixes of read RPCs; every other method in the contract is a write.
const READ_PREFIXES: &[&str] = &["Get", "List", "Export", "Check", "WhoCanSee", "WhoAmI"];

/// Methods whose names do not say, classified by hand (none today).
const READS_BY_HAND: &[&str] = &[];
/// Names that look like reads but change something (none today).
const WRITES_BY_HAND: &[&str] = &[];

/// Leaks found by this test on today's code: (method or probe, persona, step). Each is still a
/// failure unless `SEND_PLANNER_ALLOW_KNOWN_LEAKS=1`; remove an entry when its leak is fixed.
const KNOWN_LEAKS: &[(&str, &str, &str)] = &[];

/// The confidential steps, in order.
const STEPS: &[&str] = &[
    "request created",
    "request declined",
    "another request consented with a document",
    "visit scheduled and its team assigned",
    "letter drafted",
    "letter approved",
    "visit notified, its case-study list supplied and more children asked for",
    "safeguarding concern recorded",
    "consent withdrawn",
];

/// The hidden area (Camden, Inner London) and the control area (Islington, Inner London, with
/// nothing on record).
const HIDDEN_AREA: (&str, &str) = ("E09000007", "Camden");
const CONTROL_AREA: (&str, &str) = ("E09000019", "Islington");
const REGION: &str = "E13000001";

/// Visit dates: in the request's window, and inside the area's declared unavailable days.
const VISIT: (&str, &str) = ("2027-04-20", "2027-04-21");
const AREA_UNAVAILABLE: (&str, &str) = ("2027-04-27", "2027-04-28");
const OUTSIDE_WINDOW: (&str, &str) = ("2027-06-08", "2027-06-09");

// ---------------------------------------------------------------------------------------------
// Calling any method with raw protobuf bytes.

#[derive(Clone, Default)]
struct RawCodec;
struct RawEncoder;
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> Self::Encoder {
        RawEncoder
    }
    fn decoder(&mut self) -> Self::Decoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let n = src.remaining();
        Ok(Some(src.copy_to_bytes(n).to_vec()))
    }
}

/// Sends the bearer token if there is one (anonymous sends no header at all).
#[derive(Clone)]
struct Auth(Option<MetadataValue<Ascii>>);

impl tonic::service::Interceptor for Auth {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        if let Some(value) = &self.0 {
            request.metadata_mut().insert("authorization", value.clone());
        }
        Ok(request)
    }
}

type Raw = tonic::client::Grpc<InterceptedService<Channel, Auth>>;

/// One outsider: a name for the report, and a session (none for anonymous).
struct Outsider {
    name: &'static str,
    token: Option<String>,
    grpc: Raw,
}

/// Calls `method` with `body` and renders the answer: the response decoded with its descriptor,
/// or the status code, message and details.
async fn call_raw(grpc: &Raw, method: &MethodDescriptor, body: Vec<u8>) -> String {
    let mut grpc = grpc.clone();
    if let Err(e) = grpc.ready().await {
        return format!("transport not ready: {e}");
    }
    let path = format!("/{}/{}", method.parent_service().full_name(), method.name());
    let Ok(path) = tonic::codegen::http::uri::PathAndQuery::try_from(path) else {
        return "bad path".to_owned();
    };
    match grpc.unary(tonic::Request::new(body), path, RawCodec).await {
        Ok(response) => {
            let bytes = response.into_inner();
            match DynamicMessage::decode(method.output(), bytes.as_slice()) {
                Ok(message) => format!("OK {}", message.to_text_format()),
                Err(e) => format!("OK undecodable ({e}): {}", hex::encode(bytes)),
            }
        }
        Err(status) => render_status(&status),
    }
}

fn render_status(status: &Status) -> String {
    let (code, message, details) = integration_tests::refusal(status);
    format!("{code:?}: {message} | details: {details}")
}

// ---------------------------------------------------------------------------------------------
// The contract.

fn pool() -> DescriptorPool {
    DescriptorPool::decode(proto::FILE_DESCRIPTOR_SET).expect("the contract's descriptor set decodes")
}

fn path_of(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Read,
    Write,
}

/// Reads and writes, from the method names; out-of-scope methods are left out.
fn classify(pool: &DescriptorPool) -> Vec<(MethodDescriptor, Class)> {
    let mut methods = Vec::new();
    for service in pool.services().filter(|s| s.package_name() == "sendplanner.v1") {
        for method in service.methods() {
            let path = path_of(&method);
            if OUT_OF_SCOPE.iter().any(|(m, _)| *m == path) {
                continue;
            }
            let name = method.name();
            let class = if READS_BY_HAND.contains(&path.as_str()) {
                Class::Read
            } else if WRITES_BY_HAND.contains(&path.as_str()) {
                Class::Write
            } else if READ_PREFIXES.iter().any(|p| name.starts_with(p)) {
                Class::Read
            } else {
                Class::Write
            };
            methods.push((method, class));
        }
    }
    methods
}

/// What a question aims at: one hidden object of each kind (or a random id for a kind it does
/// not have yet), its area and region.
#[derive(Debug, Clone)]
struct Slot {
    name: &'static str,
    request: String,
    engagement: String,
    letter: String,
    document: String,
    area: (&'static str, &'static str),
}

/// A random id in today's format (a UUIDv4, as every confidential object has) that no object has.
fn random_id() -> String {
    send_planner::domain::public_id::new_public_id()
}

/// The request for `method` aimed at `slot`, built from the descriptor: string fields named
/// for an object or a place get the slot's values, versions 1, dates in the visit window,
/// enums their first real value, texts a probe word; nested messages the same. Also returns
/// the slot's values the request carried, with their placeholders: only those are replaced in
/// the answer (the caller supplied them), nothing else.
///
/// A request with a `oneof` is asked once per member of it (labelled `[member]`), each member
/// filled the same way, so an answer can reach the rules behind every branch.
fn build_requests(method: &MethodDescriptor, slot: &Slot) -> Vec<(String, Vec<u8>, Replacements)> {
    let service = method.parent_service().name().to_owned();
    let mut used = Vec::new();
    let base = fill(method.input(), &service, slot, 0, &mut used);
    let mut requests = vec![(String::new(), base.encode_to_vec(), used.clone())];
    for oneof in method.input().oneofs().filter(|o| !o.is_synthetic()) {
        for field in oneof.fields() {
            let mut used = used.clone();
            let mut message = base.clone();
            let value = match field.kind() {
                Kind::Message(m) => Value::Message(fill(m, &service, slot, 1, &mut used)),
                Kind::String => Value::String("probe".into()),
                _ => continue,
            };
            message.set_field(&field, value);
            requests.push((format!(" [{}]", field.name()), message.encode_to_vec(), used));
        }
    }
    requests
}

fn fill(
    desc: MessageDescriptor,
    service: &str,
    slot: &Slot,
    depth: usize,
    used: &mut Vec<(String, &'static str)>,
) -> DynamicMessage {
    let mut message = DynamicMessage::new(desc.clone());
    for field in desc.fields() {
        if field.is_list() || field.is_map() || field.containing_oneof().is_some() {
            continue;
        }
        let name = field.name();
        let value = match field.kind() {
            Kind::String => {
                let from_slot = match name {
                    "id" => match service {
                        "ConsentService" => Some((slot.request.clone(), "<request-id>")),
                        "ProgrammeService" => Some((slot.engagement.clone(), "<engagement-id>")),
                        "LetterService" => Some((slot.letter.clone(), "<letter-id>")),
                        _ => None,
                    },
                    "request_id" | "object_id" => Some((slot.request.clone(), "<request-id>")),
                    "engagement_id" => Some((slot.engagement.clone(), "<engagement-id>")),
                    "letter_id" => Some((slot.letter.clone(), "<letter-id>")),
                    "document_id" => Some((slot.document.clone(), "<document-id>")),
                    "local_area_code" => {
                        used.push((slot.area.1.to_owned(), "<area-name>"));
                        Some((slot.area.0.to_owned(), "<area-code>"))
                    }
                    _ => None,
                };
                let text = match from_slot {
                    Some((value, placeholder)) => {
                        used.push((value.clone(), placeholder));
                        value
                    }
                    None => match name {
                        "region_code" | "home_region_code" => REGION.to_owned(),
                        "first_day" => VISIT.0.to_owned(),
                        "last_day" => VISIT.1.to_owned(),
                        "reply_by" | "due_by" | "completed_on" => "2027-01-15".to_owned(),
                        "reason" | "note" | "title" | "body" | "name" => "probe".to_owned(),
                        "signatory_name" | "signatory_role" | "organisation" => "Probe Person".to_owned(),
                        "date_signed" => "2026-01-01".to_owned(),
                        _ => String::new(),
                    },
                };
                Value::String(text)
            }
            Kind::Bytes if name == "document" => Value::Bytes(integration_tests::signed_pdf("probe").into()),
            Kind::Int64 if name == "version" => Value::I64(1),
            Kind::Int32 if name == "academic_year" => Value::I32(2026),
            Kind::Enum(e) => Value::EnumNumber(e.values().map(|v| v.number()).find(|n| *n != 0).unwrap_or(0)),
            Kind::Message(m) if depth < 3 => Value::Message(fill(m, service, slot, depth + 1, used)),
            _ => continue,
        };
        message.set_field(&field, value);
    }
    message
}

/// `ListInspectors` shows each inspector's free/busy time: declared leave together with the days
/// of engagements the caller may not see, in one list with nothing to tell them apart. That list
/// is the designed answer (domain.md: "another scope's commitments show only as free/busy time,
/// indistinguishable from leave"; issue #10, item 5), so it is the one value allowed to change
/// when a hidden visit's team is assigned; everything else about the inspectors (names, homes,
/// conflicts and their reasons) is compared. [`team_probe`] shows that a
/// booking reads exactly as leave wherever it is refused.
fn mask_free_busy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // An empty list is not written at all, so the field is dropped whole, with its separator.
    while let Some(at) = rest.find("unavailable:[") {
        let start = at + "unavailable:[".len();
        let Some(len) = rest[start..].find(']') else { break };
        out.push_str(rest[..at].strip_suffix(',').unwrap_or(&rest[..at]));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `ListSuspiciousAccess` counts the outsiders' own probing, which grows with every snapshot by
/// itself: its counts are masked here, and [`suspicious_access_probe`] checks instead that a miss
/// on a hidden record counts exactly as a miss on a missing one.
fn mask_counts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("misses:") {
        out.push_str(&rest[..at + "misses:".len()]);
        rest = rest[at + "misses:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("<n>");
    }
    out.push_str(rest);
    // "Most misses first": with the counts masked, ties come in any order (PostgreSQL varies).
    let mut sorted = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("kinds:[") {
        let start = at + "kinds:[".len();
        let Some(len) = rest[start..].find(']') else { break };
        sorted.push_str(&rest[..start]);
        let inner = rest[start..start + len].trim_start_matches('{').trim_end_matches('}');
        let mut kinds: Vec<&str> = inner.split("},{").collect();
        kinds.sort_unstable();
        sorted.push('{');
        sorted.push_str(&kinds.join("},{"));
        sorted.push('}');
        rest = &rest[start + len..];
    }
    sorted.push_str(rest);
    sort_callers(&sorted)
}

/// The callers of a masked `ListSuspiciousAccess` answer in username order: they are listed most
/// misses first, and with the counts masked that order says nothing (and varies as the probing
/// itself adds misses between snapshots).
fn sort_callers(text: &str) -> String {
    let Some(at) = text.find("callers:[") else { return text.to_owned() };
    let start = at + "callers:[".len();
    let (mut depth, mut end, mut items, mut from) = (0_i32, None, Vec::new(), start);
    for (i, c) in text[start..].char_indices() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' if depth == 0 => {
                end = Some(start + i);
                break;
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[from..start + i]);
                from = start + i + 1;
            }
            _ => {}
        }
    }
    let Some(end) = end else { return text.to_owned() };
    items.push(&text[from..end]);
    items.sort_unstable();
    format!("{}{}{}", &text[..start], items.join(","), &text[end..])
}

/// Two fresh outsider leads (other regions) ask the same questions, one at the hidden objects,
/// one at random ids; the administrator's and a planner's view of their misses must read the
/// same, names aside.
async fn suspicious_access_probe(
    app: &TestApp,
    hidden: &Slot,
    viewers: &[(&'static str, String)],
) -> anyhow::Result<Vec<Difference>> {
    use proto::pb::audit_service_client::AuditServiceClient;
    let mut tokens = Vec::new();
    for (username, region) in [("lead.probe.hidden", "E12000009"), ("lead.probe.random", "E12000006")] {
        let mut request = Persona::NorthEastLead.request();
        request.username = username.into();
        request.display_name = "Probe Lead".into();
        request.region_code = region.into();
        app.seed_person(request).await?;
        tokens.push(app.sign_in(username, PASSWORD).await?);
    }
    let random = [random_id(), random_id(), random_id()];
    let targets = [[hidden.request.clone(), hidden.engagement.clone(), hidden.letter.clone()], random];
    for (token, [request, engagement, letter]) in tokens.iter().zip(targets) {
        let _ = consent_client(app, token)
            .await?
            .get_visit_request(pb::GetVisitRequestRequest { id: request })
            .await;
        let _ = programme_client(app, token)
            .await?
            .get_engagement(pb::GetEngagementRequest { id: engagement })
            .await;
        let _ = letter_client(app, token).await?.get_letter(pb::GetLetterRequest { id: letter }).await;
    }
    let mut out = Vec::new();
    for (viewer, token) in viewers {
        let mut audit = AuditServiceClient::new(app.authed(token).await?);
        let callers =
            audit.list_suspicious_access(pb::ListSuspiciousAccessRequest {}).await?.into_inner().callers;
        let entry = |username: &str| {
            callers.iter().find(|c| c.username == username).map(|c| {
                let mut c = c.clone();
                c.username.clear();
                c.display_name.clear();
                format!("{c:?}")
            })
        };
        let (h, r) = (entry("lead.probe.hidden"), entry("lead.probe.random"));
        if h != r {
            out.push(Difference {
                method: "/sendplanner.v1.AuditService/ListSuspiciousAccess [miss on hidden vs on missing]"
                    .into(),
                persona: viewer,
                step: "after every step",
                what: "caller who missed random ids vs caller who missed hidden ids".into(),
                left: format!("{r:?}"),
                right: format!("{h:?}"),
            });
        }
    }
    Ok(out)
}

/// Values a question carried, each with the placeholder that replaces it in the answer.
type Replacements = Vec<(String, &'static str)>;

/// Replaces whole tokens (runs of letters, digits, `_` and `-`) equal to a value.
fn normalise(text: &str, replacements: &[(String, &'static str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if !token.is_empty() {
            match replacements.iter().find(|(v, _)| !v.is_empty() && v == token) {
                Some((_, placeholder)) => out.push_str(placeholder),
                None => out.push_str(token),
            }
            token.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// GET over HTTP/1.1: the status line, content type and body (not the date).
async fn http_get(app: &TestApp, path: &str, token: Option<&str>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let result = async {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n", app.addr);
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        anyhow::Ok(String::from_utf8_lossy(&response).into_owned())
    }
    .await;
    let response = match result {
        Ok(r) => r,
        Err(e) => return format!("transport: {e}"),
    };
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let kept: Vec<&str> = lines
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            !(lower.starts_with("date:") || lower.starts_with("x-request-id:"))
        })
        .collect();
    format!("{status} | {} | {body}", kept.join(" / "))
}

// ---------------------------------------------------------------------------------------------
// Snapshots and differences.

/// (persona, method or route or probe, slot) -> rendered answer.
type Snapshot = BTreeMap<(&'static str, String, &'static str), String>;

/// A difference: where, and the two answers.
#[derive(Debug, Clone)]
struct Difference {
    method: String,
    persona: &'static str,
    step: &'static str,
    what: String,
    left: String,
    right: String,
}

impl Difference {
    fn key(&self) -> (String, &'static str, &'static str) {
        (self.method.clone(), self.persona, self.step)
    }

    fn render(&self) -> String {
        format!(
            "{} | {} | {} | {}\n    {}\n    {}",
            self.method,
            self.persona,
            self.step,
            self.what,
            clip(&self.left),
            clip(&self.right)
        )
    }
}

fn clip(text: &str) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() > 700 {
        format!("{}…", flat.chars().take(700).collect::<String>())
    } else {
        flat
    }
}

struct World<'a> {
    app: &'a TestApp,
    methods: Vec<(MethodDescriptor, Class)>,
    outsiders: Vec<Outsider>,
}

impl World<'_> {
    /// Every outsider's answer to every method and route, for every slot.
    async fn snapshot(&self, slots: &[Slot]) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for outsider in &self.outsiders {
            // The same bytes to the same method are asked once per snapshot.
            let mut asked: BTreeMap<(String, Vec<u8>), String> = BTreeMap::new();
            for slot in slots {
                for (method, _) in &self.methods {
                    for (label, body, replacements) in build_requests(method, slot) {
                        let key = (path_of(method), body.clone());
                        let answer = match asked.get(&key) {
                            Some(answer) => answer.clone(),
                            None => {
                                let answer = call_raw(&outsider.grpc, method, body).await;
                                asked.insert(key, answer.clone());
                                answer
                            }
                        };
                        let name = format!("{}{label}", path_of(method));
                        let answer = match method.name() {
                            "ListSuspiciousAccess" => mask_counts(&answer),
                            "ListInspectors" => mask_free_busy(&answer),
                            _ => answer,
                        };
                        snapshot.insert((outsider.name, name, slot.name), normalise(&answer, &replacements));
                    }
                }
                let routes = [
                    ("GET /documents/{id}", format!("/documents/{}", slot.document)),
                    ("GET /letters/{id}/pdf", format!("/letters/{}/pdf", slot.letter)),
                ];
                for (route_name, route) in routes {
                    let answer = http_get(self.app, &route, outsider.token.as_deref()).await;
                    // The id is only in the path, never in the answer: nothing to replace.
                    let replacements = Vec::new();
                    snapshot.insert(
                        (outsider.name, route_name.to_owned(), slot.name),
                        normalise(&answer, &replacements),
                    );
                }
            }
        }
        snapshot
    }
}

/// Differences between two snapshots of the same questions (over time).
fn over_time(before: &Snapshot, after: &Snapshot, step: &'static str, out: &mut Vec<Difference>) {
    for (key, left) in before {
        let right = after.get(key).cloned().unwrap_or_else(|| "<not asked>".to_owned());
        if *left != right {
            out.push(Difference {
                method: key.1.clone(),
                persona: key.0,
                step,
                what: format!("target {}: before vs after", key.2),
                left: left.clone(),
                right,
            });
        }
    }
}

/// Differences between hidden slots and the control slot in one snapshot.
fn across_targets(snapshot: &Snapshot, control: &'static str, step: &'static str, out: &mut Vec<Difference>) {
    for ((persona, method, slot), answer) in snapshot {
        if *slot == control {
            continue;
        }
        let Some(reference) = snapshot.get(&(*persona, method.clone(), control)) else { continue };
        if reference != answer {
            out.push(Difference {
                method: method.clone(),
                persona,
                step,
                what: format!("control vs hidden target {slot}"),
                left: reference.clone(),
                right: answer.clone(),
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The insiders and the objects.

struct Insiders {
    planner: String,
    lead: String,
    camden: String,
    writer: String,
}

struct Hidden {
    a: Slot,
    b: Slot,
    request_a_version: i64,
}

fn some<T>(value: Option<T>, what: &str) -> anyhow::Result<T> {
    value.ok_or_else(|| anyhow::anyhow!("no {what} in the response"))
}

async fn consent_client(
    app: &TestApp,
    token: &str,
) -> anyhow::Result<ConsentServiceClient<InterceptedService<Channel, integration_tests::Bearer>>> {
    Ok(ConsentServiceClient::new(app.authed(token).await?))
}

async fn programme_client(
    app: &TestApp,
    token: &str,
) -> anyhow::Result<ProgrammeServiceClient<InterceptedService<Channel, integration_tests::Bearer>>> {
    Ok(ProgrammeServiceClient::new(app.authed(token).await?))
}

async fn letter_client(
    app: &TestApp,
    token: &str,
) -> anyhow::Result<LetterServiceClient<InterceptedService<Channel, integration_tests::Bearer>>> {
    Ok(LetterServiceClient::new(app.authed(token).await?))
}

/// Team inspectors (the hidden visit's team) and the control inspector on leave.
struct Inspectors {
    team: [String; 3],
    on_leave: String,
}

fn member(id: &str, role: pb::TeamRole) -> pb::TeamMember {
    pb::TeamMember { inspector_id: id.into(), name: String::new(), role: role.into() }
}

/// Performs confidential step `index` as the insiders would.
async fn perform(
    app: &TestApp,
    index: usize,
    insiders: &Insiders,
    inspectors: &Inspectors,
    hidden: &mut Hidden,
) -> anyhow::Result<()> {
    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    match index {
        0 => {
            let mut lead = consent_client(app, &insiders.lead).await?;
            let created = lead.create_visit_request(visit_request(HIDDEN_AREA.0, &reply_by)).await?;
            let request = some(created.into_inner().request, "request")?;
            hidden.a.request = request.id;
            hidden.request_a_version = request.version;
        }
        1 => {
            let mut camden = consent_client(app, &insiders.camden).await?;
            camden
                .answer_visit_request(pb::AnswerVisitRequestRequest {
                    id: hidden.a.request.clone(),
                    version: hidden.request_a_version,
                    answer: Some(pb::answer_visit_request_request::Answer::Decline(pb::DeclineAnswer {
                        reason: "Ofsted inspection this term".into(),
                    })),
                })
                .await?;
        }
        2 => {
            let mut planner = consent_client(app, &insiders.planner).await?;
            let created = planner.create_visit_request(visit_request(HIDDEN_AREA.0, &reply_by)).await?;
            let request = some(created.into_inner().request, "request")?;
            let mut camden = consent_client(app, &insiders.camden).await?;
            let answered = camden.answer_visit_request(consent_answer(&request.id, request.version)).await?;
            let answered = some(answered.into_inner().request, "request")?;
            hidden.b.request = request.id;
            let consent = some(answered.consent, "consent")?;
            hidden.b.document = some(consent.document, "document")?.id;
        }
        3 => {
            let mut lead = programme_client(app, &insiders.lead).await?;
            let scheduled = lead
                .schedule_engagement(pb::ScheduleEngagementRequest {
                    local_area_code: HIDDEN_AREA.0.into(),
                    kind: pb::EngagementKind::InterimVisit.into(),
                    onsite: Some(pb::DateRange { first_day: VISIT.0.into(), last_day: VISIT.1.into() }),
                    note: String::new(),
                })
                .await?;
            let engagement = some(scheduled.into_inner().engagement, "engagement")?;
            lead.assign_team(pb::AssignTeamRequest {
                id: engagement.id.clone(),
                version: engagement.version,
                members: vec![
                    member(&inspectors.team[0], pb::TeamRole::OfstedInspector),
                    member(&inspectors.team[1], pb::TeamRole::SocialCareInspector),
                    member(&inspectors.team[2], pb::TeamRole::CqcInspector),
                ],
                reason: String::new(),
            })
            .await?;
            hidden.b.engagement = engagement.id;
        }
        4 => {
            let mut writer = letter_client(app, &insiders.writer).await?;
            let created = writer
                .create_letter(pb::CreateLetterRequest {
                    engagement_id: hidden.b.engagement.clone(),
                    title: "Interim visit to Camden".into(),
                    body: "Context\nWe visited.\n\nWhat we found\nSupport continued.\n\nNext steps\nShared learning.\n"
                        .into(),
                })
                .await?;
            hidden.b.letter = some(created.into_inner().letter, "letter")?.id;
        }
        5 => {
            let mut writer = letter_client(app, &insiders.writer).await?;
            let letter = some(
                writer
                    .get_letter(pb::GetLetterRequest { id: hidden.b.letter.clone() })
                    .await?
                    .into_inner()
                    .letter,
                "letter",
            )?;
            let submitted = writer
                .submit_letter(pb::SubmitLetterRequest { id: letter.id.clone(), version: letter.version })
                .await?;
            let submitted = some(submitted.into_inner().letter, "letter")?;
            // A letter is approved only after the visit's last onsite day: the planner approves
            // on 22 April 2027, then the clock goes back, so that the outsiders' sessions, the
            // probes' dates and everything else they are asked stay as they were.
            let saved = app.clock.now();
            app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-04-22T09:00:00Z")?.to_utc());
            let planner = app.sign_in(Persona::Planner.username(), PASSWORD).await;
            let approved = match planner {
                Ok(planner) => {
                    let request = pb::ApproveLetterRequest {
                        id: submitted.id,
                        version: submitted.version,
                        overrides: vec![],
                    };
                    match letter_client(app, &planner).await {
                        Ok(mut client) => {
                            client.approve_letter(request).await.map(drop).map_err(anyhow::Error::from)
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            app.clock.set(saved);
            approved?;
        }
        6 => {
            // The visit is notified, so the area may supply its case-study list (a short one:
            // the team then asks for more). The sample, its references and the request for more
            // are confidential to the area, the team, the region's lead and planners.
            let mut planner = programme_client(app, &insiders.planner).await?;
            let engagement = some(
                planner
                    .get_engagement(pb::GetEngagementRequest { id: hidden.b.engagement.clone() })
                    .await?
                    .into_inner()
                    .engagement,
                "engagement",
            )?;
            planner
                .notify_local_area(pb::NotifyLocalAreaRequest {
                    id: engagement.id,
                    version: engagement.version,
                })
                .await?;
            let mut camden = CaseStudyServiceClient::new(app.authed(&insiders.camden).await?);
            let uploaded = camden
                .upload_case_study_sample(pb::UploadCaseStudySampleRequest {
                    engagement_id: hidden.b.engagement.clone(),
                    version: 0,
                    file: format!("{SAMPLE_HEADER}{SAMPLE_ROWS}").into_bytes(),
                    population: None,
                    reason: String::new(),
                })
                .await?;
            let sample = some(uploaded.into_inner().sample, "sample")?;
            CaseStudyServiceClient::new(app.authed(&insiders.writer).await?)
                .ask_for_more_case_studies(pb::AskForMoreCaseStudiesRequest {
                    engagement_id: hidden.b.engagement.clone(),
                    version: sample.version,
                })
                .await?;
        }
        7 => {
            consent_client(app, &insiders.camden)
                .await?
                .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
                    id: hidden.b.request.clone(),
                    note: "A child at immediate risk of significant harm".into(),
                })
                .await?;
        }
        8 => {
            let mut camden = consent_client(app, &insiders.camden).await?;
            let current =
                camden.get_visit_request(pb::GetVisitRequestRequest { id: hidden.b.request.clone() }).await?;
            let current = some(current.into_inner().request, "request")?;
            camden
                .withdraw_consent(pb::WithdrawConsentRequest {
                    id: current.id,
                    version: current.version,
                    reason: "An outbreak in the area".into(),
                })
                .await?;
        }
        _ => anyhow::bail!("no step {index}"),
    }
    Ok(())
}

/// Typed write probes that need more than the generic request: an outsider lead schedules an
/// interim visit (and a meeting) in the hidden area and the control area, on dates in the
/// request's window, on the area's unavailable days and outside the window. Recorded in the
/// snapshot as slot B (hidden area) and C (control area); they all fail, so change nothing.
async fn schedule_probes(world: &World<'_>, snapshot: &mut Snapshot) {
    let Some(lead) = world.outsiders.iter().find(|o| o.name == "NorthEastLead") else { return };
    let pool = pool();
    let Some(method) = pool
        .get_service_by_name("sendplanner.v1.ProgrammeService")
        .and_then(|s| s.methods().find(|m| m.name() == "ScheduleEngagement"))
    else {
        return;
    };
    let cases = [
        ("interim visit in the window", pb::EngagementKind::InterimVisit, VISIT),
        ("interim visit on the area's unavailable days", pb::EngagementKind::InterimVisit, AREA_UNAVAILABLE),
        ("interim visit outside the window", pb::EngagementKind::InterimVisit, OUTSIDE_WINDOW),
        ("engagement meeting", pb::EngagementKind::EngagementMeeting, (VISIT.0, VISIT.0)),
    ];
    for (label, kind, (first, last)) in cases {
        for (slot, area) in [("B", HIDDEN_AREA), ("C", CONTROL_AREA)] {
            let request = pb::ScheduleEngagementRequest {
                local_area_code: area.0.into(),
                kind: kind.into(),
                onsite: Some(pb::DateRange { first_day: first.into(), last_day: last.into() }),
                note: String::new(),
            };
            let answer = call_raw(&lead.grpc, &method, request.encode_to_vec()).await;
            let replacements = vec![(area.0.to_owned(), "<area-code>"), (area.1.to_owned(), "<area-name>")];
            snapshot.insert(
                (lead.name, format!("/sendplanner.v1.ProgrammeService/ScheduleEngagement [{label}]"), slot),
                normalise(&answer, &replacements),
            );
        }
    }
}

/// An outsider lead assigns, to its own meeting in its own region on the hidden visit's first
/// day, an inspector booked on the hidden visit, then instead an inspector of the same kind on
/// plain leave that day. Both answers must read the same (inspector id, name and the
/// engagement's version replaced).
async fn team_probe(
    app: &TestApp,
    lead_token: &str,
    own_meeting: &str,
    inspectors: &Inspectors,
    names: (&str, &str),
) -> anyhow::Result<(String, String)> {
    let mut lead = programme_client(app, lead_token).await?;
    let mut answers = Vec::new();
    for (inspector, name) in [(&inspectors.team[0], names.0), (&inspectors.on_leave, names.1)] {
        let current = lead.get_engagement(pb::GetEngagementRequest { id: own_meeting.into() }).await?;
        let current = some(current.into_inner().engagement, "engagement")?;
        let answer = match lead
            .assign_team(pb::AssignTeamRequest {
                id: own_meeting.into(),
                version: current.version,
                members: vec![member(inspector, pb::TeamRole::OfstedInspector)],
                reason: String::new(),
            })
            .await
        {
            Ok(r) => {
                let mut e = r.into_inner().engagement.unwrap_or_default();
                e.version = 0;
                format!("OK {e:?}")
            }
            Err(status) => render_status(&status),
        };
        let replacements = vec![(inspector.clone(), "<inspector-id>"), (name.to_owned(), "<inspector-name>")];
        // The name is several tokens: replace it whole first.
        answers.push(normalise(&answer.replace(name, "<inspector-name>"), &replacements));
    }
    // Leave the meeting without a team again, as before the probe.
    let current = lead.get_engagement(pb::GetEngagementRequest { id: own_meeting.into() }).await?;
    let current = some(current.into_inner().engagement, "engagement")?;
    let _ = lead
        .assign_team(pb::AssignTeamRequest {
            id: own_meeting.into(),
            version: current.version,
            members: vec![],
            reason: String::new(),
        })
        .await;
    let second = answers.pop().unwrap_or_default();
    let first = answers.pop().unwrap_or_default();
    Ok((second, first))
}

/// Texts only the insiders wrote or may read: the request's note, the decline and withdrawal
/// reasons, the signatory, the safeguarding note, and a declared conflict's reason (planners and
/// the inspector see it; a lead sees only the area, issue #10 item 5). None may appear in any
/// outsider's answer, at any step. None contains an id or an area's name, which the snapshots
/// replace with placeholders.
const SECRETS: &[&str] = &[
    "Interim visit, summer phase",
    "Ofsted inspection this term",
    "Alex Morgan",
    "Director of Children",
    "A child at immediate risk of significant harm",
    "An outbreak in the area",
    CONFLICT_REASON,
];

/// The hidden sample's CSV: two children (too few, so the team asks for more). Their references
/// are not among [`SECRETS`]: the visit's team may read the sample, and the secrets are checked
/// in its answers too; outsiders are held to the hidden sample answering as a missing one.
const SAMPLE_HEADER: &str =
    "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n";
const SAMPLE_ROWS: &str =
    "QX-7731,5-10,CI,SEN Support,no,yes,primary\nQX-7732,11-15,SEMH,EHC plan,yes,yes,secondary\n";

/// The reason declared with the control inspector's conflict of interest in the hidden area.
const CONFLICT_REASON: &str = "Their partner leads a SEND service there";

/// Words that would tell the visit's team about the consent behind it (issue #10 item 4): the
/// team learns only that a visit will not go ahead, never that it was consented, declined or
/// withdrawn, nor about a safeguarding concern on the request.
const CONSENT_WORDS: &[&str] = &["consent", "withdr", "declin", "safeguard", "signator"];

/// Every secret found in an answer of `snapshot`, as a difference.
fn secrets_in(snapshot: &Snapshot, step: &'static str, out: &mut Vec<Difference>) {
    for ((persona, method, slot), answer) in snapshot {
        for secret in SECRETS.iter().filter(|s| answer.contains(**s)) {
            out.push(Difference {
                method: method.clone(),
                persona,
                step,
                what: format!("target {slot}: an insider's text reached an outsider"),
                left: format!("the text {secret:?}"),
                right: answer.clone(),
            });
        }
    }
}

/// What the hidden visit's own team member (the letter writer) is told, step by step: every
/// read aimed at the visit B (and its request, document and letter) and the document route. Its
/// answers about the visit and letter may change (it is on the team), but none may carry a
/// secret or a word about the consent, and every consent read and the document route must read
/// exactly as for random ids (a request it may not see is one with nothing on record).
async fn team_view(
    world: &World<'_>,
    member: &Outsider,
    hidden: &Slot,
    step: &'static str,
    out: &mut Vec<Difference>,
) {
    let unknown = Slot {
        name: "R",
        request: random_id(),
        engagement: random_id(),
        letter: random_id(),
        document: random_id(),
        area: hidden.area,
    };
    for (method, class) in &world.methods {
        if *class != Class::Read {
            continue;
        }
        let path = path_of(method);
        let consent_read = method.parent_service().name() == "ConsentService";
        let asked = build_requests(method, hidden).into_iter().zip(build_requests(method, &unknown));
        for ((label, body, replacements), (_, unknown_body, unknown_replacements)) in asked {
            let answer = call_raw(&member.grpc, method, body).await;
            let lower = answer.to_lowercase();
            let found = SECRETS
                .iter()
                .filter(|s| answer.contains(**s))
                .chain(CONSENT_WORDS.iter().filter(|w| lower.contains(**w)))
                .collect::<Vec<_>>();
            if !found.is_empty() {
                out.push(Difference {
                    method: format!("{path}{label}"),
                    persona: member.name,
                    step,
                    what: "target B: the team was told about the consent".into(),
                    left: format!("the texts {found:?}"),
                    right: answer.clone(),
                });
            }
            if consent_read {
                let reference = call_raw(&member.grpc, method, unknown_body).await;
                let (answer, reference) =
                    (normalise(&answer, &replacements), normalise(&reference, &unknown_replacements));
                if answer != reference {
                    out.push(Difference {
                        method: format!("{path}{label}"),
                        persona: member.name,
                        step,
                        what: "random ids vs the visit's own request".into(),
                        left: reference,
                        right: answer,
                    });
                }
            }
        }
    }
    let token = member.token.as_deref();
    let document = http_get(world.app, &format!("/documents/{}", hidden.document), token).await;
    let reference = http_get(world.app, &format!("/documents/{}", unknown.document), token).await;
    if document != reference {
        out.push(Difference {
            method: "GET /documents/{id}".into(),
            persona: member.name,
            step,
            what: "random id vs the consent document behind the visit".into(),
            left: reference,
            right: document,
        });
    }
}

/// Ids of confidential objects must be random UUIDv4s (issue #10 item 3): 122 random bits, so
/// that neither their count nor their order can be read from them. Sequential or time-ordered
/// ids (a counter, UUIDv7) fail here.
fn ids_are_random(ids: &[(&str, &str)], out: &mut Vec<Difference>) {
    for (what, id) in ids {
        let random = uuid::Uuid::try_parse(id)
            .is_ok_and(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122);
        if !random {
            out.push(Difference {
                method: format!("id of {what}"),
                persona: "anyone who creates objects of its own",
                step: "all steps",
                what:
                    "an id that is not a random UUIDv4 tells how many objects were made, and in which order"
                        .into(),
                left: "a random UUIDv4".into(),
                right: (*id).to_owned(),
            });
        }
    }
    let distinct: BTreeSet<_> = ids.iter().map(|(_, id)| *id).collect();
    if distinct.len() != ids.len() {
        out.push(Difference {
            method: "ids".into(),
            persona: "anyone",
            step: "all steps",
            what: "two objects share an id".into(),
            left: format!("{} ids", ids.len()),
            right: format!("{} distinct", distinct.len()),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[tokio::test]
async fn every_method_is_classified_or_out_of_scope() {
    let pool = pool();
    let all: BTreeSet<String> = pool
        .services()
        .filter(|s| s.package_name() == "sendplanner.v1")
        .flat_map(|s| s.methods().map(|m| path_of(&m)).collect::<Vec<_>>())
        .collect();
    assert!(all.len() > 40, "the descriptor set lists the contract's methods: {all:?}");
    let classified: BTreeSet<String> = classify(&pool).iter().map(|(m, _)| path_of(m)).collect();
    let out: BTreeSet<String> = OUT_OF_SCOPE.iter().map(|(m, _)| (*m).to_owned()).collect();
    let missing: Vec<_> = all.iter().filter(|m| !classified.contains(*m) && !out.contains(*m)).collect();
    assert!(missing.is_empty(), "methods neither called nor listed as out of scope: {missing:?}");
    for listed in OUT_OF_SCOPE.iter().map(|(m, _)| *m).chain(READS_BY_HAND.iter().copied()) {
        assert!(all.contains(listed), "{listed} is listed here but not in the contract");
    }
    // A read must not be named like a write nor the reverse: writes are the rest, each
    // probed too, so a misclassification only changes the label, never what is called.
    let reads = classify(&pool).iter().filter(|(_, c)| *c == Class::Read).count();
    assert!(reads >= 15, "expected the contract's reads to be recognised, got {reads}");
}

/// The start page aims at no object: it is asked as a read by every outsider before and after
/// each confidential step, so a request, letter or concern it counted or listed for them would
/// show as a difference over time. Acknowledging a concern is probed as a write at the hidden
/// request's id and a random one.
#[tokio::test]
async fn the_start_page_and_acknowledging_a_concern_are_probed() {
    let pool = pool();
    let classes: BTreeMap<String, Class> =
        classify(&pool).into_iter().map(|(m, c)| (path_of(&m), c)).collect();
    assert_eq!(classes.get("/sendplanner.v1.StartService/GetStartPage"), Some(&Class::Read));
    assert_eq!(
        classes.get("/sendplanner.v1.ConsentService/AcknowledgeSafeguardingConcern"),
        Some(&Class::Write)
    );
}

#[tokio::test]
async fn outsiders_learn_nothing_of_a_confidential_request() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let pool = pool();

    // Insiders.
    let planner = app.persona(Persona::Planner).await?.1;
    let lead = app.persona(Persona::InnerLondonLead).await?.1;
    let camden = app.persona(Persona::Camden).await?.1;
    let mut writer_request = Persona::OfstedInspector.request();
    writer_request.username = "hmi.team".into();
    let writer_person = app.seed_person(writer_request).await?;
    let writer = app.sign_in("hmi.team", PASSWORD).await?;

    // Outsiders.
    let mut nhs = Persona::Dfe.request();
    nhs.username = "reader.nhse".into();
    nhs.recipient_body = pb::RecipientBody::NhsEngland.into();
    app.seed_person(nhs).await?;
    let nhs = app.sign_in("reader.nhse", PASSWORD).await?;
    let (off_team_person, off_team) = app.persona(Persona::OfstedInspector).await?;
    let north_east_lead = app.persona(Persona::NorthEastLead).await?.1;
    let tokens: Vec<(&'static str, Option<String>)> = vec![
        ("Westminster (same region)", Some(app.persona(Persona::Westminster).await?.1)),
        ("Hartlepool (other region)", Some(app.persona(Persona::Hartlepool).await?.1)),
        ("NorthEastLead", Some(north_east_lead.clone())),
        ("Inspector off the team", Some(off_team)),
        ("DfE", Some(app.persona(Persona::Dfe).await?.1)),
        ("NHS England", Some(nhs)),
        ("Administrator", Some(app.persona(Persona::Admin).await?.1)),
        ("anonymous", None),
    ];
    let mut outsiders = Vec::new();
    for (name, token) in tokens {
        let header = match &token {
            Some(t) => Some(format!("Bearer {t}").parse()?),
            None => None,
        };
        let grpc = tonic::client::Grpc::new(InterceptedService::new(app.channel().await?, Auth(header)));
        outsiders.push(Outsider { name, token, grpc });
    }

    // Inspectors, all before the first snapshot: the hidden team (its Ofsted inspector is the
    // letter writer's record), a control inspector like the first on plain leave on the visit's
    // days, and the off-team inspector's own record.
    let mut programme = programme_client(&app, &planner).await?;
    let create = |name: &str, inspectorate: pb::Inspectorate, social_care: bool, person: String| {
        let request = pb::CreateInspectorRequest {
            name: name.into(),
            inspectorate: inspectorate.into(),
            social_care,
            home_region_code: REGION.into(),
            max_engagements_per_term: 30,
            person_id: person,
        };
        let mut client = programme.clone();
        async move {
            let created = client.create_inspector(request).await?.into_inner();
            some(created.inspector, "inspector").map(|i| i.id)
        }
    };
    let names = ("Tess Booked", "Lee Onleave");
    let team = [
        create(names.0, pb::Inspectorate::Ofsted, false, writer_person.id.clone()).await?,
        create("Sam Care", pb::Inspectorate::Ofsted, true, String::new()).await?,
        create("Kit Quality", pb::Inspectorate::Cqc, false, String::new()).await?,
    ];
    let on_leave = create(names.1, pb::Inspectorate::Ofsted, false, String::new()).await?;
    create("Off Team", pb::Inspectorate::Ofsted, true, off_team_person.id.clone()).await?;
    programme
        .add_unavailability(pb::AddUnavailabilityRequest {
            inspector_id: on_leave.clone(),
            period: Some(pb::DateRange { first_day: VISIT.0.into(), last_day: VISIT.1.into() }),
        })
        .await?;
    // A conflict of interest with a reason, in the hidden area: a lead sees the area but never
    // the reason (issue #10 item 5); the secrets check looks for the reason everywhere.
    programme
        .declare_conflict(pb::DeclareConflictRequest {
            inspector_id: on_leave.clone(),
            local_area_code: HIDDEN_AREA.0.into(),
            reason: CONFLICT_REASON.into(),
        })
        .await?;
    let inspectors = Inspectors { team, on_leave };

    // The outsider lead's own meeting in its own region, on the hidden visit's first day.
    let own_meeting = programme_client(&app, &north_east_lead)
        .await?
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E06000001".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: VISIT.0.into(), last_day: VISIT.0.into() }),
            note: String::new(),
        })
        .await?;
    let own_meeting = some(own_meeting.into_inner().engagement, "engagement")?.id;
    // And another on a different day of the same term, where both inspectors are free: the
    // assignment succeeds and its warnings (load, travel) must not count the hidden visit.
    let other_day = programme_client(&app, &north_east_lead)
        .await?
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E06000001".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-04-23".into(), last_day: "2027-04-23".into() }),
            note: String::new(),
        })
        .await?;
    let other_day = some(other_day.into_inner().engagement, "engagement")?.id;

    // The hidden visit's own team member (its letter writer): may see the visit, not its consent.
    let team_member = Outsider {
        name: "Inspector on the team",
        token: Some(writer.clone()),
        grpc: tonic::client::Grpc::new(InterceptedService::new(
            app.channel().await?,
            Auth(Some(format!("Bearer {writer}").parse()?)),
        )),
    };
    let insiders = Insiders { planner, lead, camden, writer };
    let slot = |name: &'static str, area| Slot {
        name,
        request: random_id(),
        engagement: random_id(),
        letter: random_id(),
        document: random_id(),
        area,
    };
    let mut hidden = Hidden { a: slot("A", HIDDEN_AREA), b: slot("B", HIDDEN_AREA), request_a_version: 0 };
    let control = slot("C", CONTROL_AREA);
    let world = World { app: &app, methods: classify(&pool), outsiders };

    let mut differences = Vec::new();
    let mut snapshots = 0;
    let mut questions = 0;
    for (index, step) in STEPS.iter().copied().enumerate() {
        let slots = [hidden.a.clone(), hidden.b.clone(), control.clone()];
        let mut before = world.snapshot(&slots).await;
        schedule_probes(&world, &mut before).await;
        if index == 0 {
            across_targets(&before, "C", "before any step", &mut differences);
        }
        perform(&app, index, &insiders, &inspectors, &mut hidden).await?;
        // Aimed at the objects as they now are: an object this step created was asked about
        // before it through a random id (the same placeholder replaces both), so "before vs
        // after" covers its creation; the control target C keeps random ids throughout.
        let slots = [hidden.a.clone(), hidden.b.clone(), control.clone()];
        let mut after = world.snapshot(&slots).await;
        schedule_probes(&world, &mut after).await;
        across_targets(&after, "C", step, &mut differences);
        over_time(&before, &after, step, &mut differences);
        secrets_in(&before, step, &mut differences);
        secrets_in(&after, step, &mut differences);
        team_view(&world, &team_member, &hidden.b, step, &mut differences).await;
        snapshots += 2;
        questions += before.len() + after.len();
        if let Ok(dir) = std::env::var("SEND_PLANNER_CONFIDENTIALITY_DUMP") {
            let text: String =
                after.iter().map(|((p, m, s), a)| format!("{p} | {m} | {s}\n    {a}\n")).collect();
            std::fs::write(format!("{dir}/after-{index}.txt"), text)?;
        }
        // Same day: only once the hidden visit books the inspector (before, one is free and
        // the other on leave). Another day: both free throughout, at every step.
        let probes = [(&own_meeting, "same day", index >= 3), (&other_day, "another day of the term", true)];
        for (meeting, label, _) in probes.into_iter().filter(|p| p.2) {
            let (on_leave_answer, booked_answer) =
                team_probe(&app, &north_east_lead, meeting, &inspectors, names).await?;
            if on_leave_answer != booked_answer {
                differences.push(Difference {
                    method: format!(
                        "/sendplanner.v1.ProgrammeService/AssignTeam [inspector booked vs on leave, {label}]"
                    ),
                    persona: "NorthEastLead",
                    step,
                    what: "own meeting: inspector on leave vs inspector on the hidden visit".into(),
                    left: on_leave_answer,
                    right: booked_answer,
                });
            }
        }
    }

    let admin = app.persona(Persona::Admin).await?.1;
    let planner = app.sign_in(Persona::Planner.username(), PASSWORD).await?;
    let viewers = [("Administrator", admin), ("Planner (viewing misses)", planner)];
    differences.extend(suspicious_access_probe(&app, &hidden.b, &viewers).await?);

    // Ids: every confidential object the test made, and the outsider lead's own engagements
    // (one more made now, after the hidden ones), whose ids it could compare.
    let last = programme_client(&app, &north_east_lead)
        .await?
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E06000001".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-05-04".into(), last_day: "2027-05-04".into() }),
            note: String::new(),
        })
        .await?;
    let last = some(last.into_inner().engagement, "engagement")?.id;
    ids_are_random(
        &[
            ("the declined request", &hidden.a.request),
            ("the consented request", &hidden.b.request),
            ("the consent document", &hidden.b.document),
            ("the interim visit", &hidden.b.engagement),
            ("the letter", &hidden.b.letter),
            ("the outsider's first meeting", &own_meeting),
            ("the outsider's second meeting", &other_day),
            ("the outsider's meeting made after the hidden visit", &last),
        ],
        &mut differences,
    );

    // Report.
    let mut seen = BTreeSet::new();
    differences.retain(|d| seen.insert((d.key(), d.what.clone(), d.left.clone(), d.right.clone())));
    let is_known = |d: &Difference| {
        KNOWN_LEAKS.iter().any(|(m, p, s)| *m == d.method && *p == d.persona && *s == d.step)
    };
    let (known, unknown): (Vec<_>, Vec<_>) = differences.iter().partition(|d| is_known(d));
    let found_keys: BTreeSet<_> = differences.iter().map(Difference::key).collect();
    for (m, p, s) in KNOWN_LEAKS {
        if !found_keys.contains(&((*m).to_owned(), *p, *s)) {
            println!("KNOWN_LEAKS entry no longer differs (fixed? remove it): {m} | {p} | {s}");
        }
    }
    let methods = world.methods.len();
    let reads = world.methods.iter().filter(|(_, c)| *c == Class::Read).count();
    println!(
        "confidentiality on {:?}: {methods} methods ({reads} reads, {} writes; a oneof asked once \
         per member too) + 2 routes + 4 typed scheduling probes, x {} outsiders x 3 targets (2 hidden, \
         1 control); {snapshots} snapshots over {} steps ({questions} answers compared) and 2 team \
         probes per step; {} known leak cases, {} unexpected differences",
        app.db.kind(),
        methods - reads,
        world.outsiders.len(),
        STEPS.len(),
        known.len(),
        unknown.len()
    );
    if !known.is_empty() {
        println!("KNOWN_LEAKS still leaking ({}):", known.len());
        for d in &known {
            println!("{}", d.render());
        }
    }
    let allow = std::env::var("SEND_PLANNER_ALLOW_KNOWN_LEAKS").as_deref() == Ok("1");
    assert!(
        unknown.is_empty(),
        "{} differences an outsider can observe:\n{}",
        unknown.len(),
        unknown.iter().map(|d| d.render()).collect::<Vec<_>>().join("\n")
    );
    assert!(
        known.is_empty() || allow,
        "{} known leak cases remain (set SEND_PLANNER_ALLOW_KNOWN_LEAKS=1 to accept them):\n{}",
        known.len(),
        known.iter().map(|d| d.render()).collect::<Vec<_>>().join("\n")
    );
    app.stop().await
}
