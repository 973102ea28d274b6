//! Owned HDF5 identifiers, failures carrying the HDF5 error stack, and file access lists.

use std::ffi::{c_uint, c_void, CStr};

use crate::ffi::class::connector_class;
use crate::ffi::hdf5::{c_string, register_connector};
use crate::ffi::sys::{self, hid_t};
use crate::vol::ConnectorConfig;

/// An HDF5 call that failed, with the messages HDF5 left on its error stack (deepest first).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{call} failed{}", describe(.stack))]
pub struct Hdf5Failure {
    /// The HDF5 function that failed.
    pub call: &'static str,
    /// `function(): message` lines from the error stack, the most specific first.
    pub stack: Vec<String>,
}

fn describe(stack: &[String]) -> String {
    if stack.is_empty() {
        String::new()
    } else {
        format!(": {}", stack.iter().take(2).cloned().collect::<Vec<_>>().join("; "))
    }
}

unsafe extern "C" fn collect_error(
    _n: c_uint,
    err: *const sys::H5E_error2_t,
    data: *mut c_void,
) -> sys::herr_t {
    // SAFETY: H5Ewalk2 passes a valid error record and the `Vec<String>` given as client data.
    let (err, lines) = unsafe { (&*err, &mut *data.cast::<Vec<String>>()) };
    let text = |ptr: *const std::ffi::c_char| {
        if ptr.is_null() {
            String::new()
        } else {
            // SAFETY: HDF5's error records hold NUL-terminated strings valid during the walk.
            unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
        }
    };
    lines.push(format!("{}(): {}", text(err.func_name), text(err.desc)));
    0
}

impl Hdf5Failure {
    /// The failure of `call`, taking (and clearing) the current HDF5 error stack.
    pub fn take(call: &'static str) -> Hdf5Failure {
        let mut stack: Vec<String> = Vec::new();
        // SAFETY: walks the default stack with a callback that only reads the records, passing
        // a pointer to a live Vec as client data; then clears the stack.
        unsafe {
            sys::H5Ewalk2(
                sys::H5E_DEFAULT as hid_t,
                sys::H5E_WALK_UPWARD,
                Some(collect_error),
                (&mut stack as *mut Vec<String>).cast(),
            );
            sys::H5Eclear2(sys::H5E_DEFAULT as hid_t);
        }
        stack.dedup();
        Hdf5Failure { call, stack }
    }
}

/// `Ok(id)` for a valid identifier, else the failure of `call`.
pub(super) fn check_id(call: &'static str, id: hid_t) -> Result<hid_t, Hdf5Failure> {
    if id < 0 {
        Err(Hdf5Failure::take(call))
    } else {
        Ok(id)
    }
}

/// `Ok(())` for a non-negative status, else the failure of `call`.
pub(super) fn check(call: &'static str, status: i64) -> Result<(), Hdf5Failure> {
    if status < 0 {
        Err(Hdf5Failure::take(call))
    } else {
        Ok(())
    }
}

/// An HDF5 identifier this program owns; dropping it releases the reference.
#[derive(Debug)]
pub struct Handle {
    id: hid_t,
}

impl Handle {
    /// Owns `id`, the result of `call`, or reports the failure of `call`.
    pub(super) fn new(call: &'static str, id: hid_t) -> Result<Handle, Hdf5Failure> {
        check_id(call, id).map(|id| Handle { id })
    }

    /// The raw identifier, valid while the handle lives.
    pub fn id(&self) -> hid_t {
        self.id
    }

    /// Gives up ownership without releasing (the caller closed the identifier).
    pub(super) fn forget(mut self) {
        self.id = -1;
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.id >= 0 {
            // SAFETY: the handle owns one reference to a valid identifier; errors are ignored.
            unsafe { sys::H5Idec_ref(self.id) };
        }
    }
}

/// Opens the library and turns off HDF5's automatic error printing (failures are reported
/// through [`Hdf5Failure`] instead).
pub fn init() -> Result<(), Hdf5Failure> {
    // SAFETY: H5open takes no arguments.
    check("H5open", i64::from(unsafe { sys::H5open() }))?;
    // SAFETY: a NULL handler turns automatic printing off for the default stack.
    let status =
        unsafe { sys::H5Eset_auto2(sys::H5E_DEFAULT as hid_t, None, std::ptr::null_mut()) };
    check("H5Eset_auto2", i64::from(status))
}

/// Which connector a file is reached through.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// HDF5's native file format (a `.h5` file).
    Native,
    /// restvol, registered in this process, with this configuration (unset fields come from
    /// the environment, as in the plugin).
    Rest(&'a ConnectorConfig),
}

/// A file access property list for `access`.
pub fn file_access(access: Access<'_>) -> Result<Handle, Hdf5Failure> {
    // SAFETY: reading a copy of a hid_t global set up by H5open (see `init`).
    let class = unsafe { sys::H5P_CLS_FILE_ACCESS_ID_g };
    // SAFETY: identifier by value.
    let fapl = Handle::new("H5Pcreate", unsafe { sys::H5Pcreate(class) })?;
    match access {
        Access::Native => {
            let name = c_string("native");
            // SAFETY: NUL-terminated name; HDF5 copies it.
            let id = Handle::new("H5VLget_connector_id_by_name", unsafe {
                sys::H5VLget_connector_id_by_name(name.as_ptr())
            })?;
            // SAFETY: valid ids; the native connector takes no info.
            let status = unsafe { sys::H5Pset_vol(fapl.id(), id.id(), std::ptr::null()) };
            check("H5Pset_vol", i64::from(status))?;
        }
        Access::Rest(config) => {
            let id = register_connector(connector_class())
                .map_err(|_| Hdf5Failure::take("H5VLregister_connector"))?;
            let id = Handle { id };
            // SAFETY: restvol's info class copies the info with `ConnectorConfig::clone`
            // (see `ffi::info`), so a pointer to a live ConnectorConfig is what it expects; HDF5
            // keeps only its own copy.
            let status = unsafe {
                sys::H5Pset_vol(fapl.id(), id.id(), (config as *const ConnectorConfig).cast())
            };
            check("H5Pset_vol", i64::from(status))?;
        }
    }
    Ok(fapl)
}
