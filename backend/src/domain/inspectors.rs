//! Linking an inspector's entry in the pool to the inspector's own account, so that the person
//! who signs in sees their own visits and availability: the account must have the role
//! inspector and not be linked to another entry; an entry is linked once.

use super::{FieldViolation, Refusal};

/// An account as the link rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    /// The account's role (stored name).
    pub role: String,
    /// The inspector's entry already linked to it, if any.
    pub linked_to: Option<i64>,
}

/// An inspector's entry as the link rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFacts {
    /// The entry's version.
    pub version: i64,
    /// The account already linked to it, if any.
    pub person_id: Option<i64>,
}

/// Whether `account` (`None`: no such account) may be linked to an inspector's entry: the
/// answer names the field `person_id`, as the forms show it.
pub fn account_may_link(account: Option<&AccountFacts>) -> Result<(), FieldViolation> {
    match account {
        None => Err(FieldViolation::new("person_id", "Select the inspector's account from the list")),
        Some(a) if a.role != "inspector" => {
            Err(FieldViolation::new("person_id", "Select an account with the role Inspector"))
        }
        Some(a) if a.linked_to.is_some() => {
            Err(FieldViolation::new("person_id", "This account is already linked to another inspector"))
        }
        Some(_) => Ok(()),
    }
}

/// Whether the entry (`None`: none the caller may see) read at `version` may be linked to
/// `account`.
pub fn decide_link(
    entry: Option<EntryFacts>,
    version: i64,
    account: Option<&AccountFacts>,
) -> Result<(), Refusal> {
    let entry = entry.ok_or(Refusal::NotFound("inspector"))?;
    if entry.version != version {
        return Err(Refusal::Stale(
            "Someone else changed this inspector's entry since you opened it. Reload it and try again"
                .to_owned(),
        ));
    }
    if entry.person_id.is_some() {
        return Err(Refusal::field("person_id", "This inspector is already linked to an account"));
    }
    account_may_link(account).map_err(|v| Refusal::Invalid(v.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREE: EntryFacts = EntryFacts { version: 3, person_id: None };

    fn account(role: &str, linked_to: Option<i64>) -> AccountFacts {
        AccountFacts { role: role.into(), linked_to }
    }

    fn field(r: Result<(), Refusal>) -> Option<(&'static str, String)> {
        match r {
            Err(Refusal::Invalid(e)) => e.0.first().map(|v| (v.field, v.reason.clone())),
            _ => None,
        }
    }

    #[test]
    fn an_unlinked_inspector_account_links_to_an_unlinked_entry() {
        assert_eq!(decide_link(Some(FREE), 3, Some(&account("inspector", None))), Ok(()));
    }

    #[test]
    fn an_account_of_another_role_is_refused_at_its_field() {
        let refused = decide_link(Some(FREE), 3, Some(&account("regional_lead", None)));
        assert_eq!(field(refused), Some(("person_id", "Select an account with the role Inspector".into())));
    }

    #[test]
    fn an_account_linked_elsewhere_is_refused_at_its_field() {
        let refused = decide_link(Some(FREE), 3, Some(&account("inspector", Some(9))));
        assert_eq!(field(refused).map(|f| f.0), Some("person_id"));
    }

    #[test]
    fn no_account_is_refused_at_its_field() {
        assert_eq!(field(decide_link(Some(FREE), 3, None)).map(|f| f.0), Some("person_id"));
    }

    #[test]
    fn an_entry_linked_already_is_not_linked_again() {
        let linked = EntryFacts { person_id: Some(4), ..FREE };
        let refused = decide_link(Some(linked), 3, Some(&account("inspector", None)));
        assert_eq!(
            field(refused).map(|f| f.1),
            Some("This inspector is already linked to an account".into())
        );
    }

    #[test]
    fn a_stale_version_is_refused_before_anything_else() {
        let refused = decide_link(Some(FREE), 2, Some(&account("regional_lead", None)));
        assert!(matches!(refused, Err(Refusal::Stale(_))), "{refused:?}");
    }

    #[test]
    fn a_missing_entry_answers_as_missing() {
        assert_eq!(decide_link(None, 1, None), Err(Refusal::NotFound("inspector")));
    }
}
