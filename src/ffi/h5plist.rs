//! Safe wrappers over the libhdf5 `H5P*` calls `h5::plist` needs: dataset and group creation
//! properties. One libhdf5 call per wrapper; a negative return becomes
//! [`VolError::Hdf5Call`] naming the call.

use std::ffi::{c_char, c_int};

use super::h5type::{check_count, check_id, check_status};
use super::sys::{self, hid_t};
use crate::vol::VolError;

/// `H5Pclose`.
pub(crate) fn close(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Pclose", unsafe { sys::H5Pclose(id) })
}

pub(crate) use sys::{
    H5D_alloc_time_t, H5D_fill_time_t, H5D_layout_t, H5D_ALLOC_TIME_DEFAULT, H5D_ALLOC_TIME_EARLY,
    H5D_ALLOC_TIME_INCR, H5D_ALLOC_TIME_LATE, H5D_CHUNKED, H5D_COMPACT, H5D_CONTIGUOUS,
    H5D_FILL_TIME_ALLOC, H5D_FILL_TIME_IFSET, H5D_FILL_TIME_NEVER, H5D_FILL_VALUE_USER_DEFINED,
    H5D_VIRTUAL, H5P_CRT_ORDER_INDEXED, H5P_CRT_ORDER_TRACKED, H5Z_FLAG_OPTIONAL,
};

/// The property list classes restvol creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // named after HDF5's `H5P_*_CREATE` classes
pub(crate) enum PlistClass {
    /// Dataset creation (`H5P_DATASET_CREATE`).
    DatasetCreate,
    /// Group creation (`H5P_GROUP_CREATE`).
    GroupCreate,
    /// File creation (`H5P_FILE_CREATE`).
    FileCreate,
    /// Committed datatype creation (`H5P_DATATYPE_CREATE`).
    DatatypeCreate,
}

/// `H5Pcreate` of a new property list of `class`.
pub(crate) fn create(class: PlistClass) -> Result<hid_t, VolError> {
    super::hdf5::open_library()?;
    // SAFETY: reading a copy of a `hid_t` global set by `H5open` above is sound.
    let class_id = unsafe {
        match class {
            PlistClass::DatasetCreate => sys::H5P_CLS_DATASET_CREATE_ID_g,
            PlistClass::GroupCreate => sys::H5P_CLS_GROUP_CREATE_ID_g,
            PlistClass::FileCreate => sys::H5P_CLS_FILE_CREATE_ID_g,
            PlistClass::DatatypeCreate => sys::H5P_CLS_DATATYPE_CREATE_ID_g,
        }
    };
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Pcreate", unsafe { sys::H5Pcreate(class_id) })
}

/// `H5Pget_layout`.
pub(crate) fn layout(plist: hid_t) -> Result<H5D_layout_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let layout = unsafe { sys::H5Pget_layout(plist) };
    if layout < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pget_layout" });
    }
    Ok(layout)
}

/// `H5Pset_layout`.
pub(crate) fn set_layout(plist: hid_t, layout: H5D_layout_t) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Pset_layout", unsafe { sys::H5Pset_layout(plist, layout) })
}

/// `H5Pget_chunk`: the chunk dimensions.
pub(crate) fn chunk(plist: hid_t) -> Result<Vec<u64>, VolError> {
    const MAX_RANK: usize = 32;
    let mut dims = vec![0u64; MAX_RANK];
    // SAFETY: `dims` has room for MAX_RANK values, the most HDF5 writes (32 is H5S_MAX_RANK).
    let rank = unsafe { sys::H5Pget_chunk(plist, MAX_RANK as c_int, dims.as_mut_ptr()) };
    dims.truncate(check_count("H5Pget_chunk", i64::from(rank))?);
    Ok(dims)
}

/// `H5Pset_chunk` (also sets the chunked layout).
pub(crate) fn set_chunk(plist: hid_t, dims: &[u64]) -> Result<(), VolError> {
    let rank = c_int::try_from(dims.len())
        .map_err(|_| VolError::InvalidArgument("chunk rank too large".into()))?;
    // SAFETY: `dims` holds `rank` values that HDF5 reads and copies.
    check_status("H5Pset_chunk", unsafe { sys::H5Pset_chunk(plist, rank, dims.as_ptr()) })
}

/// `H5Pget_chunk_cache`: the chunk cache size in bytes of a dataset access list (the file
/// access list's when the dataset's is not set).
pub(crate) fn chunk_cache_bytes(plist: hid_t) -> Result<usize, VolError> {
    let (mut slots, mut bytes, mut w0) = (0usize, 0usize, 0f64);
    // SAFETY: three out-parameters of the types HDF5 writes, valid for the call.
    let status = unsafe { sys::H5Pget_chunk_cache(plist, &mut slots, &mut bytes, &mut w0) };
    check_status("H5Pget_chunk_cache", status)?;
    Ok(bytes)
}

/// `H5Pget_nfilters`.
pub(crate) fn filter_count(plist: hid_t) -> Result<u32, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let count = unsafe { sys::H5Pget_nfilters(plist) };
    u32::try_from(count).map_err(|_| VolError::Hdf5Call { call: "H5Pget_nfilters" })
}

/// One filter of a pipeline as `H5Pget_filter2` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterInfo {
    /// Filter id (`H5Z_FILTER_*` or a registered plugin id).
    pub(crate) id: u32,
    /// `H5Z_FLAG_*` bits.
    pub(crate) flags: u32,
    /// Client data values.
    pub(crate) cd_values: Vec<u32>,
    /// The filter's name as recorded in the pipeline.
    pub(crate) name: String,
}

/// `H5Pget_filter2` of filter `index`.
pub(crate) fn filter(plist: hid_t, index: u32) -> Result<FilterInfo, VolError> {
    const MAX_VALUES: usize = 64;
    let mut flags = 0u32;
    let mut count = MAX_VALUES;
    let mut values = vec![0u32; MAX_VALUES];
    let mut name = vec![0 as c_char; 256];
    let mut config = 0u32;
    // SAFETY: every out-pointer is valid: `count` tells HDF5 `values` holds MAX_VALUES slots,
    // `name` holds the 256 bytes passed as its length, and HDF5 NUL-terminates it.
    let id = unsafe {
        sys::H5Pget_filter2(
            plist,
            index,
            &mut flags,
            &mut count,
            values.as_mut_ptr(),
            name.len(),
            name.as_mut_ptr(),
            &mut config,
        )
    };
    let id = u32::try_from(id).map_err(|_| VolError::Hdf5Call { call: "H5Pget_filter2" })?;
    values.truncate(count.min(MAX_VALUES));
    let bytes: Vec<u8> = name.iter().take_while(|c| **c != 0).map(|c| c.to_ne_bytes()[0]).collect();
    Ok(FilterInfo { id, flags, cd_values: values, name: String::from_utf8_lossy(&bytes).into() })
}

/// `H5Pset_filter`.
pub(crate) fn set_filter(
    plist: hid_t,
    id: u32,
    flags: u32,
    cd_values: &[u32],
) -> Result<(), VolError> {
    let id = sys::H5Z_filter_t::try_from(id)
        .map_err(|_| VolError::InvalidArgument(format!("filter id {id} out of range")))?;
    // SAFETY: `cd_values` holds the number of values passed, which HDF5 reads and copies.
    let status =
        unsafe { sys::H5Pset_filter(plist, id, flags, cd_values.len(), cd_values.as_ptr()) };
    check_status("H5Pset_filter", status)
}

/// `H5Pfill_value_defined`: whether a user-defined fill value is set.
pub(crate) fn fill_value_is_user_defined(plist: hid_t) -> Result<bool, VolError> {
    let mut status = sys::H5D_FILL_VALUE_ERROR;
    // SAFETY: `status` is a valid out-pointer for the call.
    check_status("H5Pfill_value_defined", unsafe {
        sys::H5Pfill_value_defined(plist, &mut status)
    })?;
    Ok(status == H5D_FILL_VALUE_USER_DEFINED)
}

/// `H5Pget_fill_value` converted to `datatype` (a fixed-size type).
pub(crate) fn fill_value(plist: hid_t, datatype: hid_t) -> Result<Vec<u8>, VolError> {
    let size = super::h5type::size(datatype)?;
    let mut value = vec![0u8; size];
    // SAFETY: `value` holds one element of `datatype`, which is what HDF5 writes.
    let status = unsafe { sys::H5Pget_fill_value(plist, datatype, value.as_mut_ptr().cast()) };
    check_status("H5Pget_fill_value", status)?;
    Ok(value)
}

/// `H5Pset_fill_value`: `value` is one element of `datatype` (a fixed-size type).
pub(crate) fn set_fill_value(plist: hid_t, datatype: hid_t, value: &[u8]) -> Result<(), VolError> {
    if value.len() != super::h5type::size(datatype)? {
        return Err(VolError::InvalidArgument("fill value size differs from its type".into()));
    }
    // SAFETY: `value` holds one element of `datatype` (checked), which HDF5 reads and copies.
    let status = unsafe { sys::H5Pset_fill_value(plist, datatype, value.as_ptr().cast()) };
    check_status("H5Pset_fill_value", status)
}

/// `H5Pget_alloc_time`.
pub(crate) fn alloc_time(plist: hid_t) -> Result<H5D_alloc_time_t, VolError> {
    let mut time = sys::H5D_ALLOC_TIME_ERROR;
    // SAFETY: `time` is a valid out-pointer for the call.
    check_status("H5Pget_alloc_time", unsafe { sys::H5Pget_alloc_time(plist, &mut time) })?;
    Ok(time)
}

/// `H5Pset_alloc_time`.
pub(crate) fn set_alloc_time(plist: hid_t, time: H5D_alloc_time_t) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Pset_alloc_time", unsafe { sys::H5Pset_alloc_time(plist, time) })
}

/// `H5Pget_fill_time`.
pub(crate) fn fill_time(plist: hid_t) -> Result<H5D_fill_time_t, VolError> {
    let mut time = sys::H5D_FILL_TIME_ERROR;
    // SAFETY: `time` is a valid out-pointer for the call.
    check_status("H5Pget_fill_time", unsafe { sys::H5Pget_fill_time(plist, &mut time) })?;
    Ok(time)
}

/// `H5Pset_fill_time`.
pub(crate) fn set_fill_time(plist: hid_t, time: H5D_fill_time_t) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Pset_fill_time", unsafe { sys::H5Pset_fill_time(plist, time) })
}

/// `H5Pget_attr_phase_change`: (max compact, min dense) attribute counts.
pub(crate) fn attr_phase_change(plist: hid_t) -> Result<(u32, u32), VolError> {
    let (mut max_compact, mut min_dense) = (0u32, 0u32);
    // SAFETY: both are valid out-pointers for the call.
    let status = unsafe { sys::H5Pget_attr_phase_change(plist, &mut max_compact, &mut min_dense) };
    check_status("H5Pget_attr_phase_change", status)?;
    Ok((max_compact, min_dense))
}

/// `H5Pset_attr_phase_change`.
pub(crate) fn set_attr_phase_change(
    plist: hid_t,
    max_compact: u32,
    min_dense: u32,
) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    let status = unsafe { sys::H5Pset_attr_phase_change(plist, max_compact, min_dense) };
    check_status("H5Pset_attr_phase_change", status)
}

/// `H5Pget_obj_track_times`: whether the object's times are recorded.
pub(crate) fn obj_track_times(plist: hid_t) -> Result<bool, VolError> {
    let mut track = true;
    // SAFETY: `track` is a valid out-pointer for the call.
    let status = unsafe { sys::H5Pget_obj_track_times(plist, &mut track) };
    check_status("H5Pget_obj_track_times", status)?;
    Ok(track)
}

/// `H5Pset_obj_track_times`.
pub(crate) fn set_obj_track_times(plist: hid_t, track: bool) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    let status = unsafe { sys::H5Pset_obj_track_times(plist, track) };
    check_status("H5Pset_obj_track_times", status)
}

/// `H5Pget_attr_creation_order` flags (`H5P_CRT_ORDER_*`).
pub(crate) fn attr_creation_order(plist: hid_t) -> Result<u32, VolError> {
    let mut flags = 0u32;
    // SAFETY: `flags` is a valid out-pointer for the call.
    let status = unsafe { sys::H5Pget_attr_creation_order(plist, &mut flags) };
    check_status("H5Pget_attr_creation_order", status)?;
    Ok(flags)
}

/// `H5Pset_attr_creation_order`.
pub(crate) fn set_attr_creation_order(plist: hid_t, flags: u32) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    let status = unsafe { sys::H5Pset_attr_creation_order(plist, flags) };
    check_status("H5Pset_attr_creation_order", status)
}

/// `H5Pget_char_encoding` (string creation plists: attribute and link creation) is UTF-8.
pub(crate) fn char_encoding_is_utf8(plist: hid_t) -> Result<bool, VolError> {
    let mut cset = sys::H5T_CSET_ASCII;
    // SAFETY: `cset` is a valid out-pointer for the call.
    let status = unsafe { sys::H5Pget_char_encoding(plist, &mut cset) };
    check_status("H5Pget_char_encoding", status)?;
    Ok(cset == sys::H5T_CSET_UTF8)
}

/// `H5Pset_char_encoding` to UTF-8 (`true`) or ASCII.
pub(crate) fn set_char_encoding_utf8(plist: hid_t, utf8: bool) -> Result<(), VolError> {
    let cset = if utf8 { sys::H5T_CSET_UTF8 } else { sys::H5T_CSET_ASCII };
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Pset_char_encoding", unsafe { sys::H5Pset_char_encoding(plist, cset) })
}

/// `H5Pget_libver_bounds` of a file access plist asks for the earliest file format as its low
/// bound (HDF5's default).
pub(crate) fn low_bound_is_earliest(fapl: hid_t) -> Result<bool, VolError> {
    let mut low = sys::H5F_LIBVER_EARLIEST;
    let mut high = sys::H5F_LIBVER_EARLIEST;
    // SAFETY: `low` and `high` are valid out-pointers for the call.
    let status = unsafe { sys::H5Pget_libver_bounds(fapl, &mut low, &mut high) };
    check_status("H5Pget_libver_bounds", status)?;
    Ok(low == sys::H5F_LIBVER_EARLIEST)
}

/// `H5Pget_link_creation_order` flags (`H5P_CRT_ORDER_*`).
pub(crate) fn link_creation_order(plist: hid_t) -> Result<u32, VolError> {
    let mut flags = 0u32;
    // SAFETY: `flags` is a valid out-pointer for the call.
    let status = unsafe { sys::H5Pget_link_creation_order(plist, &mut flags) };
    check_status("H5Pget_link_creation_order", status)?;
    Ok(flags)
}

/// `H5Pset_link_creation_order`.
pub(crate) fn set_link_creation_order(plist: hid_t, flags: u32) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    let status = unsafe { sys::H5Pset_link_creation_order(plist, flags) };
    check_status("H5Pset_link_creation_order", status)
}

/// The file-format settings of a file creation plist that restvol keeps with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileFormat {
    /// `H5Pget_userblock`.
    pub(crate) userblock: u64,
    /// `H5Pget_sizes`: bytes of an address and of a length.
    pub(crate) sizes: (usize, usize),
    /// `H5Pget_sym_k`: group B-tree internal rank and leaf size.
    pub(crate) sym_k: (u32, u32),
    /// `H5Pget_istore_k`: chunked-storage B-tree rank.
    pub(crate) istore_k: u32,
}

/// The [`FileFormat`] settings of `fcpl`.
pub(crate) fn file_format(fcpl: hid_t) -> Result<FileFormat, VolError> {
    let mut userblock = 0u64;
    let (mut addr, mut len) = (0usize, 0usize);
    let (mut ik, mut lk) = (0u32, 0u32);
    let mut istore = 0u32;
    // SAFETY: every pointer is a valid out-pointer for its call.
    unsafe {
        check_status("H5Pget_userblock", sys::H5Pget_userblock(fcpl, &mut userblock))?;
        check_status("H5Pget_sizes", sys::H5Pget_sizes(fcpl, &mut addr, &mut len))?;
        check_status("H5Pget_sym_k", sys::H5Pget_sym_k(fcpl, &mut ik, &mut lk))?;
        check_status("H5Pget_istore_k", sys::H5Pget_istore_k(fcpl, &mut istore))?;
    }
    Ok(FileFormat { userblock, sizes: (addr, len), sym_k: (ik, lk), istore_k: istore })
}

/// Sets the [`FileFormat`] settings on `fcpl`.
pub(crate) fn set_file_format(fcpl: hid_t, format: &FileFormat) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    unsafe {
        check_status("H5Pset_userblock", sys::H5Pset_userblock(fcpl, format.userblock))?;
        check_status("H5Pset_sizes", sys::H5Pset_sizes(fcpl, format.sizes.0, format.sizes.1))?;
        check_status("H5Pset_sym_k", sys::H5Pset_sym_k(fcpl, format.sym_k.0, format.sym_k.1))?;
        check_status("H5Pset_istore_k", sys::H5Pset_istore_k(fcpl, format.istore_k))?;
    }
    Ok(())
}

/// HDF5's rule for a new file's userblock: when there is one, it is at least, and a multiple
/// of, the file's allocation alignment (the file space page size with paged aggregation, else
/// `H5Pset_alignment`'s). Native HDF5 refuses `H5Fcreate` otherwise; restvol keeps the
/// userblock size with the file, so it applies the same rule.
pub(crate) fn check_userblock_alignment(fcpl: hid_t, fapl: hid_t) -> Result<(), VolError> {
    let mut userblock = 0u64;
    let mut strategy: sys::H5F_fspace_strategy_t = 0;
    let mut persist: sys::hbool_t = false;
    let (mut threshold, mut page_size, mut alignment) = (0u64, 0u64, 1u64);
    // SAFETY: every pointer is a valid out-pointer for its call.
    unsafe {
        check_status("H5Pget_userblock", sys::H5Pget_userblock(fcpl, &mut userblock))?;
        if userblock == 0 {
            return Ok(());
        }
        check_status(
            "H5Pget_file_space_strategy",
            sys::H5Pget_file_space_strategy(fcpl, &mut strategy, &mut persist, &mut threshold),
        )?;
        check_status(
            "H5Pget_file_space_page_size",
            sys::H5Pget_file_space_page_size(fcpl, &mut page_size),
        )?;
        check_status(
            "H5Pget_alignment",
            sys::H5Pget_alignment(fapl, &mut threshold, &mut alignment),
        )?;
    }
    let alignment = if strategy == sys::H5F_FSPACE_STRATEGY_PAGE && page_size > 0 {
        page_size
    } else {
        alignment
    };
    if alignment > 1 && (userblock < alignment || !userblock.is_multiple_of(alignment)) {
        return Err(VolError::InvalidArgument(format!(
            "the userblock size {userblock} must be an integral multiple of the file's \
             allocation alignment {alignment}"
        )));
    }
    Ok(())
}
