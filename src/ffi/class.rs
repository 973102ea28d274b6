//! The `H5VL_class_t` table that identifies restvol to HDF5, and the two plugin entry points
//! HDF5 looks up after `dlopen` (`H5PLget_plugin_type`, `H5PLget_plugin_info`).

use std::ffi::c_void;

use once_cell::sync::Lazy;

use super::boundary::guard;
use super::{
    attribute, dataset, datatype, file, group, info, introspect, link, object_class, sys, token,
};
use crate::vol::caps;

/// Connector name, as in `HDF5_VOL_CONNECTOR=REST` (the same as HDF Group's REST VOL).
pub const CONNECTOR_NAME: &std::ffi::CStr = c"REST";
/// Registered connector value of the REST VOL.
pub const CONNECTOR_VALUE: sys::H5VL_class_value_t = 520;
/// Version of restvol's connector implementation.
pub const CONNECTOR_VERSION: u32 = 1;

/// The class table. It holds raw pointers (the name) and function pointers, which are
/// immutable for the life of the process.
#[repr(transparent)]
pub struct ConnectorClass(sys::H5VL_class_t);

impl std::fmt::Debug for ConnectorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorClass").field("value", &self.0.value).finish_non_exhaustive()
    }
}

// SAFETY: the table is built once, never mutated afterwards, and its only pointers refer to
// 'static data (the name literal) and to functions, so sharing it across threads is sound.
unsafe impl Sync for ConnectorClass {}
// SAFETY: as above; nothing in it is tied to a thread.
unsafe impl Send for ConnectorClass {}

static CLASS: Lazy<ConnectorClass> = Lazy::new(|| {
    ConnectorClass(sys::H5VL_class_t {
        version: sys::H5VL_VERSION,
        value: CONNECTOR_VALUE,
        name: CONNECTOR_NAME.as_ptr(),
        conn_version: CONNECTOR_VERSION,
        cap_flags: caps::ADVERTISED,
        initialize: Some(initialize),
        terminate: Some(terminate),
        info_cls: info::class(),
        attr_cls: attribute::class(),
        dataset_cls: dataset::class(),
        datatype_cls: datatype::class(),
        file_cls: file::class(),
        group_cls: group::class(),
        link_cls: link::class(),
        object_cls: object_class::class(),
        token_cls: token::class(),
        introspect_cls: introspect::class(),
        ..Default::default()
    })
});

/// The connector class table, for `H5VLregister_connector` and `get_conn_cls`.
pub fn connector_class() -> &'static sys::H5VL_class_t {
    &CLASS.0
}

unsafe extern "C" fn initialize(_vipl_id: sys::hid_t) -> sys::herr_t {
    guard("REST VOL initialize", -1, || Ok(0))
}

unsafe extern "C" fn terminate() -> sys::herr_t {
    guard("REST VOL terminate", -1, || {
        // Stop local services still running (files left open at exit) and remove their run
        // directories now rather than at the next start.
        crate::direct::registry::shutdown_all();
        Ok(0)
    })
}

/// Tells HDF5's plugin loader that this library is a VOL connector.
#[no_mangle]
pub extern "C" fn H5PLget_plugin_type() -> sys::H5PL_type_t {
    sys::H5PL_TYPE_VOL
}

/// Hands HDF5's plugin loader the connector class table.
#[no_mangle]
pub extern "C" fn H5PLget_plugin_info() -> *const c_void {
    guard("H5PLget_plugin_info", std::ptr::null(), || {
        Ok((connector_class() as *const sys::H5VL_class_t).cast())
    })
}
