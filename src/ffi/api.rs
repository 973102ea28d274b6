//! restvol's public C API, declared in `include/restvol.h`. The functions and signatures are
//! those of HDF Group's REST VOL (`rest_vol_public.h`), so programs written for it compile and
//! link against restvol unchanged.

use std::ffi::c_char;
use std::sync::Mutex;

use super::boundary::guard;
use super::class::connector_class;
use super::hdf5::{self, hid_t};
use super::sys::herr_t;
use crate::vol::VolError;

/// The connector id registered by `H5rest_init`, if any.
static REGISTERED: Mutex<Option<hid_t>> = Mutex::new(None);

fn registered_id() -> Result<hid_t, VolError> {
    let mut slot = REGISTERED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(id) = *slot {
        return Ok(id);
    }
    hdf5::open_library()?;
    let id = hdf5::register_connector(connector_class())?;
    *slot = Some(id);
    Ok(id)
}

/// Initializes restvol and registers the REST VOL connector with the HDF5 library.
///
/// Calling it is optional: `H5Pset_fapl_rest_vol` initializes on first use, and a program that
/// selects the connector with `HDF5_VOL_CONNECTOR=REST` needs neither. Calling it again after a
/// successful call does nothing.
///
/// Returns a non-negative value on success and a negative value on failure, with the reason on
/// the HDF5 error stack.
#[no_mangle]
pub extern "C" fn H5rest_init() -> herr_t {
    guard("H5rest_init", -1, || registered_id().map(|_| 0))
}

/// Releases the connector registration made by `H5rest_init` (or `H5Pset_fapl_rest_vol`).
///
/// File access property lists that still name the connector keep it registered until they are
/// closed. Calling it without a prior `H5rest_init` does nothing.
///
/// Returns a non-negative value on success and a negative value on failure.
#[no_mangle]
pub extern "C" fn H5rest_term() -> herr_t {
    guard("H5rest_term", -1, || {
        let mut slot = REGISTERED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(id) = slot.take() {
            hdf5::close_connector(id)?;
        }
        Ok(0)
    })
}

/// Sets the REST VOL connector on the file access property list `fapl_id`, registering it first
/// if needed. Files created or opened with this list go through restvol, configured from the
/// environment (`HSDS_ENDPOINT`, `HSDS_USERNAME`, `HSDS_PASSWORD`, ...; see the README).
///
/// Returns a non-negative value on success; a negative value, with the reason on the HDF5 error
/// stack, when `fapl_id` is not a file access property list or registration fails.
#[no_mangle]
pub extern "C" fn H5Pset_fapl_rest_vol(fapl_id: hid_t) -> herr_t {
    guard("H5Pset_fapl_rest_vol", -1, || {
        if !hdf5::is_file_access_plist(fapl_id)? {
            return Err(VolError::InvalidArgument(format!(
                "identifier {fapl_id} is not a file access property list"
            )));
        }
        let id = registered_id()?;
        hdf5::set_fapl_vol(fapl_id, id)?;
        Ok(0)
    })
}

/// Returns the REST URI of the restvol object `obj_id`, as HDF Group's REST VOL does: the HSDS
/// id of a group, dataset or committed datatype, the root group's id for a file, and an empty
/// string for an attribute (REST VOL gives attributes no URI).
///
/// The string belongs to restvol and stays valid until the program ends. Returns NULL, with
/// the reason on the HDF5 error stack, for an identifier that is not a restvol object.
#[no_mangle]
pub extern "C" fn H5rest_get_object_uri(obj_id: hid_t) -> *const c_char {
    guard("H5rest_get_object_uri", std::ptr::null(), || {
        let uri = super::object_uri::object_uri(obj_id)?;
        Ok(super::object_uri::interned(uri).as_ptr())
    })
}
