//! How an HDF5 file name becomes an HSDS domain path.
//!
//! Names passed to `H5Fcreate`/`H5Fopen` are domain paths such as `/home/alice/run1.h5`. A
//! relative name (`run1.h5`, `./out/run1.h5`) is taken relative to the store's top folder, so
//! it becomes `/run1.h5` and `/out/run1.h5`. Repeated slashes collapse; `.` components vanish;
//! `..` components and NUL bytes are refused, so a name can never escape its folder.

use super::error::VolError;

/// The domain path for the HDF5 file name `name`.
pub fn domain_for_file_name(name: &str) -> Result<String, VolError> {
    let bad = |why: &str| VolError::InvalidArgument(format!("file name '{name}' {why}"));
    if name.is_empty() {
        return Err(bad("is empty"));
    }
    if name.contains('\0') {
        return Err(bad("contains a NUL byte"));
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(bad("contains a '..' component")),
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err(bad("names a folder, not a file"));
    }
    if name.ends_with('/') {
        return Err(bad("ends with '/', which names a folder"));
    }
    Ok(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_relative_names() {
        assert_eq!(domain_for_file_name("/home/a/f.h5").unwrap(), "/home/a/f.h5");
        assert_eq!(domain_for_file_name("f.h5").unwrap(), "/f.h5");
        assert_eq!(domain_for_file_name("./x//y/./f.h5").unwrap(), "/x/y/f.h5");
    }

    #[test]
    fn refuses_escapes_and_folders() {
        for bad in ["", "/", "a/../b.h5", "/home/", "a\0b"] {
            assert!(domain_for_file_name(bad).is_err(), "{bad:?}");
        }
    }
}
