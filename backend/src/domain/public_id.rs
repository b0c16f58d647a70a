//! Public ids of confidential objects (visit requests, consent documents, engagements, letters,
//! safeguarding concerns): 128-bit random values (UUIDv4) that reveal neither how many objects
//! exist nor in which order they were made. The API and URLs carry only these; the integer keys
//! stay inside the database for joins.

/// A new public id: a random UUIDv4 in canonical form (36 lowercase characters).
pub fn new_public_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// `text` (trimmed) if it is a public id in canonical form, else `None`: a caller's malformed id
/// is then answered exactly like an unknown one, without reaching the database.
pub fn parse_public_id(text: &str) -> Option<&str> {
    let text = text.trim();
    let parsed = uuid::Uuid::try_parse(text).ok()?;
    let mut buffer = uuid::Uuid::encode_buffer();
    (parsed.hyphenated().encode_lower(&mut buffer) == text).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_random_version_4_uuids() {
        let (a, b) = (new_public_id(), new_public_id());
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert_eq!(parse_public_id(id), Some(id.as_str()));
            let parsed = uuid::Uuid::try_parse(id).expect("uuid");
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn only_canonical_ids_parse() {
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(parse_public_id(id), Some(id));
        assert_eq!(parse_public_id(&format!(" {id} ")), Some(id));
        for bad in [
            "",
            "1",
            "999999",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5bd9cb469fa16570867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "' OR 1=1 --",
        ] {
            assert_eq!(parse_public_id(bad), None, "{bad:?}");
        }
    }
}
