//! Introspection callbacks: which class a restvol object belongs to, and what restvol can do.

use super::boundary::guard;
use super::hdf5::write_out;
use super::{class, sys};
use crate::vol::caps;

pub(super) fn class() -> sys::H5VL_introspect_class_t {
    sys::H5VL_introspect_class_t {
        get_conn_cls: Some(get_conn_cls),
        get_cap_flags: Some(get_cap_flags),
        opt_query: Some(opt_query),
    }
}

unsafe extern "C" fn get_conn_cls(
    _obj: *mut std::ffi::c_void,
    _lvl: sys::H5VL_get_conn_lvl_t,
    conn_cls: *mut *const sys::H5VL_class_t,
) -> sys::herr_t {
    guard("get_conn_cls", -1, || {
        // SAFETY: HDF5 passes a valid out-pointer (or NULL, which write_out rejects).
        unsafe { write_out(conn_cls, "conn_cls", class::connector_class() as *const _)? };
        Ok(0)
    })
}

unsafe extern "C" fn get_cap_flags(
    _info: *const std::ffi::c_void,
    cap_flags: *mut u64,
) -> sys::herr_t {
    guard("get_cap_flags", -1, || {
        // SAFETY: HDF5 passes a valid out-pointer (or NULL, which write_out rejects).
        unsafe { write_out(cap_flags, "cap_flags", caps::ADVERTISED)? };
        Ok(0)
    })
}

/// No optional (connector-specific) operations are supported yet.
unsafe extern "C" fn opt_query(
    _obj: *mut std::ffi::c_void,
    _cls: sys::H5VL_subclass_t,
    _opt_type: std::ffi::c_int,
    flags: *mut u64,
) -> sys::herr_t {
    guard("opt_query", -1, || {
        // SAFETY: HDF5 passes a valid out-pointer (or NULL, which write_out rejects).
        unsafe { write_out(flags, "flags", 0)? };
        Ok(0)
    })
}
