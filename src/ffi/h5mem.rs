//! Application memory that holds HDF5's in-memory variable-length forms: `char *` for variable
//! strings and `hvl_t` for sequences. Reading follows the pointers; writing allocates with
//! `H5allocate_memory`, so HDF5 (`H5Treclaim`, `H5free_memory`) or the application frees them.

use std::ffi::{c_void, CStr};
use std::marker::PhantomData;

use super::sys;
use crate::vol::VolError;

/// HDF5's `hvl_t`: a sequence length (in elements) and a pointer to the elements.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct Hvl {
    len: usize,
    p: *mut c_void,
}

/// What each element of a [`VlenBuffer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlenLayout {
    /// `char *`: a NUL-terminated string (NULL reads as empty).
    CString,
    /// `hvl_t` whose elements are `base_size` bytes each.
    Sequence {
        /// Bytes per sequence element in memory.
        base_size: usize,
    },
}

impl VlenLayout {
    /// Bytes per element in the buffer.
    pub fn element_size(self) -> usize {
        match self {
            VlenLayout::CString => std::mem::size_of::<*mut u8>(),
            VlenLayout::Sequence { .. } => std::mem::size_of::<Hvl>(),
        }
    }
}

/// A buffer of `count` in-memory variable-length elements, borrowed for `'a`.
#[derive(Debug)]
pub struct VlenBuffer<'a> {
    ptr: *mut u8,
    count: usize,
    layout: VlenLayout,
    _memory: PhantomData<&'a mut [u8]>,
}

/// Copies `bytes` into a new block from HDF5's allocator, plus `extra` zero bytes.
fn hdf5_copy(bytes: &[u8], extra: usize) -> Result<*mut c_void, VolError> {
    let size = bytes.len() + extra;
    // SAFETY: H5allocate_memory returns NULL or a writable block of `size` bytes (zeroed).
    let block = unsafe { sys::H5allocate_memory(size.max(1), true) };
    if block.is_null() {
        return Err(VolError::Hdf5Call { call: "H5allocate_memory" });
    }
    // SAFETY: `block` has room for `bytes.len()` bytes and does not overlap `bytes`.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), block.cast::<u8>(), bytes.len()) };
    Ok(block)
}

impl<'a> VlenBuffer<'a> {
    /// Borrows the application buffer at `ptr`.
    ///
    /// # Safety
    /// `ptr` is valid for reads and writes of `count * layout.element_size()` bytes for `'a`,
    /// and every element is NULL or, for strings, a NUL-terminated string, for sequences an
    /// `hvl_t` whose `p` points to `len * base_size` readable bytes (or is NULL with `len` 0).
    pub unsafe fn from_raw(ptr: *mut c_void, count: usize, layout: VlenLayout) -> Self {
        VlenBuffer { ptr: ptr.cast(), count, layout, _memory: PhantomData }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The bytes of every element: a string's bytes without the NUL, or a sequence's
    /// `len * base_size` element bytes.
    pub fn read_items(&self) -> Vec<Vec<u8>> {
        let size = self.layout.element_size();
        (0..self.count)
            .map(|index| {
                // SAFETY: element `index` lies inside the buffer (from_raw's contract).
                let slot = unsafe { self.ptr.add(index * size) };
                match self.layout {
                    VlenLayout::CString => {
                        // SAFETY: the slot holds a (possibly unaligned) `char *`.
                        let text = unsafe { slot.cast::<*const i8>().read_unaligned() };
                        if text.is_null() {
                            return Vec::new();
                        }
                        // SAFETY: a non-NULL string is NUL-terminated (from_raw's contract).
                        unsafe { CStr::from_ptr(text.cast()) }.to_bytes().to_vec()
                    }
                    VlenLayout::Sequence { base_size } => {
                        // SAFETY: the slot holds a (possibly unaligned) `hvl_t`.
                        let hvl = unsafe { slot.cast::<Hvl>().read_unaligned() };
                        if hvl.p.is_null() || hvl.len == 0 {
                            return Vec::new();
                        }
                        let bytes = hvl.len.saturating_mul(base_size);
                        // SAFETY: `p` points to `len * base_size` bytes (from_raw's contract).
                        unsafe { std::slice::from_raw_parts(hvl.p.cast::<u8>(), bytes) }.to_vec()
                    }
                }
            })
            .collect()
    }

    /// Stores `items` (string bytes, or sequence element bytes in memory layout) as new
    /// HDF5-allocated elements. Previous pointers are overwritten, not freed (as HDF5 does).
    pub fn write_items(&mut self, items: &[Vec<u8>]) -> Result<(), VolError> {
        if items.len() != self.count {
            return Err(VolError::InvalidArgument(format!(
                "{} variable-length items for a buffer of {}",
                items.len(),
                self.count
            )));
        }
        let size = self.layout.element_size();
        for (index, item) in items.iter().enumerate() {
            // SAFETY: element `index` lies inside the buffer (from_raw's contract).
            let slot = unsafe { self.ptr.add(index * size) };
            match self.layout {
                VlenLayout::CString => {
                    let text = hdf5_copy(item, 1)?;
                    // SAFETY: the slot is writable for a (possibly unaligned) `char *`.
                    unsafe { slot.cast::<*mut c_void>().write_unaligned(text) };
                }
                VlenLayout::Sequence { base_size } => {
                    if base_size == 0 || item.len() % base_size != 0 {
                        return Err(VolError::InvalidArgument(
                            "sequence bytes are not whole elements".into(),
                        ));
                    }
                    let hvl = if item.is_empty() {
                        Hvl { len: 0, p: std::ptr::null_mut() }
                    } else {
                        Hvl { len: item.len() / base_size, p: hdf5_copy(item, 0)? }
                    };
                    // SAFETY: the slot is writable for a (possibly unaligned) `hvl_t`.
                    unsafe { slot.cast::<Hvl>().write_unaligned(hvl) };
                }
            }
        }
        Ok(())
    }
}

/// A zero-initialized (all NULL) vlen buffer restvol owns; frees the HDF5-allocated elements
/// on drop. Used to build memory-form data, e.g. in tests.
#[derive(Debug)]
pub struct OwnedVlenBuffer {
    storage: Vec<u64>,
    count: usize,
    layout: VlenLayout,
}

impl OwnedVlenBuffer {
    /// `count` NULL elements.
    pub fn new(count: usize, layout: VlenLayout) -> Self {
        let words = (count * layout.element_size()).div_ceil(8);
        OwnedVlenBuffer { storage: vec![0u64; words.max(1)], count, layout }
    }

    /// The buffer as a [`VlenBuffer`].
    pub fn buffer(&mut self) -> VlenBuffer<'_> {
        // SAFETY: `storage` holds `count` elements of the layout, each NULL or written by
        // `write_items` with HDF5-allocated memory of the right size; the borrow of `self`
        // keeps it alive and exclusive.
        unsafe { VlenBuffer::from_raw(self.storage.as_mut_ptr().cast(), self.count, self.layout) }
    }
}

impl Drop for OwnedVlenBuffer {
    fn drop(&mut self) {
        let size = self.layout.element_size();
        let base = self.storage.as_mut_ptr().cast::<u8>();
        for index in 0..self.count {
            // SAFETY: element `index` lies inside `storage`; it holds NULL or a pointer from
            // `H5allocate_memory`, freed here exactly once.
            unsafe {
                let slot = base.add(index * size);
                let pointer = match self.layout {
                    VlenLayout::CString => slot.cast::<*mut c_void>().read_unaligned(),
                    VlenLayout::Sequence { .. } => slot.cast::<Hvl>().read_unaligned().p,
                };
                if !pointer.is_null() {
                    sys::H5free_memory(pointer);
                }
            }
        }
    }
}
