//! The capability flags restvol advertises to HDF5 (`H5Pget_vol_cap_flags`).
//!
//! HDF5 tools and the HDF5 API test suite decide what to call from these flags, so they must
//! name exactly what works: a feature implemented but not advertised is skipped, one advertised
//! but broken fails. Each flag is added here in the same change that makes its feature work and
//! tests it.

/// The flags restvol advertises today. Nothing is advertised yet: file, group, dataset and
/// attribute operations arrive with the service and connector work.
pub const ADVERTISED: u64 = 0;
