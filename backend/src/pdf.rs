//! Letters as PDF: A4, the standard Helvetica fonts (so the text is selectable and extractable),
//! headings, date, addressee, wrapped paragraphs and "Page N of M" on every page.

use lopdf::{
    Document, Object, Stream,
    content::{Content, Operation},
    dictionary,
};

/// A letter laid out for print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLetter {
    /// The heading on the first page.
    pub title: String,
    /// The date line, e.g. "22 November 2026".
    pub date: String,
    /// Addressee lines.
    pub addressee: Vec<String>,
    /// Sections: a heading and its paragraphs.
    pub sections: Vec<(String, Vec<String>)>,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 72.0;
const BODY_SIZE: f32 = 11.0;
const BODY_LEADING: f32 = 15.0;

/// Helvetica advance widths (1/1000 em) for ASCII 32 to 126, from the standard AFM.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
    500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Width of `text` in points at `size`; bold text is taken as 10% wider (a safe margin).
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = c as u32;
            if (32..127).contains(&code) { u32::from(HELVETICA[(code - 32) as usize]) } else { 600 }
        })
        .sum();
    let scale = if bold { 1.1 } else { 1.0 };
    units as f32 * size / 1000.0 * scale
}

/// Splits `text` into lines no wider than `max` points.
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width(&candidate, size, bold) <= max || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text as WinAnsi bytes (the standard fonts' encoding); other characters become '?'.
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => b'\'',
            '\u{201C}' | '\u{201D}' => b'"',
            '\u{2013}' | '\u{2014}' => b'-',
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// One line placed on a page.
struct Placed {
    text: String,
    bold: bool,
    size: f32,
    y: f32,
}

/// Lays the letter out into pages of placed lines.
fn layout(letter: &PrintedLetter) -> Vec<Vec<Placed>> {
    let max = PAGE_WIDTH - 2.0 * MARGIN;
    let bottom = MARGIN + 20.0;
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - MARGIN;
    let place = |pages: &mut Vec<Vec<Placed>>, y: &mut f32, text: String, bold: bool, size: f32, gap: f32| {
        if *y - gap < bottom {
            pages.push(Vec::new());
            *y = PAGE_HEIGHT - MARGIN;
        }
        *y -= gap;
        if let Some(page) = pages.last_mut() {
            page.push(Placed { text, bold, size, y: *y });
        }
    };
    for line in wrap(&letter.title, 18.0, true, max) {
        place(&mut pages, &mut y, line, true, 18.0, 24.0);
    }
    place(&mut pages, &mut y, letter.date.clone(), false, BODY_SIZE, 24.0);
    for (i, line) in letter.addressee.iter().enumerate() {
        place(&mut pages, &mut y, line.clone(), false, BODY_SIZE, if i == 0 { 24.0 } else { BODY_LEADING });
    }
    for (heading, paragraphs) in &letter.sections {
        for (i, line) in wrap(heading, 13.0, true, max).into_iter().enumerate() {
            place(&mut pages, &mut y, line, true, 13.0, if i == 0 { 28.0 } else { 17.0 });
        }
        for paragraph in paragraphs {
            for (i, line) in wrap(paragraph, BODY_SIZE, false, max).into_iter().enumerate() {
                place(&mut pages, &mut y, line, false, BODY_SIZE, if i == 0 { 22.0 } else { BODY_LEADING });
            }
        }
    }
    pages
}

/// Renders the letter as PDF bytes.
pub fn render(letter: &PrintedLetter) -> Result<Vec<u8>, lopdf::Error> {
    let pages = layout(letter);
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name.to_owned(), "Encoding" => "WinAnsiEncoding" };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } });
    let total = pages.len();
    let mut kids: Vec<Object> = Vec::with_capacity(total);
    for (n, lines) in pages.into_iter().enumerate() {
        let mut ops = Vec::new();
        for line in lines {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new(
                "Tf",
                vec![if line.bold { "F2" } else { "F1" }.into(), line.size.into()],
            ));
            ops.push(Operation::new("Td", vec![MARGIN.into(), line.y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(encode(&line.text))]));
            ops.push(Operation::new("ET", vec![]));
        }
        let footer = format!("Page {} of {total}", n + 1);
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec!["F1".into(), 9.0.into()]));
        ops.push(Operation::new(
            "Td",
            vec![((PAGE_WIDTH - width(&footer, 9.0, false)) / 2.0).into(), (MARGIN / 2.0).into()],
        ));
        ops.push(Operation::new("Tj", vec![Object::string_literal(footer)]));
        ops.push(Operation::new("ET", vec![]));
        let content = doc.add_object(Stream::new(dictionary! {}, Content { operations: ops }.encode()?));
        let page =
            doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content });
        kids.push(page.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => i64::try_from(total).unwrap_or(i64::MAX),
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    /// A letter of `n` sections of filler, long enough for several pages.
    pub(crate) fn sample(sections: usize) -> PrintedLetter {
        let paragraph = "Leaders across education, health and care told us how children and young people with \
            special educational needs and disabilities were supported during the visit period, and what they \
            plan to do next to strengthen that support across the local area.";
        PrintedLetter {
            title: "Interim visit to Camden local area".into(),
            date: "22 November 2026".into(),
            addressee: vec!["Director of Children's Services".into(), "London Borough of Camden".into()],
            sections: (1..=sections)
                .map(|i| (format!("Section {i}"), vec![paragraph.to_owned(); 4]))
                .collect(),
        }
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn lines_wrap_inside_the_margins() {
        let max = PAGE_WIDTH - 2.0 * MARGIN;
        for line in wrap(&"word ".repeat(400), BODY_SIZE, false, max) {
            assert!(width(&line, BODY_SIZE, false) <= max);
        }
    }

    #[test]
    fn a_rendered_letter_reads_back_word_for_word_with_page_numbers() {
        let letter = sample(9);
        let bytes = render(&letter).expect("renders");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("letter.pdf");
        std::fs::write(&path, &bytes).expect("written");
        let out = Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (Debian's poppler-utils) is installed by scripts/setup.sh");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let pages = text.matches("Page ").count();
        assert!(pages >= 3, "several pages: {pages}");
        let total = layout(&letter).len();
        for n in 1..=total {
            assert!(text.contains(&format!("Page {n} of {total}")), "page {n} numbered");
        }
        let mut expected = words(&letter.title);
        expected.extend(words(&letter.date));
        for line in &letter.addressee {
            expected.extend(words(line));
        }
        for (heading, paragraphs) in &letter.sections {
            expected.extend(words(heading));
            for p in paragraphs {
                expected.extend(words(p));
            }
        }
        let got: Vec<String> = words(&text)
            .into_iter()
            .filter(|w| !w.starts_with("Page") && w.parse::<usize>().is_err() && w != "of")
            .collect();
        let expected: Vec<String> =
            expected.into_iter().filter(|w| w.parse::<usize>().is_err() && w != "of").collect();
        assert_eq!(got, expected);
    }
}
