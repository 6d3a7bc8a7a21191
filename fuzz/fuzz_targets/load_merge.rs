//! Arbitrary bytes → parse base and overlay → merge → typed `Platform`. Must never panic.
//! The body is `genk8s::fuzzing::load_merge` (built and run over the seeds by `cargo test`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| genk8s::fuzzing::load_merge(data));
