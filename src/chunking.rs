//! Chunk-grid math: HSDS auto-chunking, selection → chunk ids with per-chunk sub-selections,
//! DN partitioning of ids, and gather/scatter between packed selection buffers and chunks.
