//! [`DirtyChunks`]: which parts of a held dataset value this process changed and has not yet
//! sent to the service (see [`super::value_cache`]'s write-back). Changes are kept per chunk of
//! the stored layout, as the smallest box holding every changed element of that chunk, so that
//! sending them writes exactly the chunks the application's writes touched (a chunk never
//! written stays unallocated, as it would have with the writes sent one by one), with one
//! request per changed chunk however many writes changed it.

use std::collections::{BTreeMap, HashMap};

use crate::h5::selection::{select_string, RestSelection};
use crate::model::selection::{DimSelection, Slice};

/// Inclusive corners of a box: lowest and highest coordinate per dimension.
pub type Corners = (Vec<u64>, Vec<u64>);

/// The changed parts of one dataset value, by chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyChunks {
    dims: Vec<u64>,
    chunk: Vec<u64>,
    boxes: HashMap<Vec<u64>, Corners>,
}

/// The chunks one dimension of a selection touches: chunk index, lowest and highest index
/// selected in it.
type Touched = Vec<(u64, u64, u64)>;

impl DirtyChunks {
    /// Nothing changed yet, in a value of shape `dims` stored in chunks of `chunk` (`None`, or
    /// a chunk shape that does not fit `dims`: the value is one chunk).
    #[must_use]
    pub fn new(dims: &[u64], chunk: Option<&[u64]>) -> DirtyChunks {
        let whole: Vec<u64> = dims.iter().map(|&d| d.max(1)).collect();
        let chunk = match chunk {
            Some(chunk) if chunk.len() == dims.len() && chunk.iter().all(|&c| c > 0) => {
                chunk.to_vec()
            }
            _ => whole,
        };
        DirtyChunks { dims: dims.to_vec(), chunk, boxes: HashMap::new() }
    }

    /// Whether nothing is changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    /// Number of changed chunks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    /// Records the elements `selection` names as changed. False (and nothing recorded) when the
    /// selection reaches outside the value: such a write must go to the service, which judges it.
    pub fn mark(&mut self, selection: &RestSelection) -> bool {
        let per_dim: Option<Vec<Touched>> = match selection {
            RestSelection::Empty => return true,
            RestSelection::All => Some(
                self.dims
                    .iter()
                    .zip(&self.chunk)
                    .map(|(&extent, &chunk)| {
                        let all = Slice { start: 0, stop: extent, step: 1 };
                        touched_by_slice(all, extent, chunk).unwrap_or_default()
                    })
                    .collect(),
            ),
            RestSelection::Select(dims) => self.touched(dims),
            RestSelection::Boxes(list) => {
                let mut all = Vec::with_capacity(list.boxes.len());
                for slices in &list.boxes {
                    let dims: Vec<DimSelection> =
                        slices.iter().map(|s| DimSelection::Slice(*s)).collect();
                    match self.touched(&dims) {
                        Some(one) => all.push(one),
                        None => return false,
                    }
                }
                for one in all {
                    self.mark_product(&one);
                }
                return true;
            }
            RestSelection::Points(points) => {
                let fits = |p: &Vec<u64>| {
                    p.len() == self.dims.len() && p.iter().zip(&self.dims).all(|(c, d)| c < d)
                };
                if !points.iter().all(fits) {
                    return false;
                }
                for point in points {
                    let key = point.iter().zip(&self.chunk).map(|(c, k)| c / k).collect();
                    self.widen(key, point, point);
                }
                return true;
            }
        };
        match per_dim {
            Some(per_dim) => {
                self.mark_product(&per_dim);
                true
            }
            None => false,
        }
    }

    /// Adds the changes `other` records (of the same value).
    pub fn merge(&mut self, other: DirtyChunks) {
        for (key, (lo, hi)) in other.boxes {
            self.widen(key, &lo, &hi);
        }
    }

    /// Takes the changed boxes out (the value is then clean).
    pub fn take(&mut self) -> Vec<Corners> {
        let mut boxes: Vec<(Vec<u64>, Corners)> = self.boxes.drain().collect();
        boxes.sort();
        boxes.into_iter().map(|(_, corners)| corners).collect()
    }

    fn touched(&self, dims: &[DimSelection]) -> Option<Vec<Touched>> {
        if dims.len() != self.dims.len() {
            return None;
        }
        dims.iter()
            .zip(self.dims.iter().zip(&self.chunk))
            .map(|(dim, (&extent, &chunk))| match dim {
                DimSelection::Slice(slice) => touched_by_slice(*slice, extent, chunk),
                DimSelection::Index(i) => (*i < extent).then(|| vec![(i / chunk, *i, *i)]),
                DimSelection::Coords(coords) => {
                    let mut by_chunk: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
                    for &c in coords {
                        if c >= extent {
                            return None;
                        }
                        let entry = by_chunk.entry(c / chunk).or_insert((c, c));
                        entry.0 = entry.0.min(c);
                        entry.1 = entry.1.max(c);
                    }
                    Some(by_chunk.into_iter().map(|(k, (lo, hi))| (k, lo, hi)).collect())
                }
            })
            .collect()
    }

    /// Marks every combination of the per-dimension chunks (a rank-0 value: its one chunk).
    fn mark_product(&mut self, per_dim: &[Touched]) {
        if per_dim.iter().any(Vec::is_empty) && !per_dim.is_empty() {
            return;
        }
        let mut at = vec![0usize; per_dim.len()];
        loop {
            let key: Vec<u64> = per_dim.iter().zip(&at).map(|(d, &i)| d[i].0).collect();
            let lo: Vec<u64> = per_dim.iter().zip(&at).map(|(d, &i)| d[i].1).collect();
            let hi: Vec<u64> = per_dim.iter().zip(&at).map(|(d, &i)| d[i].2).collect();
            self.widen(key, &lo, &hi);
            // Next combination, last dimension fastest.
            let mut dim = per_dim.len();
            loop {
                if dim == 0 {
                    return;
                }
                dim -= 1;
                at[dim] += 1;
                if at[dim] < per_dim[dim].len() {
                    break;
                }
                at[dim] = 0;
            }
        }
    }

    fn widen(&mut self, key: Vec<u64>, lo: &[u64], hi: &[u64]) {
        let entry = self.boxes.entry(key).or_insert_with(|| (lo.to_vec(), hi.to_vec()));
        for (have, new) in entry.0.iter_mut().zip(lo) {
            *have = (*have).min(*new);
        }
        for (have, new) in entry.1.iter_mut().zip(hi) {
            *have = (*have).max(*new);
        }
    }
}

/// The chunks a slice of one dimension touches (`None`: it reaches past `extent`).
fn touched_by_slice(slice: Slice, extent: u64, chunk: u64) -> Option<Touched> {
    let count = slice.count();
    if count == 0 {
        return Some(Vec::new());
    }
    let step = slice.step.max(1);
    let last = slice.start.checked_add((count - 1).checked_mul(step)?)?;
    if last >= extent {
        return None;
    }
    let mut out = Vec::new();
    for k in slice.start / chunk..=last / chunk {
        let lo = (k * chunk).max(slice.start);
        let hi = ((k + 1) * chunk - 1).min(last);
        let first = slice.start + (lo - slice.start).div_ceil(step) * step;
        if first > hi {
            continue;
        }
        let final_one = slice.start + (hi - slice.start) / step * step;
        out.push((k, first, final_one));
    }
    Some(out)
}

/// The `select` value of a box (`None` for a rank-0 value: the whole of it).
#[must_use]
pub fn box_select(corners: &Corners) -> Option<String> {
    if corners.0.is_empty() {
        return None;
    }
    let dims: Vec<DimSelection> = corners
        .0
        .iter()
        .zip(&corners.1)
        .map(|(&lo, &hi)| DimSelection::Slice(Slice { start: lo, stop: hi + 1, step: 1 }))
        .collect();
    Some(select_string(&dims))
}

/// The bytes of box `corners` of a row-major value of shape `dims`, `element_size` bytes per
/// element, in row-major order of the box. `None` if the box does not fit the value.
#[must_use]
pub fn box_bytes(
    value: &[u8],
    dims: &[u64],
    element_size: usize,
    corners: &Corners,
) -> Option<Vec<u8>> {
    let (lo, hi) = corners;
    if lo.len() != dims.len() || hi.len() != dims.len() {
        return None;
    }
    if dims.is_empty() {
        return Some(value.to_vec());
    }
    if lo.iter().zip(hi).zip(dims).any(|((l, h), d)| l > h || h >= d) {
        return None;
    }
    let rank = dims.len();
    let to_usize = |n: u64| usize::try_from(n).ok();
    // Elements between consecutive indices of each dimension.
    let mut strides = vec![1usize; rank];
    for d in (0..rank - 1).rev() {
        strides[d] = strides[d + 1].checked_mul(to_usize(dims[d + 1])?)?;
    }
    let run = to_usize(hi[rank - 1] - lo[rank - 1] + 1)?.checked_mul(element_size)?;
    let mut out = Vec::new();
    let mut at: Vec<u64> = lo.clone();
    loop {
        let mut offset = 0usize;
        for d in 0..rank {
            offset = offset.checked_add(to_usize(at[d])?.checked_mul(strides[d])?)?;
        }
        let start = offset.checked_mul(element_size)?;
        out.extend_from_slice(value.get(start..start.checked_add(run)?)?);
        // Next row: every dimension but the last, last-but-one fastest.
        let mut d = rank - 1;
        loop {
            if d == 0 {
                return Some(out);
            }
            d -= 1;
            if at[d] < hi[d] {
                at[d] += 1;
                break;
            }
            at[d] = lo[d];
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::h5::selection::BoxList;

    fn slice(start: u64, stop: u64, step: u64) -> DimSelection {
        DimSelection::Slice(Slice { start, stop, step })
    }

    #[test]
    fn writes_are_kept_per_chunk_as_bounding_boxes() {
        let mut dirty = DirtyChunks::new(&[10, 10], Some(&[4, 4]));
        assert!(dirty.mark(&RestSelection::Select(vec![DimSelection::Index(1), slice(2, 6, 1)])));
        assert!(dirty.mark(&RestSelection::Points(vec![vec![2, 3], vec![9, 9]])));
        assert_eq!(dirty.len(), 3);
        assert_eq!(
            dirty.take(),
            vec![(vec![1, 2], vec![2, 3]), (vec![1, 4], vec![1, 5]), (vec![9, 9], vec![9, 9]),]
        );
        assert!(dirty.is_empty());
    }

    #[test]
    fn a_strided_slice_touches_only_the_chunks_it_selects() {
        let mut dirty = DirtyChunks::new(&[20], Some(&[4]));
        // 1, 11: chunks 0 and 2; chunk 1 (4..8) holds no selected index.
        assert!(dirty.mark(&RestSelection::Select(vec![slice(1, 20, 10)])));
        assert_eq!(dirty.take(), vec![(vec![1], vec![1]), (vec![11], vec![11])]);
        let mut whole = DirtyChunks::new(&[5, 3], None);
        assert!(whole.mark(&RestSelection::All));
        assert_eq!(whole.take(), vec![(vec![0, 0], vec![4, 2])]);
    }

    #[test]
    fn selections_outside_the_value_are_refused() {
        let mut dirty = DirtyChunks::new(&[4], Some(&[2]));
        assert!(!dirty.mark(&RestSelection::Select(vec![slice(0, 5, 1)])));
        assert!(!dirty.mark(&RestSelection::Points(vec![vec![4]])));
        assert!(!dirty.mark(&RestSelection::Select(vec![DimSelection::Coords(vec![1, 7])])));
        let boxes = BoxList { boxes: vec![vec![Slice { start: 0, stop: 1, step: 1 }]; 2] };
        assert!(dirty.mark(&RestSelection::Boxes(boxes)));
        assert_eq!(dirty.take(), vec![(vec![0], vec![0])]);
    }

    #[test]
    fn a_scalar_is_one_box_sent_whole() {
        let mut dirty = DirtyChunks::new(&[], None);
        assert!(dirty.mark(&RestSelection::All));
        let boxes = dirty.take();
        assert_eq!(boxes, vec![(vec![], vec![])]);
        assert_eq!(box_select(&boxes[0]), None);
        assert_eq!(box_bytes(&[7, 8], &[], 2, &boxes[0]), Some(vec![7, 8]));
    }

    #[test]
    fn box_bytes_are_the_box_in_row_major_order() {
        // 3x4 value of 1-byte elements 0..12.
        let value: Vec<u8> = (0..12).collect();
        let corners = (vec![1, 1], vec![2, 2]);
        assert_eq!(box_bytes(&value, &[3, 4], 1, &corners), Some(vec![5, 6, 9, 10]));
        assert_eq!(box_select(&corners).as_deref(), Some("[1:3,1:3]"));
        assert_eq!(box_bytes(&value, &[3, 4], 1, &(vec![0, 0], vec![3, 0])), None);
        let wide: Vec<u8> = (0..24).collect();
        assert_eq!(box_bytes(&wide, &[3, 4], 2, &(vec![2, 3], vec![2, 3])), Some(vec![22, 23]));
    }
}
