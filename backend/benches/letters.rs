//! PDF render time for a six-page letter.
//!
//! Run: `cargo bench -p send-planner --bench letters`.

use std::time::{Duration, Instant};

use send_planner::pdf::{PrintedLetter, render};

fn letter(sections: usize) -> PrintedLetter {
    let paragraph = "Leaders across education, health and care told us how children and young people with \
        special educational needs and disabilities were supported during the visit period, and what they plan \
        to do next to strengthen that support across the local area.";
    PrintedLetter {
        title: "Interim visit to Camden local area".into(),
        date: "22 November 2026".into(),
        addressee: vec!["Director of Children's Services".into(), "London Borough of Camden".into()],
        sections: (1..=sections).map(|i| (format!("Section {i}"), vec![paragraph.to_owned(); 4])).collect(),
    }
}

/// Pages in a rendered PDF, counted from its page objects.
fn pages(bytes: &[u8]) -> usize {
    lopdf::Document::load_mem(bytes).map(|d| d.get_pages().len()).unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sections = (1..200)
        .find(|n| render(&letter(*n)).map(|b| pages(&b)).unwrap_or(0) >= 6)
        .ok_or("no 6-page letter")?;
    let six = letter(sections);
    let bytes = render(&six)?;
    let mut samples: Vec<Duration> = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        let out = render(&six)?;
        samples.push(start.elapsed());
        assert_eq!(out.len(), bytes.len());
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "pdf render, {} pages ({} bytes): p50={:.3} ms p99={:.3} ms",
        pages(&bytes),
        bytes.len(),
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3
    );
    Ok(())
}
