//! Safe wrappers over the libhdf5 `H5S*` calls `h5::space` and `h5::selection` need:
//! dataspace extents and selections, plus `H5Dgather`/`H5Dscatter` with the `extern "C"`
//! callbacks they take. One libhdf5 call per wrapper; a negative return becomes
//! [`VolError::Hdf5Call`] naming the call.

use std::ffi::{c_int, c_void};

use super::h5type::{self, check_count, check_id, check_status};
use super::sys::{self, hid_t};
use crate::vol::VolError;

pub(crate) use sys::{
    H5S_class_t, H5S_sel_type, H5S_seloper_t, H5S_NULL, H5S_SCALAR, H5S_SELECT_OR, H5S_SELECT_SET,
    H5S_SEL_ALL, H5S_SEL_HYPERSLABS, H5S_SEL_NONE, H5S_SEL_POINTS, H5S_SIMPLE,
};

/// `H5S_UNLIMITED`: the maxdim of an unlimited dimension.
pub(crate) const UNLIMITED: u64 = u64::MAX;

fn rank_arg(rank: usize) -> Result<c_int, VolError> {
    c_int::try_from(rank).map_err(|_| VolError::InvalidArgument("dataspace rank too large".into()))
}

/// `H5Sclose`.
pub(crate) fn close(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Sclose", unsafe { sys::H5Sclose(id) })
}

/// `H5Scopy`: a new dataspace with the same extent and selection.
pub(crate) fn copy(id: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Scopy", unsafe { sys::H5Scopy(id) })
}

/// `H5Screate` of a scalar or null dataspace.
pub(crate) fn create(class: H5S_class_t) -> Result<hid_t, VolError> {
    // SAFETY: plain value; HDF5 validates it.
    check_id("H5Screate", unsafe { sys::H5Screate(class) })
}

/// `H5Screate_simple`; `maxdims` uses [`UNLIMITED`], `None` means maxdims = dims.
pub(crate) fn create_simple(dims: &[u64], maxdims: Option<&[u64]>) -> Result<hid_t, VolError> {
    if maxdims.is_some_and(|max| max.len() != dims.len()) {
        return Err(VolError::InvalidArgument("maxdims rank differs from dims".into()));
    }
    let max = maxdims.map_or(std::ptr::null(), <[u64]>::as_ptr);
    // SAFETY: `dims` and (when not NULL) `max` hold `rank` values that HDF5 reads and copies.
    let id = unsafe { sys::H5Screate_simple(rank_arg(dims.len())?, dims.as_ptr(), max) };
    check_id("H5Screate_simple", id)
}

/// `H5Sget_simple_extent_type`.
pub(crate) fn extent_class(id: hid_t) -> Result<H5S_class_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let class = unsafe { sys::H5Sget_simple_extent_type(id) };
    if class < 0 {
        return Err(VolError::Hdf5Call { call: "H5Sget_simple_extent_type" });
    }
    Ok(class)
}

/// `H5Sget_simple_extent_ndims`.
pub(crate) fn rank(id: hid_t) -> Result<usize, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let rank = unsafe { sys::H5Sget_simple_extent_ndims(id) };
    check_count("H5Sget_simple_extent_ndims", i64::from(rank))
}

/// `H5Sget_simple_extent_dims`: (dims, maxdims with [`UNLIMITED`]).
pub(crate) fn extent_dims(id: hid_t) -> Result<(Vec<u64>, Vec<u64>), VolError> {
    let rank = rank(id)?;
    let mut dims = vec![0u64; rank.max(1)];
    let mut maxdims = vec![0u64; rank.max(1)];
    // SAFETY: both arrays have room for the `rank` values HDF5 writes.
    let status =
        unsafe { sys::H5Sget_simple_extent_dims(id, dims.as_mut_ptr(), maxdims.as_mut_ptr()) };
    check_status("H5Sget_simple_extent_dims", status)?;
    dims.truncate(rank);
    maxdims.truncate(rank);
    Ok((dims, maxdims))
}

/// Fails for a simple dataspace that has no extent yet (`H5Screate(H5S_SIMPLE)` without
/// `H5Sset_extent_simple`), which HDF5 refuses for I/O as well.
pub(crate) fn require_extent(id: hid_t) -> Result<(), VolError> {
    if extent_class(id)? == H5S_SIMPLE && rank(id)? == 0 {
        return Err(VolError::InvalidArgument("the dataspace has no extent".into()));
    }
    Ok(())
}

/// `H5Sget_simple_extent_npoints`.
pub(crate) fn extent_points(id: hid_t) -> Result<u64, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let points = unsafe { sys::H5Sget_simple_extent_npoints(id) };
    u64::try_from(points).map_err(|_| VolError::Hdf5Call { call: "H5Sget_simple_extent_npoints" })
}

/// `H5Sget_select_type`.
pub(crate) fn select_type(id: hid_t) -> Result<H5S_sel_type, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let kind = unsafe { sys::H5Sget_select_type(id) };
    if kind < 0 {
        return Err(VolError::Hdf5Call { call: "H5Sget_select_type" });
    }
    Ok(kind)
}

/// `H5Sget_select_npoints`.
pub(crate) fn select_points(id: hid_t) -> Result<u64, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let points = unsafe { sys::H5Sget_select_npoints(id) };
    u64::try_from(points).map_err(|_| VolError::Hdf5Call { call: "H5Sget_select_npoints" })
}

/// `H5Sselect_all`.
pub(crate) fn select_all(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Sselect_all", unsafe { sys::H5Sselect_all(id) })
}

/// `H5Sselect_none`.
pub(crate) fn select_none(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Sselect_none", unsafe { sys::H5Sselect_none(id) })
}

/// `H5Sselect_hyperslab`; every slice has the space's rank (checked).
pub(crate) fn select_hyperslab(
    id: hid_t,
    op: H5S_seloper_t,
    start: &[u64],
    stride: &[u64],
    count: &[u64],
    block: &[u64],
) -> Result<(), VolError> {
    let rank = rank(id)?;
    if [start.len(), stride.len(), count.len(), block.len()].iter().any(|len| *len != rank) {
        return Err(VolError::InvalidArgument("hyperslab rank differs from the space".into()));
    }
    // SAFETY: the four arrays hold `rank` values each (checked above), read by HDF5 only.
    let status = unsafe {
        sys::H5Sselect_hyperslab(
            id,
            op,
            start.as_ptr(),
            stride.as_ptr(),
            count.as_ptr(),
            block.as_ptr(),
        )
    };
    check_status("H5Sselect_hyperslab", status)
}

/// `H5Sselect_elements`: `coords` holds `rank` values per point, points in order.
pub(crate) fn select_elements(
    id: hid_t,
    op: H5S_seloper_t,
    coords: &[u64],
) -> Result<(), VolError> {
    let rank = rank(id)?.max(1);
    if !coords.len().is_multiple_of(rank) {
        return Err(VolError::InvalidArgument(
            "point coordinates are not a multiple of the rank".into(),
        ));
    }
    // SAFETY: `coords` holds `coords.len() / rank` points of `rank` values, read by HDF5 only.
    let status = unsafe { sys::H5Sselect_elements(id, op, coords.len() / rank, coords.as_ptr()) };
    check_status("H5Sselect_elements", status)
}

/// `H5Sget_select_elem_npoints`.
pub(crate) fn point_count(id: hid_t) -> Result<u64, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let points = unsafe { sys::H5Sget_select_elem_npoints(id) };
    u64::try_from(points).map_err(|_| VolError::Hdf5Call { call: "H5Sget_select_elem_npoints" })
}

/// `H5Sget_select_elem_pointlist` of all points: `rank` values per point.
pub(crate) fn point_list(id: hid_t) -> Result<Vec<u64>, VolError> {
    let points = point_count(id)?;
    let rank = rank(id)?.max(1);
    let len = usize::try_from(points)
        .ok()
        .and_then(|points| points.checked_mul(rank))
        .ok_or(VolError::Hdf5Call { call: "H5Sget_select_elem_pointlist" })?;
    let mut buf = vec![0u64; len.max(1)];
    // SAFETY: `buf` has room for `points * rank` values, which is what HDF5 writes.
    let status = unsafe { sys::H5Sget_select_elem_pointlist(id, 0, points, buf.as_mut_ptr()) };
    check_status("H5Sget_select_elem_pointlist", status)?;
    buf.truncate(len);
    Ok(buf)
}

/// `H5Sget_select_hyper_nblocks`.
pub(crate) fn block_count(id: hid_t) -> Result<u64, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let blocks = unsafe { sys::H5Sget_select_hyper_nblocks(id) };
    u64::try_from(blocks).map_err(|_| VolError::Hdf5Call { call: "H5Sget_select_hyper_nblocks" })
}

/// `H5Sget_select_hyper_blocklist` of all blocks: per block `rank` start then `rank` end
/// (inclusive) coordinates.
pub(crate) fn block_list(id: hid_t) -> Result<Vec<u64>, VolError> {
    let blocks = block_count(id)?;
    let rank = rank(id)?.max(1);
    let len = usize::try_from(blocks)
        .ok()
        .and_then(|blocks| blocks.checked_mul(2 * rank))
        .ok_or(VolError::Hdf5Call { call: "H5Sget_select_hyper_blocklist" })?;
    let mut buf = vec![0u64; len.max(1)];
    // SAFETY: `buf` has room for `blocks * 2 * rank` values, which is what HDF5 writes.
    let status = unsafe { sys::H5Sget_select_hyper_blocklist(id, 0, blocks, buf.as_mut_ptr()) };
    check_status("H5Sget_select_hyper_blocklist", status)?;
    buf.truncate(len);
    Ok(buf)
}

/// `H5Sget_select_bounds`: the lowest and highest (inclusive) selected coordinates, with the
/// selection offset (`H5Soffset_simple`) applied.
pub(crate) fn select_bounds(id: hid_t) -> Result<(Vec<u64>, Vec<u64>), VolError> {
    let rank = rank(id)?;
    let (mut start, mut end) = (vec![0u64; rank.max(1)], vec![0u64; rank.max(1)]);
    // SAFETY: both arrays have room for the `rank` values HDF5 writes into each.
    let status = unsafe { sys::H5Sget_select_bounds(id, start.as_mut_ptr(), end.as_mut_ptr()) };
    check_status("H5Sget_select_bounds", status)?;
    start.truncate(rank);
    end.truncate(rank);
    Ok((start, end))
}

/// `H5Soffset_simple`: sets the selection offset (one value per dimension).
pub(crate) fn set_offset(id: hid_t, offset: &[i64]) -> Result<(), VolError> {
    if offset.len() != rank(id)? {
        return Err(VolError::InvalidArgument("offset rank differs from the dataspace".into()));
    }
    // SAFETY: `offset` holds one value per dimension (checked) and outlives the call.
    check_status("H5Soffset_simple", unsafe { sys::H5Soffset_simple(id, offset.as_ptr()) })
}

/// `H5Sis_regular_hyperslab`.
pub(crate) fn is_regular_hyperslab(id: hid_t) -> Result<bool, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let answer = unsafe { sys::H5Sis_regular_hyperslab(id) };
    check_status("H5Sis_regular_hyperslab", answer)?;
    Ok(answer > 0)
}

/// `H5Sget_regular_hyperslab`: (start, stride, count, block) per dimension.
#[allow(clippy::type_complexity)]
pub(crate) fn regular_hyperslab(
    id: hid_t,
) -> Result<(Vec<u64>, Vec<u64>, Vec<u64>, Vec<u64>), VolError> {
    let rank = rank(id)?;
    let [mut start, mut stride, mut count, mut block] = [(); 4].map(|()| vec![0u64; rank.max(1)]);
    // SAFETY: the four arrays have room for the `rank` values HDF5 writes into each.
    let status = unsafe {
        sys::H5Sget_regular_hyperslab(
            id,
            start.as_mut_ptr(),
            stride.as_mut_ptr(),
            count.as_mut_ptr(),
            block.as_mut_ptr(),
        )
    };
    check_status("H5Sget_regular_hyperslab", status)?;
    for values in [&mut start, &mut stride, &mut count, &mut block] {
        values.truncate(rank);
    }
    Ok((start, stride, count, block))
}

/// Checks that `buf_len` bytes hold the whole extent of `space` in elements of `datatype`.
fn check_extent_buffer(space: hid_t, datatype: hid_t, buf_len: usize) -> Result<usize, VolError> {
    let size = h5type::size(datatype)?;
    let needed = usize::try_from(extent_points(space)?)
        .ok()
        .and_then(|points| points.checked_mul(size))
        .ok_or_else(|| VolError::InvalidArgument("dataspace too large".into()))?;
    if buf_len < needed {
        return Err(VolError::InvalidArgument(format!(
            "buffer of {buf_len} bytes is smaller than the dataspace's {needed} bytes"
        )));
    }
    Ok(size)
}

/// Gather callback: the whole destination was given at once, so there is nothing to do.
extern "C" fn gather_done(
    _dst: *const c_void,
    _bytes: usize,
    _op_data: *mut c_void,
) -> sys::herr_t {
    0
}

/// `H5Dgather`: copies the selected elements of `src` (laid out as the whole extent of `space`,
/// elements of `datatype`) into a contiguous buffer, in selection order.
pub(crate) fn gather(space: hid_t, datatype: hid_t, src: &[u8]) -> Result<Vec<u8>, VolError> {
    let size = check_extent_buffer(space, datatype, src.len())?;
    let selected = usize::try_from(select_points(space)?)
        .ok()
        .and_then(|points| points.checked_mul(size))
        .ok_or_else(|| VolError::InvalidArgument("selection too large".into()))?;
    if selected == 0 {
        return Ok(Vec::new());
    }
    let mut dst = vec![0u8; selected];
    // SAFETY: `src` covers the whole extent (checked), `dst` holds exactly the selected
    // elements, and the callback touches no memory; both buffers outlive the call.
    let status = unsafe {
        sys::H5Dgather(
            space,
            src.as_ptr().cast(),
            datatype,
            dst.len(),
            dst.as_mut_ptr().cast(),
            Some(gather_done),
            std::ptr::null_mut(),
        )
    };
    check_status("H5Dgather", status)?;
    Ok(dst)
}

/// What [`scatter_source`] hands to `H5Dscatter`: the whole packed buffer, once.
struct ScatterSource {
    data: *const u8,
    len: usize,
    given: bool,
}

/// Scatter callback: gives the whole packed buffer on the first call and fails afterwards (HDF5
/// asks again only if the buffer held fewer elements than the selection).
extern "C" fn scatter_source(
    src_buf: *mut *const c_void,
    src_buf_bytes_used: *mut usize,
    op_data: *mut c_void,
) -> sys::herr_t {
    if src_buf.is_null() || src_buf_bytes_used.is_null() || op_data.is_null() {
        return -1;
    }
    // SAFETY: `op_data` is the `ScatterSource` that `scatter` passed and keeps alive for the
    // call; HDF5 calls back on the same thread, so nothing else borrows it.
    let source = unsafe { &mut *op_data.cast::<ScatterSource>() };
    if source.given {
        return -1;
    }
    source.given = true;
    // SAFETY: both out-pointers are non-NULL (checked) and point to HDF5's locals.
    unsafe {
        src_buf.write(source.data.cast());
        src_buf_bytes_used.write(source.len);
    }
    0
}

/// `H5Dscatter`: copies the contiguous `packed` elements into the selected elements of `dst`
/// (laid out as the whole extent of `space`, elements of `datatype`), in selection order.
pub(crate) fn scatter(
    space: hid_t,
    datatype: hid_t,
    packed: &[u8],
    dst: &mut [u8],
) -> Result<(), VolError> {
    let size = check_extent_buffer(space, datatype, dst.len())?;
    let selected = usize::try_from(select_points(space)?)
        .ok()
        .and_then(|points| points.checked_mul(size))
        .ok_or_else(|| VolError::InvalidArgument("selection too large".into()))?;
    if packed.len() != selected {
        return Err(VolError::InvalidArgument(format!(
            "{} packed bytes for a selection of {selected} bytes",
            packed.len()
        )));
    }
    if selected == 0 {
        return Ok(());
    }
    let mut source = ScatterSource { data: packed.as_ptr(), len: packed.len(), given: false };
    // SAFETY: `dst` covers the whole extent (checked); the callback hands out `packed`, which
    // holds exactly the selected elements and outlives the call, as does `source`.
    let status = unsafe {
        sys::H5Dscatter(
            Some(scatter_source),
            std::ptr::addr_of_mut!(source).cast(),
            datatype,
            space,
            dst.as_mut_ptr().cast(),
        )
    };
    check_status("H5Dscatter", status)
}
