//! Files, groups, links, object identity, committed datatypes and attribute names.

use std::ffi::{c_char, c_void, CStr};

use super::handle::{check, Handle, Hdf5Failure};
use crate::ffi::hdf5::c_string;
use crate::ffi::sys::{self, hid_t};

const ACC_RDONLY: u32 = 0x0000;
const ACC_TRUNC: u32 = 0x0002;
const ACC_EXCL: u32 = 0x0004;
const DEFAULT: hid_t = 0;

/// Creates the file (or domain) `name`; `truncate` replaces an existing one, otherwise an
/// existing one is an error.
pub fn create_file(name: &str, fapl: &Handle, truncate: bool) -> Result<Handle, Hdf5Failure> {
    let flags = if truncate { ACC_TRUNC } else { ACC_EXCL };
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Fcreate", unsafe { sys::H5Fcreate(name.as_ptr(), flags, DEFAULT, fapl.id()) })
}

/// Opens the file (or domain) `name` read-only.
pub fn open_file(name: &str, fapl: &Handle) -> Result<Handle, Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Fopen", unsafe { sys::H5Fopen(name.as_ptr(), ACC_RDONLY, fapl.id()) })
}

/// Closes a file, reporting a failure to flush it.
pub fn close_file(file: Handle) -> Result<(), Hdf5Failure> {
    // SAFETY: the handle owns a file identifier; it is forgotten after the close either way.
    let status = unsafe { sys::H5Fclose(file.id()) };
    file.forget();
    check("H5Fclose", i64::from(status))
}

/// Deletes the file (or domain) `name`.
pub fn delete_file(name: &str, fapl: &Handle) -> Result<(), Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifier by value.
    check("H5Fdelete", i64::from(unsafe { sys::H5Fdelete(name.as_ptr(), fapl.id()) }))
}

/// Whether `name` exists and can be opened as an HDF5 file (or domain).
pub fn is_accessible(name: &str, fapl: &Handle) -> bool {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifier by value.
    let answer = unsafe { sys::H5Fis_accessible(name.as_ptr(), fapl.id()) };
    // SAFETY: clears whatever a "no" left on the default error stack.
    unsafe { sys::H5Eclear2(sys::H5E_DEFAULT as hid_t) };
    answer > 0
}

/// Opens the object at `path` (relative to `loc`).
pub fn open_object(loc: &Handle, path: &str) -> Result<Handle, Hdf5Failure> {
    let path = c_string(path);
    // SAFETY: NUL-terminated path; identifiers by value.
    Handle::new("H5Oopen", unsafe { sys::H5Oopen(loc.id(), path.as_ptr(), DEFAULT) })
}

/// Creates the group `name` in `loc` with the creation properties `gcpl`.
pub fn create_group(loc: &Handle, name: &str, gcpl: &Handle) -> Result<Handle, Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Gcreate2", unsafe {
        sys::H5Gcreate2(loc.id(), name.as_ptr(), DEFAULT, gcpl.id(), DEFAULT)
    })
}

/// The creation properties of a group.
pub fn group_creation_plist(group: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Gget_create_plist", unsafe { sys::H5Gget_create_plist(group.id()) })
}

/// The creation properties of a committed datatype.
pub fn datatype_creation_plist(datatype: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Tget_create_plist", unsafe { sys::H5Tget_create_plist(datatype.id()) })
}

/// Whether a group creation list tracks link creation order.
pub fn link_creation_order_tracked(gcpl: &Handle) -> Result<bool, Hdf5Failure> {
    let mut flags = 0u32;
    // SAFETY: identifier by value, valid out-pointer.
    let status = unsafe { sys::H5Pget_link_creation_order(gcpl.id(), &mut flags) };
    check("H5Pget_link_creation_order", i64::from(status))?;
    Ok(flags & sys::H5P_CRT_ORDER_TRACKED != 0)
}

/// Whether an object creation list tracks attribute creation order.
pub fn attr_creation_order_tracked(ocpl: &Handle) -> Result<bool, Hdf5Failure> {
    let mut flags = 0u32;
    // SAFETY: identifier by value, valid out-pointer.
    let status = unsafe { sys::H5Pget_attr_creation_order(ocpl.id(), &mut flags) };
    check("H5Pget_attr_creation_order", i64::from(status))?;
    Ok(flags & sys::H5P_CRT_ORDER_TRACKED != 0)
}

/// What kind of link a link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// A hard link to an object in the same file.
    Hard,
    /// A soft link holding a path.
    Soft(String),
    /// An external link: a file name and a path in that file.
    External {
        /// The target file name.
        file: String,
        /// The object path in the target file.
        path: String,
    },
    /// A user-defined link class, which is not copied.
    UserDefined,
}

/// One link of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEntry {
    /// The link name.
    pub name: String,
    /// Its kind and value.
    pub kind: LinkKind,
}

struct RawLink {
    name: String,
    link_type: sys::H5L_type_t,
    val_size: usize,
}

unsafe extern "C" fn collect_link(
    _group: hid_t,
    name: *const c_char,
    info: *const sys::H5L_info2_t,
    data: *mut c_void,
) -> sys::herr_t {
    // SAFETY: H5Literate2 passes a NUL-terminated name, a valid info record and the Vec given
    // as client data.
    let (name, info, links) =
        unsafe { (CStr::from_ptr(name), &*info, &mut *data.cast::<Vec<RawLink>>()) };
    let val_size = if info.type_ == sys::H5L_TYPE_HARD {
        0
    } else {
        // SAFETY: for soft, external and user-defined links HDF5 fills `val_size`.
        unsafe { info.u.val_size }
    };
    links.push(RawLink {
        name: name.to_string_lossy().into_owned(),
        link_type: info.type_,
        val_size,
    });
    0
}

/// The links of `group`, in creation order when `by_creation_order`, else by name.
pub fn links(group: &Handle, by_creation_order: bool) -> Result<Vec<LinkEntry>, Hdf5Failure> {
    let mut raw: Vec<RawLink> = Vec::new();
    let index = if by_creation_order { sys::H5_INDEX_CRT_ORDER } else { sys::H5_INDEX_NAME };
    // SAFETY: the callback only appends to the Vec passed as client data, which outlives the call.
    let status = unsafe {
        sys::H5Literate2(
            group.id(),
            index,
            sys::H5_ITER_INC,
            std::ptr::null_mut(),
            Some(collect_link),
            (&mut raw as *mut Vec<RawLink>).cast(),
        )
    };
    check("H5Literate2", i64::from(status))?;
    raw.into_iter().map(|link| resolve_link(group, link)).collect()
}

fn resolve_link(group: &Handle, link: RawLink) -> Result<LinkEntry, Hdf5Failure> {
    let kind = match link.link_type {
        sys::H5L_TYPE_HARD => LinkKind::Hard,
        sys::H5L_TYPE_SOFT | sys::H5L_TYPE_EXTERNAL => {
            let value = link_value(group, &link.name, link.val_size)?;
            if link.link_type == sys::H5L_TYPE_SOFT {
                let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
                LinkKind::Soft(String::from_utf8_lossy(&value[..end]).into_owned())
            } else {
                unpack_external(&value)?
            }
        }
        _ => LinkKind::UserDefined,
    };
    Ok(LinkEntry { name: link.name, kind })
}

fn link_value(group: &Handle, name: &str, size: usize) -> Result<Vec<u8>, Hdf5Failure> {
    let mut buf = vec![0u8; size.max(1)];
    let name = c_string(name);
    // SAFETY: the buffer holds `buf.len()` bytes; HDF5 writes at most that many.
    let status = unsafe {
        sys::H5Lget_val(group.id(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len(), DEFAULT)
    };
    check("H5Lget_val", i64::from(status))?;
    Ok(buf)
}

fn unpack_external(value: &[u8]) -> Result<LinkKind, Hdf5Failure> {
    let mut flags = 0u32;
    let mut file: *const c_char = std::ptr::null();
    let mut path: *const c_char = std::ptr::null();
    // SAFETY: `value` is the link value HDF5 returned, of its full length; the out-pointers
    // end up pointing inside `value`, which outlives their use below.
    let status = unsafe {
        sys::H5Lunpack_elink_val(
            value.as_ptr().cast(),
            value.len(),
            &mut flags,
            &mut file,
            &mut path,
        )
    };
    check("H5Lunpack_elink_val", i64::from(status))?;
    let text = |ptr: *const c_char| {
        if ptr.is_null() {
            String::new()
        } else {
            // SAFETY: non-NULL pointers into `value`, NUL-terminated by the link format.
            unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
        }
    };
    Ok(LinkKind::External { file: text(file), path: text(path) })
}

/// Creates a hard link `name` in `loc` to the object at `target` (relative to `target_loc`).
pub fn create_hard_link(
    target_loc: &Handle,
    target: &str,
    loc: &Handle,
    name: &str,
) -> Result<(), Hdf5Failure> {
    let (target, name) = (c_string(target), c_string(name));
    // SAFETY: NUL-terminated strings; identifiers by value.
    let status = unsafe {
        sys::H5Lcreate_hard(
            target_loc.id(),
            target.as_ptr(),
            loc.id(),
            name.as_ptr(),
            DEFAULT,
            DEFAULT,
        )
    };
    check("H5Lcreate_hard", i64::from(status))
}

/// Creates a soft link `name` in `loc` holding `target`.
pub fn create_soft_link(target: &str, loc: &Handle, name: &str) -> Result<(), Hdf5Failure> {
    let (target, name) = (c_string(target), c_string(name));
    // SAFETY: NUL-terminated strings; identifiers by value.
    let status =
        unsafe { sys::H5Lcreate_soft(target.as_ptr(), loc.id(), name.as_ptr(), DEFAULT, DEFAULT) };
    check("H5Lcreate_soft", i64::from(status))
}

/// Creates an external link `name` in `loc` to `path` in `file`.
pub fn create_external_link(
    file: &str,
    path: &str,
    loc: &Handle,
    name: &str,
) -> Result<(), Hdf5Failure> {
    let (file, path, name) = (c_string(file), c_string(path), c_string(name));
    // SAFETY: NUL-terminated strings; identifiers by value.
    let status = unsafe {
        sys::H5Lcreate_external(
            file.as_ptr(),
            path.as_ptr(),
            loc.id(),
            name.as_ptr(),
            DEFAULT,
            DEFAULT,
        )
    };
    check("H5Lcreate_external", i64::from(status))
}

/// The kind of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A group.
    Group,
    /// A dataset.
    Dataset,
    /// A committed (named) datatype.
    Datatype,
    /// Anything else.
    Other,
}

/// What identifies an object within the open files: file number and token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    /// The file number.
    pub fileno: u64,
    /// The object token.
    pub token: [u8; 16],
}

/// The identity and kind of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its kind.
    pub kind: ObjectKind,
    /// Its identity.
    pub key: ObjectKey,
}

fn info_of(raw: &sys::H5O_info2_t) -> ObjectInfo {
    let kind = match raw.type_ {
        sys::H5O_TYPE_GROUP => ObjectKind::Group,
        sys::H5O_TYPE_DATASET => ObjectKind::Dataset,
        sys::H5O_TYPE_NAMED_DATATYPE => ObjectKind::Datatype,
        _ => ObjectKind::Other,
    };
    ObjectInfo { kind, key: ObjectKey { fileno: raw.fileno, token: raw.token.__data } }
}

/// The identity and kind of the object at `path` (relative to `loc`).
pub fn object_info_by_name(loc: &Handle, path: &str) -> Result<ObjectInfo, Hdf5Failure> {
    let mut raw = sys::H5O_info2_t::default();
    let path = c_string(path);
    // SAFETY: NUL-terminated path, valid out-pointer; identifiers by value.
    let status = unsafe {
        sys::H5Oget_info_by_name3(loc.id(), path.as_ptr(), &mut raw, sys::H5O_INFO_BASIC, DEFAULT)
    };
    check("H5Oget_info_by_name3", i64::from(status))?;
    Ok(info_of(&raw))
}

/// The identity and kind of an open object (a committed datatype, say).
pub fn object_info(object: &Handle) -> Result<ObjectInfo, Hdf5Failure> {
    let mut raw = sys::H5O_info2_t::default();
    // SAFETY: valid out-pointer; identifier by value.
    let status = unsafe { sys::H5Oget_info3(object.id(), &mut raw, sys::H5O_INFO_BASIC) };
    check("H5Oget_info3", i64::from(status))?;
    Ok(info_of(&raw))
}

/// Commits a copy of `datatype` as `name` in `loc` with the creation properties `tcpl`.
pub fn commit_datatype(
    loc: &Handle,
    name: &str,
    datatype: &Handle,
    tcpl: &Handle,
) -> Result<(), Hdf5Failure> {
    // SAFETY: identifier by value.
    let copy = Handle::new("H5Tcopy", unsafe { sys::H5Tcopy(datatype.id()) })?;
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    let status =
        unsafe { sys::H5Tcommit2(loc.id(), name.as_ptr(), copy.id(), DEFAULT, tcpl.id(), DEFAULT) };
    check("H5Tcommit2", i64::from(status))
}

/// Opens the committed datatype at `path`.
pub fn open_datatype(loc: &Handle, path: &str) -> Result<Handle, Hdf5Failure> {
    let path = c_string(path);
    // SAFETY: NUL-terminated path; identifiers by value.
    Handle::new("H5Topen2", unsafe { sys::H5Topen2(loc.id(), path.as_ptr(), DEFAULT) })
}

unsafe extern "C" fn collect_attribute(
    _loc: hid_t,
    name: *const c_char,
    _info: *const sys::H5A_info_t,
    data: *mut c_void,
) -> sys::herr_t {
    // SAFETY: H5Aiterate2 passes a NUL-terminated name and the Vec given as client data.
    let (name, names) = unsafe { (CStr::from_ptr(name), &mut *data.cast::<Vec<String>>()) };
    names.push(name.to_string_lossy().into_owned());
    0
}

/// The attribute names of `object`, in creation order when `by_creation_order`, else by name.
pub fn attribute_names(
    object: &Handle,
    by_creation_order: bool,
) -> Result<Vec<String>, Hdf5Failure> {
    let mut names: Vec<String> = Vec::new();
    let index = if by_creation_order { sys::H5_INDEX_CRT_ORDER } else { sys::H5_INDEX_NAME };
    // SAFETY: the callback only appends to the Vec passed as client data, which outlives the call.
    let status = unsafe {
        sys::H5Aiterate2(
            object.id(),
            index,
            sys::H5_ITER_INC,
            std::ptr::null_mut(),
            Some(collect_attribute),
            (&mut names as *mut Vec<String>).cast(),
        )
    };
    check("H5Aiterate2", i64::from(status))?;
    Ok(names)
}

/// A transient (uncommitted) copy of `datatype`.
pub fn copy_datatype(datatype: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Tcopy", unsafe { sys::H5Tcopy(datatype.id()) })
}
