//! `H5VL_file_class_t`: the `extern "C"` callbacks behind `H5Fcreate`, `H5Fopen`, `H5Fget_*`,
//! `H5Fflush`, `H5Fis_accessible`, `H5Fdelete`, `H5Freopen` and `H5Fclose`.

use std::ffi::{c_char, c_uint, c_void};

use super::boundary::guard;
use super::hdf5::{args_mut, copy_out, drop_raw, hid_t, into_raw, str_arg, write_out};
use super::object::{object, FileObject, VolObject};
use super::plists::{connector_config, OwnedPlist, PlistClass};
use super::sys;
use crate::vol::file::OpenFile;
use crate::vol::{Settings, VolError};
use serde_json::Value;

pub(super) fn class() -> sys::H5VL_file_class_t {
    sys::H5VL_file_class_t {
        create: Some(create),
        open: Some(open),
        get: Some(get),
        specific: Some(specific),
        optional: None,
        close: Some(close),
    }
}

fn settings_of(fapl: hid_t) -> Result<Settings, VolError> {
    let explicit = connector_config(fapl)?.unwrap_or_default();
    Ok(Settings::from_environment(&explicit)?)
}

unsafe extern "C" fn create(
    name: *const c_char,
    flags: c_uint,
    fcpl_id: hid_t,
    fapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Fcreate", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes the file name as a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let settings = settings_of(fapl_id)?;
        if fcpl_id != super::hdf5::DEFAULT && fapl_id != super::hdf5::DEFAULT {
            super::h5plist::check_userblock_alignment(fcpl_id, fapl_id)?;
        }
        let root_props = crate::h5::plist::file_creation_properties(fcpl_id)?;
        let file = OpenFile::create(&settings, name, flags, &root_props)?;
        file.set_earliest_format(earliest_format(fapl_id)?);
        Ok(into_raw(VolObject::File(FileObject {
            file,
            fcpl: OwnedPlist::copy_of(fcpl_id, PlistClass::FileCreate)?,
            fapl: OwnedPlist::copy_of(fapl_id, PlistClass::FileAccess)?,
        })))
    })
}

unsafe extern "C" fn open(
    name: *const c_char,
    flags: c_uint,
    fapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Fopen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes the file name as a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let settings = settings_of(fapl_id)?;
        let file = OpenFile::open(&settings, name, flags)?;
        file.set_earliest_format(earliest_format(fapl_id)?);
        let fcpl = stored_fcpl(&file)?;
        Ok(into_raw(VolObject::File(FileObject {
            file,
            fcpl,
            fapl: OwnedPlist::copy_of(fapl_id, PlistClass::FileAccess)?,
        })))
    })
}

/// Whether a file access plist asks for the earliest file format (HDF5's default, also for
/// `H5P_DEFAULT`).
fn earliest_format(fapl_id: hid_t) -> Result<bool, VolError> {
    if fapl_id == super::hdf5::DEFAULT {
        return Ok(true);
    }
    super::h5plist::low_bound_is_earliest(fapl_id)
}

/// The file creation plist kept with an existing file (its root group's creation properties).
pub(super) fn stored_fcpl(file: &OpenFile) -> Result<OwnedPlist, VolError> {
    let root = crate::vol::object::get_object(file, file.root())?;
    let props = root.get("creationProperties").cloned().unwrap_or(Value::Null);
    let built = crate::h5::plist::file_plist(&props)?;
    OwnedPlist::copy_of(built.id(), PlistClass::FileCreate)
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    args: *mut sys::H5VL_file_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Fget", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        let object = unsafe { object(obj) }?;
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let file = object.file();
        match args.op_type {
            sys::H5VL_FILE_GET_INTENT => {
                // SAFETY: the union holds get_intent for this op; `flags` is an out-pointer.
                unsafe { write_out(args.args.get_intent.flags, "flags", file.intent()) }?;
            }
            sys::H5VL_FILE_GET_FILENO => {
                // SAFETY: the union holds get_fileno; `fileno` is an out-pointer.
                unsafe { write_out(args.args.get_fileno.fileno, "fileno", file.fileno() as _) }?;
            }
            sys::H5VL_FILE_GET_NAME => {
                // SAFETY: the union holds get_name for this op.
                let get_name = unsafe { args.args.get_name };
                // SAFETY: `buf` is writable for `buf_size` bytes per H5Fget_name's contract.
                unsafe {
                    copy_out(file.name().as_bytes(), get_name.buf.cast(), get_name.buf_size, true)
                };
                // SAFETY: `file_name_len` is an out-pointer.
                unsafe { write_out(get_name.file_name_len, "file_name_len", file.name().len()) }?;
            }
            sys::H5VL_FILE_GET_FCPL | sys::H5VL_FILE_GET_FAPL => {
                let VolObject::File(file_object) = object else {
                    return Err(VolError::InvalidArgument("not a file".into()));
                };
                if args.op_type == sys::H5VL_FILE_GET_FCPL {
                    args.args.get_fcpl.fcpl_id = file_object.fcpl.copy_for_caller()?;
                } else {
                    args.args.get_fapl.fapl_id = file_object.fapl.copy_for_caller()?;
                }
            }
            sys::H5VL_FILE_GET_CONT_INFO => {
                // SAFETY: the union holds get_cont_info; `info` points to a caller struct.
                let info = unsafe { args.args.get_cont_info.info };
                if info.is_null() {
                    return Err(VolError::NullArgument("info"));
                }
                // SAFETY: non-NULL, writable H5VL_file_cont_info_t.
                unsafe {
                    (*info).feature_flags = 0;
                    (*info).token_size = crate::vol::token::TOKEN_SIZE;
                    (*info).blob_id_size = 0;
                }
            }
            sys::H5VL_FILE_GET_OBJ_COUNT => {
                // SAFETY: the union holds get_obj_count for this op.
                let a = unsafe { args.args.get_obj_count };
                let count = super::open_objects::open_ids(file, a.types)?.len();
                // SAFETY: `count` is an out-pointer.
                unsafe { write_out(a.count, "count", count) }?;
            }
            sys::H5VL_FILE_GET_OBJ_IDS => {
                // SAFETY: the union holds get_obj_ids for this op.
                let a = unsafe { args.args.get_obj_ids };
                let ids = super::open_objects::open_ids(file, a.types)?;
                let n = ids.len().min(a.max_objs);
                if n > 0 && a.oid_list.is_null() {
                    return Err(VolError::NullArgument("oid_list"));
                }
                for (i, id) in ids.iter().take(n).enumerate() {
                    // SAFETY: `oid_list` holds `max_objs` >= n writable ids.
                    unsafe { *a.oid_list.add(i) = *id };
                }
                // SAFETY: `count` is an out-pointer.
                unsafe { write_out(a.count, "count", n) }?;
            }
            _ => return Err(VolError::Unsupported("this H5Fget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    args: *mut sys::H5VL_file_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Fspecific", -1, || {
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_FILE_IS_ACCESSIBLE => {
                // SAFETY: the union holds is_accessible for this op.
                let a = unsafe { args.args.is_accessible };
                // SAFETY: the file name is a C string valid for the call.
                let name = unsafe { str_arg(a.filename, "filename") }?;
                let accessible = OpenFile::is_accessible(&settings_of(a.fapl_id)?, name)?;
                // SAFETY: `accessible` is an out-pointer.
                unsafe { write_out(a.accessible, "accessible", accessible) }?;
            }
            sys::H5VL_FILE_DELETE => {
                // SAFETY: the union holds del for this op.
                let a = unsafe { args.args.del };
                // SAFETY: the file name is a C string valid for the call.
                let name = unsafe { str_arg(a.filename, "filename") }?;
                OpenFile::delete(&settings_of(a.fapl_id)?, name)?;
            }
            sys::H5VL_FILE_FLUSH => {
                // SAFETY: HDF5 passes an object this connector made.
                unsafe { object(obj) }?.file().flush()?;
            }
            sys::H5VL_FILE_REOPEN => {
                // SAFETY: HDF5 passes an object this connector made.
                let VolObject::File(f) = unsafe { object(obj) }? else {
                    return Err(VolError::InvalidArgument("not a file".into()));
                };
                let reopened = VolObject::File(FileObject {
                    file: f.file.reopen(),
                    fcpl: f.fcpl.duplicate()?,
                    fapl: f.fapl.duplicate()?,
                });
                // SAFETY: the union holds reopen; `file` is an out-pointer.
                unsafe { write_out(args.args.reopen.file, "file", into_raw(reopened)) }?;
            }
            sys::H5VL_FILE_IS_EQUAL => {
                // SAFETY: the union holds is_equal for this op.
                let a = unsafe { args.args.is_equal };
                // SAFETY: both are objects this connector made.
                let (one, two) = unsafe { (object(obj)?, object(a.obj2)?) };
                let same = one.file().domain() == two.file().domain();
                // SAFETY: `same_file` is an out-pointer.
                unsafe { write_out(a.same_file, "same_file", same) }?;
            }
            _ => return Err(VolError::Unsupported("this H5F operation")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn close(
    file: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Fclose", -1, || {
        // SAFETY: HDF5 passes an object this connector made.
        unsafe { object(file) }?.file().close()?;
        // A failed close keeps the id alive in HDF5 (it retries at library shutdown), so the
        // object is released only once closing succeeded.
        // SAFETY: HDF5 closes each file object exactly once successfully and never uses it
        // afterwards.
        unsafe { drop_raw::<VolObject>(file) };
        Ok(0)
    })
}
