//! Chunk math for HSDS datasets: the chunk grid, selection fan-out and byte
//! transfer between packed selections and chunks, chunk ids, HSDS
//! auto-chunking and contiguous-reference layouts, and the two partitionings
//! (which data node serves an id, which `p<N>/` folder holds a chunk).

pub mod auto;
pub mod chunk_id;
pub mod contiguous;
pub mod grid;
pub mod partition;
pub mod selection;
pub mod transfer;

pub use auto::{
    auto_layout, expand_chunk, guess_chunk, shrink_chunk, ChunkSizeLimits, ItemSize, LayoutError,
};
pub use chunk_id::{format_chunk_id, parse_chunk_id, ChunkIdParts};
pub use contiguous::{contiguous_chunk_location, contiguous_layout};
pub use grid::{ChunkGrid, GridError};
pub use partition::{
    chunk_partition, dn_index, id_hash, partition_count, partitioned_chunk_id, PartitionError,
};
pub use selection::{ChunkIter, ChunkSelection, DimPart, DimSelection, SelectionPlan};
