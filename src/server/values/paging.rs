//! Pagination of large reads (HSDS `dsetUtil.getSelectionPagination`): a selection whose
//! result exceeds `max_request_size` is cut along the first result axis with more than one
//! element into pages of about `size / (size / max_request_size + 1)` bytes. Every axis before
//! it has one element, so the pages' packed results, concatenated in order, are the packed
//! result of the whole selection: the HTTP layer can stream them one after another.

use crate::chunking::DimSelection;

use super::target::ValueSelection;
use super::ValueError;

/// Estimated bytes per element HSDS uses for variable-length types.
pub const VLEN_ITEM_ESTIMATE: u64 = 512;

/// Splits `selection` into pages of at most about `max_request_size` bytes, given
/// `item_size` bytes per element (use [`VLEN_ITEM_ESTIMATE`] for variable types). A selection
/// that fits is returned as the only page.
///
/// # Errors
/// [`ValueError::TooLarge`] when the pagination axis has fewer elements than pages needed.
pub fn paginate(
    selection: &ValueSelection,
    item_size: u64,
    max_request_size: u64,
) -> Result<Vec<ValueSelection>, ValueError> {
    let size = selection.element_count().saturating_mul(u128::from(item_size));
    let max = u128::from(max_request_size.max(1));
    if size <= max {
        return Ok(vec![selection.clone()]);
    }
    let shape = selection.shape();
    let Some(axis) = shape.iter().position(|&n| n > 1) else {
        return Err(ValueError::TooLarge("unable to determine pagination dimension".into()));
    };
    let extent = u128::from(shape.get(axis).copied().unwrap_or(0));
    let page_count = size / max + 1;
    if extent < page_count {
        return Err(ValueError::TooLarge(format!(
            "select pagination unable to paginate select dim: {axis} into {page_count} pages"
        )));
    }
    let per_page = u64::try_from((extent / page_count).max(1)).unwrap_or(u64::MAX);
    // The dataset dimensions the result axis stands for.
    let axis_dims: Vec<usize> = result_axis_dims(selection, axis);
    let extent = u64::try_from(extent).unwrap_or(u64::MAX);
    let mut pages = Vec::new();
    let mut first = 0_u64;
    while first < extent {
        let last = first.saturating_add(per_page).min(extent);
        let mut page = selection.clone();
        for &dim in &axis_dims {
            if let Some(sel) = page.dims.get_mut(dim) {
                *sel = sub_range(sel, first, last);
            }
        }
        pages.push(page);
        first = last;
    }
    Ok(pages)
}

/// The dataset dimensions behind result axis `axis` (several for paired lists).
fn result_axis_dims(selection: &ValueSelection, axis: usize) -> Vec<usize> {
    let first_paired = selection.paired.first().copied();
    let visible: Vec<usize> = (0..selection.dims.len())
        .filter(|dim| Some(*dim) == first_paired || !selection.paired.contains(dim))
        .collect();
    match visible.get(axis) {
        Some(&dim) if Some(dim) == first_paired => selection.paired.clone(),
        Some(&dim) => vec![dim],
        None => vec![],
    }
}

/// Elements `first..last` (by position) of one dimension's selection.
fn sub_range(selection: &DimSelection, first: u64, last: u64) -> DimSelection {
    match selection {
        DimSelection::Slice { start, step, .. } => DimSelection::Slice {
            start: start + first * step,
            stop: start + (last - 1) * step + 1,
            step: *step,
        },
        DimSelection::Coords(coords) => DimSelection::Coords(
            coords
                .get(usize::try_from(first).unwrap_or(usize::MAX)..)
                .unwrap_or_default()
                .iter()
                .take(usize::try_from(last - first).unwrap_or(usize::MAX))
                .copied()
                .collect(),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_split_the_first_axis_with_several_elements() {
        let sel = ValueSelection {
            dims: vec![
                DimSelection::index(3),
                DimSelection::Slice { start: 1, stop: 100, step: 2 },
            ],
            paired: vec![],
        };
        assert_eq!(paginate(&sel, 8, 1000).unwrap(), std::slice::from_ref(&sel));
        // 50 elements x 8 bytes = 400 > 100: 5 pages of 10.
        let pages = paginate(&sel, 8, 100).unwrap();
        assert_eq!(pages.len(), 5);
        assert_eq!(pages[0].dims[1], DimSelection::Slice { start: 1, stop: 20, step: 2 });
        assert_eq!(pages[4].dims[1], DimSelection::Slice { start: 81, stop: 100, step: 2 });
        let total: u128 = pages.iter().map(ValueSelection::element_count).sum();
        assert_eq!(total, 50);
        assert!(paginate(&sel, 8, 4).is_err());

        let paired = ValueSelection {
            dims: vec![
                DimSelection::Coords(vec![0, 1, 2, 3]),
                DimSelection::Coords(vec![4, 5, 6, 7]),
            ],
            paired: vec![0, 1],
        };
        let pages = paginate(&paired, 8, 16).unwrap();
        assert_eq!(pages.len(), 4);
        assert_eq!(pages[1].dims, [DimSelection::Coords(vec![1]), DimSelection::Coords(vec![5])]);
    }
}
