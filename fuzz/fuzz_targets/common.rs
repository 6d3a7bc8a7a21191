//! Shared by the fuzz targets: the input format and diagnostic rendering.

#![allow(dead_code)] // each target uses part of this module

use genk8s::diag::{Diagnostic, Diagnostics};
use genk8s::source::SourceMap;
use std::path::Path;

/// Splits the input at its first NUL byte into the base (`platform.yaml`) and the
/// overlay (`environments/dev.yaml`); without a NUL the overlay is empty. Invalid
/// UTF-8 is replaced, so every input reaches the YAML parser.
pub fn split(data: &[u8]) -> (String, String) {
    let (base, overlay) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    (String::from_utf8_lossy(base).into_owned(), String::from_utf8_lossy(overlay).into_owned())
}

/// A source map holding the two texts as file 0 and file 1, as the loader would.
pub fn sources(base: &str, overlay: &str) -> SourceMap {
    let mut sm = SourceMap::default();
    sm.add(Path::new("platform.yaml"), base.to_string());
    sm.add(Path::new("environments/dev.yaml"), overlay.to_string());
    sm
}

/// Renders diagnostics (source line and caret): this must not panic either.
pub fn render(items: Vec<Diagnostic>, sm: &SourceMap) {
    let mut d = Diagnostics { items };
    d.sort();
    let text = d.render(sm);
    assert!(text.ends_with("nothing was written\n"));
}

pub fn de_diag(e: genk8s::yaml::de::Error) -> Diagnostic {
    let mut d = Diagnostic::new(e.span, e.message);
    d.help = e.help;
    d
}
