//! How a letter's plain text is laid out: the one reading of headings and paragraphs, used by
//! the PDF renderer and by the web app (which compiles this same file for wasm32 with
//! `#[path]`). No I/O and nothing outside `std`, so it builds for both.
//!
//! A line is a heading when it names one of the letter's required sections (any case), or when
//! it is short (at most six words), ends without punctuation, starts a paragraph and is followed
//! by text. Other lines run together into paragraphs; blank lines end paragraphs.

/// One block of a laid-out letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph, its lines joined by spaces.
    Paragraph(String),
}

/// Most words in a line read as a heading without being a required section.
const HEADING_WORDS: usize = 6;

/// The blocks of `body`, given the headings its kind of letter must have.
pub fn blocks<S: AsRef<str>>(body: &str, required: &[S]) -> Vec<Block> {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            flush(&mut paragraph, &mut out);
            continue;
        }
        let named = required.iter().any(|h| h.as_ref().eq_ignore_ascii_case(line));
        let next_is_text = lines.get(i + 1).is_some_and(|next| !next.is_empty());
        let short = line.split_whitespace().count() <= HEADING_WORDS
            && !line.ends_with(['.', ',', ';', ':', '?', '!', ')', '"'])
            && paragraph.is_empty();
        if named || (short && next_is_text) {
            flush(&mut paragraph, &mut out);
            out.push(Block::Heading((*line).to_owned()));
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The same blocks grouped as sections: each heading with the paragraphs under it. Text before
/// the first heading goes in a section with an empty heading.
pub fn sections<S: AsRef<str>>(body: &str, required: &[S]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for block in blocks(body, required) {
        match block {
            Block::Heading(h) => out.push((h, Vec::new())),
            Block::Paragraph(p) => match out.last_mut() {
                Some(last) => last.1.push(p),
                None => out.push((String::new(), vec![p])),
            },
        }
    }
    out
}

/// The text a new letter starts with: its required headings, each followed by room to write.
pub fn template<S: AsRef<str>>(required: &[S]) -> String {
    required.iter().map(|h| format!("{}\n\n\n", h.as_ref())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIRED: [&str; 3] = ["Context", "What we found", "Next steps"];

    #[test]
    fn required_headings_start_sections_whatever_their_case() {
        let text = "context\nWe visited.\nIt went well.\n\nWhat we found\nLeaders know the area.\n";
        assert_eq!(
            blocks(text, &REQUIRED),
            [
                Block::Heading("context".into()),
                Block::Paragraph("We visited. It went well.".into()),
                Block::Heading("What we found".into()),
                Block::Paragraph("Leaders know the area.".into()),
            ]
        );
    }

    #[test]
    fn a_short_unpunctuated_line_before_text_is_a_heading_a_sentence_is_not() {
        let text = "Areas to develop\nWaiting times are long.\n\nThanks to everyone.\nMore text.\n";
        assert_eq!(
            blocks(text, &REQUIRED),
            [
                Block::Heading("Areas to develop".into()),
                Block::Paragraph("Waiting times are long.".into()),
                Block::Paragraph("Thanks to everyone. More text.".into()),
            ]
        );
    }

    #[test]
    fn sections_group_paragraphs_under_their_heading() {
        let text = "Opening words.\n\nContext\nOne.\n\nTwo.\n";
        assert_eq!(
            sections(text, &REQUIRED),
            [
                (String::new(), vec!["Opening words.".to_owned()]),
                ("Context".to_owned(), vec!["One.".to_owned(), "Two.".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_template_lays_out_as_its_headings() {
        let text = template(&REQUIRED);
        assert!(sections(&text, &REQUIRED).iter().map(|s| s.0.as_str()).eq(REQUIRED));
    }
}
