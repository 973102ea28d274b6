//! `H5VL_group_class_t`: the `extern "C"` callbacks behind `H5Gcreate`, `H5Gopen`,
//! `H5Gget_info*`, `H5Gget_create_plist`, `H5Gflush`/`H5Grefresh`, `H5Fmount`/`H5Funmount`
//! (HDF5 routes them here) and `H5Gclose`.

use std::ffi::{c_char, c_void};

use super::boundary::guard;
use super::hdf5::{args_mut, close_object, hid_t, into_raw, str_arg};
use super::object::{location, object, Location, VolObject};
use super::plists::{create_intermediate_groups, require_class, PlistClass};
use super::sys;
use crate::model::ObjClass;
use crate::vol::link::{self, LinkTarget};
use crate::vol::{group, mount, VolError};

pub(super) fn class() -> sys::H5VL_group_class_t {
    sys::H5VL_group_class_t {
        create: Some(create),
        open: Some(open),
        get: Some(get),
        specific: Some(specific),
        optional: None,
        close: Some(close),
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn create(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    lcpl_id: hid_t,
    gcpl_id: hid_t,
    gapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Gcreate", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(gcpl_id, PlistClass::GroupCreate, "the group creation property list")?;
        require_class(gapl_id, PlistClass::GroupAccess, "the group access property list")?;
        if name.is_null() {
            let handle = group::create_anonymous(parent.file(), creation_properties(gcpl_id)?)?;
            return Ok(into_raw(VolObject::Group(handle)));
        }
        // SAFETY: a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let intermediate = create_intermediate_groups(lcpl_id)?;
        let props = creation_properties(gcpl_id)?;
        let handle = group::create(parent.file(), parent.anchor(), name, intermediate, props)?;
        Ok(into_raw(VolObject::Group(handle)))
    })
}

/// The `creationProperties` of a new group (creation order), or `None` for the defaults.
fn creation_properties(gcpl_id: hid_t) -> Result<Option<serde_json::Value>, VolError> {
    if gcpl_id == super::hdf5::DEFAULT {
        return Ok(None);
    }
    let props = crate::h5::plist::group_creation_properties(gcpl_id)?;
    Ok(props.as_object().is_some_and(|m| !m.is_empty()).then_some(props))
}

unsafe extern "C" fn open(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    gapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Gopen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(gapl_id, PlistClass::GroupAccess, "the group access property list")?;
        // SAFETY: a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let handle = group::open(parent.file(), parent.anchor(), name)?;
        Ok(into_raw(VolObject::Group(handle)))
    })
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    args: *mut sys::H5VL_group_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Gget", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let object = unsafe { object(obj) }?;
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_GROUP_GET_GCPL => {
                let json = crate::vol::object::get_object(object.file(), object.anchor())?;
                let props = json.get("creationProperties").cloned().unwrap_or_default();
                args.args.get_gcpl.gcpl_id = crate::h5::plist::group_plist(&props)?.into_raw();
            }
            sys::H5VL_GROUP_GET_INFO => {
                // SAFETY: the union holds get_info for this op.
                let info_args = unsafe { &mut args.args.get_info };
                // SAFETY: loc_params is embedded in the args and valid.
                let loc = unsafe { location(&info_args.loc_params) }?;
                let mut file = object.file().clone();
                let id = match loc {
                    Location::Itself => object.anchor().clone(),
                    Location::ByName(name) => {
                        let opened = group::open(&file, object.anchor(), &name)?;
                        let id = opened.id().clone();
                        file = opened.file().clone();
                        id
                    }
                    Location::ByIndex { name, by_creation_order, decreasing, n } => {
                        let parent = group::open(&file, object.anchor(), &name)?;
                        file = parent.file().clone();
                        let mut links = link::list(&file, parent.id(), by_creation_order)?;
                        if decreasing {
                            links.reverse();
                        }
                        match links.into_iter().nth(n as usize).map(|l| l.target) {
                            Some(LinkTarget::Hard(id)) if id.class() == ObjClass::Group => id,
                            Some(_) => {
                                return Err(VolError::InvalidArgument(format!(
                                    "link {n} of '{name}' is not a group"
                                )))
                            }
                            None => {
                                return Err(VolError::InvalidArgument(format!(
                                    "index {n} is out of range for '{name}'"
                                )))
                            }
                        }
                    }
                    Location::ByToken(_) => {
                        return Err(VolError::InvalidArgument("group info by token".into()))
                    }
                };
                let info = group::info(&file, &id)?;
                let mounted = file.mounts().is_mount_point(&id);
                if info_args.ginfo.is_null() {
                    return Err(VolError::NullArgument("ginfo"));
                }
                // SAFETY: non-NULL, writable H5G_info_t.
                unsafe {
                    (*info_args.ginfo).storage_type = sys::H5G_STORAGE_TYPE_COMPACT;
                    (*info_args.ginfo).nlinks = info.nlinks;
                    (*info_args.ginfo).max_corder = info.max_corder;
                    (*info_args.ginfo).mounted = mounted;
                }
            }
            _ => return Err(VolError::Unsupported("this H5Gget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    args: *mut sys::H5VL_group_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Gspecific", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let object = unsafe { object(obj) }?;
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_GROUP_FLUSH => object.file().flush()?,
            sys::H5VL_GROUP_REFRESH => object.file().refresh()?,
            sys::H5VL_GROUP_MOUNT => {
                // SAFETY: the union holds `mount` for this op.
                let a = unsafe { args.args.mount };
                // SAFETY: a C string valid for the call.
                let name = unsafe { str_arg(a.name, "name") }?;
                // SAFETY: HDF5 passes the child file's object, which this connector made.
                let VolObject::File(child) = (unsafe { super::object::object(a.child_file) })?
                else {
                    return Err(VolError::InvalidArgument(
                        "the mounted object is not a file".into(),
                    ));
                };
                mount::mount(object.file(), object.anchor(), name, &child.file)?;
            }
            sys::H5VL_GROUP_UNMOUNT => {
                // SAFETY: the union holds `unmount` for this op.
                let a = unsafe { args.args.unmount };
                // SAFETY: a C string valid for the call.
                let name = unsafe { str_arg(a.name, "name") }?;
                mount::unmount(object.file(), object.anchor(), name)?;
            }
            _ => return Err(VolError::Unsupported("this H5G operation")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn close(
    grp: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    // SAFETY: HDF5 closes each object exactly once and never uses it afterwards.
    guard("H5Gclose", -1, || Ok(unsafe { close_object::<VolObject>(grp) }))
}
