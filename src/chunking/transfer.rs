//! Moving element bytes between the packed request buffer of a
//! [`SelectionPlan`] and full chunk buffers: [`SelectionPlan::gather`] for
//! reads (chunk → packed) and [`SelectionPlan::scatter`] for writes (packed →
//! chunk). Both work on raw bytes with a fixed item size, and copy whole runs
//! when the innermost dimension is contiguous.

use super::grid::{byte_len, GridError};
use super::selection::{ChunkSelection, DimPart, SelectionPlan};

impl SelectionPlan {
    /// Byte length of the packed buffer for the whole selection.
    ///
    /// # Errors
    /// [`GridError::ZeroItemSize`] or [`GridError::TooLarge`].
    pub fn packed_byte_len(&self, item_size: usize) -> Result<usize, GridError> {
        byte_len(&self.shape, item_size)
    }

    /// Copies the elements `chunk` selects from the full chunk buffer
    /// `chunk_buf` to their places in the packed buffer `packed`.
    ///
    /// # Errors
    /// [`GridError::BufferSize`] if a buffer does not have its exact length,
    /// [`GridError::ZeroItemSize`], [`GridError::TooLarge`], or
    /// [`GridError::ForeignChunk`] if `chunk` does not come from this plan.
    pub fn gather(
        &self,
        chunk: &ChunkSelection<'_>,
        chunk_buf: &[u8],
        packed: &mut [u8],
        item_size: usize,
    ) -> Result<(), GridError> {
        self.check_buffers(chunk_buf.len(), packed.len(), item_size)?;
        self.for_each_run(chunk, item_size, |run| {
            let source = chunk_buf.get(run.chunk_range()?).ok_or(GridError::ForeignChunk)?;
            let target = packed.get_mut(run.packed_range()?).ok_or(GridError::ForeignChunk)?;
            target.copy_from_slice(source);
            Ok(())
        })
    }

    /// Copies the elements `chunk` selects from the packed buffer `packed`
    /// into the full chunk buffer `chunk_buf`, leaving its other bytes alone.
    ///
    /// # Errors
    /// As [`Self::gather`].
    pub fn scatter(
        &self,
        chunk: &ChunkSelection<'_>,
        packed: &[u8],
        chunk_buf: &mut [u8],
        item_size: usize,
    ) -> Result<(), GridError> {
        self.check_buffers(chunk_buf.len(), packed.len(), item_size)?;
        self.for_each_run(chunk, item_size, |run| {
            let source = packed.get(run.packed_range()?).ok_or(GridError::ForeignChunk)?;
            let target = chunk_buf.get_mut(run.chunk_range()?).ok_or(GridError::ForeignChunk)?;
            target.copy_from_slice(source);
            Ok(())
        })
    }

    fn check_buffers(
        &self,
        chunk_len: usize,
        packed_len: usize,
        item_size: usize,
    ) -> Result<(), GridError> {
        let expected_chunk = byte_len(&self.chunk_dims, item_size)?;
        if chunk_len != expected_chunk {
            return Err(GridError::BufferSize {
                what: "chunk",
                expected: expected_chunk,
                found: chunk_len,
            });
        }
        let expected_packed = self.packed_byte_len(item_size)?;
        if packed_len != expected_packed {
            return Err(GridError::BufferSize {
                what: "packed",
                expected: expected_packed,
                found: packed_len,
            });
        }
        Ok(())
    }

    /// Calls `copy` for every run of consecutive elements: runs along the
    /// innermost dimension when it is a unit-step slice, else single elements.
    fn for_each_run(
        &self,
        chunk: &ChunkSelection<'_>,
        item_size: usize,
        mut copy: impl FnMut(Run) -> Result<(), GridError>,
    ) -> Result<(), GridError> {
        if chunk.parts.len() != self.chunk_dims.len() {
            return Err(GridError::ForeignChunk);
        }
        let Some((inner, outer)) = chunk.parts.split_last() else { return Ok(()) };
        if inner.is_empty() || outer.iter().any(DimPart::is_empty) {
            return Ok(());
        }
        let chunk_strides = c_order_strides(&self.chunk_dims)?;
        let packed_strides = c_order_strides(&self.shape)?;
        let mut counters = vec![0_u64; outer.len()];
        loop {
            let mut chunk_base = 0_u64;
            let mut packed_base = 0_u64;
            for ((part, &k), (&chunk_stride, &packed_stride)) in
                outer.iter().zip(&counters).zip(chunk_strides.iter().zip(&packed_strides))
            {
                let (local, out) = part.get(k).ok_or(GridError::ForeignChunk)?;
                chunk_base = add_scaled(chunk_base, local, chunk_stride)?;
                packed_base = add_scaled(packed_base, out, packed_stride)?;
            }
            for_each_inner_run(inner, |local, out, len| {
                copy(Run::new(
                    add_scaled(chunk_base, local, 1)?,
                    add_scaled(packed_base, out, 1)?,
                    len,
                    item_size,
                )?)
            })?;
            if !advance(&mut counters, outer) {
                return Ok(());
            }
        }
    }
}

/// Calls `emit(local, out, len)` for the runs of the innermost dimension.
fn for_each_inner_run(
    inner: &DimPart<'_>,
    mut emit: impl FnMut(u64, u64, u64) -> Result<(), GridError>,
) -> Result<(), GridError> {
    if let DimPart::Strided { start, step, count, out_start } = *inner {
        if step == 1 || count == 1 {
            return emit(start, out_start, count);
        }
    }
    for k in 0..inner.len() {
        let (local, out) = inner.get(k).ok_or(GridError::ForeignChunk)?;
        emit(local, out, 1)?;
    }
    Ok(())
}

/// Odometer over the outer dimensions, last fastest; false when exhausted.
fn advance(counters: &mut [u64], parts: &[DimPart<'_>]) -> bool {
    for (counter, part) in counters.iter_mut().zip(parts).rev() {
        *counter += 1;
        if *counter < part.len() {
            return true;
        }
        *counter = 0;
    }
    false
}

/// Element strides of a C-order array of `shape`.
fn c_order_strides(shape: &[u64]) -> Result<Vec<u64>, GridError> {
    let mut strides = vec![1_u64; shape.len()];
    let mut stride = 1_u64;
    for (slot, &extent) in strides.iter_mut().zip(shape).rev() {
        *slot = stride;
        stride = stride.checked_mul(extent).ok_or(GridError::TooLarge)?;
    }
    Ok(strides)
}

fn add_scaled(base: u64, value: u64, scale: u64) -> Result<u64, GridError> {
    value.checked_mul(scale).and_then(|v| base.checked_add(v)).ok_or(GridError::TooLarge)
}

/// One contiguous copy, in bytes.
#[derive(Debug, Clone, Copy)]
struct Run {
    chunk_offset: usize,
    packed_offset: usize,
    len: usize,
}

impl Run {
    fn new(
        chunk_element: u64,
        packed_element: u64,
        elements: u64,
        item_size: usize,
    ) -> Result<Self, GridError> {
        let bytes = |elements: u64| {
            usize::try_from(elements)
                .ok()
                .and_then(|n| n.checked_mul(item_size))
                .ok_or(GridError::TooLarge)
        };
        Ok(Self {
            chunk_offset: bytes(chunk_element)?,
            packed_offset: bytes(packed_element)?,
            len: bytes(elements)?,
        })
    }

    fn chunk_range(self) -> Result<std::ops::Range<usize>, GridError> {
        let end = self.chunk_offset.checked_add(self.len).ok_or(GridError::TooLarge)?;
        Ok(self.chunk_offset..end)
    }

    fn packed_range(self) -> Result<std::ops::Range<usize>, GridError> {
        let end = self.packed_offset.checked_add(self.len).ok_or(GridError::TooLarge)?;
        Ok(self.packed_offset..end)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::grid::ChunkGrid;
    use super::super::selection::DimSelection;
    use super::*;

    /// xorshift64*: a small deterministic generator for randomized cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            if n == 0 {
                0
            } else {
                self.next() % n
            }
        }

        fn coords(&mut self, len: u64, extent: u64) -> Vec<u64> {
            if extent == 0 {
                Vec::new()
            } else {
                (0..len).map(|_| self.below(extent)).collect()
            }
        }

        fn selection(&mut self, extent: u64) -> DimSelection {
            if self.below(4) == 0 {
                let len = self.below(6);
                DimSelection::Coords(self.coords(len, extent))
            } else {
                let start = self.below(extent + 1);
                let stop = start + self.below(extent - start + 1);
                DimSelection::Slice { start, stop, step: 1 + self.below(extent + 1) }
            }
        }
    }

    /// The coordinates a dimension selects, in packed order.
    fn coords_of(selection: &DimSelection) -> Vec<u64> {
        match selection {
            DimSelection::Slice { start, stop, step } => {
                (*start..*stop).step_by(*step as usize).collect()
            }
            DimSelection::Coords(coords) => coords.clone(),
        }
    }

    /// Every selected point, in C order of the selection (the packed order).
    fn naive_points(selection: &[DimSelection]) -> Vec<Vec<u64>> {
        selection.iter().map(coords_of).fold(vec![vec![]], |points, coords| {
            points
                .iter()
                .flat_map(|p| coords.iter().map(move |&c| [p.clone(), vec![c]].concat()))
                .collect()
        })
    }

    fn split(grid: &ChunkGrid, point: &[u64]) -> (Vec<u64>, usize) {
        let chunk = grid.chunk_indices_of(point).unwrap();
        let local = point.iter().zip(grid.chunk_dims()).fold(0, |acc, (&c, &n)| acc * n + c % n);
        (chunk, local as usize)
    }

    fn element_bytes(point: &[u64], item: usize) -> Vec<u8> {
        let seed = point.iter().fold(17_u64, |acc, &c| acc.wrapping_mul(31).wrapping_add(c + 1));
        seed.to_le_bytes().iter().cycle().take(item).copied().collect()
    }

    /// Checks the plan against the naive per-element reference.
    fn check(grid: &ChunkGrid, selection: &[DimSelection], rng: &mut Rng) {
        let item = 1 + rng.below(4) as usize;
        let plan = grid.plan(selection).unwrap();
        let points = naive_points(selection);
        let chunk_len = grid.chunk_byte_len(item).unwrap();
        assert_eq!(plan.element_count(), points.len() as u128);

        let chunks: Vec<_> = plan.chunks().collect();
        let planned: BTreeSet<_> = chunks.iter().map(|c| c.indices.clone()).collect();
        let naive: BTreeSet<_> = points.iter().map(|p| split(grid, p).0).collect();
        assert_eq!(planned, naive, "{selection:?}");
        assert_eq!(chunks.len() as u128, plan.chunk_count());
        assert_eq!(
            chunks.iter().map(ChunkSelection::element_count).sum::<u128>(),
            points.len() as u128
        );

        // Read: chunks hold the dataset; gather must equal the naive packing.
        let mut dataset_chunks = BTreeMap::new();
        for point in &points {
            let (chunk, local) = split(grid, point);
            let buf = dataset_chunks.entry(chunk).or_insert_with(|| vec![0xee; chunk_len]);
            buf[local * item..(local + 1) * item].copy_from_slice(&element_bytes(point, item));
        }
        let mut packed = vec![0; plan.packed_byte_len(item).unwrap()];
        for chunk in &chunks {
            plan.gather(chunk, &dataset_chunks[&chunk.indices], &mut packed, item).unwrap();
        }
        let expected: Vec<u8> = points.iter().flat_map(|p| element_bytes(p, item)).collect();
        assert_eq!(packed, expected, "{selection:?}");

        // Write: scatter random bytes; the last write to a point wins.
        let source: Vec<u8> = (0..packed.len()).map(|_| rng.next() as u8).collect();
        let mut expected_chunks: BTreeMap<_, _> =
            naive.iter().map(|c| (c.clone(), vec![0; chunk_len])).collect();
        for (n, point) in points.iter().enumerate() {
            let (chunk, local) = split(grid, point);
            let target =
                &mut expected_chunks.get_mut(&chunk).unwrap()[local * item..(local + 1) * item];
            target.copy_from_slice(&source[n * item..(n + 1) * item]);
        }
        let mut written: BTreeMap<_, _> =
            naive.iter().map(|c| (c.clone(), vec![0; chunk_len])).collect();
        for chunk in &chunks {
            plan.scatter(chunk, &source, written.get_mut(&chunk.indices).unwrap(), item).unwrap();
        }
        assert_eq!(written, expected_chunks, "{selection:?}");
    }

    #[test]
    fn exhaustive_rank_one_slices() {
        let mut rng = Rng(0x5eed);
        for extent in 0..=8_u64 {
            let chunk_sizes: Vec<u64> =
                if extent == 0 { vec![0, 1, 3] } else { (1..=extent + 2).collect() };
            for &chunk in &chunk_sizes {
                let grid = ChunkGrid::new(&[extent], &[chunk]).unwrap();
                for start in 0..=extent {
                    for stop in start..=extent {
                        for step in 1..=extent + 1 {
                            check(&grid, &[DimSelection::Slice { start, stop, step }], &mut rng);
                        }
                    }
                }
                for _ in 0..20 {
                    let len = rng.below(7);
                    let selection = [DimSelection::Coords(rng.coords(len, extent))];
                    check(&grid, &selection, &mut rng);
                }
            }
        }
    }

    #[test]
    fn randomized_multi_dimensional() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for _ in 0..3000 {
            let rank = 1 + rng.below(3) as usize;
            let dims: Vec<u64> = (0..rank).map(|_| rng.below(9)).collect();
            let chunks: Vec<u64> = dims
                .iter()
                .map(|&d| if d == 0 { rng.below(2) } else { 1 + rng.below(d + 2) })
                .collect();
            let grid = ChunkGrid::new(&dims, &chunks).unwrap();
            let selection: Vec<_> = dims.iter().map(|&d| rng.selection(d)).collect();
            check(&grid, &selection, &mut rng);
        }
    }

    #[test]
    fn scalar_round_trip() {
        let grid = ChunkGrid::new(&[], &[]).unwrap();
        let plan = grid.plan(&[]).unwrap();
        let chunk = plan.chunks().next().unwrap();
        let mut packed = [0_u8; 4];
        plan.gather(&chunk, &[1, 2, 3, 4], &mut packed, 4).unwrap();
        assert_eq!(packed, [1, 2, 3, 4]);
        let mut chunk_buf = [0_u8; 4];
        plan.scatter(&chunk, &[9, 8, 7, 6], &mut chunk_buf, 4).unwrap();
        assert_eq!(chunk_buf, [9, 8, 7, 6]);
    }

    #[test]
    fn buffer_and_chunk_errors() {
        let grid = ChunkGrid::new(&[4, 4], &[2, 2]).unwrap();
        let plan = grid.plan(&[DimSelection::all(4), DimSelection::index(1)]).unwrap();
        let chunk = plan.chunks().next().unwrap();
        let mut packed = vec![0; 4];
        assert!(matches!(
            plan.gather(&chunk, &[0; 3], &mut packed, 1),
            Err(GridError::BufferSize { .. })
        ));
        assert!(matches!(
            plan.gather(&chunk, &[0; 4], &mut [0; 3], 1),
            Err(GridError::BufferSize { .. })
        ));
        assert_eq!(plan.gather(&chunk, &[], &mut [], 0), Err(GridError::ZeroItemSize));
        let mut foreign = chunk.clone();
        foreign.parts.pop();
        assert_eq!(plan.gather(&foreign, &[0; 4], &mut packed, 1), Err(GridError::ForeignChunk));
        let other = ChunkGrid::new(&[4, 40], &[2, 20]).unwrap();
        let other_plan = other.plan(&[DimSelection::index(0), DimSelection::index(30)]).unwrap();
        let stray = other_plan.chunks().next().unwrap();
        assert_eq!(plan.scatter(&stray, &packed, &mut [0; 4], 1), Err(GridError::ForeignChunk));
    }
}
