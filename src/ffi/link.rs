//! `H5VL_link_class_t`: the `extern "C"` callbacks behind `H5Lcreate_hard/soft/external`,
//! `H5Lget_info*`, `H5Lget_name_by_idx`, `H5Lget_val*`, `H5Ldelete*`, `H5Lexists`,
//! `H5Literate*` and `H5Lvisit*`.

use std::ffi::c_void;

use super::boundary::guard;
use super::hdf5::{args_mut, copy_out, hid_t, str_arg, write_out};
use super::object::{location, object, register_object, release_id, Location, VolObject};
use super::plists::{require_class, PlistClass};
use super::sys;
use crate::model::ObjId;
use crate::vol::link::{self, LinkInfo, LinkTarget};
use crate::vol::object::resolve;
use crate::vol::token::token_for;
use crate::vol::VolError;

pub(super) fn class() -> sys::H5VL_link_class_t {
    sys::H5VL_link_class_t {
        create: Some(create),
        copy: Some(copy),
        move_: Some(move_),
        get: Some(get),
        specific: Some(specific),
        optional: None,
    }
}

/// Resolves `loc` (relative to `obj`) to a link: by name, or the `n`th of a group.
fn link_at(obj: &VolObject, loc: &Location) -> Result<(ObjId, LinkInfo), VolError> {
    let file = obj.file();
    match loc {
        Location::ByName(name) => {
            let (group, _) = link::parent_and_name(file, obj.anchor(), name)?;
            Ok((group, link::get(file, obj.anchor(), name)?))
        }
        Location::ByIndex { name, by_creation_order, decreasing, n } => {
            let group = resolve(file, obj.anchor(), name)?.id;
            let mut links = link::list(file, &group, *by_creation_order)?;
            if *decreasing {
                links.reverse();
            }
            let found = links.into_iter().nth(*n as usize).ok_or_else(|| {
                VolError::InvalidArgument(format!("link index {n} is out of range"))
            })?;
            Ok((group, found))
        }
        _ => Err(VolError::InvalidArgument("a link is addressed by name or by index".into())),
    }
}

/// The external-link value HDF5 packs: a version/flags byte, the file name and the object
/// path, each NUL-terminated.
fn external_value(file: &str, path: &str) -> Vec<u8> {
    let mut value = vec![0u8];
    value.extend_from_slice(file.as_bytes());
    value.push(0);
    value.extend_from_slice(path.as_bytes());
    value.push(0);
    value
}

/// The file name and object path of an external-link value. HDF5 checks no value when a link
/// is made through `H5Lcreate_ud` (only when it is followed), so a value without an object path
/// (or its terminating NUL) is taken as naming the file's root group.
fn parse_external_value(buf: &[u8]) -> Result<(String, String), VolError> {
    let bad = || VolError::InvalidArgument("malformed external link value".into());
    let rest = buf.get(1..).filter(|rest| !rest.is_empty()).ok_or_else(bad)?;
    let mut parts = rest.split(|b| *b == 0);
    let file = parts.next().filter(|file| !file.is_empty()).ok_or_else(bad)?;
    let path = parts.next().filter(|path| !path.is_empty()).unwrap_or(b"/");
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| bad());
    Ok((text(file)?, text(path)?))
}

fn link_value(info: &LinkInfo) -> Vec<u8> {
    match &info.target {
        LinkTarget::Hard(_) => Vec::new(),
        LinkTarget::Soft(path) => {
            let mut value = path.as_bytes().to_vec();
            value.push(0);
            value
        }
        LinkTarget::External { file, path } => external_value(file, path),
    }
}

fn fill_info(info: &LinkInfo, out: &mut sys::H5L_info2_t) {
    out.corder_valid = info.corder_known;
    out.corder = info.corder;
    out.cset = sys::H5T_CSET_ASCII;
    match &info.target {
        LinkTarget::Hard(id) => {
            out.type_ = sys::H5L_TYPE_HARD;
            out.u.token = sys::H5O_token_t { __data: token_for(id) };
        }
        LinkTarget::Soft(_) => {
            out.type_ = sys::H5L_TYPE_SOFT;
            out.u.val_size = link_value(info).len();
        }
        LinkTarget::External { .. } => {
            out.type_ = sys::H5L_TYPE_EXTERNAL;
            out.u.val_size = link_value(info).len();
        }
    }
}

unsafe extern "C" fn create(
    args: *mut sys::H5VL_link_create_args_t,
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    lcpl_id: hid_t,
    lapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Lcreate", -1, || {
        require_class(lcpl_id, PlistClass::LinkCreate, "the link creation property list")?;
        require_class(lapl_id, PlistClass::LinkAccess, "the link access property list")?;
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        // SAFETY: HDF5 passes valid location parameters.
        let Location::ByName(name) = unsafe { location(loc_params) }? else {
            return Err(VolError::InvalidArgument("a new link needs a name".into()));
        };
        let target = match args.op_type {
            sys::H5VL_LINK_CREATE_HARD => {
                // SAFETY: the union holds `hard` for this op.
                let hard = unsafe { args.args.hard };
                let source_ptr = if hard.curr_obj.is_null() { obj } else { hard.curr_obj };
                // SAFETY: objects this connector made; location parameters valid for the call.
                let (source, source_loc) =
                    unsafe { (object(source_ptr)?, location(&hard.curr_loc_params)?) };
                let id = match source_loc {
                    Location::Itself => source.anchor().clone(),
                    Location::ByName(path) => resolve(source.file(), source.anchor(), &path)?.id,
                    _ => return Err(VolError::Unsupported("hard links to objects by index")),
                };
                LinkTarget::Hard(id)
            }
            sys::H5VL_LINK_CREATE_SOFT => {
                // SAFETY: the union holds `soft`; its target is a C string valid for the call.
                let target = unsafe { str_arg(args.args.soft.target, "target") }?;
                LinkTarget::Soft(target.to_string())
            }
            sys::H5VL_LINK_CREATE_UD => {
                // SAFETY: the union holds `ud` for this op.
                let ud = unsafe { args.args.ud };
                if ud.type_ != sys::H5L_TYPE_EXTERNAL {
                    return Err(VolError::Unsupported("user-defined link classes"));
                }
                if ud.buf.is_null() {
                    return Err(VolError::NullArgument("buf"));
                }
                // SAFETY: `buf` holds `buf_size` readable bytes for the call.
                let buf = unsafe { std::slice::from_raw_parts(ud.buf.cast::<u8>(), ud.buf_size) };
                let (file, path) = parse_external_value(buf)?;
                LinkTarget::External { file, path }
            }
            _ => return Err(VolError::Unsupported("this kind of link")),
        };
        // With H5L_SAME_LOC for the new link's location, HDF5 passes NULL: use the source's.
        let owner_ptr = if obj.is_null() && args.op_type == sys::H5VL_LINK_CREATE_HARD {
            // SAFETY: the union holds `hard` for this op.
            unsafe { args.args.hard.curr_obj }
        } else {
            obj
        };
        // SAFETY: HDF5 passes an object this connector made.
        let owner = unsafe { object(owner_ptr) }?;
        if let LinkTarget::Hard(id) = &target {
            if !id.same_domain(owner.file().root()) {
                return Err(VolError::InvalidArgument(
                    "hard links must point into the same file".into(),
                ));
            }
        }
        let hard = match &target {
            LinkTarget::Hard(id) => Some(id.clone()),
            _ => None,
        };
        if super::plists::create_intermediate_groups(lcpl_id)? {
            crate::vol::group::create_missing_parents(owner.file(), owner.anchor(), &name, None)?;
        }
        link::create(owner.file(), owner.anchor(), &name, target)?;
        if let Some(id) = hard {
            link::count_hard_link(owner.file(), &id, 1);
        }
        Ok(0)
    })
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn copy(
    src_obj: *mut c_void,
    loc_params1: *const sys::H5VL_loc_params_t,
    dst_obj: *mut c_void,
    loc_params2: *const sys::H5VL_loc_params_t,
    lcpl_id: hid_t,
    _lapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Lcopy", -1, || {
        let intermediate = super::plists::create_intermediate_groups(lcpl_id)?;
        // SAFETY: forwarded unchanged from HDF5's call.
        unsafe { copy_or_move(src_obj, loc_params1, dst_obj, loc_params2, false, intermediate) }
            .map(|()| 0)
    })
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn move_(
    src_obj: *mut c_void,
    loc_params1: *const sys::H5VL_loc_params_t,
    dst_obj: *mut c_void,
    loc_params2: *const sys::H5VL_loc_params_t,
    lcpl_id: hid_t,
    _lapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Lmove", -1, || {
        let intermediate = super::plists::create_intermediate_groups(lcpl_id)?;
        // SAFETY: forwarded unchanged from HDF5's call.
        unsafe { copy_or_move(src_obj, loc_params1, dst_obj, loc_params2, true, intermediate) }
            .map(|()| 0)
    })
}

/// Shared body of `H5Lcopy`/`H5Lmove`; `intermediate` creates missing groups on the way to
/// the new link.
///
/// # Safety
/// Objects are NULL or made by this connector; location parameters are valid for the call.
unsafe fn copy_or_move(
    src_obj: *mut c_void,
    loc_params1: *const sys::H5VL_loc_params_t,
    dst_obj: *mut c_void,
    loc_params2: *const sys::H5VL_loc_params_t,
    remove_source: bool,
    intermediate: bool,
) -> Result<(), VolError> {
    // H5L_SAME_LOC gives a NULL object on one side: use the other.
    let (src_ptr, dst_ptr) = match (src_obj.is_null(), dst_obj.is_null()) {
        (true, true) => return Err(VolError::NullArgument("object")),
        (true, false) => (dst_obj, dst_obj),
        (false, true) => (src_obj, src_obj),
        (false, false) => (src_obj, dst_obj),
    };
    // SAFETY: per this function's contract.
    let (src, dst, src_loc, dst_loc) = unsafe {
        (object(src_ptr)?, object(dst_ptr)?, location(loc_params1)?, location(loc_params2)?)
    };
    let (Location::ByName(src_name), Location::ByName(dst_name)) = (src_loc, dst_loc) else {
        return Err(VolError::InvalidArgument("links are copied and moved by name".into()));
    };
    link::copy_or_move(
        src.file(),
        src.anchor(),
        &src_name,
        dst.file(),
        dst.anchor(),
        &dst_name,
        remove_source,
        intermediate,
    )
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    args: *mut sys::H5VL_link_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Lget", -1, || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (owner, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let (_, info) = link_at(owner, &loc)?;
        match args.op_type {
            sys::H5VL_LINK_GET_INFO => {
                // SAFETY: the union holds get_info; `linfo` is NULL or writable.
                let out = unsafe { args.args.get_info.linfo };
                if !out.is_null() {
                    // SAFETY: non-NULL, writable H5L_info2_t.
                    fill_info(&info, unsafe { &mut *out });
                }
            }
            sys::H5VL_LINK_GET_NAME => {
                // SAFETY: the union holds get_name for this op.
                let a = unsafe { args.args.get_name };
                // SAFETY: `name` is writable for `name_size` bytes per H5Lget_name_by_idx's contract.
                unsafe { copy_out(info.name.as_bytes(), a.name.cast(), a.name_size, true) };
                // SAFETY: `name_len` is an out-pointer.
                unsafe { write_out(a.name_len, "name_len", info.name.len()) }?;
            }
            sys::H5VL_LINK_GET_VAL => {
                // SAFETY: the union holds get_val for this op.
                let a = unsafe { args.args.get_val };
                if matches!(info.target, LinkTarget::Hard(_)) {
                    return Err(VolError::InvalidArgument("a hard link has no value".into()));
                }
                // SAFETY: `buf` is writable for `buf_size` bytes per H5Lget_val's contract.
                unsafe { copy_out(&link_value(&info), a.buf.cast(), a.buf_size, false) };
            }
            _ => return Err(VolError::Unsupported("this H5Lget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    args: *mut sys::H5VL_link_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Lspecific", -1, || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (owner, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let file = owner.file();
        match args.op_type {
            sys::H5VL_LINK_EXISTS => {
                let Location::ByName(name) = &loc else {
                    return Err(VolError::InvalidArgument("H5Lexists takes a name".into()));
                };
                let exists = if file.mounts().is_involved() {
                    let at = crate::vol::mount::locate_parent(file, owner.anchor(), name)?;
                    link::exists(&at.file, &at.anchor, &at.path)?
                } else {
                    link::exists(file, owner.anchor(), name)?
                };
                // SAFETY: the union holds `exists`; its pointer is an out-pointer.
                unsafe { write_out(args.args.exists.exists, "exists", exists) }?;
            }
            sys::H5VL_LINK_DELETE => {
                let (group, info) = link_at(owner, &loc)?;
                match &info.target {
                    LinkTarget::Hard(id) => {
                        crate::vol::object::delete_link_releasing_types(file, id, || {
                            link::delete(file, &group, &info.name)
                        })?;
                        link::count_hard_link(file, id, -1);
                    }
                    _ => link::delete(file, &group, &info.name)?,
                }
            }
            sys::H5VL_LINK_ITER => {
                // SAFETY: the union holds `iterate` for this op.
                let iter = unsafe { args.args.iterate };
                return iterate(owner, &loc, iter);
            }
            _ => return Err(VolError::Unsupported("this H5L operation")),
        }
        Ok(0)
    })
}

fn iterate(
    owner: &VolObject,
    loc: &Location,
    iter: sys::H5VL_link_iterate_args_t,
) -> Result<sys::herr_t, VolError> {
    let name = match loc {
        Location::Itself => ".",
        Location::ByName(name) => name.as_str(),
        _ => return Err(VolError::InvalidArgument("iteration starts at a group".into())),
    };
    let (file, group) = if owner.file().mounts().is_involved() {
        // The group may be a mount point, or the path may cross one.
        let at = crate::vol::mount::locate(owner.file(), owner.anchor(), name)?;
        let group = resolve(&at.file, &at.anchor, &at.path)?.id;
        (at.file, group)
    } else if name == "." {
        (owner.file().clone(), owner.anchor().clone())
    } else {
        (owner.file().clone(), resolve(owner.file(), owner.anchor(), name)?.id)
    };
    let file = &file;
    let by_corder = iter.idx_type == sys::H5_INDEX_CRT_ORDER;
    let decreasing = iter.order == sys::H5_ITER_DEC;
    let entries = link::visit(file, &group, iter.recursive, by_corder, decreasing)?;
    let start = if iter.idx_p.is_null() {
        0
    } else {
        // SAFETY: non-NULL `idx_p` points to the caller's start index.
        unsafe { *iter.idx_p }
    };
    // As HDF5: a start index past the last link is an error (an empty group with 0 is not).
    if !iter.recursive && start > 0 && start >= entries.len() as u64 {
        return Err(VolError::InvalidArgument(format!(
            "iteration start index {start} is out of range ({} links)",
            entries.len()
        )));
    }
    let Some(op) = iter.op else {
        return Err(VolError::NullArgument("op"));
    };
    let group_id = register_object(file, &group)?;
    let mut status = 0;
    let mut position = start;
    for entry in entries.iter().skip(start as usize) {
        let mut info = sys::H5L_info2_t::default();
        fill_info(&entry.link, &mut info);
        let name = super::hdf5::c_string(&entry.path);
        position += 1;
        // SAFETY: calling the application's iteration callback with a live group id, a
        // NUL-terminated name and an info struct, all valid for the call.
        status = unsafe { op(group_id, name.as_ptr(), &info, iter.op_data) };
        if status != 0 {
            break;
        }
    }
    release_id(group_id);
    if !iter.idx_p.is_null() {
        // SAFETY: non-NULL out-pointer.
        unsafe { *iter.idx_p = position };
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_values_round_trip() {
        let v = external_value("/home/f.h5", "/g/d");
        assert_eq!(v[0], 0);
        assert_eq!(parse_external_value(&v).unwrap(), ("/home/f.h5".into(), "/g/d".into()));
        assert!(parse_external_value(&[]).is_err());
        assert!(parse_external_value(&[0]).is_err());
        assert_eq!(parse_external_value(b"udata").unwrap(), ("data".into(), "/".into()));
    }
}
