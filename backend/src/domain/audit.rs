//! The audit trail: events, their canonical bytes, the hash chain and its verification.

use sha2::{Digest, Sha256};

/// The hash the first event chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is numbered and chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// Person id of the actor; empty for an anonymous caller.
    pub actor_id: String,
    /// Username of the actor (or the username tried, for a failed sign-in of a known person).
    pub actor_username: String,
    /// Role of the actor (stored name) or empty.
    pub actor_role: String,
    /// e.g. `person.create`.
    pub action: String,
    /// e.g. `person`.
    pub object_type: String,
    /// The object's id.
    pub object_id: String,
    /// `ok` or what refused it.
    pub outcome: String,
    /// The request's id.
    pub request_id: String,
    /// Extra facts (never secrets), as short text.
    pub detail: String,
}

/// Who did something, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Person id, or empty.
    pub id: String,
    /// Username, or a name for the system (e.g. `cli`).
    pub username: String,
    /// Role's stored name, or empty.
    pub role: String,
    /// The request's id.
    pub request_id: String,
}

impl Actor {
    /// A signed-in person.
    pub fn person(person: &super::identity::Person, request_id: &str) -> Self {
        Self {
            id: person.id.to_string(),
            username: person.username.clone(),
            role: person.role().as_str().to_owned(),
            request_id: request_id.to_owned(),
        }
    }

    /// Someone not signed in.
    pub fn anonymous(request_id: &str) -> Self {
        Self {
            id: String::new(),
            username: String::new(),
            role: String::new(),
            request_id: request_id.to_owned(),
        }
    }

    /// The system itself, e.g. an administrator's command line (`cli`).
    pub fn system(name: &str) -> Self {
        Self { id: String::new(), username: name.to_owned(), role: String::new(), request_id: String::new() }
    }

    /// An event this actor caused.
    pub fn event(
        &self,
        action: &str,
        object_type: &str,
        object_id: &str,
        outcome: &str,
        detail: &str,
    ) -> NewAuditEvent {
        NewAuditEvent {
            actor_id: self.id.clone(),
            actor_username: self.username.clone(),
            actor_role: self.role.clone(),
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.to_owned(),
            outcome: outcome.to_owned(),
            request_id: self.request_id.clone(),
            detail: detail.to_owned(),
        }
    }
}

/// A stored event: numbered, timed and chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// 1, 2, 3, … with no gaps.
    pub seq: i64,
    /// Canonical RFC 3339 time.
    pub occurred_at: String,
    /// The event's facts.
    pub event: NewAuditEvent,
    /// Hash of the previous event (`GENESIS_HASH` for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and the canonical bytes, lower-case hex.
    pub hash: String,
}

/// The bytes an event's hash covers: each field as a 4-byte big-endian length and its UTF-8,
/// in a fixed order, so no two different events share bytes.
pub fn canonical_bytes(seq: i64, occurred_at: &str, e: &NewAuditEvent) -> Vec<u8> {
    let seq = seq.to_string();
    let fields = [
        seq.as_str(),
        occurred_at,
        &e.actor_id,
        &e.actor_username,
        &e.actor_role,
        &e.action,
        &e.object_type,
        &e.object_id,
        &e.outcome,
        &e.request_id,
        &e.detail,
    ];
    let mut bytes = Vec::with_capacity(fields.iter().map(|f| f.len() + 4).sum());
    for field in fields {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

/// The chain hash of an event.
pub fn chain_hash(prev_hash: &str, seq: i64, occurred_at: &str, e: &NewAuditEvent) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_bytes(seq, occurred_at, e));
    hex::encode(hasher.finalize())
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenChain {
    /// An event number is missing or out of order (deletion or reordering).
    #[error("event {expected} is missing: the next event is {found}")]
    Gap {
        /// The number that should come next.
        expected: i64,
        /// The number found.
        found: i64,
    },
    /// An event does not chain to the one before it.
    #[error("event {seq} does not chain to event {}: its previous hash differs", .seq - 1)]
    Unlinked {
        /// The event.
        seq: i64,
    },
    /// An event's contents no longer match its hash.
    #[error("event {seq} was altered: its contents do not match its hash")]
    Altered {
        /// The event.
        seq: i64,
    },
    /// The chain ends before the recorded head (events removed from the end).
    #[error("the chain ends at event {last} but its head says {head}: events were removed")]
    Truncated {
        /// Last event present.
        last: i64,
        /// Count recorded by the head (or a checkpoint).
        head: i64,
    },
    /// The head (or a checkpoint) names a hash the chain does not have.
    #[error("event {seq} has hash {found}, not {expected} as recorded")]
    HeadMismatch {
        /// The event.
        seq: i64,
        /// The hash recorded by the head or checkpoint.
        expected: String,
        /// The hash the chain has.
        found: String,
    },
}

/// Walks events in order, checking each against the one before.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
    /// Hash of a chosen event, remembered when walked past (for checkpoints).
    remembered: Option<(i64, Option<String>)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { next_seq: 1, prev_hash: GENESIS_HASH.to_owned(), remembered: None }
    }
}

impl ChainVerifier {
    /// A verifier at the start of the chain that also remembers the hash of event `seq`.
    pub fn remembering(seq: i64) -> Self {
        Self { remembered: Some((seq, None)), ..Self::default() }
    }

    /// Checks the next event.
    pub fn push(&mut self, e: &AuditEvent) -> Result<(), BrokenChain> {
        if e.seq != self.next_seq {
            return Err(BrokenChain::Gap { expected: self.next_seq, found: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(BrokenChain::Unlinked { seq: e.seq });
        }
        if chain_hash(&e.prev_hash, e.seq, &e.occurred_at, &e.event) != e.hash {
            return Err(BrokenChain::Altered { seq: e.seq });
        }
        if let Some((seq, hash)) = &mut self.remembered
            && *seq == e.seq
        {
            *hash = Some(e.hash.clone());
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }

    /// How many events were checked.
    pub fn count(&self) -> i64 {
        self.next_seq - 1
    }

    /// The hash of the last event checked.
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }

    /// Checks the end of the chain against a recorded head or checkpoint: `seq` events, the
    /// last (or the remembered one) with `hash`.
    pub fn finish(&self, seq: i64, hash: &str) -> Result<(), BrokenChain> {
        if self.count() < seq {
            return Err(BrokenChain::Truncated { last: self.count(), head: seq });
        }
        let found = if seq == self.count() {
            Some(self.prev_hash.clone())
        } else {
            self.remembered.as_ref().filter(|(s, _)| *s == seq).and_then(|(_, h)| h.clone())
        };
        match found {
            Some(found) if found == hash => Ok(()),
            found => Err(BrokenChain::HeadMismatch {
                seq,
                expected: hash.to_owned(),
                found: found.unwrap_or_default(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent {
                    actor_id: "1".into(),
                    actor_username: "planner".into(),
                    actor_role: "national_planner".into(),
                    action: "person.create".into(),
                    object_type: "person".into(),
                    object_id: seq.to_string(),
                    outcome: "ok".into(),
                    request_id: format!("r{seq}"),
                    detail: String::new(),
                };
                let occurred_at = format!("2026-11-22T10:00:{seq:02}.000000Z");
                let hash = chain_hash(&prev, seq, &occurred_at, &event);
                let e = AuditEvent { seq, occurred_at, event, prev_hash: prev.clone(), hash };
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent]) -> Result<ChainVerifier, BrokenChain> {
        let mut v = ChainVerifier::default();
        for e in events {
            v.push(e)?;
        }
        Ok(v)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(5);
        let v = verify(&events).expect("intact");
        assert_eq!(v.finish(5, &events[4].hash), Ok(()));
    }

    #[test]
    fn an_edited_field_is_named_by_its_event() {
        let mut events = chain(5);
        events[2].event.outcome = "denied".into();
        assert_eq!(verify(&events).err(), Some(BrokenChain::Altered { seq: 3 }));
    }

    #[test]
    fn a_deleted_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(verify(&events).err(), Some(BrokenChain::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn swapped_events_are_detected() {
        let mut events = chain(5);
        events.swap(1, 2);
        assert!(matches!(verify(&events).err(), Some(BrokenChain::Gap { expected: 2, .. })));
    }

    #[test]
    fn renumbered_events_do_not_chain() {
        let mut events = chain(5);
        events.swap(1, 2);
        events[1].seq = 2;
        events[2].seq = 3;
        assert_eq!(verify(&events).err(), Some(BrokenChain::Unlinked { seq: 2 }));
    }

    #[test]
    fn a_truncated_chain_fails_against_its_checkpoint() {
        let events = chain(5);
        let v = verify(&events[..3]).expect("prefix intact");
        assert_eq!(v.finish(5, &events[4].hash), Err(BrokenChain::Truncated { last: 3, head: 5 }));
    }

    #[test]
    fn an_older_checkpoint_is_checked_against_the_remembered_hash() {
        let events = chain(5);
        let mut v = ChainVerifier::remembering(2);
        for e in &events {
            v.push(e).expect("intact");
        }
        assert_eq!(v.finish(2, &events[1].hash), Ok(()));
        assert!(v.finish(2, &events[0].hash).is_err());
    }

    #[test]
    fn field_boundaries_are_part_of_the_bytes() {
        let mut a = chain(1).remove(0).event;
        let mut b = a.clone();
        a.action = "ab".into();
        a.object_type = "c".into();
        b.action = "a".into();
        b.object_type = "bc".into();
        assert_ne!(canonical_bytes(1, "t", &a), canonical_bytes(1, "t", &b));
    }
}
