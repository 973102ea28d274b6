//! `ChunkError`: every way a data-node chunk operation can fail, with its HTTP status.

use crate::chunking::{GridError, PartitionError};
use crate::storage::backend::StorageError;
use crate::storage::keys::KeyError;

/// Why a chunk operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// The `.dataset.json` value lacks or has a malformed field.
    #[error("bad dataset: {0}")]
    BadDataset(String),
    /// Request data (values, selection, points) does not fit the chunk.
    #[error("bad data: {0}")]
    BadData(String),
    /// The chunk id belongs to another data node.
    #[error("chunk {chunk_id} is not in the partition of node {node} of {count}")]
    NotInPartition {
        /// The refused id.
        chunk_id: String,
        /// This node's index.
        node: usize,
        /// Number of nodes.
        count: usize,
    },
    /// The chunk id does not belong to the dataset given with it.
    #[error("chunk {0} does not belong to this dataset")]
    ForeignChunk(String),
    /// The dataset uses filters the configured codec cannot apply.
    #[error("unsupported filters: {0}")]
    UnsupportedFilters(String),
    /// A size computation overflowed.
    #[error("request too large")]
    TooLarge,
    /// Selection or buffer math failed.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// A malformed id or key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Partitioning failed.
    #[error(transparent)]
    Partition(#[from] PartitionError),
    /// The object store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A codec failed on stored bytes.
    #[error("chunk codec: {0}")]
    Codec(String),
    /// A cache lock was poisoned by a panic elsewhere.
    #[error("chunk cache lock poisoned")]
    Poisoned,
    /// A data node in another process answered with an error (its status and message).
    #[error("{message}")]
    Remote {
        /// The DN's HTTP status.
        status: u16,
        /// The DN's message.
        message: String,
    },
}

impl ChunkError {
    /// The HTTP status HSDS answers with: 400 for bad requests, 500 for server-side failures.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            ChunkError::BadData(_)
            | ChunkError::Grid(_)
            | ChunkError::ForeignChunk(_)
            | ChunkError::Key(_) => 400,
            ChunkError::TooLarge => 413,
            ChunkError::Remote { status, .. } => *status,
            ChunkError::UnsupportedFilters(_) => 501,
            ChunkError::BadDataset(_)
            | ChunkError::NotInPartition { .. }
            | ChunkError::Partition(_)
            | ChunkError::Storage(_)
            | ChunkError::Codec(_)
            | ChunkError::Poisoned => 500,
        }
    }
}
