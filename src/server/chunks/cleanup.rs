//! Removing chunks: every chunk of a deleted dataset, and the chunks a shape shrink leaves
//! (wholly) outside the new extents, with the out-of-range part of straddling chunks reset to
//! fill.

use std::collections::HashSet;
use std::sync::Arc;

use crate::chunking::parse_chunk_id;
use crate::storage::backend::Bucket;
use crate::storage::keys::{chunk_key, dataset_prefix, parse_key, KeyTarget};

use super::{access, lock_error, ChunkError, ChunkNode, DatasetLayout, ElementBuf};

impl ChunkNode {
    /// Deletes every chunk of dataset `dataset_id` that this node owns, cached or stored.
    ///
    /// # Errors
    /// [`ChunkError`] for a malformed id or a storage failure.
    pub async fn delete_dataset(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<(), ChunkError> {
        let uuid_of = |id: &str| id.split_once('-').map(|(_, rest)| rest.to_string());
        let uuid = uuid_of(dataset_id);
        for (key, slot) in self.cached_slots(bucket.name())? {
            let same = parse_chunk_id(&key.1).ok().map(|parts| uuid_of(&parts.dataset_id));
            if same == Some(uuid.clone()) {
                self.drop_slot(&key, &slot).await?;
            }
        }
        for chunk_id in self.stored_chunk_ids(bucket, dataset_id).await? {
            bucket.delete(&chunk_key(&chunk_id)?).await?;
        }
        Ok(())
    }

    /// After the dataset shrank to `dataset.dims`: deletes this node's chunks that lie wholly
    /// outside the new extents and resets to fill the out-of-range part of chunks that straddle
    /// them (so a later extension reads fill, as in HDF5).
    ///
    /// # Errors
    /// As [`Self::delete_dataset`].
    pub async fn trim(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
    ) -> Result<(), ChunkError> {
        let mut ids: HashSet<String> =
            self.stored_chunk_ids(bucket, &dataset.id).await?.into_iter().collect();
        let uuid = dataset.id.split_once('-').map(|(_, rest)| rest.to_string());
        for (key, _) in self.cached_slots(bucket.name())? {
            let parts = parse_chunk_id(&key.1).ok();
            let ours = parts.and_then(|p| p.dataset_id.split_once('-').map(|(_, r)| r.to_string()));
            if ours.is_some() && ours == uuid {
                ids.insert(key.1);
            }
        }
        for chunk_id in ids {
            let indices = parse_chunk_id(&chunk_id)?.indices;
            let origin: Vec<u64> =
                indices.iter().zip(&dataset.chunk_dims).map(|(i, c)| i * c).collect();
            if origin.iter().zip(&dataset.dims).any(|(o, d)| o >= d) {
                let key = (bucket.name().to_string(), chunk_id.clone());
                let slot = self.slots.lock().map_err(|_| lock_error())?.get(&key).cloned();
                if let Some(slot) = slot {
                    self.drop_slot(&key, &slot).await?;
                }
                bucket.delete(&chunk_key(&chunk_id)?).await?;
                continue;
            }
            let straddles = origin
                .iter()
                .zip(&dataset.chunk_dims)
                .zip(&dataset.dims)
                .any(|((o, c), d)| o + c > *d);
            if straddles {
                let limits: Vec<u64> = origin
                    .iter()
                    .zip(&dataset.chunk_dims)
                    .zip(&dataset.dims)
                    .map(|((o, c), d)| (d - o).min(*c))
                    .collect();
                self.with_chunk(bucket, dataset, &chunk_id, |chunk| {
                    reset_outside(dataset, &limits, chunk)?;
                    Ok(((), true))
                })
                .await?;
            }
        }
        Ok(())
    }

    /// This node's stored chunk ids of a dataset.
    async fn stored_chunk_ids(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<Vec<String>, ChunkError> {
        let mut ids = Vec::new();
        for info in bucket.list_all(&dataset_prefix(dataset_id)?).await? {
            if let Ok(KeyTarget::Chunk(chunk_id)) = parse_key(&info.key) {
                if self.owns(&chunk_id)? {
                    ids.push(chunk_id);
                }
            }
        }
        Ok(ids)
    }
}

/// Sets every element of `chunk` at or beyond `limits` (chunk-local extents) to fill.
fn reset_outside(
    dataset: &DatasetLayout,
    limits: &[u64],
    chunk: &mut ElementBuf,
) -> Result<(), ChunkError> {
    let total = dataset.chunk_elements()?;
    let mut offsets = Vec::new();
    let mut coords = vec![0_u64; dataset.chunk_dims.len()];
    for offset in 0..total {
        if coords.iter().zip(limits).any(|(c, l)| c >= l) {
            offsets.push(offset);
        }
        for (coord, extent) in coords.iter_mut().zip(&dataset.chunk_dims).rev() {
            *coord += 1;
            if *coord < *extent {
                break;
            }
            *coord = 0;
        }
    }
    let fills = ElementBuf::filled(dataset.item, &dataset.fill, offsets.len());
    access::write_offsets(dataset.item, chunk, &offsets, &fills)
}
