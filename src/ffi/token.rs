//! `H5VL_token_class_t`: text forms of object tokens (`H5Otoken_to_str`, `H5Otoken_from_str`),
//! which tools such as h5dump print. Tokens compare byte for byte (HDF5's default), which is
//! right because each object's token is unique (see `vol::token`).

use std::ffi::{c_char, c_void};

use super::boundary::guard;
use super::hdf5::{alloc_c_string, str_arg, write_out};
use super::object::object;
use super::sys;
use crate::model::ObjId;
use crate::vol::token::{id_for, token_for, token_to_string};
use crate::vol::VolError;

pub(super) fn class() -> sys::H5VL_token_class_t {
    sys::H5VL_token_class_t { cmp: None, to_str: Some(to_str), from_str: Some(from_str) }
}

unsafe extern "C" fn to_str(
    obj: *mut c_void,
    _obj_type: sys::H5I_type_t,
    token: *const sys::H5O_token_t,
    token_str: *mut *mut c_char,
) -> sys::herr_t {
    guard("H5Otoken_to_str", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let owner = unsafe { object(obj) }?;
        if token.is_null() {
            return Err(VolError::NullArgument("token"));
        }
        // SAFETY: non-NULL pointer to a 16-byte token.
        let bytes = unsafe { (*token).__data };
        let text = token_to_string(owner.file().root(), &bytes)?;
        // SAFETY: `token_str` is an out-pointer; HDF5 frees the string with H5free_memory.
        unsafe { write_out(token_str, "token_str", alloc_c_string(&text)?) }?;
        Ok(0)
    })
}

unsafe extern "C" fn from_str(
    obj: *mut c_void,
    _obj_type: sys::H5I_type_t,
    token_str: *const c_char,
    token: *mut sys::H5O_token_t,
) -> sys::herr_t {
    guard("H5Otoken_from_str", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let owner = unsafe { object(obj) }?;
        // SAFETY: a C string valid for the call.
        let text = unsafe { str_arg(token_str, "token_str") }?;
        let id = ObjId::parse(text)?;
        // Refuse ids of another file, as decoding would.
        let bytes = token_for(&id);
        id_for(owner.file().root(), &bytes)?;
        // SAFETY: `token` is an out-pointer.
        unsafe { write_out(token, "token", sys::H5O_token_t { __data: bytes }) }?;
        Ok(0)
    })
}
