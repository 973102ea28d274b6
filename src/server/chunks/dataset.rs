//! [`DatasetLayout`]: what the value path needs from a dataset's `.dataset.json` (reference
//! §1.5): id, type, extents, chunk shape, partition count, fill element and filters.

use serde_json::Value;

use crate::chunking::{partitioned_chunk_id, ChunkGrid};
use crate::model::{Datatype, Shape};

use super::elements::{item_layout, ItemLayout};
use super::error::ChunkError;
use super::fill::fill_element;

/// A dataset as the chunk store sees it. Cheap to clone relative to chunk I/O.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetLayout {
    /// The dataset id (`d-…`).
    pub id: String,
    /// The element type.
    pub datatype: Datatype,
    /// Fixed item size or variable.
    pub item: ItemLayout,
    /// Current extents (`[1]` for a scalar, as HSDS stores it).
    pub dims: Vec<u64>,
    /// Whether the dataspace is scalar.
    pub scalar: bool,
    /// The chunk shape (`layout.dims`).
    pub chunk_dims: Vec<u64>,
    /// `layout.partition_count`, if chunks are partitioned into `p<N>/` folders.
    pub partition_count: Option<u64>,
    /// One encoded fill element (see [`super::elements`]).
    pub fill: Vec<u8>,
    /// `creationProperties.filters` (an empty list when absent).
    pub filters: Vec<Value>,
}

impl DatasetLayout {
    /// Reads a `.dataset.json` value (or a dataset GET response of the same shape).
    ///
    /// # Errors
    /// [`ChunkError::BadDataset`] for a missing id, type, shape or chunk layout, a null
    /// dataspace, or a fill value that does not fit the type.
    pub fn from_json(dataset: &Value) -> Result<DatasetLayout, ChunkError> {
        let bad = |what: &str| ChunkError::BadDataset(what.to_string());
        let id = dataset.get("id").and_then(Value::as_str).ok_or_else(|| bad("no id"))?;
        let datatype = Datatype::from_json(dataset.get("type").ok_or_else(|| bad("no type"))?)
            .map_err(|err| ChunkError::BadDataset(err.to_string()))?;
        let shape = Shape::from_json(dataset.get("shape").ok_or_else(|| bad("no shape"))?)
            .map_err(|err| ChunkError::BadDataset(err.to_string()))?;
        let (dims, scalar) = match shape {
            Shape::Null => return Err(bad("a null dataspace has no values")),
            Shape::Scalar => (vec![1], true),
            Shape::Simple { .. } => (shape.dims().to_vec(), false),
        };
        // HSDS 1.0.2 (h5json `getDatasetLayout`) reads `creationProperties.layout` first and
        // the top-level `layout` (older versions) second; no layout or a non-chunked class is
        // one chunk covering the dataset.
        let layout = dataset
            .get("creationProperties")
            .and_then(|props| props.get("layout"))
            .or_else(|| dataset.get("layout"));
        let class = layout.and_then(|l| l.get("class")).and_then(Value::as_str);
        let chunk_dims = match class {
            _ if scalar => vec![1],
            Some(
                class @ ("H5D_CONTIGUOUS_REF" | "H5D_CHUNKED_REF" | "H5D_CHUNKED_REF_INDIRECT"),
            ) => {
                return Err(ChunkError::BadDataset(format!(
                    "{class} layouts (chunks inside an HDF5 file) are not served by the chunk store"
                )))
            }
            Some("H5D_CHUNKED") => layout
                .and_then(|l| l.get("dims"))
                .and_then(Value::as_array)
                .ok_or_else(|| bad("no chunk layout dims"))?
                .iter()
                .map(Value::as_u64)
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| bad("layout dims must be non-negative integers"))?,
            _ => dims.clone(),
        };
        let partition_count = layout.and_then(|l| l.get("partition_count")).and_then(Value::as_u64);
        let cprops = dataset.get("creationProperties");
        let filters = cprops
            .and_then(|props| props.get("filters"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let item = item_layout(&datatype)?;
        let fill = fill_element(&datatype, cprops)?;
        Ok(DatasetLayout {
            id: id.to_string(),
            datatype,
            item,
            dims,
            scalar,
            chunk_dims,
            partition_count,
            fill,
            filters,
        })
    }

    /// The chunk grid over the current extents.
    ///
    /// # Errors
    /// [`ChunkError::Grid`] for an inconsistent layout.
    pub fn grid(&self) -> Result<ChunkGrid, ChunkError> {
        Ok(ChunkGrid::new(&self.dims, &self.chunk_dims)?)
    }

    /// Elements in one chunk.
    ///
    /// # Errors
    /// [`ChunkError::TooLarge`] on overflow.
    pub fn chunk_elements(&self) -> Result<usize, ChunkError> {
        self.chunk_dims
            .iter()
            .try_fold(1_usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
            .ok_or(ChunkError::TooLarge)
    }

    /// The chunk id (with partition digits when partitioned) at grid `indices`.
    ///
    /// # Errors
    /// [`ChunkError::Grid`] for indices outside the grid.
    pub fn chunk_id(&self, indices: &[u64]) -> Result<String, ChunkError> {
        let plain = self.grid()?.chunk_id(&self.id, indices)?;
        match self.partition_count {
            Some(count) => Ok(partitioned_chunk_id(&plain, count)?),
            None => Ok(plain),
        }
    }

    /// The same dataset with other extents (after a resize).
    #[must_use]
    pub fn with_dims(&self, dims: Vec<u64>) -> DatasetLayout {
        DatasetLayout { dims, ..self.clone() }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_dataset_json() {
        let dset = json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a","type":"H5T_STD_I16LE",
            "shape":{"class":"H5S_SIMPLE","dims":[10,7],"maxdims":[0,7]},
            "creationProperties":{"fillValue":3},
            "layout":{"class":"H5D_CHUNKED","dims":[4,3],"partition_count":4}});
        let layout = DatasetLayout::from_json(&dset).unwrap();
        assert_eq!(layout.dims, [10, 7]);
        assert_eq!(layout.chunk_dims, [4, 3]);
        assert_eq!(layout.fill, [3, 0]);
        assert_eq!(layout.item, ItemLayout::Fixed(2));
        assert_eq!(layout.chunk_elements().unwrap(), 12);
        assert_eq!(
            layout.chunk_id(&[1, 2]).unwrap(),
            "c3-b03b24ef-69f244b6-acd9-4df97b-37122a_1_2"
        );
        let scalar = json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a","type":"H5T_STD_I8LE",
            "shape":{"class":"H5S_SCALAR"}, "layout":{"class":"H5D_CHUNKED","dims":[1]}});
        let scalar = DatasetLayout::from_json(&scalar).unwrap();
        assert!(scalar.scalar);
        assert_eq!(scalar.dims, [1]);
        let new_style = json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a","type":"H5T_STD_I8LE",
            "shape":{"class":"H5S_SIMPLE","dims":[6, 5]},
            "creationProperties":{"layout":{"class":"H5D_CHUNKED","dims":[2, 5]}},
            "layout":{"class":"H5D_CHUNKED","dims":[3, 5]}});
        assert_eq!(DatasetLayout::from_json(&new_style).unwrap().chunk_dims, [2, 5]);
        let unchunked = json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a","type":"H5T_STD_I8LE",
            "shape":{"class":"H5S_SIMPLE","dims":[6, 5]}});
        assert_eq!(DatasetLayout::from_json(&unchunked).unwrap().chunk_dims, [6, 5]);
        let linked = json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a","type":"H5T_STD_I8LE",
            "shape":{"class":"H5S_SIMPLE","dims":[6]},
            "creationProperties":{"layout":{"class":"H5D_CHUNKED_REF","dims":[2],"file_uri":"x"}}});
        assert!(DatasetLayout::from_json(&linked).is_err());
        let null = json!({"id":"d-x","type":"H5T_STD_I8LE","shape":{"class":"H5S_NULL"}});
        assert!(DatasetLayout::from_json(&null).is_err());
    }
}
