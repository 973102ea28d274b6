//! [`OwnedId`]: an HDF5 identifier (datatype, dataspace or property list) that restvol created
//! and therefore closes when dropped.

use crate::ffi::hdf5::hid_t;
use crate::ffi::{h5plist, h5space, h5type};

/// What an [`OwnedId`] identifies, which decides the call that closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A datatype (`H5Tclose`).
    Datatype,
    /// A dataspace (`H5Sclose`).
    Dataspace,
    /// A property list (`H5Pclose`).
    PropertyList,
}

/// An HDF5 identifier owned by restvol: closed on drop unless handed over with
/// [`OwnedId::into_raw`].
#[derive(Debug, PartialEq, Eq)]
pub struct OwnedId {
    id: hid_t,
    kind: IdKind,
}

impl OwnedId {
    /// Takes ownership of `id`, a valid identifier of `kind` nobody else will close.
    pub fn from_raw(id: hid_t, kind: IdKind) -> OwnedId {
        OwnedId { id, kind }
    }

    /// A datatype id to own.
    pub fn datatype(id: hid_t) -> OwnedId {
        OwnedId::from_raw(id, IdKind::Datatype)
    }

    /// A dataspace id to own.
    pub fn dataspace(id: hid_t) -> OwnedId {
        OwnedId::from_raw(id, IdKind::Dataspace)
    }

    /// A property list id to own.
    pub fn plist(id: hid_t) -> OwnedId {
        OwnedId::from_raw(id, IdKind::PropertyList)
    }

    /// The identifier, still owned.
    pub fn id(&self) -> hid_t {
        self.id
    }

    /// What the identifier is.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// Gives up ownership (e.g. to return the id to HDF5 or the application).
    pub fn into_raw(self) -> hid_t {
        let id = self.id;
        std::mem::forget(self);
        id
    }
}

impl Drop for OwnedId {
    fn drop(&mut self) {
        // A failure to close cannot be reported from a destructor; HDF5 keeps it on its stack.
        let _ = match self.kind {
            IdKind::Datatype => h5type::close(self.id),
            IdKind::Dataspace => h5space::close(self.id),
            IdKind::PropertyList => h5plist::close(self.id),
        };
    }
}

/// Serializes unit tests that call libhdf5: the library is built without thread safety, and the
/// test harness runs tests on several threads. Hold the guard for the whole test (declare it
/// first, so it outlives every [`OwnedId`]).
#[cfg(test)]
pub(crate) fn hdf5_test_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
