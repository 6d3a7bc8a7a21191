//! Arbitrary bytes → the whole pipeline for one environment (parse, merge, validate,
//! expand, sort, emit a stream and a tree). Must never panic. The body is
//! `genk8s::fuzzing::pipeline` (built and run over the seeds by `cargo test`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    genk8s::fuzzing::pipeline(data);
});
