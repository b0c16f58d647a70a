//! Names and a text for the national report's anonymiser (first line: names separated by |).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| send_planner::fuzzing::anonymise(data));
