//! Safe wrappers over the libhdf5 `H5T*` calls `h5::types` and `h5::convert` need: datatype
//! introspection, construction and conversion. One libhdf5 call per wrapper; a negative return
//! becomes [`VolError::Hdf5Call`] naming the call.

use std::ffi::{c_char, c_uint, c_void, CStr};

use super::hdf5::c_string;
use super::sys::{self, hid_t};
use crate::vol::VolError;

pub(crate) use sys::{
    H5T_class_t, H5T_cset_t, H5T_order_t, H5T_sign_t, H5T_str_t, H5T_ARRAY, H5T_BITFIELD,
    H5T_COMPOUND, H5T_CSET_ASCII, H5T_CSET_UTF8, H5T_ENUM, H5T_FLOAT, H5T_INTEGER, H5T_OPAQUE,
    H5T_ORDER_BE, H5T_ORDER_LE, H5T_REFERENCE, H5T_SGN_2, H5T_STRING, H5T_STR_NULLPAD,
    H5T_STR_NULLTERM, H5T_STR_SPACEPAD, H5T_TIME, H5T_VLEN,
};

/// Fails with the call's name when `id` is negative.
pub(crate) fn check_id(call: &'static str, id: hid_t) -> Result<hid_t, VolError> {
    if id < 0 {
        Err(VolError::Hdf5Call { call })
    } else {
        Ok(id)
    }
}

/// Fails with the call's name when `status` is negative.
pub(crate) fn check_status(call: &'static str, status: i32) -> Result<(), VolError> {
    if status < 0 {
        Err(VolError::Hdf5Call { call })
    } else {
        Ok(())
    }
}

/// Fails with the call's name when `value` is negative; otherwise the value as `usize`.
pub(crate) fn check_count(call: &'static str, value: i64) -> Result<usize, VolError> {
    usize::try_from(value).map_err(|_| VolError::Hdf5Call { call })
}

/// Takes a string HDF5 allocated (or NULL for failure), copies it and frees HDF5's copy.
fn take_hdf5_string(call: &'static str, ptr: *mut c_char) -> Result<String, VolError> {
    if ptr.is_null() {
        return Err(VolError::Hdf5Call { call });
    }
    // SAFETY: HDF5 returned a non-NULL, NUL-terminated string that it allocated for the caller.
    let text = unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned();
    // SAFETY: the string came from HDF5's allocator, is freed exactly once and not used again.
    unsafe { sys::H5free_memory(ptr.cast()) };
    Ok(text)
}

/// The predefined datatypes restvol builds from (global ids set by `H5open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Predefined {
    /// `H5T_C_S1`: a one-byte NUL-terminated ASCII string (the base of string types).
    CString,
    /// `H5T_STD_REF_OBJ`: the old object reference `hobj_ref_t`.
    RefObj,
    /// `H5T_STD_REF_DSETREG`: the old region reference `hdset_reg_ref_t`.
    RefDsetReg,
    /// `H5T_STD_REF`: the new `H5R_ref_t`.
    Ref,
    /// `H5T_IEEE_F32LE` … `H5T_IEEE_F64BE` by (bytes, big endian); 16-bit floats come from
    /// [`ieee_f16`], since `H5T_IEEE_F16*` exist only from HDF5 1.14.4 on and the plugin must
    /// load into any 1.14.
    Ieee(u8, bool),
    /// `H5T_STD_{I,U}{8,16,32,64}{LE,BE}` by (bytes, signed, big endian).
    StdInt(u8, bool, bool),
    /// `H5T_STD_B{8,16,32,64}{LE,BE}` by (bytes, big endian).
    StdBitfield(u8, bool),
}

/// The global id of a predefined datatype (not to be closed).
pub(crate) fn predefined(which: Predefined) -> Result<hid_t, VolError> {
    super::hdf5::open_library()?;
    // SAFETY: these are plain `hid_t` globals exported by libhdf5 and set by `H5open` above;
    // reading a copy of an integer global is sound.
    let id = unsafe {
        match which {
            Predefined::CString => sys::H5T_C_S1_g,
            Predefined::RefObj => sys::H5T_STD_REF_OBJ_g,
            Predefined::RefDsetReg => sys::H5T_STD_REF_DSETREG_g,
            Predefined::Ref => sys::H5T_STD_REF_g,
            Predefined::Ieee(4, false) => sys::H5T_IEEE_F32LE_g,
            Predefined::Ieee(4, true) => sys::H5T_IEEE_F32BE_g,
            Predefined::Ieee(8, false) => sys::H5T_IEEE_F64LE_g,
            Predefined::Ieee(8, true) => sys::H5T_IEEE_F64BE_g,
            Predefined::Ieee(..) => -1,
            Predefined::StdInt(size, signed, big) => match (size, signed, big) {
                (1, true, false) => sys::H5T_STD_I8LE_g,
                (1, true, true) => sys::H5T_STD_I8BE_g,
                (1, false, false) => sys::H5T_STD_U8LE_g,
                (1, false, true) => sys::H5T_STD_U8BE_g,
                (2, true, false) => sys::H5T_STD_I16LE_g,
                (2, true, true) => sys::H5T_STD_I16BE_g,
                (2, false, false) => sys::H5T_STD_U16LE_g,
                (2, false, true) => sys::H5T_STD_U16BE_g,
                (4, true, false) => sys::H5T_STD_I32LE_g,
                (4, true, true) => sys::H5T_STD_I32BE_g,
                (4, false, false) => sys::H5T_STD_U32LE_g,
                (4, false, true) => sys::H5T_STD_U32BE_g,
                (8, true, false) => sys::H5T_STD_I64LE_g,
                (8, true, true) => sys::H5T_STD_I64BE_g,
                (8, false, false) => sys::H5T_STD_U64LE_g,
                (8, false, true) => sys::H5T_STD_U64BE_g,
                _ => -1,
            },
            Predefined::StdBitfield(size, big) => match (size, big) {
                (1, false) => sys::H5T_STD_B8LE_g,
                (1, true) => sys::H5T_STD_B8BE_g,
                (2, false) => sys::H5T_STD_B16LE_g,
                (2, true) => sys::H5T_STD_B16BE_g,
                (4, false) => sys::H5T_STD_B32LE_g,
                (4, true) => sys::H5T_STD_B32BE_g,
                (8, false) => sys::H5T_STD_B64LE_g,
                (8, true) => sys::H5T_STD_B64BE_g,
                _ => -1,
            },
        }
    };
    check_id("H5T predefined type", id)
}

/// A new IEEE binary16 type (sign bit 15, exponent bits 10–14 with bias 15, mantissa bits
/// 0–9), built from the 32-bit float so no 1.14.4-only global is referenced.
pub(crate) fn ieee_f16(big_endian: bool) -> Result<hid_t, VolError> {
    let id = copy(predefined(Predefined::Ieee(4, big_endian))?)?;
    let built = (|| {
        // SAFETY: plain values on a type id we own; HDF5 validates them. The fields fit the
        // 32-bit precision before it shrinks to 16 bits, and the size after that.
        unsafe {
            check_status("H5Tset_fields", sys::H5Tset_fields(id, 15, 10, 5, 0, 10))?;
            check_status("H5Tset_precision", sys::H5Tset_precision(id, 16))?;
            check_status("H5Tset_size", sys::H5Tset_size(id, 2))?;
            check_status("H5Tset_ebias", sys::H5Tset_ebias(id, 15))
        }
    })();
    match built {
        Ok(()) => Ok(id),
        Err(error) => {
            let _ = close(id);
            Err(error)
        }
    }
}

/// `H5Tclose`.
pub(crate) fn close(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Tclose", unsafe { sys::H5Tclose(id) })
}

/// `H5Tcopy`: a new, modifiable copy.
pub(crate) fn copy(id: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Tcopy", unsafe { sys::H5Tcopy(id) })
}

/// `H5Tcreate` of `class` and `size` bytes.
pub(crate) fn create(class: H5T_class_t, size: usize) -> Result<hid_t, VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_id("H5Tcreate", unsafe { sys::H5Tcreate(class, size) })
}

/// `H5Tget_class`.
pub(crate) fn class(id: hid_t) -> Result<H5T_class_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let class = unsafe { sys::H5Tget_class(id) };
    if class < 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_class" });
    }
    Ok(class)
}

/// `H5Tget_size` in bytes (for variable strings: the size of `char *`).
pub(crate) fn size(id: hid_t) -> Result<usize, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let size = unsafe { sys::H5Tget_size(id) };
    if size == 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_size" });
    }
    Ok(size)
}

/// `H5Tset_size`; `None` sets `H5T_VARIABLE`.
pub(crate) fn set_size(id: hid_t, size: Option<usize>) -> Result<(), VolError> {
    let size = size.unwrap_or(usize::MAX);
    // SAFETY: plain values; HDF5 validates them (usize::MAX is H5T_VARIABLE).
    check_status("H5Tset_size", unsafe { sys::H5Tset_size(id, size) })
}

/// `H5Tget_order`.
pub(crate) fn order(id: hid_t) -> Result<H5T_order_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let order = unsafe { sys::H5Tget_order(id) };
    if order < 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_order" });
    }
    Ok(order)
}

/// `H5Tget_sign`.
pub(crate) fn sign(id: hid_t) -> Result<H5T_sign_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let sign = unsafe { sys::H5Tget_sign(id) };
    if sign < 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_sign" });
    }
    Ok(sign)
}

/// `H5Tget_precision` in bits.
pub(crate) fn precision(id: hid_t) -> Result<usize, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let bits = unsafe { sys::H5Tget_precision(id) };
    if bits == 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_precision" });
    }
    Ok(bits)
}

/// `H5Tget_offset` in bits.
pub(crate) fn bit_offset(id: hid_t) -> Result<usize, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let offset = unsafe { sys::H5Tget_offset(id) };
    usize::try_from(offset).map_err(|_| VolError::Hdf5Call { call: "H5Tget_offset" })
}

/// `H5Tequal`.
pub(crate) fn equal(a: hid_t, b: hid_t) -> Result<bool, VolError> {
    // SAFETY: identifiers by value; HDF5 validates them.
    let answer = unsafe { sys::H5Tequal(a, b) };
    check_status("H5Tequal", answer)?;
    Ok(answer > 0)
}

/// `H5Tcommitted`: whether the type is a committed (named) datatype.
pub(crate) fn committed(id: hid_t) -> Result<bool, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let answer = unsafe { sys::H5Tcommitted(id) };
    check_status("H5Tcommitted", answer)?;
    Ok(answer > 0)
}

/// `H5Tis_variable_str`.
pub(crate) fn is_variable_str(id: hid_t) -> Result<bool, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let answer = unsafe { sys::H5Tis_variable_str(id) };
    check_status("H5Tis_variable_str", answer)?;
    Ok(answer > 0)
}

/// `H5Tget_cset`.
pub(crate) fn cset(id: hid_t) -> Result<H5T_cset_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let cset = unsafe { sys::H5Tget_cset(id) };
    if cset < 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_cset" });
    }
    Ok(cset)
}

/// `H5Tset_cset`.
pub(crate) fn set_cset(id: hid_t, cset: H5T_cset_t) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Tset_cset", unsafe { sys::H5Tset_cset(id, cset) })
}

/// `H5Tget_strpad`.
pub(crate) fn strpad(id: hid_t) -> Result<H5T_str_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let pad = unsafe { sys::H5Tget_strpad(id) };
    if pad < 0 {
        return Err(VolError::Hdf5Call { call: "H5Tget_strpad" });
    }
    Ok(pad)
}

/// `H5Tset_strpad`.
pub(crate) fn set_strpad(id: hid_t, pad: H5T_str_t) -> Result<(), VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_status("H5Tset_strpad", unsafe { sys::H5Tset_strpad(id, pad) })
}

/// `H5Tget_nmembers` (compound fields or enum members).
pub(crate) fn member_count(id: hid_t) -> Result<u32, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let count = unsafe { sys::H5Tget_nmembers(id) };
    u32::try_from(count).map_err(|_| VolError::Hdf5Call { call: "H5Tget_nmembers" })
}

/// `H5Tget_member_name`.
pub(crate) fn member_name(id: hid_t, index: u32) -> Result<String, VolError> {
    // SAFETY: plain values; the result is NULL or a string HDF5 allocated for us.
    let ptr = unsafe { sys::H5Tget_member_name(id, index) };
    take_hdf5_string("H5Tget_member_name", ptr)
}

/// `H5Tget_member_offset` in bytes (compound fields).
pub(crate) fn member_offset(id: hid_t, index: u32) -> Result<usize, VolError> {
    // SAFETY: plain values; HDF5 validates them (an invalid index gives 0, which callers rule
    // out by iterating below the member count).
    Ok(unsafe { sys::H5Tget_member_offset(id, index) })
}

/// `H5Tget_member_type`: a new id for a compound field's type.
pub(crate) fn member_type(id: hid_t, index: u32) -> Result<hid_t, VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_id("H5Tget_member_type", unsafe { sys::H5Tget_member_type(id, index) })
}

/// `H5Tinsert`: adds a compound field at byte `offset`.
pub(crate) fn insert(id: hid_t, name: &str, offset: usize, member: hid_t) -> Result<(), VolError> {
    let name = c_string(name);
    // SAFETY: `name` is a NUL-terminated string alive for the call, which HDF5 copies.
    check_status("H5Tinsert", unsafe { sys::H5Tinsert(id, name.as_ptr(), offset, member) })
}

/// `H5Tget_member_value`: the raw bytes (in the base type's order) of enum member `index`.
pub(crate) fn member_value(id: hid_t, index: u32, base_size: usize) -> Result<Vec<u8>, VolError> {
    let mut value = vec![0u8; base_size.max(16)];
    // SAFETY: `value` has room for at least the base type's size, which HDF5 writes.
    let status = unsafe { sys::H5Tget_member_value(id, index, value.as_mut_ptr().cast()) };
    check_status("H5Tget_member_value", status)?;
    value.truncate(base_size);
    Ok(value)
}

/// `H5Tenum_create` over an integer base.
pub(crate) fn enum_create(base: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Tenum_create", unsafe { sys::H5Tenum_create(base) })
}

/// `H5Tenum_insert`; `value` holds the base type's bytes.
pub(crate) fn enum_insert(id: hid_t, name: &str, value: &[u8]) -> Result<(), VolError> {
    let base_size = size(id)?;
    if value.len() < base_size {
        return Err(VolError::InvalidArgument("enum value shorter than its base type".into()));
    }
    let name = c_string(name);
    // SAFETY: `name` is NUL-terminated and `value` holds at least the base size, which HDF5
    // reads and copies.
    let status = unsafe { sys::H5Tenum_insert(id, name.as_ptr(), value.as_ptr().cast()) };
    check_status("H5Tenum_insert", status)
}

/// `H5Tget_super`: a new id for the base of an enum, array or vlen.
pub(crate) fn super_type(id: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Tget_super", unsafe { sys::H5Tget_super(id) })
}

/// `H5Tarray_create2`.
pub(crate) fn array_create(base: hid_t, dims: &[u64]) -> Result<hid_t, VolError> {
    let rank = c_uint::try_from(dims.len())
        .map_err(|_| VolError::InvalidArgument("array type rank too large".into()))?;
    // SAFETY: `dims` holds `rank` values that HDF5 reads and copies.
    check_id("H5Tarray_create2", unsafe { sys::H5Tarray_create2(base, rank, dims.as_ptr()) })
}

/// `H5Tget_array_ndims` then `H5Tget_array_dims2`.
pub(crate) fn array_dims(id: hid_t) -> Result<Vec<u64>, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    let rank = unsafe { sys::H5Tget_array_ndims(id) };
    let rank = check_count("H5Tget_array_ndims", i64::from(rank))?;
    let mut dims = vec![0u64; rank.max(1)];
    // SAFETY: `dims` has room for the `rank` values HDF5 writes.
    let status = unsafe { sys::H5Tget_array_dims2(id, dims.as_mut_ptr()) };
    check_status("H5Tget_array_dims2", status)?;
    dims.truncate(rank);
    Ok(dims)
}

/// `H5Tvlen_create`.
pub(crate) fn vlen_create(base: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_id("H5Tvlen_create", unsafe { sys::H5Tvlen_create(base) })
}

/// `H5Tget_tag` of an opaque type.
pub(crate) fn tag(id: hid_t) -> Result<String, VolError> {
    // SAFETY: identifier by value; the result is NULL or a string HDF5 allocated for us.
    let ptr = unsafe { sys::H5Tget_tag(id) };
    take_hdf5_string("H5Tget_tag", ptr)
}

/// `H5Tset_tag` of an opaque type.
pub(crate) fn set_tag(id: hid_t, tag: &str) -> Result<(), VolError> {
    let tag = c_string(tag);
    // SAFETY: `tag` is a NUL-terminated string alive for the call, which HDF5 copies.
    check_status("H5Tset_tag", unsafe { sys::H5Tset_tag(id, tag.as_ptr()) })
}

/// `H5Tget_native_type` (default direction): the in-memory layout of a type.
pub(crate) fn native_type(id: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: plain values; HDF5 validates them.
    check_id("H5Tget_native_type", unsafe { sys::H5Tget_native_type(id, sys::H5T_DIR_DEFAULT) })
}

/// Whether the type has a variable-length part (`hvl_t` or `char *` in memory) at any depth.
pub(crate) fn has_vlen(id: hid_t) -> Result<bool, VolError> {
    match class(id)? {
        H5T_VLEN => Ok(true),
        H5T_STRING => is_variable_str(id),
        H5T_ARRAY => {
            let base = super_type(id)?;
            let answer = has_vlen(base);
            close(base)?;
            answer
        }
        H5T_COMPOUND => {
            for index in 0..member_count(id)? {
                let member = member_type(id, index)?;
                let answer = has_vlen(member);
                close(member)?;
                if answer? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// `H5Tconvert` of `count` elements in place in `buf`, which must hold `count` elements of the
/// larger of the two types; `background` (when given) holds `count` destination elements.
/// Types with variable-length parts are refused: their elements hold pointers that plain bytes
/// cannot vouch for (see `ffi::h5mem` for those).
pub(crate) fn convert(
    src: hid_t,
    dst: hid_t,
    count: usize,
    buf: &mut [u8],
    background: Option<&mut [u8]>,
) -> Result<(), VolError> {
    if has_vlen(src)? || has_vlen(dst)? {
        return Err(VolError::InvalidArgument(
            "H5Tconvert of plain bytes needs types without variable-length parts".into(),
        ));
    }
    let needed = count.saturating_mul(size(src)?.max(size(dst)?));
    if buf.len() < needed {
        return Err(VolError::InvalidArgument("conversion buffer too small".into()));
    }
    let background: *mut c_void = match background {
        Some(bkg) => {
            if bkg.len() < count.saturating_mul(size(dst)?) {
                return Err(VolError::InvalidArgument("background buffer too small".into()));
            }
            bkg.as_mut_ptr().cast()
        }
        None => std::ptr::null_mut(),
    };
    // SAFETY: `buf` holds `count` elements of the larger type, checked above; `background` is
    // NULL or holds `count` destination elements; both are exclusively borrowed for the call.
    // Neither type has variable-length parts (checked), so HDF5 follows no pointers in them.
    let status = unsafe {
        sys::H5Tconvert(src, dst, count, buf.as_mut_ptr().cast(), background, super::hdf5::DEFAULT)
    };
    check_status("H5Tconvert", status)
}

/// `H5T_IEEE_F16LE` itself, to check [`ieee_f16`] against it in tests.
#[cfg(test)]
pub(crate) fn predefined_f16le_for_tests() -> Result<hid_t, VolError> {
    super::hdf5::open_library()?;
    // SAFETY: reading a copy of a `hid_t` global set by `H5open` above is sound.
    check_id("H5T_IEEE_F16LE", unsafe { sys::H5T_IEEE_F16LE_g })
}

/// `H5Tencode`: the serialized form of a datatype (HDF5 rebuilds committed-type ids from it).
pub(crate) fn encode(id: hid_t) -> Result<Vec<u8>, VolError> {
    let mut size: usize = 0;
    // SAFETY: a NULL buffer asks HDF5 for the size only; `size` is a valid out-pointer.
    check_status("H5Tencode", unsafe { sys::H5Tencode(id, std::ptr::null_mut(), &mut size) })?;
    let mut buf = vec![0u8; size];
    // SAFETY: `buf` holds `size` writable bytes, the size HDF5 asked for.
    check_status("H5Tencode", unsafe { sys::H5Tencode(id, buf.as_mut_ptr().cast(), &mut size) })?;
    buf.truncate(size);
    Ok(buf)
}
