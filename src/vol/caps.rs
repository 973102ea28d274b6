//! The capability flags restvol advertises to HDF5 (`H5Pget_vol_cap_flags`).
//!
//! HDF5 tools and the HDF5 API test suite decide what to call from these flags, so they must
//! name exactly what works: a feature implemented but not advertised is skipped, one advertised
//! but broken fails. Each flag is added here in the same change that makes its feature work and
//! tests it. Values are `H5VL_CAP_FLAG_*` from `H5VLconnector.h`.

/// The connector may be called from several threads. True for restvol: all state shared
/// between calls (sessions, open files, the direct-access registry, the connector id) is
/// `Send + Sync` behind locks, there are no thread-locals, and every libhdf5 call the connector
/// makes runs on the calling thread (only REST requests run on the client's tokio workers, and
/// they never call into libhdf5, so they never wait for HDF5's global lock). With a thread-safe
/// libhdf5, `tests/connector_threads.rs` runs threads sharing one open file with no application
/// lock, in direct access and through `restvol serve`.
pub const THREADSAFE: u64 = 0x0001;
/// `H5Oopen/close/exists`.
pub const OBJECT_BASIC: u64 = 0x8000;
/// All other `H5O` calls.
pub const OBJECT_MORE: u64 = 0x0001_0000;
/// Committed (named) datatypes.
pub const STORED_DATATYPES: u64 = 0x0040_0000;
/// Creation order of links and attributes is tracked.
pub const CREATION_ORDER: u64 = 0x0080_0000;
/// `*_by_idx` calls.
pub const BY_IDX: u64 = 0x0400_0000;
/// `H5Acreate/delete/exists/open/close/read/write`.
pub const ATTR_BASIC: u64 = 0x0008;
/// All other `H5A` calls.
pub const ATTR_MORE: u64 = 0x0010;
/// `H5Dcreate/open/close/read/write`.
pub const DATASET_BASIC: u64 = 0x0020;
/// All other `H5D` calls.
pub const DATASET_MORE: u64 = 0x0040;
/// `H5Fcreate/open/close` (and `H5Fdelete`, `H5Fis_accessible`).
pub const FILE_BASIC: u64 = 0x0080;
/// All other `H5F` calls (`H5Fget_*`, including object counts and ids, `H5Freopen`).
pub const FILE_MORE: u64 = 0x0100;
/// `H5*get_create_plist` / `H5*get_access_plist`.
pub const GET_PLIST: u64 = 0x0800_0000;
/// `H5Gcreate/open/close`.
pub const GROUP_BASIC: u64 = 0x0200;
/// All other `H5G` calls (`H5Gget_info*`, flush, refresh).
pub const GROUP_MORE: u64 = 0x0400;
/// `H5Lexists/delete`.
pub const LINK_BASIC: u64 = 0x0800;
/// `H5Fflush`, `H5Gflush`, `H5Grefresh` and friends.
pub const FLUSH_REFRESH: u64 = 0x1000_0000;
/// Hard links.
pub const HARD_LINKS: u64 = 0x4000_0000;
/// All other `H5L` calls (`H5Lget_info*`, `H5Lget_val*`, iterate and visit).
pub const LINK_MORE: u64 = 0x1000;
/// External links.
pub const EXTERNAL_LINKS: u64 = 0x2000_0000;
/// `H5Literate`, `H5Lvisit` and the other iteration calls.
pub const ITERATE: u64 = 0x0100_0000;
/// Soft links.
pub const SOFT_LINKS: u64 = 0x8000_0000;
/// User-defined links (`H5Lcreate_ud`): the external link class, the one HDF5 ships.
pub const UD_LINKS: u64 = 0x0001_0000_0000;
/// Object times are tracked (`H5Pset_obj_track_times`; `created`/`lastModified`).
pub const TRACK_TIMES: u64 = 0x0002_0000_0000;
/// A filter pipeline (`creationProperties.filters`).
pub const FILTERS: u64 = 0x0008_0000_0000;
/// Fill values may be set (`creationProperties.fillValue`).
pub const FILL_VALUES: u64 = 0x0010_0000_0000;
/// `H5Fmount`/`H5Funmount` (see `vol::mount`).
pub const MOUNT: u64 = 0x0004_0000_0000;
/// `H5Rdestroy`.
pub const REF_BASIC: u64 = 0x0002_0000;
/// All other `H5R` calls.
pub const REF_MORE: u64 = 0x0004_0000;
/// Object references (`H5Rcreate_object`; stored as HSDS's `H5T_STD_REF_OBJ` text).
pub const OBJ_REF: u64 = 0x0008_0000;
/// Region references (`H5Rcreate_region`; stored selections must fit 48 bytes).
pub const REG_REF: u64 = 0x0010_0000;
/// Attribute references (`H5Rcreate_attr`; stored names must fit 48 bytes with the id).
pub const ATTR_REF: u64 = 0x0020_0000;

/// The flags restvol advertises today.
pub const ADVERTISED: u64 = THREADSAFE
    | FILE_BASIC
    | FILE_MORE
    | GET_PLIST
    | GROUP_BASIC
    | GROUP_MORE
    | FLUSH_REFRESH
    | LINK_BASIC
    | LINK_MORE
    | HARD_LINKS
    | SOFT_LINKS
    | EXTERNAL_LINKS
    | ITERATE
    | DATASET_BASIC
    | DATASET_MORE
    | ATTR_BASIC
    | ATTR_MORE
    | OBJECT_BASIC
    | OBJECT_MORE
    | STORED_DATATYPES
    | CREATION_ORDER
    | BY_IDX
    | UD_LINKS
    | TRACK_TIMES
    | FILTERS
    | FILL_VALUES
    | MOUNT
    | REF_BASIC
    | REF_MORE
    | OBJ_REF
    | REG_REF
    | ATTR_REF;
