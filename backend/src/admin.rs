//! Administrators' command-line work: the first accounts, and checking the audit trail.

use crate::{
    domain::audit::{BrokenChain, ChainVerifier},
    store::{Store, StoreError},
};

/// Events read per query while verifying: bounds memory for any length of chain.
const VERIFY_BATCH: i64 = 10_000;

/// A kept copy of the chain's head: `SEQ:HASH`, as `audit checkpoint` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Number of events at the time.
    pub seq: i64,
    /// Hash of event `seq`.
    pub hash: String,
}

impl std::str::FromStr for Checkpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = s.split_once(':').ok_or("a checkpoint is SEQ:HASH")?;
        let seq = seq.parse().map_err(|_| "the checkpoint's SEQ is not a number")?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the checkpoint's HASH is not 64 hex digits".into());
        }
        Ok(Self { seq, hash: hash.to_ascii_lowercase() })
    }
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Why verification did not pass.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The chain is broken; the first fault.
    #[error(transparent)]
    Broken(#[from] BrokenChain),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Walks the whole chain, checks it against its recorded head and, if given, a checkpoint kept
/// outside the system (which also catches a chain truncated together with its head). Returns
/// the verified head.
pub async fn verify_audit(store: &Store, checkpoint: Option<&Checkpoint>) -> Result<Checkpoint, VerifyError> {
    let mut verifier = checkpoint.map_or_else(ChainVerifier::default, |c| ChainVerifier::remembering(c.seq));
    let mut after = 0;
    loop {
        let batch = store.audit_events_after(after, VERIFY_BATCH).await?;
        for event in &batch {
            verifier.push(event)?;
        }
        match batch.last() {
            Some(last) => after = last.seq,
            None => break,
        }
    }
    let head = store.audit_head().await?;
    verifier.finish(head.seq, &head.hash)?;
    if let Some(c) = checkpoint {
        verifier.finish(c.seq, &c.hash)?;
    }
    Ok(Checkpoint { seq: verifier.count(), hash: verifier.last_hash().to_owned() })
}

/// The current head of the chain, to keep outside the system.
pub async fn audit_checkpoint(store: &Store) -> Result<Checkpoint, StoreError> {
    let head = store.audit_head().await?;
    Ok(Checkpoint { seq: head.seq, hash: head.hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_reject_junk() {
        let c: Checkpoint = format!("42:{}", "A".repeat(64)).parse().expect("valid");
        assert_eq!(c.to_string(), format!("42:{}", "a".repeat(64)));
        assert!("42".parse::<Checkpoint>().is_err());
        assert!("x:00".parse::<Checkpoint>().is_err());
        assert!(format!("1:{}", "g".repeat(64)).parse::<Checkpoint>().is_err());
    }
}
