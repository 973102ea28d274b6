//! The property-list calls the connector's callbacks make: copies of the lists HDF5 hands in
//! (kept for `H5Fget_create_plist`/`H5Fget_access_plist`), the connector info inside a file
//! access list, and the link-creation flag for intermediate groups.

use std::ffi::c_void;

use super::hdf5::{drop_raw, hid_t};
use super::sys;
use crate::vol::{ConnectorConfig, VolError};

/// A property list id restvol owns and closes when dropped.
#[derive(Debug)]
pub struct OwnedPlist(hid_t);

impl OwnedPlist {
    /// A copy of `plist`, or of the class default when `plist` is `H5P_DEFAULT`.
    pub fn copy_of(plist: hid_t, default_class: PlistClass) -> Result<OwnedPlist, VolError> {
        if plist == super::hdf5::DEFAULT {
            return OwnedPlist::create(default_class);
        }
        // SAFETY: plain id argument; HDF5 validates it and returns a new id or a negative value.
        let id = unsafe { sys::H5Pcopy(plist) };
        if id < 0 {
            return Err(VolError::Hdf5Call { call: "H5Pcopy" });
        }
        Ok(OwnedPlist(id))
    }

    /// A new list of `class` with default values.
    pub fn create(class: PlistClass) -> Result<OwnedPlist, VolError> {
        super::hdf5::open_library()?;
        let class_id = class.class_id();
        // SAFETY: plain id argument; HDF5 validates it.
        let id = unsafe { sys::H5Pcreate(class_id) };
        if id < 0 {
            return Err(VolError::Hdf5Call { call: "H5Pcreate" });
        }
        Ok(OwnedPlist(id))
    }

    /// The list's id, still owned by this value.
    pub fn id(&self) -> hid_t {
        self.0
    }

    /// An owned copy of this list.
    pub fn duplicate(&self) -> Result<OwnedPlist, VolError> {
        Ok(OwnedPlist(self.copy_for_caller()?))
    }

    /// A new id for the caller (a copy; the caller closes it).
    pub fn copy_for_caller(&self) -> Result<hid_t, VolError> {
        // SAFETY: `self.0` is a live property list id owned by this value.
        let id = unsafe { sys::H5Pcopy(self.0) };
        if id < 0 {
            return Err(VolError::Hdf5Call { call: "H5Pcopy" });
        }
        Ok(id)
    }
}

impl Drop for OwnedPlist {
    fn drop(&mut self) {
        // SAFETY: `self.0` is a property list id this value owns and closes exactly once.
        // A failure (library shutting down) leaves nothing to clean up.
        let _ = unsafe { sys::H5Pclose(self.0) };
    }
}

/// The property-list classes the connector creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlistClass {
    /// `H5P_FILE_CREATE`.
    FileCreate,
    /// `H5P_FILE_ACCESS`.
    FileAccess,
    /// `H5P_GROUP_CREATE`.
    GroupCreate,
    /// `H5P_GROUP_ACCESS`.
    GroupAccess,
    /// `H5P_LINK_ACCESS`.
    LinkAccess,
    /// `H5P_DATASET_ACCESS`.
    DatasetAccess,
    /// `H5P_ATTRIBUTE_ACCESS`.
    AttributeAccess,
    /// `H5P_ATTRIBUTE_CREATE`.
    AttributeCreate,
    /// `H5P_DATATYPE_ACCESS`.
    DatatypeAccess,
    /// `H5P_DATATYPE_CREATE`.
    DatatypeCreate,
    /// `H5P_LINK_CREATE`.
    LinkCreate,
}

/// A new copy of `plist` for a caller who will close it.
pub fn copy_plist(plist: hid_t) -> Result<hid_t, VolError> {
    // SAFETY: plain id argument; HDF5 validates it and returns a new id or a negative value.
    let id = unsafe { sys::H5Pcopy(plist) };
    if id < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pcopy" });
    }
    Ok(id)
}

impl PlistClass {
    fn class_id(self) -> hid_t {
        // SAFETY: the class id globals are plain integers set by H5open.
        unsafe {
            match self {
                PlistClass::FileCreate => sys::H5P_CLS_FILE_CREATE_ID_g,
                PlistClass::FileAccess => sys::H5P_CLS_FILE_ACCESS_ID_g,
                PlistClass::GroupCreate => sys::H5P_CLS_GROUP_CREATE_ID_g,
                PlistClass::GroupAccess => sys::H5P_CLS_GROUP_ACCESS_ID_g,
                PlistClass::LinkAccess => sys::H5P_CLS_LINK_ACCESS_ID_g,
                PlistClass::DatasetAccess => sys::H5P_CLS_DATASET_ACCESS_ID_g,
                PlistClass::AttributeAccess => sys::H5P_CLS_ATTRIBUTE_ACCESS_ID_g,
                PlistClass::AttributeCreate => sys::H5P_CLS_ATTRIBUTE_CREATE_ID_g,
                PlistClass::DatatypeAccess => sys::H5P_CLS_DATATYPE_ACCESS_ID_g,
                PlistClass::DatatypeCreate => sys::H5P_CLS_DATATYPE_CREATE_ID_g,
                PlistClass::LinkCreate => sys::H5P_CLS_LINK_CREATE_ID_g,
            }
        }
    }
}

/// Fails unless `plist` is `H5P_DEFAULT` or a property list of `class`; `what` names the
/// argument in the error.
pub fn require_class(plist: hid_t, class: PlistClass, what: &str) -> Result<(), VolError> {
    if plist == super::hdf5::DEFAULT {
        return Ok(());
    }
    super::hdf5::open_library()?;
    // SAFETY: plain id arguments; HDF5 validates both.
    let status = unsafe { sys::H5Pisa_class(plist, class.class_id()) };
    if status > 0 {
        Ok(())
    } else {
        Err(VolError::InvalidArgument(format!("{what} is not a valid property list of its kind")))
    }
}

/// The connector configuration stored in a file access list (`None` when none was given).
pub fn connector_config(fapl: hid_t) -> Result<Option<ConnectorConfig>, VolError> {
    let mut info: *mut c_void = std::ptr::null_mut();
    // SAFETY: `info` is a valid out-pointer; HDF5 stores NULL or a copy made by restvol's own
    // info `copy` callback (a boxed ConnectorConfig), which this function then owns.
    let status = unsafe { sys::H5Pget_vol_info(fapl, &mut info) };
    if status < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pget_vol_info" });
    }
    if info.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL info comes from restvol's info copy callback (into_raw::<ConnectorConfig>).
    let config = unsafe { super::hdf5::borrow_raw::<ConnectorConfig>(info, "vol info") }?.clone();
    // SAFETY: same pointer, released exactly once here and not used afterwards.
    unsafe { drop_raw::<ConnectorConfig>(info) };
    Ok(Some(config))
}

/// Whether a link creation list asks for missing intermediate groups.
pub fn create_intermediate_groups(lcpl: hid_t) -> Result<bool, VolError> {
    if lcpl == super::hdf5::DEFAULT {
        return Ok(false);
    }
    let mut flag: std::ffi::c_uint = 0;
    // SAFETY: `flag` is a valid out-pointer for the call's duration.
    let status = unsafe { sys::H5Pget_create_intermediate_group(lcpl, &mut flag) };
    if status < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pget_create_intermediate_group" });
    }
    Ok(flag != 0)
}

/// The `H5O_COPY_*` flags of an object copy property list.
pub fn copy_flags(ocpypl: hid_t) -> Result<u32, VolError> {
    if ocpypl == super::hdf5::DEFAULT {
        return Ok(0);
    }
    let mut flags: std::ffi::c_uint = 0;
    // SAFETY: `flags` is a valid out-pointer for the call's duration.
    let status = unsafe { sys::H5Pget_copy_object(ocpypl, &mut flags) };
    if status < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pget_copy_object" });
    }
    Ok(flags)
}
