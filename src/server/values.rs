//! The service-node side of dataset values: given the data nodes, a dataset's
//! `.dataset.json` and a selection, plan the chunks with `chunking`, run the per-chunk reads
//! or writes concurrently on the owning nodes (at most
//! [`MAX_TASKS_PER_NODE_PER_REQUEST`] per node per request), and assemble the packed result.
//!
//! The HTTP layer calls [`read_selection`], [`write_selection`], [`read_points`],
//! [`write_points`], pages large reads with [`paginate`], and parses requests with the helpers
//! in [`request`]. Nodes are reached only through [`node_for`] and their [`NodeLink`], in this
//! process or in a `restvol dn` process alike.

pub mod fanout;
pub mod fields;
pub mod paging;
pub mod place;
pub mod points;
pub mod query;
pub mod query_scan;
pub mod request;
pub mod target;

use crate::chunking::{dn_index, GridError};

use super::chunks::ChunkError;
pub use super::cluster::NodeLink;

pub use fanout::{broadcast, read_selection, write_selection};
pub use paging::paginate;
pub use points::{read_points, write_points};
pub use target::ValueSelection;

/// HSDS's `max_tasks_per_node_per_request`.
pub const MAX_TASKS_PER_NODE_PER_REQUEST: usize = 16;

/// HSDS's `max_request_size` default (100 MiB).
pub const DEFAULT_MAX_REQUEST_SIZE: u64 = 100 * 1024 * 1024;

/// Why a value request failed. `Display` of the request variants is HSDS's reason text.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// A bad request (400), with HSDS's message.
    #[error("{0}")]
    BadRequest(String),
    /// An invalid selection (400 "Invalid selection"); the detail says why.
    #[error("Invalid selection")]
    InvalidSelection(String),
    /// The request or response is too large (413).
    #[error("{0}")]
    TooLarge(String),
    /// A data node failed.
    #[error(transparent)]
    Chunk(#[from] ChunkError),
    /// Inconsistent internal state (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ValueError {
    /// The HTTP status for this error.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            ValueError::BadRequest(_) | ValueError::InvalidSelection(_) => 400,
            ValueError::TooLarge(_) => 413,
            ValueError::Chunk(err) => err.http_status(),
            ValueError::Internal(_) => 500,
        }
    }
}

impl From<GridError> for ValueError {
    fn from(err: GridError) -> Self {
        ValueError::InvalidSelection(err.to_string())
    }
}

/// The node that owns `chunk_id` (HSDS `getObjPartition` over the node list).
///
/// # Errors
/// [`ValueError::Chunk`] for an empty node list.
pub fn node_for<'a>(
    nodes: &'a [NodeLink],
    chunk_id: &str,
) -> Result<(usize, &'a NodeLink), ValueError> {
    let index = dn_index(chunk_id, nodes.len()).map_err(ChunkError::from)?;
    let node =
        nodes.get(index).ok_or_else(|| ValueError::Internal("node index out of range".into()))?;
    Ok((index, node))
}

#[cfg(test)]
mod tests;
