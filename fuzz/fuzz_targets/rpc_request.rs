//! A request of any RPC of the contract: decoded, then every check its handler makes without the store.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| send_planner::fuzzing::rpc_request(data));
