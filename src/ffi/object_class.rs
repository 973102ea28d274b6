//! `H5VL_object_class_t`: the `extern "C"` callbacks behind `H5Oopen*`, `H5Oget_info*`,
//! `H5Iget_name`, `H5Iget_file_id`, `H5Oexists_by_name`, `H5Ovisit*`, `H5Oflush` and the
//! object lookups HDF5 does for other calls.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use super::boundary::guard;
use super::hdf5::{args_mut, copy_out, hid_t, into_raw, str_arg, write_out};
use super::object::{
    location, object, register_object, release_id, FileObject, Location, VolObject,
};
use super::plists::{OwnedPlist, PlistClass};
use super::sys;
use crate::model::{ObjClass, ObjId};
use crate::vol::copy::CopyOptions;
use crate::vol::file::OpenFile;
use crate::vol::link::{self, LinkTarget};
use crate::vol::object::{facts, get_object, name_of, resolve, visit_objects, ObjHandle};
use crate::vol::token::{id_for, token_for};
use crate::vol::VolError;

pub(super) fn class() -> sys::H5VL_object_class_t {
    sys::H5VL_object_class_t {
        open: Some(open),
        copy: Some(copy),
        get: Some(get),
        specific: Some(specific),
        optional: None,
    }
}

/// The object a location names, relative to `obj`.
fn target_of(obj: &VolObject, loc: &Location) -> Result<ObjId, VolError> {
    let file = obj.file();
    match loc {
        Location::Itself => Ok(obj.anchor().clone()),
        // The object itself, without asking the service (HDF5 names it so in H5Rcreate_*).
        Location::ByName(path) if path == "." => Ok(obj.anchor().clone()),
        Location::ByName(path) => Ok(resolve(file, obj.anchor(), path)?.id),
        Location::ByToken(token) => id_for(file.root(), token),
        Location::ByIndex { name, by_creation_order, decreasing, n } => {
            let group = resolve(file, obj.anchor(), name)?.id;
            let mut links = link::list(file, &group, *by_creation_order)?;
            if *decreasing {
                links.reverse();
            }
            match links.into_iter().nth(*n as usize).map(|l| l.target) {
                Some(LinkTarget::Hard(id)) => Ok(id),
                Some(LinkTarget::Soft(path)) => Ok(resolve(file, &group, &path)?.id),
                Some(LinkTarget::External { .. }) => {
                    Err(VolError::Unsupported("opening objects through external links by index"))
                }
                None => Err(VolError::InvalidArgument(format!("index {n} is out of range"))),
            }
        }
    }
}

/// Like [`target_of`], with the file the object lies in: a path may cross mount points
/// (`H5Fmount`) into another file.
fn located_target(obj: &VolObject, loc: &Location) -> Result<(Arc<OpenFile>, ObjId), VolError> {
    let file = obj.file();
    match loc {
        Location::ByName(path) if path != "." && file.mounts().is_involved() => {
            let at = crate::vol::mount::locate(file, obj.anchor(), path)?;
            let id = resolve(&at.file, &at.anchor, &at.path)?.id;
            Ok((at.file, id))
        }
        _ => Ok((file.clone(), target_of(obj, loc)?)),
    }
}

/// A connector object for `id` of `file`, and its HDF5 id type.
fn open_object(file: &Arc<OpenFile>, id: ObjId) -> Result<(VolObject, sys::H5I_type_t), VolError> {
    match id.class() {
        ObjClass::Group => Ok((VolObject::Group(ObjHandle::new(file.clone(), id)), sys::H5I_GROUP)),
        ObjClass::Dataset => {
            let json = get_object(file, &id)?;
            let handle = ObjHandle::new(file.clone(), id);
            Ok((
                VolObject::Dataset(super::dataset::dataset_object(handle, &json)?),
                sys::H5I_DATASET,
            ))
        }
        ObjClass::Datatype => {
            let json = get_object(file, &id)?;
            let handle = ObjHandle::new(file.clone(), id);
            Ok((
                VolObject::Datatype(super::datatype::datatype_object(handle, &json)?),
                sys::H5I_DATATYPE,
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn copy(
    src_obj: *mut c_void,
    loc_params1: *const sys::H5VL_loc_params_t,
    src_name: *const c_char,
    dst_obj: *mut c_void,
    loc_params2: *const sys::H5VL_loc_params_t,
    dst_name: *const c_char,
    ocpypl_id: hid_t,
    lcpl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Ocopy", -1, || {
        // SAFETY: HDF5 passes objects this connector made and valid location parameters.
        let (src, dst, _l1, _l2) = unsafe {
            (object(src_obj)?, object(dst_obj)?, location(loc_params1)?, location(loc_params2)?)
        };
        // SAFETY: C strings valid for the call.
        let (src_name, dst_name) =
            unsafe { (str_arg(src_name, "src_name")?, str_arg(dst_name, "dst_name")?) };
        let flags = super::plists::copy_flags(ocpypl_id)?;
        let options = CopyOptions {
            shallow: flags & sys::H5O_COPY_SHALLOW_HIERARCHY_FLAG != 0,
            expand_soft_links: flags & sys::H5O_COPY_EXPAND_SOFT_LINK_FLAG != 0,
            without_attributes: flags & sys::H5O_COPY_WITHOUT_ATTR_FLAG != 0,
            create_intermediate_groups: super::plists::create_intermediate_groups(lcpl_id)?,
        };
        crate::vol::copy::copy(
            src.file(),
            src.anchor(),
            src_name,
            dst.file(),
            dst.anchor(),
            dst_name,
            options,
        )?;
        Ok(0)
    })
}

unsafe extern "C" fn open(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    opened_type: *mut sys::H5I_type_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Oopen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        let (file, id) = match &loc {
            Location::ByName(path) => {
                let (file, found) =
                    crate::vol::object::resolve_in_files(parent.file(), parent.anchor(), path)?;
                (file, found.id)
            }
            _ => (parent.file().clone(), target_of(parent, &loc)?),
        };
        let (opened, kind) = open_object(&file, id)?;
        // SAFETY: `opened_type` is an out-pointer.
        unsafe { write_out(opened_type, "opened_type", kind) }?;
        Ok(into_raw(opened))
    })
}

fn object_type(id: &ObjId) -> sys::H5O_type_t {
    match id.class() {
        ObjClass::Group => sys::H5O_TYPE_GROUP,
        ObjClass::Dataset => sys::H5O_TYPE_DATASET,
        ObjClass::Datatype => sys::H5O_TYPE_NAMED_DATATYPE,
    }
}

fn fill_info(
    file: &OpenFile,
    id: &ObjId,
    fields: u32,
    out: &mut sys::H5O_info2_t,
) -> Result<(), VolError> {
    out.fileno = file.fileno() as _;
    out.token = sys::H5O_token_t { __data: token_for(id) };
    out.type_ = object_type(id);
    out.rc = 1;
    if fields & (sys::H5O_INFO_BASIC | sys::H5O_INFO_TIME | sys::H5O_INFO_NUM_ATTRS) != 0 {
        let f = facts(file, id)?;
        out.rc = f.ref_count;
        out.num_attrs = f.num_attrs;
        out.btime = f.created as _;
        out.ctime = f.modified as _;
        out.mtime = f.modified as _;
        out.atime = f.modified as _;
    }
    Ok(())
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    args: *mut sys::H5VL_object_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Oget", -1, || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let file = parent.file();
        match args.op_type {
            sys::H5VL_OBJECT_GET_FILE => {
                if let Some(existing) = super::open_objects::file_object_of(file)? {
                    // SAFETY: the union holds get_file; `file` is an out-pointer.
                    unsafe { write_out(args.args.get_file.file, "file", existing) }?;
                    return Ok(0);
                }
                let opened = VolObject::File(FileObject {
                    file: file.clone(),
                    fcpl: super::file::stored_fcpl(file)?,
                    fapl: OwnedPlist::create(PlistClass::FileAccess)?,
                });
                // SAFETY: the union holds get_file; `file` is an out-pointer.
                unsafe { write_out(args.args.get_file.file, "file", into_raw(opened)) }?;
            }
            sys::H5VL_OBJECT_GET_NAME => {
                let id = target_of(parent, &loc)?;
                let name = name_of(file, &id)?;
                // SAFETY: the union holds get_name for this op.
                let a = unsafe { args.args.get_name };
                // SAFETY: `buf` is writable for `buf_size` bytes per the get-name contract.
                unsafe { copy_out(name.as_bytes(), a.buf.cast(), a.buf_size, true) };
                // SAFETY: `name_len` is an out-pointer.
                unsafe { write_out(a.name_len, "name_len", name.len()) }?;
            }
            sys::H5VL_OBJECT_GET_TYPE => {
                let (_, id) = located_target(parent, &loc)?;
                // SAFETY: the union holds get_type; `obj_type` is an out-pointer.
                unsafe { write_out(args.args.get_type.obj_type, "obj_type", object_type(&id)) }?;
            }
            sys::H5VL_OBJECT_GET_INFO => {
                let (file, id) = located_target(parent, &loc)?;
                // SAFETY: the union holds get_info for this op.
                let a = unsafe { args.args.get_info };
                if a.oinfo.is_null() {
                    return Err(VolError::NullArgument("oinfo"));
                }
                // SAFETY: non-NULL, writable H5O_info2_t.
                fill_info(&file, &id, a.fields, unsafe { &mut *a.oinfo })?;
            }
            _ => return Err(VolError::Unsupported("this H5Oget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    args: *mut sys::H5VL_object_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Ospecific", -1, || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let file = parent.file();
        match args.op_type {
            sys::H5VL_OBJECT_EXISTS => {
                let exists = match located_target(parent, &loc) {
                    Ok(_) => true,
                    Err(err) if err.is_not_found() => false,
                    Err(err) => return Err(err),
                };
                // SAFETY: the union holds `exists`; its pointer is an out-pointer.
                unsafe { write_out(args.args.exists.exists, "exists", exists) }?;
            }
            sys::H5VL_OBJECT_LOOKUP => {
                let id = target_of(parent, &loc)?;
                let token = sys::H5O_token_t { __data: token_for(&id) };
                // SAFETY: the union holds `lookup`; `token_ptr` is an out-pointer.
                unsafe { write_out(args.args.lookup.token_ptr, "token_ptr", token) }?;
            }
            sys::H5VL_OBJECT_CHANGE_REF_COUNT => {
                let id = target_of(parent, &loc)?;
                // SAFETY: the union holds `change_rc` for this op.
                let delta = unsafe { args.args.change_rc.delta };
                crate::vol::object::change_ref_count(file, &id, i64::from(delta))?;
            }
            sys::H5VL_OBJECT_FLUSH => file.flush()?,
            sys::H5VL_OBJECT_REFRESH => {
                file.flush()?;
                file.refresh()?;
            }
            sys::H5VL_OBJECT_VISIT => {
                // SAFETY: the union holds `visit` for this op.
                let visit = unsafe { args.args.visit };
                let start = target_of(parent, &loc)?;
                return visit_from(file, &start, visit);
            }
            _ => return Err(VolError::Unsupported("this H5O operation")),
        }
        Ok(0)
    })
}

fn visit_from(
    file: &Arc<OpenFile>,
    start: &ObjId,
    visit: sys::H5VL_object_visit_args_t,
) -> Result<sys::herr_t, VolError> {
    let Some(op) = visit.op else {
        return Err(VolError::NullArgument("op"));
    };
    let by_corder = visit.idx_type == sys::H5_INDEX_CRT_ORDER;
    let objects = visit_objects(file, start, by_corder, visit.order == sys::H5_ITER_DEC)?;
    let start_id = register_object(file, start)?;
    let mut status = 0;
    for (path, id) in objects {
        let mut info = sys::H5O_info2_t::default();
        if let Err(err) = fill_info(file, &id, visit.fields, &mut info) {
            release_id(start_id);
            return Err(err);
        }
        let name = super::hdf5::c_string(&path);
        // SAFETY: calling the application's callback with a live object id, a NUL-terminated
        // name and an info struct, all valid for the call.
        status = unsafe { op(start_id, name.as_ptr(), &info, visit.op_data) };
        if status != 0 {
            break;
        }
    }
    release_id(start_id);
    Ok(status)
}
