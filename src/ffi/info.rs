//! Connector info callbacks: HDF5 keeps one `ConnectorConfig` per file access property list
//! that names restvol, and copies, compares, frees and (de)serializes it through these.

use std::ffi::{c_char, c_int, c_void};

use super::boundary::guard;
use super::hdf5::{alloc_c_string, borrow_raw, drop_raw, into_raw, str_arg, write_out};
use super::sys;
use crate::vol::ConnectorConfig;

pub(super) fn class() -> sys::H5VL_info_class_t {
    sys::H5VL_info_class_t {
        size: std::mem::size_of::<ConnectorConfig>(),
        copy: Some(copy),
        cmp: Some(cmp),
        free: Some(free),
        to_str: Some(to_str),
        from_str: Some(from_str),
    }
}

unsafe extern "C" fn copy(info: *const c_void) -> *mut c_void {
    guard("connector info copy", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes info pointers this module created with into_raw::<ConnectorConfig>.
        let config = unsafe { borrow_raw::<ConnectorConfig>(info, "info") }?;
        Ok(into_raw(config.clone()))
    })
}

unsafe extern "C" fn cmp(
    cmp_value: *mut c_int,
    info1: *const c_void,
    info2: *const c_void,
) -> sys::herr_t {
    guard("connector info compare", -1, || {
        let text = |info: *const c_void| -> Result<String, crate::vol::VolError> {
            if info.is_null() {
                return Ok(String::new());
            }
            // SAFETY: non-NULL info pointers come from into_raw::<ConnectorConfig>.
            Ok(unsafe { borrow_raw::<ConnectorConfig>(info, "info") }?.to_info_string())
        };
        let order = text(info1)?.cmp(&text(info2)?) as c_int;
        // SAFETY: HDF5 passes a valid out-pointer (or NULL, which write_out rejects).
        unsafe { write_out(cmp_value, "cmp_value", order) }?;
        Ok(0)
    })
}

unsafe extern "C" fn free(info: *mut c_void) -> sys::herr_t {
    guard("connector info free", -1, || {
        // SAFETY: HDF5 frees each info pointer it got from copy/from_str exactly once.
        unsafe { drop_raw::<ConnectorConfig>(info) };
        Ok(0)
    })
}

unsafe extern "C" fn to_str(info: *const c_void, out: *mut *mut c_char) -> sys::herr_t {
    guard("connector info to string", -1, || {
        // SAFETY: HDF5 passes info pointers this module created with into_raw::<ConnectorConfig>.
        let config = unsafe { borrow_raw::<ConnectorConfig>(info, "info") }?;
        let text = alloc_c_string(&config.to_info_string())?;
        // SAFETY: HDF5 passes a valid out-pointer (or NULL, which write_out rejects); it frees
        // the string with its own allocator, which alloc_c_string used.
        unsafe { write_out(out, "str", text) }?;
        Ok(0)
    })
}

unsafe extern "C" fn from_str(text: *const c_char, info: *mut *mut c_void) -> sys::herr_t {
    guard("REST VOL connector info string", -1, || {
        // SAFETY: HDF5 passes a NUL-terminated string (or NULL, which str_arg rejects).
        let text = unsafe { str_arg(text, "str") }?;
        let config = ConnectorConfig::parse_info_string(text)?;
        if info.is_null() {
            return Err(crate::vol::VolError::NullArgument("info"));
        }
        // SAFETY: `info` is non-NULL and HDF5 passes a valid out-pointer; checking first means
        // the box is never allocated when it could not be handed over.
        unsafe { write_out(info, "info", into_raw(config)) }?;
        Ok(0)
    })
}
