//! Safe wrappers over the libhdf5 `H5S*` calls `h5::space` and `h5::selection` need:
//! dataspace extents and selections. One libhdf5 call per wrapper; a negative return becomes
//! [`VolError::Hdf5Call`] naming the call.

use super::h5type::check_status;
use super::sys::{self, hid_t};
use crate::vol::VolError;

/// `H5Sclose`.
pub(crate) fn close(id: hid_t) -> Result<(), VolError> {
    // SAFETY: identifier by value; HDF5 validates it.
    check_status("H5Sclose", unsafe { sys::H5Sclose(id) })
}
