//! `H5VL_datatype_class_t`: the `extern "C"` callbacks behind `H5Tcommit*`, `H5Topen`,
//! `H5Tget_create_plist` and `H5Tclose` for committed datatypes. HDF5 rebuilds the datatype of
//! a committed-type id from its serialized form (`H5Tencode`), which `get` provides.

use std::ffi::{c_char, c_void};

use serde_json::Value;

use super::boundary::guard;
use super::hdf5::{args_mut, close_object, hid_t, into_raw, str_arg, write_out};
use super::object::{location, object, DatatypeObject, VolObject};
use super::plists::{create_intermediate_groups, require_class, PlistClass};
use super::{h5type, sys};
use crate::h5::types;
use crate::model::types::Datatype;
use crate::vol::file::OpenFile;
use crate::vol::object::ObjHandle;
use crate::vol::{datatype, VolError};

pub(super) fn class() -> sys::H5VL_datatype_class_t {
    sys::H5VL_datatype_class_t {
        commit: Some(commit),
        open: Some(open),
        get: Some(get),
        specific: Some(specific),
        optional: None,
        close: Some(close),
    }
}

/// The connector object for a committed datatype from its JSON.
pub(super) fn datatype_object(handle: ObjHandle, json: &Value) -> Result<DatatypeObject, VolError> {
    let datatype = Datatype::from_json(json.get("type").unwrap_or(&Value::Null))?;
    let datatype = match datatype {
        Datatype::CommittedCopy { datatype, .. } => *datatype,
        other => other,
    };
    // The application's layout: `H5Topen` gives back the type the program committed.
    let encoded = h5type::encode(crate::h5::layout::application_type(&datatype)?.id())?;
    Ok(DatatypeObject { handle, encoded })
}

/// The `type` of a create request for the HDF5 datatype `type_id`: the committed datatype's id
/// when `type_id` is a committed datatype of this connector, else the type JSON.
pub(super) fn rest_type_of(type_id: hid_t) -> Result<Value, VolError> {
    if h5type::committed(type_id)? {
        // SAFETY: plain id argument; HDF5 returns the connector object behind the id (one this
        // connector made, as the id is a committed datatype of a file it serves) or NULL.
        let ptr = unsafe { sys::H5VLobject(type_id) };
        if !ptr.is_null() {
            // SAFETY: a committed datatype id of this connector wraps a boxed VolObject.
            if let VolObject::Datatype(t) = unsafe { object(ptr) }? {
                return Ok(Value::from(t.handle.id().as_str()));
            }
        }
    }
    Ok(types::to_rest(type_id)?.to_json())
}

/// Counts one more user (a new dataset or attribute) of `type_id` when it is a committed
/// datatype: HDF5 adds it to the datatype's reference count. A service without restvol's
/// `refCountChange` request (HSDS answers 405) keeps no count: the user is still created.
pub(super) fn count_new_user(file: &OpenFile, type_id: hid_t) -> Result<(), VolError> {
    if let Value::String(id) = rest_type_of(type_id)? {
        let id = crate::model::ObjId::parse(&id)?;
        match crate::vol::object::change_ref_count(file, &id, 1) {
            Err(err) if err.is_method_not_allowed() => {}
            other => other?,
        }
    }
    Ok(())
}

/// The `creationProperties` of a new committed datatype, or `None` for the defaults.
fn creation_properties(tcpl_id: hid_t) -> Result<Option<serde_json::Value>, VolError> {
    if tcpl_id == super::hdf5::DEFAULT {
        return Ok(None);
    }
    let props = crate::h5::plist::datatype_creation_properties(tcpl_id)?;
    Ok(props.as_object().is_some_and(|m| !m.is_empty()).then_some(props))
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn commit(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    type_id: hid_t,
    lcpl_id: hid_t,
    tcpl_id: hid_t,
    tapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Tcommit", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(tapl_id, PlistClass::DatatypeAccess, "the datatype access property list")?;
        require_class(tcpl_id, PlistClass::DatatypeCreate, "the datatype creation property list")?;
        let path = if name.is_null() {
            None
        } else {
            // SAFETY: a C string valid for the call.
            Some(unsafe { str_arg(name, "name") }?)
        };
        let rest_type = types::to_rest(type_id)?;
        let intermediate = create_intermediate_groups(lcpl_id)?;
        let (handle, json) = datatype::commit(
            parent.file(),
            parent.anchor(),
            path,
            intermediate,
            rest_type.to_json(),
            creation_properties(tcpl_id)?,
        )?;
        Ok(into_raw(VolObject::Datatype(datatype_object(handle, &json)?)))
    })
}

unsafe extern "C" fn open(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    tapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Topen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(tapl_id, PlistClass::DatatypeAccess, "the datatype access property list")?;
        // SAFETY: a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let (handle, json) = datatype::open(parent.file(), parent.anchor(), name)?;
        Ok(into_raw(VolObject::Datatype(datatype_object(handle, &json)?)))
    })
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    args: *mut sys::H5VL_datatype_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Tget", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let VolObject::Datatype(t) = (unsafe { object(obj) })? else {
            return Err(VolError::InvalidArgument("not a committed datatype".into()));
        };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_DATATYPE_GET_BINARY_SIZE => {
                let size = t.encoded.len();
                // SAFETY: the union holds get_binary_size; `size` is an out-pointer.
                unsafe { write_out(args.args.get_binary_size.size, "size", size) }?;
            }
            sys::H5VL_DATATYPE_GET_BINARY => {
                let encoded = &t.encoded;
                // SAFETY: the union holds get_binary for this op.
                let b = unsafe { args.args.get_binary };
                if !b.buf.is_null() {
                    let n = encoded.len().min(b.buf_size);
                    // SAFETY: `buf` is writable for `buf_size` bytes; we write at most that.
                    unsafe {
                        std::ptr::copy_nonoverlapping(encoded.as_ptr(), b.buf.cast::<u8>(), n)
                    };
                }
            }
            sys::H5VL_DATATYPE_GET_TCPL => {
                let json = crate::vol::object::get_object(t.handle.file(), t.handle.id())?;
                let props = json.get("creationProperties").cloned().unwrap_or_default();
                args.args.get_tcpl.tcpl_id = crate::h5::plist::datatype_plist(&props)?.into_raw();
            }
            _ => return Err(VolError::Unsupported("this H5Tget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    _args: *mut sys::H5VL_datatype_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Tflush", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        unsafe { object(obj) }?.file().flush()?;
        Ok(0)
    })
}

unsafe extern "C" fn close(
    dt: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    // SAFETY: HDF5 closes each object exactly once and never uses it afterwards.
    guard("H5Tclose", -1, || Ok(unsafe { close_object::<VolObject>(dt) }))
}
