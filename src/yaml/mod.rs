//! YAML with positions: a small tree ([`Node`]) that keeps the span of every
//! value, a serde deserializer over it, and a deterministic emitter.

pub mod de;
pub mod emit;
pub mod node;

pub use node::{Node, NodeKind, parse};
