//! A case-study sample list as uploaded: parsed and, when it parses, every pick check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| send_planner::fuzzing::case_study_csv(data));
