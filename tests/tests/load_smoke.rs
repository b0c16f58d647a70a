//! The load generator (`src/bin/load.rs`) in its smoke mode: a few seconds per database at tiny
//! rates, against the real `send-planner serve` process, so the benchmark cannot rot. It fails
//! if any phase answered nothing or if the server refused any call.

#[test]
fn load_generator_smoke_run() {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_load"))
        .arg("--smoke")
        .status()
        .expect("run the load generator");
    assert!(status.success(), "the load generator's smoke run failed: {status}");
}
