//! [`ValueSelection`]: a validated dataset selection in the form the fan-out plans with.
//!
//! **Several coordinate lists.** HSDS 1.0.2 (h5json 2.0.1 `SimpleSelection`, used by
//! `dsetUtil.getSelectionList`) *pairs* coordinate lists: `[[1,2],[3,4]]` selects the two
//! points (1,3) and (2,4), not a 2×2 block, and all lists must have the same length. The
//! second and later lists add no dimension to the result shape (`mshape`): the paired axis
//! sits where the first list is, e.g. `[[0,2], 1:4, [5,6]]` has result shape `[2, 3]`.
//! A single list combines with slices as an outer product, like an h5py fancy index. A bare
//! index `i` is `i:i+1` and is not squeezed.

use crate::chunking::DimSelection;
use crate::model::{self, Selection};

/// A selection over a dataset's extents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSelection {
    /// One entry per dataset dimension.
    pub dims: Vec<DimSelection>,
    /// The dimensions whose coordinate lists are paired (empty unless two or more lists).
    pub paired: Vec<usize>,
}

impl ValueSelection {
    /// The whole dataspace of `dims`.
    #[must_use]
    pub fn all(dims: &[u64]) -> ValueSelection {
        ValueSelection {
            dims: dims.iter().map(|&d| DimSelection::all(d)).collect(),
            paired: vec![],
        }
    }

    /// From a validated model selection (bare indices become one-element slices).
    #[must_use]
    pub fn from_model(selection: &Selection) -> ValueSelection {
        let dims: Vec<DimSelection> = selection
            .dims()
            .iter()
            .map(|dim| match dim {
                model::DimSelection::Coords(coords) => DimSelection::Coords(coords.clone()),
                model::DimSelection::Index(index) => DimSelection::index(*index),
                model::DimSelection::Slice(s) => {
                    DimSelection::Slice { start: s.start, stop: s.stop, step: s.step }
                }
            })
            .collect();
        let lists: Vec<usize> = dims
            .iter()
            .enumerate()
            .filter(|(_, dim)| matches!(dim, DimSelection::Coords(_)))
            .map(|(index, _)| index)
            .collect();
        let paired = if lists.len() > 1 { lists } else { vec![] };
        ValueSelection { dims, paired }
    }

    /// The result shape (HSDS `mshape`): per-dimension counts, with paired lists folded into
    /// one axis at the first list's position.
    #[must_use]
    pub fn shape(&self) -> Vec<u64> {
        self.dims
            .iter()
            .enumerate()
            .filter(|(index, _)| {
                self.paired
                    .first()
                    .is_none_or(|first| !self.paired.contains(index) || index == first)
            })
            .map(|(_, dim)| dim.count())
            .collect()
    }

    /// Number of selected elements.
    #[must_use]
    pub fn element_count(&self) -> u128 {
        self.shape().iter().fold(1_u128, |acc, &n| acc.saturating_mul(u128::from(n)))
    }

    /// Number of pairs of a paired selection.
    #[must_use]
    pub fn pair_count(&self) -> usize {
        self.paired
            .first()
            .and_then(|&dim| match self.dims.get(dim) {
                Some(DimSelection::Coords(coords)) => Some(coords.len()),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// Whether every dimension is a paired list (a pure point selection).
    #[must_use]
    pub fn is_points(&self) -> bool {
        !self.paired.is_empty() && self.paired.len() == self.dims.len()
    }

    /// The `p`-th pair as a plain block selection: paired lists replaced by that coordinate.
    #[must_use]
    pub fn pair_block(&self, p: usize) -> ValueSelection {
        let dims = self
            .dims
            .iter()
            .enumerate()
            .map(|(index, dim)| match dim {
                DimSelection::Coords(coords) if self.paired.contains(&index) => {
                    DimSelection::index(coords.get(p).copied().unwrap_or(0))
                }
                other => other.clone(),
            })
            .collect();
        ValueSelection { dims, paired: vec![] }
    }

    /// The paired points, flat (`rank` coordinates each), for a pure point selection.
    #[must_use]
    pub fn points(&self) -> Vec<u64> {
        let lists: Vec<&Vec<u64>> = self
            .dims
            .iter()
            .filter_map(|dim| match dim {
                DimSelection::Coords(coords) => Some(coords),
                DimSelection::Slice { .. } => None,
            })
            .collect();
        (0..self.pair_count())
            .flat_map(|p| lists.iter().map(move |list| list.get(p).copied().unwrap_or(0)))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Shape;

    fn parse(text: &str, dims: &[u64]) -> ValueSelection {
        ValueSelection::from_model(
            &Selection::parse(text, &Shape::simple(dims.to_vec()).unwrap()).unwrap(),
        )
    }

    #[test]
    fn coordinate_lists_pair_up() {
        let sel = parse("[[0,2], 1:4, [5,6]]", &[3, 4, 7]);
        assert_eq!(sel.paired, [0, 2]);
        assert_eq!(sel.shape(), [2, 3]);
        assert_eq!(sel.element_count(), 6);
        assert_eq!(sel.pair_block(1).dims[2], DimSelection::index(6));
        let points = parse("[[1,2],[3,4]]", &[5, 5]);
        assert!(points.is_points());
        assert_eq!(points.points(), [1, 3, 2, 4]);
        let outer = parse("[[1,2], 0:2, 3]", &[5, 5, 5]);
        assert!(outer.paired.is_empty());
        assert_eq!(outer.shape(), [2, 2, 1]);
    }
}
