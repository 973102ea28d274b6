//! `H5Fget_obj_count` / `H5Fget_obj_ids`: the ids the application holds open on restvol objects
//! of one file. HDF5 keeps the ids; restvol walks them with `H5Iiterate`, keeps those whose
//! connector is restvol (so no other connector's object is ever read as restvol's), and
//! compares each object's domain and settings with the file's.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use super::object::{object, VolObject};
use super::sys;
use crate::vol::file::OpenFile;
use crate::vol::VolError;

/// The `H5F_OBJ_*` kinds, in the order HDF5 lists them, with their id types.
const KINDS: [(u32, sys::H5I_type_t); 5] = [
    (sys::H5F_OBJ_FILE, sys::H5I_FILE),
    (sys::H5F_OBJ_DATASET, sys::H5I_DATASET),
    (sys::H5F_OBJ_GROUP, sys::H5I_GROUP),
    (sys::H5F_OBJ_DATATYPE, sys::H5I_DATATYPE),
    (sys::H5F_OBJ_ATTR, sys::H5I_ATTR),
];

unsafe extern "C" fn collect(id: sys::hid_t, udata: *mut c_void) -> sys::herr_t {
    // SAFETY: `udata` is the `Vec<hid_t>` passed by `ids_of_type` for the call's duration.
    let ids = unsafe { &mut *udata.cast::<Vec<sys::hid_t>>() };
    ids.push(id);
    0
}

fn ids_of_type(kind: sys::H5I_type_t) -> Result<Vec<sys::hid_t>, VolError> {
    let mut ids: Vec<sys::hid_t> = Vec::new();
    // SAFETY: `collect` only pushes into the vector passed as `udata`, which outlives the call.
    let status = unsafe { sys::H5Iiterate(kind, Some(collect), (&mut ids as *mut Vec<_>).cast()) };
    if status < 0 {
        return Err(VolError::Hdf5Call { call: "H5Iiterate" });
    }
    Ok(ids)
}

/// Whether the object `id` is served by restvol's connector (named "REST").
pub(super) fn is_restvol(id: sys::hid_t) -> bool {
    let mut name = [0 as c_char; 16];
    // SAFETY: `name` is writable for its length; HDF5 writes at most that many bytes.
    let len = unsafe { sys::H5VLget_connector_name(id, name.as_mut_ptr(), name.len()) };
    // SAFETY: on success HDF5 wrote a NUL-terminated name into `name`.
    len > 0 && unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }.to_bytes() == b"REST"
}

/// The open ids of the kinds in `types` (`H5F_OBJ_*` bits) on objects of `file`: with
/// `H5F_OBJ_LOCAL`, only those opened through this very file handle (HDF5 sums these over every
/// open file for `H5F_OBJ_ALL`), else every handle on the same domain.
pub(super) fn open_ids(file: &Arc<OpenFile>, types: u32) -> Result<Vec<sys::hid_t>, VolError> {
    let local = types & sys::H5F_OBJ_LOCAL != 0;
    let mut out = Vec::new();
    for (bit, kind) in KINDS {
        if types & bit == 0 {
            continue;
        }
        for id in ids_of_type(kind)? {
            // Transient datatypes are not objects of any file (and have no connector to ask).
            if kind == sys::H5I_DATATYPE && !super::h5type::committed(id)? {
                continue;
            }
            if !is_restvol(id) {
                continue;
            }
            // SAFETY: plain id argument; for an id of restvol's connector HDF5 returns the
            // boxed VolObject restvol made.
            let ptr = unsafe { sys::H5VLobject(id) };
            if ptr.is_null() {
                continue;
            }
            // SAFETY: as above.
            let other: &VolObject = unsafe { object(ptr) }?;
            let same = if local {
                Arc::ptr_eq(other.file(), file)
            } else {
                other.file().domain() == file.domain()
                    && other.file().session_settings() == file.session_settings()
            };
            if same {
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// The connector object behind a file id the application holds on this very open file
/// (`file`), if any: `H5Iget_file_id` then hands back that id (HDF5 finds it by the object
/// pointer), as the native connector does, instead of a new one.
pub(super) fn file_object_of(file: &Arc<OpenFile>) -> Result<Option<*mut c_void>, VolError> {
    for id in ids_of_type(sys::H5I_FILE)? {
        if !is_restvol(id) {
            continue;
        }
        // SAFETY: plain id argument; for an id of restvol's connector HDF5 returns the boxed
        // VolObject restvol made.
        let ptr = unsafe { sys::H5VLobject(id) };
        if ptr.is_null() {
            continue;
        }
        // SAFETY: as above.
        if let VolObject::File(other) = unsafe { object(ptr) }? {
            if Arc::ptr_eq(&other.file, file) {
                return Ok(Some(ptr));
            }
        }
    }
    Ok(None)
}
