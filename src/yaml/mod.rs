//! YAML with positions: a small tree ([`Node`]) that keeps the span of every
//! value, a serde deserializer over it, and a deterministic emitter (of JSON values, and
//! straight from `Serialize` values).

pub mod de;
pub mod emit;
pub mod node;
pub mod ser;

pub use node::{Node, NodeKind, parse};
