//! Safe wrappers over the libhdf5 `H5P*` calls `h5::plist` needs: dataset and group creation
//! properties. One libhdf5 call per wrapper; a negative return becomes
//! [`VolError::Hdf5Call`] naming the call.

use super::h5type::check_status;
use super::sys::{self, hid_t};
use crate::vol::VolError;

/// `H5Pclose`.
pub(crate) fn close(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Pclose", unsafe { sys::H5Pclose(id) })
}
