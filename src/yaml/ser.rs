//! YAML text straight from a `Serialize` value, without building a `serde_json::Value`.
//!
//! The text is byte-identical to [`super::emit::emit`] of the value's `serde_json::to_value`:
//! the same layout rules (written as each value arrives: an empty map or list becomes `{}`
//! or `[]` once its end shows it was empty), the same scalar quoting, and serde_json's
//! data model (`None` and unit are `null`, an enum variant with data is a one-key map,
//! map keys are strings). [`object`] also puts `apiVersion`, `kind` and `metadata` first,
//! as [`crate::expand::Object`]'s JSON form does.

use super::emit::{indent, write_str_inline, write_string};
use serde::Serialize;
use serde::ser;
use serde_json::Error;
use std::fmt::Write as _;

/// Appends `t` as the YAML document body of a Kubernetes object: `apiVersion` and `kind`
/// (these values, whatever `t` says), `metadata`, then `t`'s other fields in their order.
pub fn object<T: Serialize + ?Sized>(t: &T, api_version: &str, kind: &str, out: &mut String) {
    for (k, v) in [("apiVersion", api_version), ("kind", kind)] {
        write_str_inline(k, out);
        out.push(':');
        v.serialize(Ser { out, pos: Pos::AfterKey(0), head: false }).expect("a string serializes");
    }
    t.serialize(Ser { out, pos: Pos::Top, head: true }).expect("k8s objects serialize to YAML");
}

/// Appends `t` as a YAML document body (no `---`), as `emit(&serde_json::to_value(t)?)` would.
pub fn to_yaml<T: Serialize + ?Sized>(t: &T, out: &mut String) -> Result<(), Error> {
    t.serialize(Ser { out, pos: Pos::Top, head: false })
}

/// Where a value is written: the document itself, after `key:` (at the key's indentation),
/// or after a list item's `-` (at the dash's indentation).
#[derive(Clone, Copy)]
enum Pos {
    Top,
    AfterKey(usize),
    Item(usize),
}

impl Pos {
    /// Indentation of a map's keys and of a block literal's lines.
    fn child(self) -> usize {
        match self {
            Pos::Top => 0,
            Pos::AfterKey(i) | Pos::Item(i) => i + 2,
        }
    }

    /// Indentation of a list's dashes.
    fn dash(self) -> usize {
        match self {
            Pos::Top => 0,
            Pos::AfterKey(i) => i,
            Pos::Item(i) => i + 2,
        }
    }
}

struct Ser<'a> {
    out: &'a mut String,
    pos: Pos,
    /// The top of an object: `apiVersion` and `kind` are written already, `metadata` goes first.
    head: bool,
}

impl<'a> Ser<'a> {
    fn scalar(self, write: impl FnOnce(&mut String, usize)) -> Result<(), Error> {
        if !matches!(self.pos, Pos::Top) {
            self.out.push(' ');
        }
        write(self.out, self.pos.child());
        self.out.push('\n');
        Ok(())
    }

    fn text(self, s: &str) -> Result<(), Error> {
        self.scalar(|out, ind| write_string(s, ind, out))
    }

    fn word(self, s: &str) -> Result<(), Error> {
        self.scalar(|out, _| out.push_str(s))
    }

    fn number(self, n: impl std::fmt::Display) -> Result<(), Error> {
        self.scalar(|out, _| {
            let _ = write!(out, "{n}");
        })
    }

    fn float(self, v: serde_json::Value) -> Result<(), Error> {
        match v {
            serde_json::Value::Number(n) => self.number(n),
            _ => self.word("null"),
        }
    }

    fn open(self, seq: bool) -> Coll<'a> {
        Coll { out: self.out, pos: self.pos, seq, n: 0, head: self.head.then(Head::default) }
    }

    /// `{variant: …}`: the map's one key written, the value's position returned.
    fn variant(self, variant: &str) -> (&'a mut String, Pos) {
        let mut m = Coll { out: self.out, pos: self.pos, seq: false, n: 0, head: None };
        m.begin();
        write_str_inline(variant, m.out);
        m.out.push(':');
        (m.out, Pos::AfterKey(m.pos.child()))
    }
}

/// `metadata` goes before the fields that come ahead of it: those wait in `pending`.
#[derive(Default)]
struct Head {
    pending: String,
    seen_metadata: bool,
    key: String,
}

/// A map or list being written; `n` entries so far.
struct Coll<'a> {
    out: &'a mut String,
    pos: Pos,
    seq: bool,
    n: usize,
    head: Option<Head>,
}

impl Coll<'_> {
    /// Writes what comes before the next entry's key or value.
    fn begin(&mut self) {
        let out = &mut *self.out;
        if self.seq {
            if self.n == 0 && !matches!(self.pos, Pos::Top) {
                out.push('\n');
            }
            indent(self.pos.dash(), out);
            out.push('-');
        } else if self.n > 0 {
            indent(self.pos.child(), out);
        } else {
            match self.pos {
                Pos::Top => {}
                Pos::AfterKey(_) => {
                    out.push('\n');
                    indent(self.pos.child(), out);
                }
                // The first key on the dash line, the rest aligned under it.
                Pos::Item(_) => out.push(' '),
            }
        }
        self.n += 1;
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.begin();
        value.serialize(Ser { out: self.out, pos: Pos::Item(self.pos.dash()), head: false })
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let Some(head) = &mut self.head else {
            self.begin();
            write_str_inline(key, self.out);
            self.out.push(':');
            return value.serialize(Ser { out: self.out, pos: Pos::AfterKey(self.pos.child()), head: false });
        };
        let top_entry = |out: &mut String| {
            write_str_inline(key, out);
            out.push(':');
            value.serialize(Ser { out, pos: Pos::AfterKey(0), head: false })
        };
        match key {
            // Written first by `object`, with the type's own values.
            "apiVersion" | "kind" => Ok(()),
            "metadata" => {
                top_entry(self.out)?;
                head.seen_metadata = true;
                self.out.push_str(&head.pending);
                head.pending = String::new();
                Ok(())
            }
            _ if head.seen_metadata => top_entry(self.out),
            _ => top_entry(&mut head.pending),
        }
    }

    fn end(self) -> Result<(), Error> {
        if let Some(head) = self.head {
            self.out.push_str(&head.pending);
        } else if self.n == 0 {
            let empty = if self.seq { "[]\n" } else { "{}\n" };
            if !matches!(self.pos, Pos::Top) {
                self.out.push(' ');
            }
            self.out.push_str(empty);
        }
        Ok(())
    }
}

/// A map key as serde_json makes one: a string, or a number or boolean as its text.
fn key_text<T: Serialize + ?Sized>(key: &T) -> Result<String, Error> {
    match key.serialize(serde_json::value::Serializer)? {
        serde_json::Value::String(s) => Ok(s),
        v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Ok(v.to_string()),
        _ => Err(ser::Error::custom("key must be a string")),
    }
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Coll<'a>;
    type SerializeTuple = Coll<'a>;
    type SerializeTupleStruct = Coll<'a>;
    type SerializeTupleVariant = Coll<'a>;
    type SerializeMap = Coll<'a>;
    type SerializeStruct = Coll<'a>;
    type SerializeStructVariant = Coll<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.word(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(serde_json::Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(serde_json::Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.open(true);
        for b in v {
            seq.item(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.word("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.word("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.word("null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let (out, pos) = self.variant(variant);
        value.serialize(Ser { out, pos, head: false })
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Coll<'a>, Error> {
        Ok(self.open(true))
    }
    fn serialize_tuple(self, _: usize) -> Result<Coll<'a>, Error> {
        Ok(self.open(true))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Coll<'a>, Error> {
        Ok(self.open(true))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Coll<'a>, Error> {
        let (out, pos) = self.variant(variant);
        Ok(Ser { out, pos, head: false }.open(true))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Coll<'a>, Error> {
        Ok(self.open(false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Coll<'a>, Error> {
        Ok(self.open(false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Coll<'a>, Error> {
        let (out, pos) = self.variant(variant);
        Ok(Ser { out, pos, head: false }.open(false))
    }
}

macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Coll<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }
            fn end(self) -> Result<(), Error> {
                Coll::end(self)
            }
        }
    )*};
}
seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! struct_impl {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Coll<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
                self.entry(key, value)
            }
            fn end(self) -> Result<(), Error> {
                Coll::end(self)
            }
        }
    )*};
}
struct_impl!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Coll<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key_text(key)?;
        match &mut self.head {
            Some(head) => head.key = key,
            None => {
                self.begin();
                write_str_inline(&key, self.out);
                self.out.push(':');
            }
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match &mut self.head {
            Some(head) => {
                let key = std::mem::take(&mut head.key);
                self.entry(&key, value)
            }
            None => value.serialize(Ser { out: self.out, pos: Pos::AfterKey(self.pos.child()), head: false }),
        }
    }
    fn end(self) -> Result<(), Error> {
        Coll::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::emit::emit;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn both(v: &Value) -> (String, String) {
        let mut a = String::new();
        emit(v, &mut a);
        let mut b = String::new();
        to_yaml(v, &mut b).unwrap();
        (a, b)
    }

    #[test]
    fn nested_empties_literals_and_lists_of_lists() {
        for v in [
            json!({"a": {"b": [1, {"c": "on", "d": []}], "e": "x\ny\n"}, "f": ["p", ["q"]], "g": "l1\nl2"}),
            json!({"a": {}, "b": [], "c": [{}, [], [[]], {"d": {}}], "e": null, "f": 1.5, "g": -3}),
            json!([[{"a": "  lead\nx"}, {"b": "k: v"}], {"c": {"d": [true, false]}}]),
            json!({}),
            json!([]),
            json!("top\nlevel\n"),
            json!(7),
        ] {
            let (want, got) = both(&v);
            assert_eq!(got, want, "{v}");
        }
    }

    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, &'static str),
        Struct { a: Option<u8>, b: Vec<u8> },
    }

    #[test]
    fn enums_options_and_keys_as_serde_json_has_them() {
        let v = (
            [E::Unit, E::New(1), E::Tuple(2, "x"), E::Struct { a: None, b: vec![] }],
            std::collections::BTreeMap::from([(3, 'c'), (10, 'd')]),
            (),
            Some(2.5f32),
        );
        let (want, got) = (
            {
                let mut s = String::new();
                emit(&serde_json::to_value(&v).unwrap(), &mut s);
                s
            },
            {
                let mut s = String::new();
                to_yaml(&v, &mut s).unwrap();
                s
            },
        );
        assert_eq!(got, want);
    }

    #[test]
    fn object_puts_api_version_kind_and_metadata_first() {
        let v = json!({"spec": {"x": 1}, "kind": "Old", "metadata": {"name": "a"}, "status": {}});
        let mut got = String::new();
        object(&v, "v1", "Thing", &mut got);
        assert_eq!(got, "apiVersion: v1\nkind: Thing\nmetadata:\n  name: a\nspec:\n  x: 1\nstatus: {}\n");
        let mut without = String::new();
        object(&json!({"spec": {}}), "v1", "Thing", &mut without);
        assert_eq!(without, "apiVersion: v1\nkind: Thing\nspec: {}\n");
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[ -~\n\t]{0,8}".prop_map(Value::from),
            prop::sample::select(vec!["on", "", "a\n", "\n\nx", " x\n", "é", "a\u{85}"]).prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-z:]{0,3}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn same_text_as_the_value_emitter(v in value()) {
            let (want, got) = both(&v);
            prop_assert_eq!(got, want);
        }
    }
}
