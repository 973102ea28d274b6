//! Safe wrappers, one per libhdf5 call the connector makes. Each wrapper owns exactly one
//! `unsafe` call, states why it is sound, and turns HDF5's negative return codes into
//! `VolError::Hdf5Call`. Higher layers (`h5`, `vol`) use only these.

use std::ffi::{c_char, c_void, CStr, CString};

use super::sys;
use crate::vol::VolError;

pub use sys::{herr_t, hid_t};

/// HDF5's "default property list" / "default error stack" identifier.
pub const DEFAULT: hid_t = 0;

fn check_id(call: &'static str, id: hid_t) -> Result<hid_t, VolError> {
    if id < 0 {
        Err(VolError::Hdf5Call { call })
    } else {
        Ok(id)
    }
}

fn check_status(call: &'static str, status: herr_t) -> Result<(), VolError> {
    if status < 0 {
        Err(VolError::Hdf5Call { call })
    } else {
        Ok(())
    }
}

/// Turns text into a C string, replacing interior NUL bytes so nothing is cut or lost.
pub fn c_string(text: &str) -> CString {
    let cleaned: Vec<u8> = text.bytes().map(|b| if b == 0 { b'?' } else { b }).collect();
    CString::new(cleaned).unwrap_or_default()
}

/// Makes sure the library and its global identifiers (`H5E_*_g`, `H5P_CLS_*_g`) are set up.
pub fn open_library() -> Result<(), VolError> {
    // SAFETY: H5open takes no arguments and may be called any number of times.
    check_status("H5open", unsafe { sys::H5open() })
}

/// The HDF5 error-stack message identifiers restvol uses (global ids set up by `H5open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorMessage {
    /// Major: "Virtual Object Layer".
    MajorVol,
    /// Minor: "Can't initialize object".
    CantInit,
    /// Minor: "Feature is unsupported".
    Unsupported,
    /// Minor: "Bad value".
    BadValue,
    /// Minor: "Unable to create file" / generic operation failure.
    CantOperate,
}

/// The identifier of an HDF5 error message.
pub fn error_message_id(message: ErrorMessage) -> hid_t {
    // SAFETY: these are plain `hid_t` globals exported by libhdf5 and set by `H5open`; reading
    // a copy of an integer global is sound (a not-yet-initialized id reads as -1 or 0).
    unsafe {
        match message {
            ErrorMessage::MajorVol => sys::H5E_VOL_g,
            ErrorMessage::CantInit => sys::H5E_CANTINIT_g,
            ErrorMessage::Unsupported => sys::H5E_UNSUPPORTED_g,
            ErrorMessage::BadValue => sys::H5E_BADVALUE_g,
            ErrorMessage::CantOperate => sys::H5E_CANTOPERATE_g,
        }
    }
}

/// Registers an error class so restvol's messages print as coming from restvol.
pub fn register_error_class(name: &str, library: &str, version: &str) -> Result<hid_t, VolError> {
    let (name, library, version) = (c_string(name), c_string(library), c_string(version));
    // SAFETY: the three arguments are valid NUL-terminated strings that HDF5 copies.
    let id = unsafe { sys::H5Eregister_class(name.as_ptr(), library.as_ptr(), version.as_ptr()) };
    check_id("H5Eregister_class", id)
}

/// Pushes one message on the default error stack.
pub fn push_error(
    class: hid_t,
    major: hid_t,
    minor: hid_t,
    function: &str,
    message: &str,
) -> Result<(), VolError> {
    let file = c_string("restvol");
    let function = c_string(function);
    let message = c_string(message);
    let format = c_string("%s");
    // SAFETY: every pointer is a valid NUL-terminated string alive for the call; the format is
    // the literal "%s" with exactly one string argument, so the variadic call reads one
    // `char *`. HDF5 copies all text before returning.
    let status = unsafe {
        sys::H5Epush2(
            DEFAULT,
            file.as_ptr(),
            function.as_ptr(),
            0,
            class,
            major,
            minor,
            format.as_ptr(),
            message.as_ptr(),
        )
    };
    check_status("H5Epush2", status)
}

/// Registers `class` with HDF5 (or finds the already registered connector of the same name)
/// and returns a new reference to its identifier.
pub fn register_connector(class: &'static sys::H5VL_class_t) -> Result<hid_t, VolError> {
    // SAFETY: `class` is a fully initialized class table with 'static lifetime; HDF5 keeps the
    // pointer for as long as the connector is registered. DEFAULT is a valid VIPL id.
    let id = unsafe { sys::H5VLregister_connector(class, DEFAULT) };
    check_id("H5VLregister_connector", id)
}

/// Releases one reference to a VOL connector identifier.
pub fn close_connector(id: hid_t) -> Result<(), VolError> {
    // SAFETY: takes an identifier by value; HDF5 validates it.
    check_status("H5VLclose", unsafe { sys::H5VLclose(id) })
}

/// Whether `plist` is a file access property list.
pub fn is_file_access_plist(plist: hid_t) -> Result<bool, VolError> {
    open_library()?;
    // SAFETY: both arguments are identifiers passed by value; the class id global is set by
    // `H5open` above, and HDF5 validates both ids.
    let status = unsafe { sys::H5Pisa_class(plist, sys::H5P_CLS_FILE_ACCESS_ID_g) };
    if status < 0 {
        return Err(VolError::Hdf5Call { call: "H5Pisa_class" });
    }
    Ok(status > 0)
}

/// Sets connector `connector` (with no info: the connector resolves its configuration from the
/// environment) on the file access property list `fapl`.
pub fn set_fapl_vol(fapl: hid_t, connector: hid_t) -> Result<(), VolError> {
    // SAFETY: identifiers by value; a NULL info pointer is allowed by H5Pset_vol.
    check_status("H5Pset_vol", unsafe { sys::H5Pset_vol(fapl, connector, std::ptr::null()) })
}

/// Copies `text` into memory from HDF5's allocator, for strings HDF5 later frees itself.
pub fn alloc_c_string(text: &str) -> Result<*mut c_char, VolError> {
    let c = c_string(text);
    let bytes = c.as_bytes_with_nul();
    // SAFETY: H5allocate_memory returns either NULL or a writable block of the requested size.
    let ptr = unsafe { sys::H5allocate_memory(bytes.len(), false) }.cast::<u8>();
    if ptr.is_null() {
        return Err(VolError::Hdf5Call { call: "H5allocate_memory" });
    }
    // SAFETY: `ptr` points to `bytes.len()` writable bytes that do not overlap `bytes`.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
    Ok(ptr.cast())
}

/// Copies `bytes` into a caller buffer of `size` bytes, truncating; with `terminate` the copy
/// always ends in a NUL inside the buffer (HDF5's convention for name buffers).
///
/// # Safety
/// `buf` is NULL or writable for `size` bytes.
pub(super) unsafe fn copy_out(bytes: &[u8], buf: *mut u8, size: usize, terminate: bool) {
    if buf.is_null() || size == 0 {
        return;
    }
    let room = if terminate { size - 1 } else { size };
    let n = bytes.len().min(room);
    // SAFETY: `buf` is writable for `size` bytes (caller's contract); we write at most `size`.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, n);
        if terminate {
            *buf.add(n) = 0;
        }
    }
}

/// Releases a connector object HDF5 is done with (the body of every `close` callback but the
/// file's, whose close can fail).
///
/// # Safety
/// As [`drop_raw`].
pub(super) unsafe fn close_object<T>(obj: *mut c_void) -> herr_t {
    // SAFETY: guaranteed by the caller.
    unsafe { drop_raw::<T>(obj) };
    0
}

/// Reads a C string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays alive and unchanged for `'a`.
pub(super) unsafe fn str_arg<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<&'a str, VolError> {
    if ptr.is_null() {
        return Err(VolError::NullArgument(name));
    }
    // SAFETY: non-NULL, and the caller guarantees a live NUL-terminated string.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|_| VolError::NotUtf8(name))
}

/// Writes `value` through an out-pointer argument.
///
/// # Safety
/// `ptr` is NULL or valid and aligned for a write of `T`.
pub(super) unsafe fn write_out<T>(
    ptr: *mut T,
    name: &'static str,
    value: T,
) -> Result<(), VolError> {
    if ptr.is_null() {
        return Err(VolError::NullArgument(name));
    }
    // SAFETY: non-NULL, and the caller guarantees validity and alignment for T.
    unsafe { ptr.write(value) };
    Ok(())
}

/// Borrows the argument struct HDF5 hands a `get`/`specific` callback.
///
/// # Safety
/// `ptr` is NULL or valid, and not used elsewhere, for `'a`.
pub(super) unsafe fn args_mut<'a, T>(ptr: *mut T) -> Result<&'a mut T, VolError> {
    if ptr.is_null() {
        return Err(VolError::NullArgument("args"));
    }
    // SAFETY: non-NULL, and the caller guarantees validity and exclusive use.
    Ok(unsafe { &mut *ptr })
}

/// Moves `value` to the heap and hands ownership to C as an opaque pointer.
pub(super) fn into_raw<T>(value: T) -> *mut c_void {
    Box::into_raw(Box::new(value)).cast()
}

/// Borrows an opaque pointer made by [`into_raw`] for `T`.
///
/// # Safety
/// `ptr` is NULL or came from [`into_raw::<T>`] for the same `T` and is not released during `'a`.
pub(super) unsafe fn borrow_raw<'a, T>(
    ptr: *const c_void,
    name: &'static str,
) -> Result<&'a T, VolError> {
    if ptr.is_null() {
        return Err(VolError::NullArgument(name));
    }
    // SAFETY: non-NULL, and the caller guarantees it is a live box of T.
    Ok(unsafe { &*ptr.cast::<T>() })
}

/// Takes back ownership of an opaque pointer made by [`into_raw`] for `T`, dropping it.
///
/// # Safety
/// `ptr` is NULL or came from [`into_raw::<T>`] for the same `T`, and is never used again.
pub(super) unsafe fn drop_raw<T>(ptr: *mut c_void) {
    if !ptr.is_null() {
        // SAFETY: the caller guarantees a box of T released exactly once.
        drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    }
}
