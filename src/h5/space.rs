//! HDF5 dataspaces ⇄ REST shapes ([`Shape`], reference sections 1.5 and 2.6): `H5S_SIMPLE`
//! with dims and maxdims (unlimited is `0` in JSON), `H5S_SCALAR` and `H5S_NULL`.

use crate::ffi::h5space;
use crate::ffi::hdf5::hid_t;
use crate::model::shapes::{Extent, Shape};

use super::error::{unsupported, H5Result};
use super::handle::OwnedId;

/// Reads the extent of dataspace `id` as a [`Shape`]. Maxdims are kept only when some differs
/// from its dim (a fixed-size space has none, as HSDS stores it).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn to_rest(id: hid_t) -> H5Result<Shape> {
    match h5space::extent_class(id)? {
        h5space::H5S_NULL => Ok(Shape::Null),
        h5space::H5S_SCALAR => Ok(Shape::Scalar),
        h5space::H5S_SIMPLE => {
            let (dims, maxdims) = h5space::extent_dims(id)?;
            if dims.is_empty() {
                // `H5Screate(H5S_SIMPLE)` without `H5Sset_extent_simple`: HDF5 refuses it too.
                return Err(super::H5Error::Invalid("the dataspace has no extent".into()));
            }
            let maxdims = (maxdims != dims).then(|| {
                maxdims
                    .iter()
                    .map(|max| {
                        if *max == h5space::UNLIMITED {
                            Extent::Unlimited
                        } else {
                            Extent::Fixed(*max)
                        }
                    })
                    .collect()
            });
            Ok(Shape::Simple { dims, maxdims })
        }
        other => Err(unsupported(format!("dataspace class {other}"))),
    }
}

/// Builds a new dataspace for `shape`, with everything selected.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn to_hdf5(shape: &Shape) -> H5Result<OwnedId> {
    let id = match shape {
        Shape::Null => h5space::create(h5space::H5S_NULL)?,
        Shape::Scalar => h5space::create(h5space::H5S_SCALAR)?,
        Shape::Simple { dims, maxdims } => {
            let maxdims: Option<Vec<u64>> = maxdims.as_ref().map(|maxdims| {
                maxdims
                    .iter()
                    .map(|extent| match extent {
                        Extent::Fixed(max) => *max,
                        Extent::Unlimited => h5space::UNLIMITED,
                    })
                    .collect()
            });
            h5space::create_simple(dims, maxdims.as_deref())?
        }
    };
    Ok(OwnedId::dataspace(id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;

    fn round_trip(value: serde_json::Value) {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let shape = Shape::from_json(&value).unwrap();
        let id = to_hdf5(&shape).unwrap();
        let back = to_rest(id.id()).unwrap();
        assert_eq!(back, shape, "{value}");
        assert_eq!(back.to_json(), shape.to_json());
    }

    #[test]
    fn shapes_round_trip() {
        round_trip(json!({"class": "H5S_NULL"}));
        round_trip(json!({"class": "H5S_SCALAR"}));
        round_trip(json!({"class": "H5S_SIMPLE", "dims": [4, 8]}));
        round_trip(json!({"class": "H5S_SIMPLE", "dims": [0]}));
        round_trip(json!({"class": "H5S_SIMPLE", "dims": [4, 8], "maxdims": [0, 16]}));
    }

    #[test]
    fn unlimited_maxdims_are_h5s_unlimited_in_json() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let id = OwnedId::dataspace(
            h5space::create_simple(&[3, 2], Some(&[h5space::UNLIMITED, 2])).unwrap(),
        );
        assert_eq!(
            to_rest(id.id()).unwrap().to_json(),
            json!({"class": "H5S_SIMPLE", "dims": [3, 2], "maxdims": ["H5S_UNLIMITED", 2]})
        );
    }
}
