//! Arbitrary bytes → parse base and overlay → merge → typed `Platform`. Must never panic.

#![no_main]

#[path = "common.rs"]
mod common;

use genk8s::spec::Platform;
use genk8s::{merge, yaml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (base_text, overlay_text) = common::split(data);
    let sm = common::sources(&base_text, &overlay_text);
    let base = yaml::parse(&base_text, 0);
    let overlay = yaml::parse(&overlay_text, 1);
    let (base, overlay) = match (base, overlay) {
        (Ok(b), Ok(o)) => (b, o),
        (b, o) => {
            common::render(b.err().into_iter().chain(o.err()).collect(), &sm);
            return;
        }
    };
    common::render(merge::check_additions(&base, &overlay), &sm);
    let merged = merge::merge_env(&base, "dev", &overlay);
    if let Err(e) = yaml::de::from_node::<Platform>(&merged.node) {
        common::render(vec![common::de_diag(e)], &sm);
    }
});
