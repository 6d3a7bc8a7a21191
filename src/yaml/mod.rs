//! YAML with positions: a small tree ([`Node`]) that keeps the span of every
//! value, a serde deserializer over it, and a deterministic emitter (of JSON values, and
//! straight from `Serialize` values).

pub mod de;
pub mod emit;
mod fast;
pub mod node;
pub mod ser;

pub use node::{Node, NodeKind};

use crate::diag::Diagnostic;
use crate::source::{FileId, MAX_BYTES, Span};

/// Parses one YAML document (an empty file gives a null node): with the quick reader
/// ([`fast`]) where it takes the text, else with saphyr-parser ([`node::full`]).
pub fn parse(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    if text.len() > MAX_BYTES {
        return Err(Diagnostic::at(
            Span::new(file, 1, 1),
            format!("file is {} bytes; genk8s reads spec files up to {} bytes", text.len(), MAX_BYTES),
        )
        .help("split the spec into smaller files"));
    }
    match fast::parse(text, file) {
        Some(node) if cfg!(debug_assertions) => Ok(checked(node, text, file)),
        Some(node) => Ok(node),
        None => node::full(text, file),
    }
}

/// `node`, the quick reader's tree of `text`, after checking that the full loader reads the
/// same tree (debug builds do, so every test that reads YAML compares the two readers).
fn checked(node: Node, text: &str, file: FileId) -> Node {
    let full = node::full(text, file);
    assert!(
        full.as_ref() == Ok(&node),
        "the quick YAML reader and saphyr-parser disagree on {text:?}:\nquick: {node:?}\nfull: {full:?}"
    );
    node
}
