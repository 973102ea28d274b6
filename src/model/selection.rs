//! Dataset value selections (reference section 2.7): the `select` grammar, the body forms
//! `select` / `start`+`stop`+`step` / `points`, validation against a [`Shape`], and counts.
//!
//! Grammar: `[d0,d1,…]` with one item per dimension, whitespace ignored. An item is
//! `start:stop[:step]` (empty start = 0, empty stop = extent, empty step = 1; `:` = all), a single
//! int `i` (= `i:i+1`, remembered as [`DimSelection::Index`]), or a coordinate list `[i,j,k]`.
//! Rules: 0 ≤ start < extent, start < stop ≤ extent, step ≥ 1, coordinates < extent, and all
//! coordinate lists of one selection have equal lengths. Counts treat each dimension
//! independently, so the selected block has `counts()` as its shape.

use std::fmt;

use serde_json::{Map, Value};

use super::error::{ModelError, ModelResult};
use super::shapes::Shape;

/// Size in bytes of one coordinate in a binary points body (uint64 little-endian).
pub const POINT_COORD_BYTES: usize = 8;

fn selection_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidSelection(message.into())
}

/// A validated `start:stop:step` range of one dimension (stop exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slice {
    /// First index.
    pub start: u64,
    /// One past the last candidate index.
    pub stop: u64,
    /// Distance between selected indices (≥ 1).
    pub step: u64,
}

impl Slice {
    /// Number of indices selected.
    pub fn count(&self) -> u64 {
        if self.stop <= self.start || self.step == 0 {
            return 0;
        }
        (self.stop - self.start - 1) / self.step + 1
    }
}

impl fmt::Display for Slice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            1 => write!(f, "{}:{}", self.start, self.stop),
            step => write!(f, "{}:{}:{step}", self.start, self.stop),
        }
    }
}

/// The selection of one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DimSelection {
    /// A range with step.
    Slice(Slice),
    /// A single index given as a bare int (equivalent to `i:i+1`).
    Index(u64),
    /// An explicit list of coordinates.
    Coords(Vec<u64>),
}

impl DimSelection {
    /// Number of indices selected in this dimension.
    pub fn count(&self) -> u64 {
        match self {
            DimSelection::Slice(slice) => slice.count(),
            DimSelection::Index(_) => 1,
            DimSelection::Coords(coords) => coords.len() as u64,
        }
    }

    /// Whether this dimension was given as a bare int.
    pub fn is_index(&self) -> bool {
        matches!(self, DimSelection::Index(_))
    }

    /// The range form of a slice or index; `None` for a coordinate list.
    pub fn as_slice(&self) -> Option<Slice> {
        match self {
            DimSelection::Slice(slice) => Some(*slice),
            DimSelection::Index(index) => Some(Slice { start: *index, stop: index + 1, step: 1 }),
            DimSelection::Coords(_) => None,
        }
    }

    /// The selected indices in order.
    pub fn indices(&self) -> DimIndices<'_> {
        match self {
            DimSelection::Coords(coords) => DimIndices::Coords(coords.iter()),
            other => {
                let slice = other.as_slice().unwrap_or(Slice { start: 0, stop: 0, step: 1 });
                let step = usize::try_from(slice.step.max(1)).unwrap_or(usize::MAX);
                DimIndices::Range((slice.start..slice.stop).step_by(step))
            }
        }
    }
}

impl fmt::Display for DimSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DimSelection::Slice(slice) => slice.fmt(f),
            DimSelection::Index(index) => write!(f, "{index}"),
            DimSelection::Coords(coords) => write!(f, "[{}]", join(coords)),
        }
    }
}

fn join(values: &[u64]) -> String {
    values.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// Iterator over the indices of one [`DimSelection`].
#[derive(Debug, Clone)]
pub enum DimIndices<'a> {
    /// Indices of a slice or index.
    Range(std::iter::StepBy<std::ops::Range<u64>>),
    /// Indices of a coordinate list.
    Coords(std::slice::Iter<'a, u64>),
}

impl Iterator for DimIndices<'_> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        match self {
            DimIndices::Range(range) => range.next(),
            DimIndices::Coords(coords) => coords.next().copied(),
        }
    }
}

/// A validated hyperslab (or coordinate-list) selection, one entry per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    dims: Vec<DimSelection>,
}

impl Selection {
    /// The whole dataspace (`:` in every dimension); empty for a scalar.
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] for a null dataspace.
    pub fn all(shape: &Shape) -> ModelResult<Selection> {
        reject_null(shape)?;
        let dims = shape
            .dims()
            .iter()
            .map(|extent| DimSelection::Slice(Slice { start: 0, stop: *extent, step: 1 }))
            .collect();
        Ok(Selection { dims })
    }

    /// Parses a `select` string such as `[0:10:2, 5, [1,3,4]]` and checks it against `shape`.
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] naming the dimension and the rule it breaks.
    pub fn parse(text: &str, shape: &Shape) -> ModelResult<Selection> {
        reject_null(shape)?;
        let compact: String = text.chars().filter(|ch| !ch.is_whitespace()).collect();
        let inner =
            compact.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).ok_or_else(|| {
                selection_error(format!("'{text}' must be enclosed in brackets, e.g. [0:10,5]"))
            })?;
        let items = split_top_level(inner)?;
        check_rank(items.len(), shape)?;
        let dims = items
            .iter()
            .zip(shape.dims())
            .enumerate()
            .map(|(dim, (item, extent))| parse_item(dim, item, *extent))
            .collect::<ModelResult<Vec<_>>>()?;
        Selection::checked(dims)
    }

    /// Builds a selection from `start`, `stop` and `step` body values (each an int for rank 1
    /// or a list of ints; absent = 0, extent and 1).
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] naming the key, dimension and rule.
    pub fn from_start_stop_step(
        start: Option<&Value>,
        stop: Option<&Value>,
        step: Option<&Value>,
        shape: &Shape,
    ) -> ModelResult<Selection> {
        reject_null(shape)?;
        let rank = shape.rank();
        let starts = body_ints("start", start, rank)?;
        let stops = body_ints("stop", stop, rank)?;
        let steps = body_ints("step", step, rank)?;
        let dims = shape
            .dims()
            .iter()
            .enumerate()
            .map(|(dim, extent)| {
                let start = starts.as_ref().map_or(0, |values| values[dim]);
                let stop = stops.as_ref().map_or(*extent, |values| values[dim]);
                let step = steps.as_ref().map_or(1, |values| values[dim]);
                check_slice(dim, Slice { start, stop, step }, *extent).map(DimSelection::Slice)
            })
            .collect::<ModelResult<Vec<_>>>()?;
        Ok(Selection { dims })
    }

    fn checked(dims: Vec<DimSelection>) -> ModelResult<Selection> {
        let lists: Vec<(usize, usize)> = dims
            .iter()
            .enumerate()
            .filter_map(|(dim, sel)| match sel {
                DimSelection::Coords(coords) => Some((dim, coords.len())),
                _ => None,
            })
            .collect();
        if let [(first_dim, first_len), rest @ ..] = lists.as_slice() {
            if let Some((dim, len)) = rest.iter().find(|(_, len)| len != first_len) {
                return Err(selection_error(format!(
                    "coordinate lists must have equal lengths: dimension {first_dim} has \
                     {first_len}, dimension {dim} has {len}"
                )));
            }
        }
        Ok(Selection { dims })
    }

    /// The per-dimension selections.
    pub fn dims(&self) -> &[DimSelection] {
        &self.dims
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    /// Number of indices selected in each dimension.
    pub fn counts(&self) -> Vec<u64> {
        self.dims.iter().map(DimSelection::count).collect()
    }

    /// Total number of selected elements (product of the counts; 1 for a scalar).
    pub fn num_elements(&self) -> u64 {
        self.dims.iter().fold(1u64, |total, dim| total.saturating_mul(dim.count()))
    }

    /// Whether any dimension is a coordinate list.
    pub fn has_coords(&self) -> bool {
        self.dims.iter().any(|dim| matches!(dim, DimSelection::Coords(_)))
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.dims.iter().map(DimSelection::to_string).collect();
        write!(f, "[{}]", items.join(","))
    }
}

fn reject_null(shape: &Shape) -> ModelResult<()> {
    match shape {
        Shape::Null => Err(selection_error("a null dataspace has nothing to select")),
        _ => Ok(()),
    }
}

fn check_rank(count: usize, shape: &Shape) -> ModelResult<()> {
    if count != shape.rank() {
        return Err(selection_error(format!(
            "selection has {count} dimensions but the dataspace has rank {}",
            shape.rank()
        )));
    }
    Ok(())
}

/// Splits on commas outside `[…]`; `""` gives no items.
fn split_top_level(inner: &str) -> ModelResult<Vec<&str>> {
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut item_start = 0;
    for (pos, ch) in inner.char_indices() {
        match ch {
            '[' if depth == 0 => depth = 1,
            '[' => return Err(selection_error("coordinate lists cannot be nested")),
            ']' if depth == 1 => depth = 0,
            ']' => return Err(selection_error("unbalanced ']' in selection")),
            ',' if depth == 0 => {
                items.push(&inner[item_start..pos]);
                item_start = pos + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(selection_error("unbalanced '[' in selection"));
    }
    items.push(&inner[item_start..]);
    Ok(items)
}

fn parse_item(dim: usize, item: &str, extent: u64) -> ModelResult<DimSelection> {
    if item.is_empty() {
        return Err(selection_error(format!("dimension {dim} is empty")));
    }
    if let Some(list) = item.strip_prefix('[') {
        let list = list.strip_suffix(']').ok_or_else(|| {
            selection_error(format!("dimension {dim}: '{item}' is not a coordinate list"))
        })?;
        return parse_coords(dim, list, extent);
    }
    if item.contains(':') {
        return parse_slice(dim, item, extent).map(DimSelection::Slice);
    }
    let index = parse_number(dim, "index", item)?;
    if index >= extent {
        return Err(selection_error(format!(
            "dimension {dim}: index {index} is out of range (extent {extent})"
        )));
    }
    Ok(DimSelection::Index(index))
}

fn parse_coords(dim: usize, list: &str, extent: u64) -> ModelResult<DimSelection> {
    if list.is_empty() {
        return Err(selection_error(format!("dimension {dim}: coordinate list is empty")));
    }
    let coords = list
        .split(',')
        .map(|text| parse_number(dim, "coordinate", text))
        .collect::<ModelResult<Vec<u64>>>()?;
    if let Some(coord) = coords.iter().find(|coord| **coord >= extent) {
        return Err(selection_error(format!(
            "dimension {dim}: coordinate {coord} is out of range (extent {extent})"
        )));
    }
    Ok(DimSelection::Coords(coords))
}

fn parse_slice(dim: usize, item: &str, extent: u64) -> ModelResult<Slice> {
    let parts: Vec<&str> = item.split(':').collect();
    if parts.len() > 3 {
        return Err(selection_error(format!(
            "dimension {dim}: '{item}' has more than start:stop:step"
        )));
    }
    let part = |index: usize, name: &str, default: u64| match parts.get(index) {
        None | Some(&"") => Ok(default),
        Some(text) => parse_number(dim, name, text),
    };
    let slice = Slice {
        start: part(0, "start", 0)?,
        stop: part(1, "stop", extent)?,
        step: part(2, "step", 1)?,
    };
    check_slice(dim, slice, extent)
}

fn parse_number(dim: usize, name: &str, text: &str) -> ModelResult<u64> {
    if text.is_empty() || !text.chars().all(|ch| ch.is_ascii_digit()) {
        return Err(selection_error(format!(
            "dimension {dim}: {name} '{text}' is not a non-negative integer"
        )));
    }
    text.parse()
        .map_err(|_| selection_error(format!("dimension {dim}: {name} '{text}' is too large")))
}

/// Applies 0 ≤ start < extent, start < stop ≤ extent, step ≥ 1.
fn check_slice(dim: usize, slice: Slice, extent: u64) -> ModelResult<Slice> {
    let Slice { start, stop, step } = slice;
    let why = if start >= extent {
        format!("start {start} must be less than the extent {extent}")
    } else if stop <= start {
        format!("stop {stop} must be greater than start {start}")
    } else if stop > extent {
        format!("stop {stop} must not exceed the extent {extent}")
    } else if step == 0 {
        "step must be at least 1".to_string()
    } else {
        return Ok(slice);
    };
    Err(selection_error(format!("dimension {dim}: {why}")))
}

/// Reads `start`/`stop`/`step`: an int (rank 1) or a list of `rank` non-negative ints.
fn body_ints(key: &str, value: Option<&Value>, rank: usize) -> ModelResult<Option<Vec<u64>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let values = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(dim, item)| {
                item.as_u64().ok_or_else(|| {
                    selection_error(format!(
                        "{key}[{dim}] must be a non-negative integer, got {item}"
                    ))
                })
            })
            .collect::<ModelResult<Vec<u64>>>()?,
        Value::Number(_) if rank == 1 => vec![value.as_u64().ok_or_else(|| {
            selection_error(format!("{key} must be a non-negative integer, got {value}"))
        })?],
        other => {
            return Err(selection_error(format!(
                "{key} must be a list of {rank} non-negative integers, got {other}"
            )))
        }
    };
    if values.len() != rank {
        return Err(selection_error(format!(
            "{key} has {} values but the dataspace has rank {rank}",
            values.len()
        )));
    }
    Ok(Some(values))
}

/// A validated list of points, each with one coordinate per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointSelection {
    rank: usize,
    coords: Vec<u64>,
}

impl PointSelection {
    /// Reads a JSON `points` value: `[[i,j],…]`, or `[i,…]` (or `[[i],…]`) for rank 1.
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] for a scalar/null dataspace or a bad/out-of-range point.
    pub fn from_json(points: &Value, shape: &Shape) -> ModelResult<PointSelection> {
        let rank = points_rank(shape)?;
        let items = points
            .as_array()
            .ok_or_else(|| selection_error(format!("points must be a list, got {points}")))?;
        let mut coords = Vec::with_capacity(items.len() * rank);
        for (index, item) in items.iter().enumerate() {
            coords.extend(parse_point(index, item, rank)?);
        }
        PointSelection::checked(rank, coords, shape)
    }

    /// Reads a binary points body: `num_points × rank` uint64 little-endian coordinates.
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] for a scalar/null dataspace, a length that is not a
    /// multiple of `8 × rank`, or an out-of-range point.
    pub fn from_le_bytes(bytes: &[u8], shape: &Shape) -> ModelResult<PointSelection> {
        let rank = points_rank(shape)?;
        let point_bytes = POINT_COORD_BYTES * rank;
        if !bytes.len().is_multiple_of(point_bytes) {
            return Err(selection_error(format!(
                "binary points body of {} bytes is not a multiple of {point_bytes} (rank {rank} × 8)",
                bytes.len()
            )));
        }
        let coords = bytes
            .chunks_exact(POINT_COORD_BYTES)
            .map(|word| {
                let mut buf = [0u8; POINT_COORD_BYTES];
                buf.copy_from_slice(word);
                u64::from_le_bytes(buf)
            })
            .collect();
        PointSelection::checked(rank, coords, shape)
    }

    fn checked(rank: usize, coords: Vec<u64>, shape: &Shape) -> ModelResult<PointSelection> {
        let points = PointSelection { rank, coords };
        for (index, point) in points.points().enumerate() {
            let out_of_range = point
                .iter()
                .zip(shape.dims())
                .enumerate()
                .find(|(_, (coord, extent))| coord >= extent);
            if let Some((dim, (coord, extent))) = out_of_range {
                return Err(selection_error(format!(
                    "point {index}: coordinate {coord} in dimension {dim} is out of range (extent {extent})"
                )));
            }
        }
        Ok(points)
    }

    /// Coordinates per point.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.coords.len() / self.rank.max(1)
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// The points in order, each a slice of `rank` coordinates.
    pub fn points(&self) -> std::slice::ChunksExact<'_, u64> {
        self.coords.chunks_exact(self.rank.max(1))
    }
}

fn points_rank(shape: &Shape) -> ModelResult<usize> {
    match shape {
        Shape::Simple { dims, .. } => Ok(dims.len()),
        other => Err(selection_error(format!(
            "points are not allowed on a {} dataspace",
            other.class_name()
        ))),
    }
}

fn parse_point(index: usize, item: &Value, rank: usize) -> ModelResult<Vec<u64>> {
    let coords = match item {
        Value::Array(values) => values.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>(),
        Value::Number(_) if rank == 1 => item.as_u64().map(|coord| vec![coord]),
        _ => None,
    };
    match coords {
        Some(coords) if coords.len() == rank => Ok(coords),
        _ => Err(selection_error(format!(
            "point {index} must be a list of {rank} non-negative integers, got {item}"
        ))),
    }
}

/// The selection of a dataset value request body: exactly one of the forms, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodySelection {
    /// No selection keys: the whole dataspace.
    All,
    /// `select`, or `start`/`stop`/`step`.
    Hyperslab(Selection),
    /// `points`.
    Points(PointSelection),
}

impl BodySelection {
    /// Reads the selection keys of a JSON value request body.
    ///
    /// # Errors
    /// [`ModelError::InvalidSelection`] when forms are mixed or the chosen form is invalid.
    pub fn from_body(body: &Map<String, Value>, shape: &Shape) -> ModelResult<BodySelection> {
        let select = body.get("select");
        let has_range = ["start", "stop", "step"].iter().any(|key| body.contains_key(*key));
        let points = body.get("points");
        let forms =
            usize::from(select.is_some()) + usize::from(has_range) + usize::from(points.is_some());
        if forms > 1 {
            return Err(selection_error("use only one of select, start/stop/step and points"));
        }
        if let Some(select) = select {
            let text = select
                .as_str()
                .ok_or_else(|| selection_error(format!("select must be a string, got {select}")))?;
            return Selection::parse(text, shape).map(BodySelection::Hyperslab);
        }
        if let Some(points) = points {
            return PointSelection::from_json(points, shape).map(BodySelection::Points);
        }
        if has_range {
            return Selection::from_start_stop_step(
                body.get("start"),
                body.get("stop"),
                body.get("step"),
                shape,
            )
            .map(BodySelection::Hyperslab);
        }
        Ok(BodySelection::All)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shape(dims: &[u64]) -> Shape {
        Shape::simple(dims.to_vec()).unwrap()
    }

    fn parse_err(text: &str, dims: &[u64]) -> String {
        Selection::parse(text, &shape(dims)).unwrap_err().to_string()
    }

    fn slice(start: u64, stop: u64, step: u64) -> DimSelection {
        DimSelection::Slice(Slice { start, stop, step })
    }

    #[test]
    fn parses_every_item_form() {
        let selection =
            Selection::parse("[ 0:10 , 2:8:3, :, ::2, 5:, :4, 7, [1, 3,4] ]", &shape(&[10; 8]))
                .unwrap();
        assert_eq!(
            selection.dims(),
            &[
                slice(0, 10, 1),
                slice(2, 8, 3),
                slice(0, 10, 1),
                slice(0, 10, 2),
                slice(5, 10, 1),
                slice(0, 4, 1),
                DimSelection::Index(7),
                DimSelection::Coords(vec![1, 3, 4]),
            ]
        );
        assert_eq!(selection.counts(), [10, 2, 10, 5, 5, 4, 1, 3]);
        assert_eq!(selection.num_elements(), 10 * 2 * 10 * 5 * 5 * 4 * 3);
        assert!(selection.dims()[6].is_index());
        assert!(selection.has_coords());
        assert_eq!(selection.rank(), 8);
        assert_eq!(Selection::parse("[1:2:]", &shape(&[4])).unwrap().dims(), &[slice(1, 2, 1)]);
    }

    #[test]
    fn display_round_trips() {
        let dims = [10, 20, 30, 5];
        let selection = Selection::parse("[2:8:3, 4, :, [0,2]]", &shape(&dims)).unwrap();
        let text = selection.to_string();
        assert_eq!(text, "[2:8:3,4,0:30,[0,2]]");
        assert_eq!(Selection::parse(&text, &shape(&dims)).unwrap(), selection);
    }

    #[test]
    fn indices_iterate_in_order() {
        let selection = Selection::parse("[1:8:3, 4, [5,0,2]]", &shape(&[10, 10, 10])).unwrap();
        let per_dim: Vec<Vec<u64>> =
            selection.dims().iter().map(|d| d.indices().collect()).collect();
        assert_eq!(per_dim, [vec![1, 4, 7], vec![4], vec![5, 0, 2]]);
        assert_eq!(selection.dims()[1].as_slice(), Some(Slice { start: 4, stop: 5, step: 1 }));
        assert_eq!(selection.dims()[2].as_slice(), None);
        assert_eq!(Slice { start: 3, stop: 3, step: 1 }.count(), 0);
    }

    #[test]
    fn whole_and_scalar_selections() {
        let all = Selection::all(&shape(&[3, 4])).unwrap();
        assert_eq!(all.to_string(), "[0:3,0:4]");
        assert_eq!(all.num_elements(), 12);
        let scalar = Selection::parse("[]", &Shape::Scalar).unwrap();
        assert_eq!(scalar.rank(), 0);
        assert_eq!(scalar.num_elements(), 1);
        assert_eq!(Selection::all(&Shape::Scalar).unwrap(), scalar);
        assert!(Selection::all(&Shape::Null).is_err());
    }

    #[test]
    fn grammar_errors() {
        let cases: &[(&str, &[u64], &str)] = &[
            ("0:4", &[10], "must be enclosed in brackets"),
            ("[0:4", &[10], "must be enclosed in brackets"),
            ("[0:4]", &[10, 10], "selection has 1 dimensions but the dataspace has rank 2"),
            ("[]", &[10], "selection has 0 dimensions"),
            ("[,3]", &[10, 10], "dimension 0 is empty"),
            ("[[[1]]]", &[10], "cannot be nested"),
            ("[1]]", &[10], "unbalanced ']'"),
            ("[[1,2]", &[10], "unbalanced '['"),
            ("[[1]x]", &[10], "is not a coordinate list"),
            ("[[]]", &[10], "dimension 0: coordinate list is empty"),
            ("[[1,x]]", &[10], "dimension 0: coordinate 'x' is not a non-negative integer"),
            ("[[1,,2]]", &[10], "coordinate '' is not"),
            ("[[3,10]]", &[10], "dimension 0: coordinate 10 is out of range (extent 10)"),
            ("[1:2:3:4]", &[10], "more than start:stop:step"),
            ("[a:2]", &[10], "dimension 0: start 'a' is not a non-negative integer"),
            ("[-1:2]", &[10], "start '-1' is not a non-negative integer"),
            ("[0:-2]", &[10], "stop '-2' is not"),
            ("[0:2:x]", &[10], "step 'x' is not"),
            (
                "[0, 99999999999999999999]",
                &[10, 10],
                "dimension 1: index '99999999999999999999' is too large",
            ),
            ("[0, -3]", &[10, 10], "dimension 1: index '-3' is not a non-negative integer"),
            ("[10]", &[10], "dimension 0: index 10 is out of range (extent 10)"),
            ("[10:]", &[10], "dimension 0: start 10 must be less than the extent 10"),
            ("[4:4]", &[10], "dimension 0: stop 4 must be greater than start 4"),
            ("[5:2]", &[10], "stop 2 must be greater than start 5"),
            ("[0:11]", &[10], "dimension 0: stop 11 must not exceed the extent 10"),
            ("[0:5:0]", &[10], "dimension 0: step must be at least 1"),
            ("[:]", &[0], "start 0 must be less than the extent 0"),
            ("[[1,2],:,[1,2,3]]", &[5, 5, 5], "dimension 0 has 2, dimension 2 has 3"),
        ];
        for (text, dims, why) in cases {
            let error = parse_err(text, dims);
            assert!(error.contains(why), "{text}: {error}");
        }
        let null = Selection::parse("[0]", &Shape::Null).unwrap_err();
        assert!(null.to_string().contains("null dataspace"));
        assert_eq!(null.http_status(), 400);
    }

    #[test]
    fn equal_length_coordinate_lists_are_allowed() {
        let selection = Selection::parse("[[1,2],:,[3,4]]", &shape(&[5, 5, 5])).unwrap();
        assert_eq!(selection.counts(), [2, 5, 2]);
    }

    #[test]
    fn start_stop_step_forms() {
        let dims = shape(&[10, 20]);
        let full = Selection::from_start_stop_step(None, None, None, &dims).unwrap();
        assert_eq!(full, Selection::all(&dims).unwrap());
        let selection = Selection::from_start_stop_step(
            Some(&json!([1, 2])),
            Some(&json!([5, 20])),
            Some(&json!([2, 1])),
            &dims,
        )
        .unwrap();
        assert_eq!(selection.to_string(), "[1:5:2,2:20]");
        let rank1 = shape(&[10]);
        let from_ints =
            Selection::from_start_stop_step(Some(&json!(3)), Some(&json!(6)), None, &rank1)
                .unwrap();
        assert_eq!(from_ints.dims(), &[slice(3, 6, 1)]);
    }

    #[test]
    fn start_stop_step_errors() {
        let dims = shape(&[10, 20]);
        let cases = [
            (Some(json!(1)), None, None, "start must be a list of 2 non-negative integers"),
            (Some(json!([1])), None, None, "start has 1 values but the dataspace has rank 2"),
            (Some(json!([1, -1])), None, None, "start[1] must be a non-negative integer, got -1"),
            (None, Some(json!("x")), None, "stop must be a list of 2"),
            (
                None,
                Some(json!([5, 25])),
                None,
                "dimension 1: stop 25 must not exceed the extent 20",
            ),
            (None, None, Some(json!([1, 0])), "dimension 1: step must be at least 1"),
            (
                Some(json!([4, 0])),
                Some(json!([4, 1])),
                None,
                "dimension 0: stop 4 must be greater than start 4",
            ),
        ];
        for (start, stop, step, why) in cases {
            let error = Selection::from_start_stop_step(
                start.as_ref(),
                stop.as_ref(),
                step.as_ref(),
                &dims,
            )
            .unwrap_err()
            .to_string();
            assert!(error.contains(why), "{error}");
        }
        let rank1 = shape(&[10]);
        let negative =
            Selection::from_start_stop_step(Some(&json!(-2)), None, None, &rank1).unwrap_err();
        assert!(negative.to_string().contains("start must be a non-negative integer"));
        assert!(Selection::from_start_stop_step(None, None, None, &Shape::Null).is_err());
    }

    #[test]
    fn points_json_and_binary() {
        let dims = shape(&[4, 5]);
        let points = PointSelection::from_json(&json!([[0, 1], [3, 4]]), &dims).unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!(points.rank(), 2);
        assert!(!points.is_empty());
        assert_eq!(points.points().collect::<Vec<_>>(), [&[0, 1][..], &[3, 4][..]]);
        let bytes: Vec<u8> = [0u64, 1, 3, 4].iter().flat_map(|c| c.to_le_bytes()).collect();
        assert_eq!(PointSelection::from_le_bytes(&bytes, &dims).unwrap(), points);
        let rank1 = shape(&[10]);
        let flat = PointSelection::from_json(&json!([2, 9, 0]), &rank1).unwrap();
        assert_eq!(PointSelection::from_json(&json!([[2], [9], [0]]), &rank1).unwrap(), flat);
        assert!(PointSelection::from_json(&json!([]), &rank1).unwrap().is_empty());
    }

    #[test]
    fn point_errors() {
        let dims = shape(&[4, 5]);
        let cases = [
            (json!({"a": 1}), "points must be a list"),
            (json!([[0, 1], [1]]), "point 1 must be a list of 2 non-negative integers"),
            (json!([3]), "point 0 must be a list of 2"),
            (json!([[0, -1]]), "point 0 must be a list of 2"),
            (
                json!([[0, 1], [4, 0]]),
                "point 1: coordinate 4 in dimension 0 is out of range (extent 4)",
            ),
        ];
        for (value, why) in cases {
            let error = PointSelection::from_json(&value, &dims).unwrap_err().to_string();
            assert!(error.contains(why), "{value}: {error}");
        }
        let short = PointSelection::from_le_bytes(&[0u8; 12], &dims).unwrap_err();
        assert!(short.to_string().contains("not a multiple of 16"));
        let far: Vec<u8> = [0u64, 5].iter().flat_map(|c| c.to_le_bytes()).collect();
        assert!(PointSelection::from_le_bytes(&far, &dims)
            .unwrap_err()
            .to_string()
            .contains("dimension 1"));
        for other in [Shape::Scalar, Shape::Null] {
            let error = PointSelection::from_json(&json!([]), &other).unwrap_err().to_string();
            assert!(error.contains("points are not allowed on a H5S_"), "{error}");
        }
    }

    #[test]
    fn body_forms() {
        let dims = shape(&[10]);
        let body = |value: Value| BodySelection::from_body(value.as_object().unwrap(), &dims);
        assert_eq!(body(json!({"value": [1]})).unwrap(), BodySelection::All);
        let BodySelection::Hyperslab(select) = body(json!({"select": "[2:4]"})).unwrap() else {
            panic!()
        };
        assert_eq!(select.to_string(), "[2:4]");
        let BodySelection::Hyperslab(range) = body(json!({"start": 2, "stop": 4})).unwrap() else {
            panic!()
        };
        assert_eq!(range, select);
        let BodySelection::Points(points) = body(json!({"points": [1, 2]})).unwrap() else {
            panic!()
        };
        assert_eq!(points.len(), 2);
        let mixed = body(json!({"select": "[0]", "start": 1})).unwrap_err().to_string();
        assert!(mixed.contains("only one of"));
        assert!(body(json!({"points": [1], "step": 1})).is_err());
        assert!(body(json!({"select": 3}))
            .unwrap_err()
            .to_string()
            .contains("select must be a string"));
        assert!(body(json!({"select": "[11]"})).unwrap_err().to_string().contains("out of range"));
    }
}
