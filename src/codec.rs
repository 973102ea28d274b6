//! Chunk bytes on storage: deflate, shuffle, bitshuffle+LZ4, LZ4, Zstd and Blosc frames as HSDS
//! writes and reads them, fletcher32 acceptance, and variable-length element packing.
