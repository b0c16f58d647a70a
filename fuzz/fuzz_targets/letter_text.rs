//! A letter's text: laid out for the screen and the PDF, and checked, for every kind of engagement.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| send_planner::fuzzing::letter_text(data));
