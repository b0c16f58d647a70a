//! Tamper evidence that survives a database administrator (issue #16, item 5). Someone who can
//! write to the database can rewrite an event and recompute every later hash, and the chain
//! then verifies. So the server signs what the chain held, with an Ed25519 key kept outside the
//! database, and appends it to a file outside the database: each record lists the hash of every
//! event since the last record, signed. `send-planner audit verify --signed FILE --public-key
//! KEY` checks every record's signature and every event against the signed hashes, and names
//! the first event that differs.

use std::{io::Write as _, path::Path};

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};

/// Events read per query.
const BATCH: i64 = 10_000;

/// One signed record: the hashes of events `from_seq..=to_seq`, signed at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRecord {
    /// First event covered.
    pub from_seq: i64,
    /// Last event covered.
    pub to_seq: i64,
    /// Each event's chain hash, in order.
    pub hashes: Vec<String>,
    /// When it was signed (RFC 3339).
    pub signed_at: String,
    /// Ed25519 signature of [`record_bytes`], hex.
    pub signature: String,
}

/// The bytes a record's signature covers.
pub fn record_bytes(from_seq: i64, to_seq: i64, hashes: &[String], signed_at: &str) -> Vec<u8> {
    let mut text = format!("send-planner signed audit record v1\n{from_seq}\n{to_seq}\n{signed_at}\n");
    for hash in hashes {
        text.push_str(hash);
        text.push('\n');
    }
    text.into_bytes()
}

/// Why a key or a signed record cannot be used, or what differs from it.
#[derive(Debug, thiserror::Error)]
pub enum SignedError {
    /// A key that is not 64 hex digits.
    #[error("{0} is not an Ed25519 key: expected 64 hex digits")]
    BadKey(&'static str),
    /// A line of the file that is not a record.
    #[error("line {0} of the signed file is not a signed record")]
    BadRecord(usize),
    /// A record this key did not sign.
    #[error("the record on line {0} of the signed file is not signed by this key")]
    BadSignature(usize),
    /// An event differs from what was signed.
    #[error("event {seq} differs from the record signed at {signed_at}")]
    Differs {
        /// The first event that differs.
        seq: i64,
        /// When its record was signed.
        signed_at: String,
    },
    /// An event that was signed is no longer in the trail.
    #[error("event {seq}, signed at {signed_at}, is missing from the trail")]
    Missing {
        /// The first missing event.
        seq: i64,
        /// When its record was signed.
        signed_at: String,
    },
    /// Reading or writing the file failed.
    #[error("the signed file: {0}")]
    Io(#[from] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn key_bytes(text: &str, what: &'static str) -> Result<[u8; 32], SignedError> {
    let bytes = hex::decode(text.trim()).map_err(|_| SignedError::BadKey(what))?;
    bytes.try_into().map_err(|_| SignedError::BadKey(what))
}

/// A signing key from its 64 hex digits (the secret; keep it outside the database).
pub fn signing_key(text: &str) -> Result<SigningKey, SignedError> {
    Ok(SigningKey::from_bytes(&key_bytes(text, "the audit signing key")?))
}

/// A public key from its 64 hex digits.
pub fn public_key(text: &str) -> Result<VerifyingKey, SignedError> {
    VerifyingKey::from_bytes(&key_bytes(text, "the audit public key")?)
        .map_err(|_| SignedError::BadKey("the audit public key"))
}

/// A new key pair: (secret, public), each as hex.
pub fn new_key_pair() -> (String, String) {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    (hex::encode(key.to_bytes()), hex::encode(key.verifying_key().to_bytes()))
}

/// The records of `file` (none if it does not exist yet).
pub fn read_records(file: &Path) -> Result<Vec<SignedRecord>, SignedError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|_| SignedError::BadRecord(i + 1)))
        .collect()
}

/// Signs every event after the last one `file` covers and appends the record (flushed to disk);
/// the record, or `None` when there is nothing new.
pub async fn sign_new_events(
    store: &Store,
    key: &SigningKey,
    file: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<SignedRecord>, SignedError> {
    let last = read_records(file)?.iter().map(|r| r.to_seq).max().unwrap_or(0);
    let mut hashes = Vec::new();
    let mut after = last;
    loop {
        let batch = store.audit_events_after(after, BATCH).await?;
        let Some(end) = batch.last().map(|e| e.seq) else { break };
        hashes.extend(batch.into_iter().map(|e| e.hash));
        after = end;
    }
    if hashes.is_empty() {
        return Ok(None);
    }
    let (from_seq, to_seq) = (last + 1, after);
    let signed_at = crate::domain::clock::canonical(now);
    let signature = hex::encode(key.sign(&record_bytes(from_seq, to_seq, &hashes, &signed_at)).to_bytes());
    let record = SignedRecord { from_seq, to_seq, hashes, signed_at, signature };
    let mut line = serde_json::to_string(&record).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut out = std::fs::OpenOptions::new().create(true).append(true).open(file)?;
    out.write_all(line.as_bytes())?;
    out.sync_all()?;
    Ok(Some(record))
}

/// Checks every record of `file` against `key`, then every event of the trail against the
/// signed hashes; answers how many events the records cover.
pub async fn verify_signed(store: &Store, file: &Path, key: &VerifyingKey) -> Result<i64, SignedError> {
    let records = read_records(file)?;
    let mut signed: std::collections::BTreeMap<i64, (String, String)> = Default::default();
    for (i, r) in records.iter().enumerate() {
        let bytes: [u8; 64] = hex::decode(&r.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SignedError::BadSignature(i + 1))?;
        let covers = usize::try_from(r.to_seq - r.from_seq + 1).ok() == Some(r.hashes.len());
        if !covers
            || key
                .verify(
                    &record_bytes(r.from_seq, r.to_seq, &r.hashes, &r.signed_at),
                    &Signature::from_bytes(&bytes),
                )
                .is_err()
        {
            return Err(SignedError::BadSignature(i + 1));
        }
        for (seq, hash) in (r.from_seq..=r.to_seq).zip(&r.hashes) {
            signed.entry(seq).or_insert_with(|| (hash.clone(), r.signed_at.clone()));
        }
    }
    let mut after = 0;
    let mut seen = 0;
    loop {
        let batch = store.audit_events_after(after, BATCH).await?;
        let Some(end) = batch.last().map(|e| e.seq) else { break };
        for event in &batch {
            if let Some((hash, signed_at)) = signed.get(&event.seq) {
                if *hash != event.hash {
                    return Err(SignedError::Differs { seq: event.seq, signed_at: signed_at.clone() });
                }
                seen += 1;
            }
        }
        after = end;
    }
    if let Some((seq, (_, signed_at))) = signed.iter().find(|(seq, _)| **seq > after) {
        return Err(SignedError::Missing { seq: *seq, signed_at: signed_at.clone() });
    }
    Ok(seen)
}

/// Runs in the server: signs new events every `every`, and sooner once 1,000 are waiting;
/// until `stop`.
pub async fn run(
    store: Store,
    clock: crate::domain::clock::Clock,
    key: SigningKey,
    file: std::path::PathBuf,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut last_signed = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(30).min(every)) => {}
            _ = stop.changed() => return,
        }
        let covered = read_records(&file).ok().and_then(|r| r.iter().map(|r| r.to_seq).max()).unwrap_or(0);
        let waiting = store.audit_head().await.map(|h| h.seq - covered).unwrap_or(0);
        if waiting > 0 && (waiting >= 1_000 || last_signed.elapsed() >= every) {
            match sign_new_events(&store, &key, &file, clock.now()).await {
                Ok(_) => last_signed = tokio::time::Instant::now(),
                Err(e) => tracing::warn!(error = %e, "the audit trail could not be signed; trying again"),
            }
        }
    }
}
