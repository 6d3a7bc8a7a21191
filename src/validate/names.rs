//! What validate's checks use to judge names: the crate's [name rules](crate::names)
//! and the wording of "known …" hints.

pub(super) use crate::names::*;

/// `known services: a, b`, or `there are no services defined`.
pub(super) fn known<'a>(what: &str, names: impl Iterator<Item = &'a (impl AsRef<str> + 'a + ?Sized)>) -> String {
    let v: Vec<&str> = names.map(AsRef::as_ref).collect();
    if v.is_empty() { format!("there are no {what} defined") } else { format!("known {what}: {}", v.join(", ")) }
}
