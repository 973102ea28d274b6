//! Dataspace selections: read an HDF5 selection ([`SpaceSelection`]), apply one to a dataspace,
//! translate it to the REST forms ([`RestSelection`]), and copy between an application buffer
//! with a memory selection and a packed buffer in selection order ([`gather`], [`scatter`]).
//!
//! Element order: HDF5 pairs the elements of two selections in *row-major order of each
//! dataspace* for hyperslabs and in *insertion order* for point selections. A REST `select`
//! returns its elements in row-major order too, so a single `select` string (which may hold one
//! coordinate list) matches HDF5's order exactly. A selection needing several boxes is
//! transferred box by box; [`BoxList::selection_order`] says where each box's elements go.

use std::fmt::Write as _;

use crate::ffi::h5space;
use crate::ffi::hdf5::hid_t;
use crate::model::selection::{DimSelection, Slice};

use super::error::{invalid, unsupported, H5Result};

/// One dimension of a regular hyperslab (`H5Sselect_hyperslab` arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HyperDim {
    /// First index of the first block.
    pub start: u64,
    /// Distance between block starts.
    pub stride: u64,
    /// Number of blocks.
    pub count: u64,
    /// Block length.
    pub block: u64,
}

impl HyperDim {
    /// The same dimension with contiguous blocks merged, as HDF5 stores a hyperslab in a file:
    /// blocks that touch (stride equal to block) become one block, and a single block has
    /// stride 1. Selects the same elements.
    pub fn merged(self) -> HyperDim {
        if self.stride == self.block {
            HyperDim { start: self.start, stride: 1, count: 1, block: self.block * self.count }
        } else if self.count == 1 {
            HyperDim { stride: 1, ..self }
        } else {
            self
        }
    }
}

/// One block of a hyperslab: inclusive corner coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Lowest coordinate per dimension.
    pub start: Vec<u64>,
    /// Highest coordinate per dimension (inclusive, as HDF5 lists blocks).
    pub end: Vec<u64>,
}

/// A dataspace's selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceSelection {
    /// Every element (also a scalar space's selection).
    All,
    /// No element.
    None,
    /// Single elements in the order HDF5 iterates them: `rank` coordinates per point.
    Points {
        /// Dataspace rank.
        rank: usize,
        /// Flattened coordinates.
        coords: Vec<u64>,
    },
    /// A regular hyperslab, one [`HyperDim`] per dimension.
    Regular(Vec<HyperDim>),
    /// Any other hyperslab: a union of disjoint blocks.
    Irregular(Vec<Block>),
}

/// How to send a selection to the HDF REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestSelection {
    /// The whole dataset: no `select` parameter.
    All,
    /// Nothing selected: no request is needed.
    Empty,
    /// One `select` (see [`RestSelection::select_param`]); its row-major element order is
    /// HDF5's order.
    Select(Vec<DimSelection>),
    /// Several boxes, one request each; see [`BoxList::selection_order`].
    Boxes(BoxList),
    /// Coordinates for a POST (read) or PUT (write) `points` body, in HDF5's order.
    Points(Vec<Vec<u64>>),
}

/// Boxes (a slice per dimension each) whose union is the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxList {
    /// The boxes, each one `select`.
    pub boxes: Vec<Vec<Slice>>,
}

/// Where element `i` of a selection (in HDF5 order) lives: box index and element offset in
/// that box's row-major order.
pub type BoxPosition = (usize, u64);

impl RestSelection {
    /// The JSON body of a points request (POST to read, PUT with `value` to write):
    /// `{"points": [[i, j], …]}`, or `[i, …]` for rank 1 as HSDS expects.
    pub fn points_json(&self) -> Option<serde_json::Value> {
        let RestSelection::Points(points) = self else {
            return None;
        };
        let list: Vec<serde_json::Value> = points
            .iter()
            .map(|point| match point.as_slice() {
                [single] => serde_json::json!(single),
                many => serde_json::json!(many),
            })
            .collect();
        Some(serde_json::json!({ "points": list }))
    }

    /// The binary body of a points read (POST): packed uint64 little-endian coordinates.
    pub fn points_binary(&self) -> Option<Vec<u8>> {
        let RestSelection::Points(points) = self else {
            return None;
        };
        Some(points.iter().flatten().flat_map(|coord| coord.to_le_bytes()).collect())
    }

    /// The `select` query value for [`RestSelection::Select`], e.g. `[0:4:2,[1,5]]`.
    pub fn select_param(&self) -> Option<String> {
        match self {
            RestSelection::Select(dims) => Some(select_string(dims)),
            _ => None,
        }
    }
}

/// Above this many boxes, an irregular selection travels as one point list (one request)
/// rather than one request per box, unless it selects more than [`MAX_POINT_LIST`] elements.
pub const MAX_BOX_REQUESTS: usize = 8;

/// The most elements a selection sends as a point list in place of boxes.
pub const MAX_POINT_LIST: u64 = 1 << 20;

impl RestSelection {
    /// The selection as it is best sent: many small boxes (see [`MAX_BOX_REQUESTS`]) become one
    /// point list, so a selection costs one round trip and the service fans it out.
    #[must_use]
    pub fn fewer_requests(self) -> RestSelection {
        match self {
            RestSelection::Boxes(boxes)
                if boxes.boxes.len() > MAX_BOX_REQUESTS
                    && boxes.box_counts().iter().sum::<u64>() <= MAX_POINT_LIST =>
            {
                RestSelection::Points(boxes.points())
            }
            other => other,
        }
    }

    /// The same selection with [`RestSelection::Boxes`] turned into the equivalent
    /// [`RestSelection::Points`] (one request whose elements need no per-box reassembly).
    #[must_use]
    pub fn without_boxes(self) -> RestSelection {
        match self {
            RestSelection::Boxes(boxes) => RestSelection::Points(boxes.points()),
            other => other,
        }
    }
}

/// Formats dimension selections as a `select` value.
pub fn select_string(dims: &[DimSelection]) -> String {
    let mut text = String::from("[");
    for (index, dim) in dims.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        let _ = write!(text, "{dim}");
    }
    text.push(']');
    text
}

impl BoxList {
    /// The `select` value of each box.
    pub fn select_params(&self) -> Vec<String> {
        self.boxes
            .iter()
            .map(|slices| {
                let dims: Vec<DimSelection> =
                    slices.iter().map(|s| DimSelection::Slice(*s)).collect();
                select_string(&dims)
            })
            .collect()
    }

    /// Number of elements in each box.
    pub fn box_counts(&self) -> Vec<u64> {
        self.boxes.iter().map(|slices| slices.iter().map(Slice::count).product()).collect()
    }

    /// For each element of the selection in HDF5's (row-major) order, the box and offset where
    /// it is found. To read: element `i` of the packed result is element `offset` of box
    /// `box`'s response; to write, the reverse.
    pub fn selection_order(&self) -> Vec<BoxPosition> {
        // Row-major rank of a coordinate within the bounding extent of all boxes.
        let rank = self.boxes.first().map_or(0, Vec::len);
        let extent: Vec<u128> = (0..rank)
            .map(|dim| {
                let stop = self.boxes.iter().filter_map(|b| b.get(dim)).map(|s| s.stop).max();
                u128::from(stop.unwrap_or(0))
            })
            .collect();
        let flat = |coord: &[u64]| {
            coord
                .iter()
                .zip(&extent)
                .fold(0u128, |acc, (c, d)| acc.saturating_mul(*d).saturating_add(u128::from(*c)))
        };
        let mut elements: Vec<(u128, BoxPosition)> = Vec::new();
        for (box_index, slices) in self.boxes.iter().enumerate() {
            let mut offset = 0u64;
            for_each_coord(slices, &mut |coord| {
                elements.push((flat(coord), (box_index, offset)));
                offset += 1;
            });
        }
        elements.sort_unstable_by_key(|(key, _)| *key);
        elements.into_iter().map(|(_, position)| position).collect()
    }

    /// Every selected coordinate, in HDF5's (row-major) order.
    pub fn points(&self) -> Vec<Vec<u64>> {
        let mut per_box: Vec<Vec<Vec<u64>>> = Vec::with_capacity(self.boxes.len());
        for slices in &self.boxes {
            let mut coords = Vec::new();
            for_each_coord(slices, &mut |coord| coords.push(coord.to_vec()));
            per_box.push(coords);
        }
        self.selection_order()
            .into_iter()
            .filter_map(|(box_index, offset)| {
                let offset = usize::try_from(offset).ok()?;
                per_box.get(box_index)?.get(offset).cloned()
            })
            .collect()
    }

    /// Puts per-box responses (each packed, `element_size` bytes per element) in HDF5 order.
    ///
    /// # Errors
    /// [`super::H5Error::Invalid`] when a box's data has the wrong length.
    pub fn assemble(&self, box_data: &[Vec<u8>], element_size: usize) -> H5Result<Vec<u8>> {
        let counts = self.box_counts();
        if box_data.len() != counts.len()
            || box_data.iter().zip(&counts).any(|(data, count)| {
                u64::try_from(data.len()).ok() != count.checked_mul(element_size as u64)
            })
        {
            return Err(invalid("box data does not match the boxes' element counts"));
        }
        let mut out = Vec::with_capacity(box_data.iter().map(Vec::len).sum());
        for (box_index, offset) in self.selection_order() {
            let start =
                usize::try_from(offset).map_err(|_| invalid("box too large"))? * element_size;
            out.extend_from_slice(&box_data[box_index][start..start + element_size]);
        }
        Ok(out)
    }

    /// Splits a packed buffer in HDF5 order into per-box buffers (for writes).
    ///
    /// # Errors
    /// [`super::H5Error::Invalid`] when `packed` does not hold the selection's elements.
    pub fn split(&self, packed: &[u8], element_size: usize) -> H5Result<Vec<Vec<u8>>> {
        let counts = self.box_counts();
        let total: u64 = counts.iter().sum();
        if u64::try_from(packed.len()).ok() != total.checked_mul(element_size as u64) {
            return Err(invalid("packed data does not match the selection's element count"));
        }
        let mut boxes: Vec<Vec<u8>> = counts
            .iter()
            .map(|count| vec![0u8; usize::try_from(*count).unwrap_or(0) * element_size])
            .collect();
        for (index, (box_index, offset)) in self.selection_order().into_iter().enumerate() {
            let dst = usize::try_from(offset).map_err(|_| invalid("box too large"))? * element_size;
            let src = index * element_size;
            boxes[box_index][dst..dst + element_size]
                .copy_from_slice(&packed[src..src + element_size]);
        }
        Ok(boxes)
    }
}

/// Calls `visit` with every coordinate of a box in row-major order.
fn for_each_coord(slices: &[Slice], visit: &mut dyn FnMut(&[u64])) {
    if slices.iter().any(|slice| slice.count() == 0) {
        return;
    }
    let mut coord: Vec<u64> = slices.iter().map(|slice| slice.start).collect();
    loop {
        visit(&coord);
        let mut dim = slices.len();
        loop {
            if dim == 0 {
                return;
            }
            dim -= 1;
            let next = coord[dim] + slices[dim].step.max(1);
            if next < slices[dim].stop {
                coord[dim] = next;
                break;
            }
            coord[dim] = slices[dim].start;
        }
    }
}

/// Reads the selection of dataspace `space`.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn read(space: hid_t) -> H5Result<SpaceSelection> {
    match h5space::select_type(space)? {
        h5space::H5S_SEL_NONE => Ok(SpaceSelection::None),
        h5space::H5S_SEL_ALL => Ok(SpaceSelection::All),
        h5space::H5S_SEL_POINTS => Ok(SpaceSelection::Points {
            rank: h5space::rank(space)?,
            coords: h5space::point_list(space)?,
        }),
        h5space::H5S_SEL_HYPERSLABS => {
            if h5space::is_regular_hyperslab(space)? {
                let (start, stride, count, block) = h5space::regular_hyperslab(space)?;
                let dims = (0..start.len())
                    .map(|d| HyperDim {
                        start: start[d],
                        stride: stride[d],
                        count: count[d],
                        block: block[d],
                    })
                    .collect();
                return Ok(SpaceSelection::Regular(dims));
            }
            let rank = h5space::rank(space)?.max(1);
            let list = h5space::block_list(space)?;
            let blocks = list
                .chunks_exact(2 * rank)
                .map(|corners| Block {
                    start: corners[..rank].to_vec(),
                    end: corners[rank..].to_vec(),
                })
                .collect();
            Ok(SpaceSelection::Irregular(blocks))
        }
        other => Err(unsupported(format!("selection type {other}"))),
    }
}

/// Makes `selection` the selection of dataspace `space` (replacing the current one).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when HDF5 rejects the selection (e.g. out of the extent).
pub fn apply(space: hid_t, selection: &SpaceSelection) -> H5Result<()> {
    match selection {
        SpaceSelection::All => h5space::select_all(space)?,
        SpaceSelection::None => h5space::select_none(space)?,
        SpaceSelection::Points { coords, .. } => {
            if coords.is_empty() {
                h5space::select_none(space)?;
            } else {
                h5space::select_elements(space, h5space::H5S_SELECT_SET, coords)?;
            }
        }
        SpaceSelection::Regular(dims) => {
            let pick = |f: fn(&HyperDim) -> u64| dims.iter().map(f).collect::<Vec<u64>>();
            h5space::select_hyperslab(
                space,
                h5space::H5S_SELECT_SET,
                &pick(|d| d.start),
                &pick(|d| d.stride),
                &pick(|d| d.count),
                &pick(|d| d.block),
            )?;
        }
        SpaceSelection::Irregular(blocks) => {
            h5space::select_none(space)?;
            for block in blocks {
                let ones = vec![1u64; block.start.len()];
                let size: Vec<u64> = block
                    .start
                    .iter()
                    .zip(&block.end)
                    .map(|(start, end)| end.saturating_sub(*start) + 1)
                    .collect();
                h5space::select_hyperslab(
                    space,
                    h5space::H5S_SELECT_OR,
                    &block.start,
                    &ones,
                    &ones,
                    &size,
                )?;
            }
        }
    }
    Ok(())
}

/// Number of elements selected in dataspace `space`.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when `H5Sget_select_npoints` fails.
pub fn selected_count(space: hid_t) -> H5Result<u64> {
    Ok(h5space::select_points(space)?)
}

/// Moves the selection offset of `space` (`H5Soffset_simple`) into its selection: afterwards
/// the selection names the elements HDF5 would transfer, and the offset is zero. Block and
/// point lists read from HDF5 leave the offset out, so a file selection is normalized first.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when the offset moves the selection out of the extent or a call
/// fails.
pub fn apply_offset(space: hid_t) -> H5Result<()> {
    if h5space::extent_class(space)? != h5space::H5S_SIMPLE || selected_count(space)? == 0 {
        return Ok(());
    }
    let kind = h5space::select_type(space)?;
    if kind != h5space::H5S_SEL_HYPERSLABS && kind != h5space::H5S_SEL_POINTS {
        return Ok(());
    }
    let (moved, _) = h5space::select_bounds(space)?;
    let rank = moved.len();
    let zero = vec![0i64; rank];
    let unmoved = crate::h5::handle::OwnedId::dataspace(h5space::copy(space)?);
    h5space::set_offset(unmoved.id(), &zero)?;
    let (start, _) = h5space::select_bounds(unmoved.id())?;
    let mut shift = Vec::with_capacity(rank);
    for (moved, start) in moved.iter().zip(&start) {
        let moved = i64::try_from(*moved).map_err(|_| invalid("selection out of range"))?;
        let start = i64::try_from(*start).map_err(|_| invalid("selection out of range"))?;
        shift.push(moved - start);
    }
    if shift.iter().all(|delta| *delta == 0) {
        return Ok(());
    }
    // Re-select rather than H5Sselect_adjust: HDF5 leaves a regular hyperslab's
    // H5Sget_regular_hyperslab answer unadjusted.
    let shifted = read(unmoved.id())?.shifted(&shift)?;
    h5space::set_offset(space, &zero)?;
    apply(space, &shifted)
}

/// Reads the selection of `space` and translates it to its REST form.
///
/// # Errors
/// As [`read`].
pub fn rest_selection(space: hid_t) -> H5Result<RestSelection> {
    if selected_count(space)? == 0 {
        return Ok(RestSelection::Empty);
    }
    Ok(read(space)?.to_rest())
}

/// `coord + delta`, failing below zero.
fn moved(coord: u64, delta: i64) -> H5Result<u64> {
    coord
        .checked_add_signed(delta)
        .ok_or_else(|| invalid("offset moves the selection out of bounds"))
}

impl SpaceSelection {
    /// The same selection moved by `shift` (one signed value per dimension).
    ///
    /// # Errors
    /// [`super::H5Error::Invalid`] when an element would move below zero.
    pub fn shifted(&self, shift: &[i64]) -> H5Result<SpaceSelection> {
        let move_all = |coords: &[u64]| -> H5Result<Vec<u64>> {
            coords
                .iter()
                .enumerate()
                .map(|(index, c)| {
                    moved(*c, shift.get(index % shift.len().max(1)).copied().unwrap_or(0))
                })
                .collect()
        };
        Ok(match self {
            SpaceSelection::All | SpaceSelection::None => self.clone(),
            SpaceSelection::Points { rank, coords } => {
                SpaceSelection::Points { rank: *rank, coords: move_all(coords)? }
            }
            SpaceSelection::Regular(dims) => SpaceSelection::Regular(
                dims.iter()
                    .zip(shift)
                    .map(|(dim, delta)| Ok(HyperDim { start: moved(dim.start, *delta)?, ..*dim }))
                    .collect::<H5Result<Vec<_>>>()?,
            ),
            SpaceSelection::Irregular(blocks) => SpaceSelection::Irregular(
                blocks
                    .iter()
                    .map(|block| {
                        Ok(Block { start: move_all(&block.start)?, end: move_all(&block.end)? })
                    })
                    .collect::<H5Result<Vec<_>>>()?,
            ),
        })
    }

    /// The REST form (see the module docs on element order).
    pub fn to_rest(&self) -> RestSelection {
        match self {
            SpaceSelection::All => RestSelection::All,
            SpaceSelection::None => RestSelection::Empty,
            SpaceSelection::Points { rank, coords } => {
                if coords.is_empty() {
                    return RestSelection::Empty;
                }
                let rank = (*rank).max(1);
                RestSelection::Points(coords.chunks(rank).map(<[u64]>::to_vec).collect())
            }
            SpaceSelection::Regular(dims) => regular_to_rest(dims),
            SpaceSelection::Irregular(blocks) => {
                if blocks.is_empty() {
                    return RestSelection::Empty;
                }
                let boxes = blocks
                    .iter()
                    .map(|block| {
                        block
                            .start
                            .iter()
                            .zip(&block.end)
                            .map(|(start, end)| Slice { start: *start, stop: end + 1, step: 1 })
                            .collect()
                    })
                    .collect();
                RestSelection::Boxes(BoxList { boxes })
            }
        }
    }
}

/// A regular hyperslab dimension as one slice when possible.
fn dim_as_slice(dim: &HyperDim) -> Option<Slice> {
    let HyperDim { start, stride, count, block } = *dim;
    if count == 1 {
        Some(Slice { start, stop: start + block, step: 1 })
    } else if block == 1 {
        Some(Slice { start, stop: start + (count - 1) * stride + 1, step: stride.max(1) })
    } else if block == stride {
        Some(Slice { start, stop: start + count * block, step: 1 })
    } else {
        None
    }
}

/// The blocks of one dimension as slices (`count` slices of `block` indices).
fn dim_blocks(dim: &HyperDim) -> Vec<Slice> {
    (0..dim.count)
        .map(|k| {
            let start = dim.start + k * dim.stride;
            Slice { start, stop: start + dim.block, step: 1 }
        })
        .collect()
}

fn regular_to_rest(dims: &[HyperDim]) -> RestSelection {
    if dims.iter().any(|dim| dim.count == 0 || dim.block == 0) {
        return RestSelection::Empty;
    }
    let slices: Vec<Option<Slice>> = dims.iter().map(dim_as_slice).collect();
    let irregular = slices.iter().filter(|slice| slice.is_none()).count();
    if irregular <= 1 {
        // One dimension of several multi-index blocks: a coordinate list keeps one request.
        let dims = dims
            .iter()
            .zip(slices)
            .map(|(dim, slice)| match slice {
                Some(slice) => DimSelection::Slice(slice),
                None => DimSelection::Coords(
                    dim_blocks(dim).iter().flat_map(|block| block.start..block.stop).collect(),
                ),
            })
            .collect();
        return RestSelection::Select(dims);
    }
    // Several such dimensions: the Cartesian product of each dimension's pieces.
    let pieces: Vec<Vec<Slice>> = dims
        .iter()
        .zip(slices)
        .map(|(dim, slice)| slice.map_or_else(|| dim_blocks(dim), |slice| vec![slice]))
        .collect();
    let mut boxes: Vec<Vec<Slice>> = vec![Vec::new()];
    for options in &pieces {
        boxes = boxes
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |piece| {
                    let mut next = prefix.clone();
                    next.push(*piece);
                    next
                })
            })
            .collect();
    }
    RestSelection::Boxes(BoxList { boxes })
}

/// Where the native connector's contiguous storage puts points: each point's row-major offset
/// in a dataspace of `space_dims` (the one the application passed, which may differ from the
/// dataset's), read back as a point of `dims` (the dataset's). HDF5 lets a point selection
/// reach one past the end of a dimension (its bounds check is `>` where hyperslabs use `>=`),
/// and such a point then lands at the start of the next row. A point whose offset is past the
/// dataset stays as it is (the service refuses it).
#[must_use]
pub fn contiguous_alias(points: Vec<Vec<u64>>, space_dims: &[u64], dims: &[u64]) -> Vec<Vec<u64>> {
    let total: u64 = dims.iter().product();
    let in_dims = |point: &[u64]| point.iter().zip(dims).all(|(at, size)| at < size);
    if space_dims.len() != dims.len() || (space_dims == dims && points.iter().all(|p| in_dims(p))) {
        return points;
    }
    points
        .into_iter()
        .map(|point| {
            let offset = point
                .iter()
                .zip(space_dims)
                .try_fold(0u64, |offset, (at, size)| offset.checked_mul(*size)?.checked_add(*at));
            match offset {
                Some(mut offset) if offset < total && point.len() == dims.len() => {
                    let mut aliased = vec![0u64; dims.len()];
                    for (slot, size) in aliased.iter_mut().zip(dims).rev() {
                        *slot = offset % size;
                        offset /= size;
                    }
                    aliased
                }
                _ => point,
            }
        })
        .collect()
}

/// Copies the selected elements of `app` (the whole extent of `space` in elements of
/// `datatype`, as the application's buffer) into a packed buffer in selection order.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when `app` is smaller than the extent or `H5Dgather` fails.
pub fn gather(space: hid_t, datatype: hid_t, app: &[u8]) -> H5Result<Vec<u8>> {
    Ok(h5space::gather(space, datatype, app)?)
}

/// Copies a packed buffer in selection order into the selected elements of `app` (the whole
/// extent of `space` in elements of `datatype`).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when the sizes do not match or `H5Dscatter` fails.
pub fn scatter(space: hid_t, datatype: hid_t, packed: &[u8], app: &mut [u8]) -> H5Result<()> {
    Ok(h5space::scatter(space, datatype, packed, app)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::h5::handle::hdf5_test_lock;
    use crate::h5::OwnedId;
    use crate::model::selection::Selection;
    use crate::model::shapes::Shape;
    use crate::model::types::Datatype;

    #[test]
    fn points_one_past_a_row_alias_like_native_contiguous_storage() {
        let dims = [3, 15, 13];
        let points = vec![vec![1, 8, 13], vec![0, 0, 0], vec![2, 14, 13], vec![2, 14, 12]];
        assert_eq!(
            contiguous_alias(points, &dims, &dims),
            vec![vec![1, 9, 0], vec![0, 0, 0], vec![2, 14, 13], vec![2, 14, 12]],
            "one past a row is the next row's start; past the last element stays (refused)"
        );
        let inside = vec![vec![1, 2], vec![0, 1]];
        assert_eq!(contiguous_alias(inside.clone(), &[2, 3], &[2, 3]), inside);
        assert_eq!(
            contiguous_alias(vec![vec![1, 0]], &[10, 10], &[5, 20]),
            vec![vec![0, 10]],
            "a dataspace of another extent is laid over the dataset row-major"
        );
    }

    #[test]
    fn merged_hyperdims_join_touching_blocks_as_hdf5_does() {
        let hd = |start, stride, count, block| HyperDim { start, stride, count, block };
        assert_eq!(hd(1, 1, 3, 1).merged(), hd(1, 1, 1, 3));
        assert_eq!(hd(2, 4, 3, 4).merged(), hd(2, 1, 1, 12));
        assert_eq!(hd(2, 9, 1, 4).merged(), hd(2, 1, 1, 4));
        assert_eq!(hd(0, 3, 2, 1).merged(), hd(0, 3, 2, 1));
    }

    fn space(dims: &[u64]) -> OwnedId {
        OwnedId::dataspace(h5space::create_simple(dims, None).unwrap())
    }

    fn hyperslab(space: &OwnedId, op: h5space::H5S_seloper_t, dims: &[HyperDim]) {
        let pick = |f: fn(&HyperDim) -> u64| dims.iter().map(f).collect::<Vec<u64>>();
        h5space::select_hyperslab(
            space.id(),
            op,
            &pick(|d| d.start),
            &pick(|d| d.stride),
            &pick(|d| d.count),
            &pick(|d| d.block),
        )
        .unwrap();
    }

    fn hd(start: u64, stride: u64, count: u64, block: u64) -> HyperDim {
        HyperDim { start, stride, count, block }
    }

    /// The row-major flat indices a REST request for `rest` would return, on extent `dims`.
    fn rest_indices(rest: &RestSelection, dims: &[u64]) -> Vec<u64> {
        let flat = |coord: &[u64]| coord.iter().zip(dims).fold(0, |acc, (c, d)| acc * d + c);
        let shape = Shape::simple(dims.to_vec()).unwrap();
        match rest {
            RestSelection::Select(_) => {
                let parsed = Selection::parse(&rest.select_param().unwrap(), &shape).unwrap();
                let slices: Vec<Vec<u64>> =
                    parsed.dims().iter().map(|d| d.indices().collect()).collect();
                let mut out = Vec::new();
                product(&slices, &mut Vec::new(), &mut |c| out.push(flat(c)));
                out
            }
            RestSelection::Boxes(list) => {
                for param in list.select_params() {
                    Selection::parse(&param, &shape).unwrap();
                }
                let per_box: Vec<Vec<u64>> = list
                    .boxes
                    .iter()
                    .map(|slices| {
                        let mut out = Vec::new();
                        for_each_coord(slices, &mut |c| out.push(flat(c)));
                        out
                    })
                    .collect();
                list.selection_order().iter().map(|(b, o)| per_box[*b][*o as usize]).collect()
            }
            RestSelection::Points(points) => points.iter().map(|p| flat(p)).collect(),
            RestSelection::All => (0..dims.iter().product()).collect(),
            RestSelection::Empty => Vec::new(),
        }
    }

    fn product(dims: &[Vec<u64>], prefix: &mut Vec<u64>, visit: &mut dyn FnMut(&[u64])) {
        match dims.split_first() {
            None => visit(prefix),
            Some((first, rest)) => {
                for index in first {
                    prefix.push(*index);
                    product(rest, prefix, visit);
                    prefix.pop();
                }
            }
        }
    }

    /// What HDF5 gathers from a buffer holding each element's flat index.
    fn hdf5_indices(space: &OwnedId) -> Vec<u64> {
        let dims = h5space::extent_dims(space.id()).unwrap().0;
        let total: u64 = dims.iter().product();
        let app: Vec<u8> = (0..total).flat_map(u64::to_le_bytes).collect();
        let u64le =
            crate::h5::types::to_hdf5(&Datatype::from_json(&json!("H5T_STD_U64LE")).unwrap())
                .unwrap();
        gather(space.id(), u64le.id(), &app)
            .unwrap()
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
            .collect()
    }

    fn check_same_elements(space: &OwnedId) -> RestSelection {
        let dims = h5space::extent_dims(space.id()).unwrap().0;
        let rest = rest_selection(space.id()).unwrap();
        assert_eq!(rest_indices(&rest, &dims), hdf5_indices(space), "{rest:?}");
        assert_eq!(hdf5_indices(space).len() as u64, selected_count(space.id()).unwrap());
        rest
    }

    #[test]
    fn all_and_none() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[3, 4]);
        assert_eq!(read(s.id()).unwrap(), SpaceSelection::All);
        assert_eq!(check_same_elements(&s), RestSelection::All);
        h5space::select_none(s.id()).unwrap();
        assert_eq!(read(s.id()).unwrap(), SpaceSelection::None);
        assert_eq!(rest_selection(s.id()).unwrap(), RestSelection::Empty);
        assert_eq!(selected_count(s.id()).unwrap(), 0);
    }

    #[test]
    fn regular_contiguous_and_strided() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[10, 12]);
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(1, 1, 3, 1), hd(2, 3, 4, 1)]);
        let rest = check_same_elements(&s);
        assert_eq!(rest.select_param().unwrap(), "[1:4,2:12:3]");
        // block == stride is contiguous.
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(0, 2, 3, 2), hd(5, 1, 1, 4)]);
        let rest = check_same_elements(&s);
        assert_eq!(rest.select_param().unwrap(), "[0:6,5:9]");
    }

    #[test]
    fn regular_blocks_larger_than_one_with_gaps() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[10, 12]);
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(0, 1, 2, 1), hd(1, 4, 3, 2)]);
        assert_eq!(
            read(s.id()).unwrap(),
            SpaceSelection::Regular(vec![hd(0, 1, 2, 1), hd(1, 4, 3, 2)])
        );
        let rest = check_same_elements(&s);
        assert_eq!(rest.select_param().unwrap(), "[0:2,[1,2,5,6,9,10]]");
        // Two such dimensions need boxes, reordered to HDF5's row-major order.
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(0, 5, 2, 2), hd(1, 4, 3, 2)]);
        let rest = check_same_elements(&s);
        assert!(matches!(&rest, RestSelection::Boxes(list) if list.boxes.len() == 6));
    }

    #[test]
    fn irregular_unions_become_ordered_boxes() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[8, 8]);
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(0, 1, 1, 3), hd(0, 1, 1, 2)]);
        hyperslab(&s, h5space::H5S_SELECT_OR, &[hd(1, 1, 1, 4), hd(5, 1, 1, 3)]);
        let selection = read(s.id()).unwrap();
        assert!(matches!(selection, SpaceSelection::Irregular(_)), "{selection:?}");
        let rest = check_same_elements(&s);
        let RestSelection::Boxes(list) = rest else { panic!("expected boxes") };
        let counts: u64 = list.box_counts().iter().sum();
        assert_eq!(counts, 6 + 12);

        // assemble/split are inverse and follow the selection order.
        let per_box: Vec<Vec<u8>> = list
            .box_counts()
            .iter()
            .enumerate()
            .map(|(b, n)| (0..*n).map(|i| (b as u8) * 20 + i as u8).collect())
            .collect();
        let packed = list.assemble(&per_box, 1).unwrap();
        assert_eq!(list.split(&packed, 1).unwrap(), per_box);

        // As one point list, the elements come in HDF5's order.
        let RestSelection::Points(points) = RestSelection::Boxes(list).without_boxes() else {
            panic!("expected points")
        };
        let flat: Vec<u64> = points.iter().map(|p| p[0] * 8 + p[1]).collect();
        assert_eq!(flat, hdf5_indices(&s));

        // apply() reproduces the same selection on a fresh space.
        let copy = space(&[8, 8]);
        apply(copy.id(), &selection).unwrap();
        assert_eq!(hdf5_indices(&copy), hdf5_indices(&s));
    }

    #[test]
    fn selection_offsets_move_into_the_selection() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[10, 10]);
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(1, 1, 1, 2), hd(1, 1, 1, 3)]);
        h5space::set_offset(s.id(), &[4, 5]).unwrap();
        let before = hdf5_indices(&s);
        apply_offset(s.id()).unwrap();
        assert_eq!(
            read(s.id()).unwrap(),
            SpaceSelection::Regular(vec![hd(5, 1, 1, 2), hd(6, 1, 1, 3)])
        );
        assert_eq!(hdf5_indices(&s), before);

        let p = space(&[4, 5]);
        h5space::select_elements(p.id(), h5space::H5S_SELECT_SET, &[3, 4, 0, 0]).unwrap();
        h5space::set_offset(p.id(), &[0, -0]).unwrap();
        apply_offset(p.id()).unwrap();
        h5space::set_offset(p.id(), &[-1, 0]).unwrap();
        assert!(apply_offset(p.id()).is_err());
        let shifted =
            SpaceSelection::Points { rank: 2, coords: vec![3, 4, 1, 1] }.shifted(&[-1, 2]).unwrap();
        assert_eq!(shifted, SpaceSelection::Points { rank: 2, coords: vec![2, 6, 0, 3] });
    }

    #[test]
    fn points_keep_their_order() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[4, 5]);
        h5space::select_elements(s.id(), h5space::H5S_SELECT_SET, &[3, 4, 0, 0, 2, 1]).unwrap();
        let rest = check_same_elements(&s);
        assert_eq!(rest, RestSelection::Points(vec![vec![3, 4], vec![0, 0], vec![2, 1]]));
        assert_eq!(rest.points_json().unwrap(), json!({"points": [[3, 4], [0, 0], [2, 1]]}));
        let shape = Shape::simple(vec![4, 5]).unwrap();
        let parsed = crate::model::selection::PointSelection::from_le_bytes(
            &rest.points_binary().unwrap(),
            &shape,
        )
        .unwrap();
        assert_eq!(parsed.len(), 3);
        let line = RestSelection::Points(vec![vec![7], vec![2]]);
        assert_eq!(line.points_json().unwrap(), json!({"points": [7, 2]}));
    }

    #[test]
    fn scalar_spaces_select_all() {
        let _hdf5 = hdf5_test_lock();
        let s = OwnedId::dataspace(h5space::create(h5space::H5S_SCALAR).unwrap());
        assert_eq!(rest_selection(s.id()).unwrap(), RestSelection::All);
        assert_eq!(selected_count(s.id()).unwrap(), 1);
    }

    #[test]
    fn gather_then_scatter_round_trips() {
        let _hdf5 = hdf5_test_lock();
        let s = space(&[4, 6]);
        hyperslab(&s, h5space::H5S_SELECT_SET, &[hd(1, 2, 2, 1), hd(0, 3, 2, 2)]);
        let i16le =
            crate::h5::types::to_hdf5(&Datatype::from_json(&json!("H5T_STD_I16LE")).unwrap())
                .unwrap();
        let app: Vec<u8> = (0..24i16).flat_map(i16::to_le_bytes).collect();
        let packed = gather(s.id(), i16le.id(), &app).unwrap();
        let values: Vec<i16> =
            packed.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        assert_eq!(values, vec![6, 7, 9, 10, 18, 19, 21, 22]);
        let mut target = vec![0u8; app.len()];
        scatter(s.id(), i16le.id(), &packed, &mut target).unwrap();
        let again = gather(s.id(), i16le.id(), &target).unwrap();
        assert_eq!(again, packed);
        assert!(scatter(s.id(), i16le.id(), &packed[2..], &mut target).is_err());
        assert!(gather(s.id(), i16le.id(), &app[..10]).is_err());
    }
}
