//! What the checks report, and the lookups they share.

use super::{Cluster, Pod};

/// A path the spec asks for that the policies block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The workload the finding belongs to (for suppressions).
    pub workload: String,
    /// `Kind/name` of the object at fault.
    pub object: String,
    pub rule: &'static str,
    pub message: String,
}

/// The pods of one workload.
pub(super) fn pods_of<'a>(c: &'a Cluster, workload: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
    // Through the index: a scan of every pod per asked workload was quadratic.
    c.index().pods_of(workload).iter().map(|i| &c.pods[*i])
}
