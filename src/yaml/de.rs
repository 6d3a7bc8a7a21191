//! A serde deserializer over [`Node`] whose errors carry the span of the value
//! (or key) at fault, so typed spec structs get file:line:col errors for free.
//!
//! Scalars are text until a typed field asks for a number or a boolean: `PORT: 8000`
//! read into a `String` gives "8000", and `on` stays "on". Only YAML 1.2 `true`
//! and `false` are booleans.

use super::node::{Entry, Node, NodeKind};
use crate::source::Span;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;

/// A deserialization error with the place it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error { message: msg.to_string(), span: None, help: None }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let help = match crate::diag::suggest(field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known fields here: {}", expected.join(", ")),
        };
        Error { message: format!("unknown field `{field}`"), span: None, help: Some(help) }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let help = match crate::diag::suggest(variant, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("write one of: {}", expected.join(", ")),
        };
        Error { message: format!("unknown value `{variant}`"), span: None, help: Some(help) }
    }
}

impl Error {
    fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// Fills in `span` when the error has no location of its own.
    pub fn at_least(self, span: Span) -> Self {
        self.at(span)
    }
}

/// Deserializes a typed value from a node.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, Error> {
    T::deserialize(node).map_err(|e| e.at(node.span))
}

fn invalid(node: &Node, expected: &str) -> Error {
    let found = match &node.kind {
        NodeKind::Scalar { text, .. } => format!("`{text}`"),
        _ => node.describe().to_string(),
    };
    let help = match expected {
        "a map" => Some("write `key: value` lines indented under the key, or `{key: value}`"),
        "a list" => Some("write `[a, b]`, or one `- item` per line indented under the key"),
        "text" => Some("write a single value here, not a list or a map"),
        "an integer" | "a whole number" => Some("write a number without quotes or units, e.g. 3"),
        "a number" => Some("write a number, e.g. 0.5"),
        _ => None,
    };
    Error {
        message: format!("expected {expected}, found {found}"),
        span: Some(node.span),
        help: help.map(String::from),
    }
}

macro_rules! number {
    ($method:ident, $visit:ident, $ty:ty, $what:expr) => {
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            match &self.kind {
                NodeKind::Scalar { text, .. } => match text.trim().replace('_', "").parse::<$ty>() {
                    Ok(n) => v.$visit(n),
                    Err(_) => Err(invalid(self, $what)),
                },
                _ => Err(invalid(self, $what)),
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Null => v.visit_unit(),
            NodeKind::Scalar { text, .. } => v.visit_str(text),
            NodeKind::Seq(items) => v.visit_seq(SeqAccess { items: items.iter() }),
            NodeKind::Map(entries) => v.visit_map(MapAccess { entries: entries.iter(), current: None }),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Scalar { text, .. } if text == "true" => v.visit_bool(true),
            NodeKind::Scalar { text, .. } if text == "false" => v.visit_bool(false),
            _ => Err(Error { help: Some("write true or false".into()), ..invalid(self, "a boolean") }),
        }
    }

    number!(deserialize_i8, visit_i64, i64, "an integer");
    number!(deserialize_i16, visit_i64, i64, "an integer");
    number!(deserialize_i32, visit_i64, i64, "an integer");
    number!(deserialize_i64, visit_i64, i64, "an integer");
    number!(deserialize_u8, visit_u64, u64, "a whole number");
    number!(deserialize_u16, visit_u64, u64, "a whole number");
    number!(deserialize_u32, visit_u64, u64, "a whole number");
    number!(deserialize_u64, visit_u64, u64, "a whole number");
    number!(deserialize_f32, visit_f64, f64, "a number");
    number!(deserialize_f64, visit_f64, f64, "a number");

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => v.visit_str(text),
            _ => Err(invalid(self, "text")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.kind {
            NodeKind::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.kind {
            NodeKind::Null => v.visit_unit(),
            _ => Err(invalid(self, "nothing (null)")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, Error> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Seq(items) => v.visit_seq(SeqAccess { items: items.iter() }),
            _ => Err(invalid(self, "a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Map(entries) => v.visit_map(MapAccess { entries: entries.iter(), current: None }),
            _ => Err(invalid(self, "a map")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => {
                v.visit_enum(text.as_str().into_deserializer()).map_err(|e: Error| e.at(self.span))
            }
            NodeKind::Map(entries) if entries.len() == 1 => v.visit_enum(EnumAccess { entry: &entries[0] }),
            _ => Err(invalid(self, "one of the listed values")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

struct SeqAccess<'de> {
    items: std::slice::Iter<'de, Node>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(n) => seed.deserialize(n).map(Some).map_err(|e| e.at(n.span)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'de> {
    entries: std::slice::Iter<'de, Entry>,
    current: Option<&'de Entry>,
}

/// Where to point for an error in a value: at a scalar itself, or at the key of a block.
fn value_span(e: &Entry) -> Span {
    match e.value.kind {
        NodeKind::Scalar { .. } => e.value.span,
        _ => e.key_span,
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some(e) => {
                self.current = Some(e);
                let key: de::value::StrDeserializer<'de, Error> = e.key.as_str().into_deserializer();
                seed.deserialize(key).map(Some).map_err(|err| err.at(e.key_span))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let e = self.current.expect("serde asks for a value only after a key");
        seed.deserialize(&e.value).map_err(|err| err.at(value_span(e)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumAccess<'de> {
    entry: &'de Entry,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = Error;
    type Variant = &'de Node;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, &'de Node), Error> {
        let key: de::value::StrDeserializer<'de, Error> = self.entry.key.as_str().into_deserializer();
        let v = seed.deserialize(key).map_err(|e| e.at(self.entry.key_span))?;
        Ok((v, &self.entry.value))
    }
}

impl<'de> de::VariantAccess<'de> for &'de Node {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, v)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], v: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct S {
        name: String,
        #[serde(default)]
        port: Option<u16>,
        #[serde(default)]
        env: BTreeMap<String, String>,
        #[serde(default)]
        on: Option<bool>,
    }

    #[test]
    fn scalars_stay_text_unless_typed() {
        let n = parse("name: x\nport: 8000\nenv: {A: on, B: 0755, C: 1.10}\n", 0).unwrap();
        let s: S = from_node(&n).unwrap();
        assert_eq!((s.name.as_str(), s.on), ("x", None));
        assert_eq!(s.port, Some(8000));
        assert_eq!(s.env["A"], "on");
        assert_eq!(s.env["B"], "0755");
        assert_eq!(s.env["C"], "1.10");
    }

    #[test]
    fn errors_point_at_the_value_or_key() {
        let n = parse("name: x\nport: 70000\n", 0).unwrap();
        let e = from_node::<S>(&n).unwrap_err();
        assert_eq!(e.span.map(|s| (s.line, s.col)), Some((2, 7)), "{e:?}");
        let n = parse("name: x\nprot: 80\n", 0).unwrap();
        let e = from_node::<S>(&n).unwrap_err();
        assert_eq!(e.message, "unknown field `prot`");
        assert_eq!(e.help.as_deref(), Some("did you mean `port`?"));
        assert_eq!(e.span.map(|s| (s.line, s.col)), Some((2, 1)));
        let n = parse("name: x\non: yes\n", 0).unwrap();
        let e = from_node::<S>(&n).unwrap_err();
        assert!(e.message.contains("expected a boolean, found `yes`"), "{e:?}");
    }
}
