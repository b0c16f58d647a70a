//! Compiles `proto/sendplanner/v1/*.proto` into Rust with protox (no `protoc` needed).
use std::{env, fs, path::PathBuf};

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/sendplanner/v1/case_studies.proto",
        "proto/sendplanner/v1/consent.proto",
        "proto/sendplanner/v1/identity.proto",
        "proto/sendplanner/v1/letters.proto",
        "proto/sendplanner/v1/notifications.proto",
        "proto/sendplanner/v1/programme.proto",
        "proto/sendplanner/v1/reference.proto",
        "proto/sendplanner/v1/scheduling.proto",
        "proto/sendplanner/v1/start.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let fds = protox::compile(files, ["proto"])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("sendplanner_v1_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_transport(false)
        .server_mod_attribute("sendplanner.v1", "#[cfg(feature = \"server\")]")
        .compile_fds(fds)?;
    Ok(())
}
