//! `H5rest_get_object_uri`: the REST URI of an object the application holds open, as HDF
//! Group's REST VOL reports it, and the NUL-terminated copies handed to C.

use std::collections::HashSet;
use std::ffi::{CStr, CString};
use std::sync::Mutex;

use super::hdf5::hid_t;
use super::object::{object, VolObject};
use super::open_objects::is_restvol;
use super::sys;
use crate::vol::VolError;

/// The URI of the restvol object `id`: the HSDS id of a group, dataset or committed datatype,
/// the root group's id for a file (REST VOL's file URI), and an empty string for an attribute
/// (REST VOL gives attributes none).
pub(super) fn object_uri(id: hid_t) -> Result<String, VolError> {
    let not_restvol =
        || VolError::InvalidArgument(format!("identifier {id} is not a restvol object"));
    // SAFETY: identifier by value; HDF5 validates it and answers H5I_BADID for anything else.
    let kind = unsafe { sys::H5Iget_type(id) };
    let object_kinds = [sys::H5I_FILE, sys::H5I_GROUP, sys::H5I_DATASET, sys::H5I_ATTR];
    let is_object = object_kinds.contains(&kind)
        || (kind == sys::H5I_DATATYPE && super::h5type::committed(id)?);
    if !is_object || !is_restvol(id) {
        return Err(not_restvol());
    }
    // SAFETY: plain id argument; for an object id of restvol's connector HDF5 returns the boxed
    // VolObject restvol made.
    let ptr = unsafe { sys::H5VLobject(id) };
    if ptr.is_null() {
        return Err(not_restvol());
    }
    // SAFETY: as above: a non-NULL object of restvol's connector is a VolObject.
    let uri = match unsafe { object(ptr) }? {
        VolObject::Attribute(_) => String::new(),
        other => other.anchor().as_str().to_string(),
    };
    Ok(uri)
}

/// Every URI handed out so far. A `CString`'s bytes never move, so the pointers stay valid for
/// the program's lifetime; one small string per distinct object asked about.
static INTERNED: Mutex<Option<HashSet<CString>>> = Mutex::new(None);

/// A NUL-terminated copy of `uri` that lives until the program ends.
pub(super) fn interned(uri: String) -> &'static CStr {
    let mut guard = INTERNED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    // Object ids are ASCII; an inner NUL cannot occur, but an empty string is the safe answer.
    let uri = CString::new(uri).unwrap_or_default();
    let ptr = match set.get(&uri) {
        Some(existing) => existing.as_ptr(),
        None => {
            let ptr = uri.as_ptr();
            set.insert(uri);
            ptr
        }
    };
    // SAFETY: `ptr` points into a CString owned by INTERNED, which never removes entries, and
    // a CString's heap buffer does not move when the set grows.
    unsafe { CStr::from_ptr(ptr) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_strings_are_shared_and_stable() {
        let a = interned("g-00000000-11111111-2222-333333-444444".to_string());
        let b = interned("g-00000000-11111111-2222-333333-444444".to_string());
        assert_eq!(a.as_ptr(), b.as_ptr());
        for i in 0..100 {
            interned(format!("d-{i}"));
        }
        assert_eq!(a.to_str(), Ok("g-00000000-11111111-2222-333333-444444"));
        assert_eq!(interned(String::new()).to_bytes(), b"");
    }

    #[test]
    fn a_non_object_id_has_no_uri() {
        assert!(object_uri(-1).is_err());
    }
}
