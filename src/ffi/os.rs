//! Operating-system facts the connector needs that only C can tell: where the loaded plugin
//! file lives (so direct access can find the `restvol` binary next to it).

use std::ffi::CStr;
use std::path::PathBuf;

/// The directory holding the shared object this code was loaded from, if the loader says.
pub fn plugin_dir() -> Option<PathBuf> {
    let mut info = libc::Dl_info {
        dli_fname: std::ptr::null(),
        dli_fbase: std::ptr::null_mut(),
        dli_sname: std::ptr::null(),
        dli_saddr: std::ptr::null_mut(),
    };
    let address = plugin_dir as *const () as *const libc::c_void;
    // SAFETY: `address` is the address of a function in this object; `info` is a valid
    // out-struct. dladdr only reads loader tables.
    let found = unsafe { libc::dladdr(address, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: on success dli_fname is a NUL-terminated path owned by the loader, alive while
    // the object stays loaded (it is: this code is running from it).
    let path = unsafe { CStr::from_ptr(info.dli_fname) }.to_str().ok()?;
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    path.parent().map(PathBuf::from)
}
