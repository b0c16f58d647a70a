//! Removing names from text for the national report, whole names only.
//!
//! A name is replaced only where it stands as a whole name: not inside a longer word ("Bury" in
//! "Canterbury", "Ann" in "Annual") and not inside a longer name that contains it ("Manchester"
//! in "NHS Greater Manchester", "Durham" in "County Durham"), which is kept. An area's own name is
//! replaced together with the organisation names built around it ("Manchester City Council",
//! "London Borough of Camden", "Bristol City Council" for "Bristol, City of"), so that no
//! "City Council" is left hanging after the description that replaces it.

/// Larger places and bodies whose names contain an area's name and identify far more than that
/// area; they are kept as they stand, like every other stored area and region name.
pub const LARGER_PLACES: &[&str] = &[
    "Greater Manchester",
    "Greater London",
    "West Yorkshire",
    "South Yorkshire",
    "North Yorkshire",
    "East Riding of Yorkshire",
    "West Midlands",
    "East Midlands",
    "Tyne and Wear",
    "Sutton Coldfield",
];

/// The ways an area's stored name is written in text: the stored name, and for names stored as
/// "Bristol, City of" or "Herefordshire, County of", the short name before the comma.
pub fn written_forms(stored: &str) -> Vec<String> {
    let mut forms = vec![stored.trim().to_owned()];
    if let Some((short, _)) = stored.split_once(',') {
        forms.push(short.trim().to_owned());
    }
    forms
}

/// The names of the councils and bodies built around an area's name, longest first.
pub fn organisation_names(stored: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in written_forms(stored) {
        for pattern in [
            "London Borough of {} Council",
            "Royal Borough of {} Council",
            "{} Metropolitan Borough Council",
            "{} Metropolitan District Council",
            "City and County of {}",
            "the London Borough of {}",
            "London Borough of {}",
            "Royal Borough of {}",
            "the City of {} Council",
            "City of {} Council",
            "Council of the {}",
            "{} City Council",
            "{} County Council",
            "{} Borough Council",
            "{} District Council",
            "{} Council",
        ] {
            out.push(pattern.replace("{}", &name));
        }
        out.push(name);
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.len()));
    out.dedup();
    out
}

/// Whether `c` can be part of a word or a name.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte ranges where `needle` stands in `text` as a whole name: not joined to a letter or
/// digit on either side. Case-sensitive (names are written with their capitals).
fn whole_matches(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(at) = text[from..].find(needle) {
        let (start, end) = (from + at, from + at + needle.len());
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        // A name ending in a non-word character ("Bristol, City of") needs no boundary there.
        let open = needle.chars().next().is_none_or(|c| !is_word(c)) || before.is_none_or(|c| !is_word(c));
        let close =
            needle.chars().next_back().is_none_or(|c| !is_word(c)) || after.is_none_or(|c| !is_word(c));
        if open && close {
            out.push((start, end));
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// Whether the text before `at` ends a sentence (or is the start), so a replacement there
/// starts with a capital.
fn starts_sentence(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches([' ', '\t']);
    before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':'])
}

/// What removes names from one text: each name with what replaces it, and the longer names that
/// contain one of them and are kept whole.
#[derive(Debug, Clone, Default)]
pub struct Anonymiser {
    replacements: Vec<(String, String)>,
    kept: Vec<String>,
}

impl Anonymiser {
    /// Nothing to remove yet; `kept` are the longer names to keep whole wherever they stand.
    pub fn new(kept: impl IntoIterator<Item = String>) -> Self {
        Self { replacements: Vec::new(), kept: kept.into_iter().filter(|k| !k.trim().is_empty()).collect() }
    }

    /// Replace `name` (as a whole name) with `with`.
    pub fn replace(&mut self, name: &str, with: &str) -> &mut Self {
        let name = name.trim();
        if !name.is_empty() {
            self.replacements.push((name.to_owned(), with.to_owned()));
        }
        self
    }

    /// Replace an area's name and the councils' names built around it with `with`, e.g. "a
    /// metropolitan district in North West".
    pub fn replace_area(&mut self, stored: &str, with: &str) -> &mut Self {
        for name in organisation_names(stored) {
            self.replace(&name, with);
        }
        self
    }

    /// `text` with every name replaced where it stands whole, longest names first, and never
    /// inside a kept name that is not itself being replaced.
    pub fn apply(&self, text: &str) -> String {
        let mut replacements = self.replacements.clone();
        replacements.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let replaced: Vec<&str> = replacements.iter().map(|(n, _)| n.as_str()).collect();
        // Spans taken: by a kept name (unchanged) or by a replacement.
        let mut taken: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let overlaps = |taken: &[(usize, usize, Option<usize>)], s: usize, e: usize| {
            taken.iter().any(|(ts, te, _)| s < *te && *ts < e)
        };
        // Kept names longer than a name being replaced, and not replaced themselves.
        let mut kept: Vec<&str> =
            self.kept.iter().map(String::as_str).filter(|k| !replaced.contains(k)).collect();
        kept.sort_by_key(|k| std::cmp::Reverse(k.len()));
        let mut candidates: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for k in kept {
            candidates.extend(whole_matches(text, k).into_iter().map(|(s, e)| (s, e, None)));
        }
        for (i, (name, _)) in replacements.iter().enumerate() {
            candidates.extend(whole_matches(text, name).into_iter().map(|(s, e)| (s, e, Some(i))));
        }
        // Longest first; at equal length a replacement wins over a kept name.
        candidates.sort_by_key(|(s, e, r)| (std::cmp::Reverse(e - s), r.is_none(), *s));
        for (s, e, r) in candidates {
            if !overlaps(&taken, s, e) {
                taken.push((s, e, r));
            }
        }
        taken.sort_by_key(|(s, ..)| *s);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e, r) in taken {
            let Some(i) = r else { continue };
            out.push_str(&text[at..s]);
            let with = &replacements[i].1;
            if starts_sentence(text, s) {
                let mut chars = with.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(with);
            }
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reference_data::{LAS_CSV, REGIONS_CSV, parse_local_areas, parse_regions};

    const PLACE: &str = "a unitary authority in North West";

    fn kept_names() -> Vec<String> {
        let areas = parse_local_areas(LAS_CSV).expect("areas");
        let regions = parse_regions(REGIONS_CSV).expect("regions");
        areas
            .iter()
            .flat_map(|a| written_forms(&a.name))
            .chain(regions.into_iter().map(|r| r.name))
            .chain(LARGER_PLACES.iter().map(|p| (*p).to_owned()))
            .collect()
    }

    #[test]
    fn only_whole_names_are_replaced() {
        let mut a = Anonymiser::new(kept_names());
        a.replace("Ann Lee", "[name removed]")
            .replace("Bury", "[name removed]")
            .replace_area("Manchester", PLACE);
        let text = "Ann Lee met Manchester City Council. Annual reviews in Canterbury and Bury improved. \
                    NHS Greater Manchester Integrated Care Board agreed. Manchester's leaders spoke.";
        assert_eq!(
            a.apply(text),
            "[name removed] met a unitary authority in North West. Annual reviews in Canterbury and [name removed] \
             improved. NHS Greater Manchester Integrated Care Board agreed. A unitary authority in North West's \
             leaders spoke."
        );
    }

    /// Every stored area name, current and retired, in each of the organisation names built
    /// around it and on its own, is removed whole, and no other area's or region's name that
    /// stands in the same text is broken.
    #[test]
    fn every_stored_area_name_and_its_councils_are_removed_and_nothing_else_is_broken() {
        let areas = parse_local_areas(LAS_CSV).expect("areas");
        let kept = kept_names();
        assert!(areas.len() >= 153);
        for area in &areas {
            let mut a = Anonymiser::new(kept.clone());
            a.replace_area(&area.name, PLACE);
            for form in organisation_names(&area.name) {
                let text = format!("We met {form} on Monday. Leaders of {form} described the work.");
                let out = a.apply(&text);
                assert_eq!(
                    out,
                    format!("We met {PLACE} on Monday. Leaders of {PLACE} described the work."),
                    "{form:?}"
                );
            }
            // Other stored names and larger places that contain this one are kept whole.
            let forms = written_forms(&area.name);
            let containing = kept
                .iter()
                .filter(|k| !forms.contains(k) && forms.iter().any(|f| !whole_matches(k, f).is_empty()));
            for other in containing {
                let text = format!("Partners in {other} agreed.");
                assert_eq!(a.apply(&text), text, "{other:?} kept whole while removing {:?}", area.name);
            }
            let out = a.apply(&format!("{} City Council and NHS Greater Manchester met.", area.name));
            for dangling in ["City Council", "Council", "Borough of"] {
                assert!(!out.contains(dangling), "{dangling:?} left in {out:?}");
            }
            assert!(out.starts_with("A unitary authority"), "{out:?}");
        }
    }

    #[test]
    fn names_with_a_comma_are_found_in_their_written_forms() {
        let mut a = Anonymiser::new(kept_names());
        a.replace_area("Kingston upon Hull, City of", PLACE);
        assert_eq!(
            a.apply("Kingston upon Hull City Council met Kingston upon Thames."),
            format!("A{} met Kingston upon Thames.", &PLACE[1..])
        );
        assert_eq!(a.apply("Kingston upon Hull, City of"), format!("A{}", &PLACE[1..]));
    }
}
