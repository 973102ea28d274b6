//! The survey of a source file: every object once (an object reached by several paths is
//! planned at its first path, the other paths become hard links), the soft and external links,
//! and the totals the progress bar counts against.

use std::collections::HashMap;

use super::error::{Context, TransferError};
use crate::ffi::transfer::{self as h5, Handle, LinkKind, ObjectKey, ObjectKind, SpaceShape};

/// One object to create, at its first path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedObject {
    /// Absolute path in the file (`/` for the root group).
    pub path: String,
    /// Group, dataset or committed datatype.
    pub kind: ObjectKind,
    /// Identity in the source file.
    pub key: ObjectKey,
    /// Bytes of values (datasets only): elements times the in-memory element size.
    pub bytes: u64,
}

/// One link that is not an object's first path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedLink {
    /// A second path to an object planned at `target`.
    Hard {
        /// The link's path.
        path: String,
        /// The object's first path.
        target: String,
    },
    /// A soft link.
    Soft {
        /// The link's path.
        path: String,
        /// The path it holds.
        value: String,
    },
    /// An external link.
    External {
        /// The link's path.
        path: String,
        /// The target file.
        file: String,
        /// The object path in the target file.
        target: String,
    },
}

/// Everything to copy, in the source's order (parents before children).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The objects, root group first.
    pub objects: Vec<PlannedObject>,
    /// The extra links.
    pub links: Vec<PlannedLink>,
    /// Bytes of dataset values in total.
    pub total_bytes: u64,
}

fn child_path(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// Surveys the file `file`.
pub fn survey(file: &Handle) -> Result<Plan, TransferError> {
    let root = h5::object_info_by_name(file, "/").context(|| "reading the root group".into())?;
    let mut plan = Plan::default();
    let mut seen: HashMap<ObjectKey, String> = HashMap::new();
    seen.insert(root.key, "/".into());
    plan.objects.push(PlannedObject { path: "/".into(), kind: root.kind, key: root.key, bytes: 0 });
    visit_group(file, "/", &mut plan, &mut seen)?;
    plan.total_bytes = plan.objects.iter().map(|o| o.bytes).sum();
    Ok(plan)
}

fn visit_group(
    file: &Handle,
    path: &str,
    plan: &mut Plan,
    seen: &mut HashMap<ObjectKey, String>,
) -> Result<(), TransferError> {
    let group = h5::open_object(file, path).context(|| format!("opening group {path}"))?;
    let gcpl = h5::group_creation_plist(&group).context(|| format!("reading group {path}"))?;
    let ordered =
        h5::link_creation_order_tracked(&gcpl).context(|| format!("reading group {path}"))?;
    let links = h5::links(&group, ordered).context(|| format!("listing group {path}"))?;
    for link in links {
        let child = child_path(path, &link.name);
        match link.kind {
            LinkKind::Soft(value) => plan.links.push(PlannedLink::Soft { path: child, value }),
            LinkKind::External { file: target_file, path: target } => {
                plan.links.push(PlannedLink::External { path: child, file: target_file, target })
            }
            LinkKind::UserDefined => {
                return Err(TransferError::Unsupported(format!(
                    "{child} is a user-defined link, which cannot be copied"
                )))
            }
            LinkKind::Hard => {
                let info = h5::object_info_by_name(file, &child)
                    .context(|| format!("reading object {child}"))?;
                if let Some(first) = seen.get(&info.key) {
                    plan.links.push(PlannedLink::Hard { path: child, target: first.clone() });
                    continue;
                }
                seen.insert(info.key, child.clone());
                let bytes = match info.kind {
                    ObjectKind::Dataset => dataset_bytes(file, &child)?,
                    ObjectKind::Group | ObjectKind::Datatype => 0,
                    ObjectKind::Other => {
                        return Err(TransferError::Unsupported(format!(
                            "{child} is an object of an unknown kind, which cannot be copied"
                        )))
                    }
                };
                plan.objects.push(PlannedObject {
                    path: child.clone(),
                    kind: info.kind,
                    key: info.key,
                    bytes,
                });
                if info.kind == ObjectKind::Group {
                    visit_group(file, &child, plan, seen)?;
                }
            }
        }
    }
    Ok(())
}

fn dataset_bytes(file: &Handle, path: &str) -> Result<u64, TransferError> {
    let what = || format!("reading dataset {path}");
    let dataset = h5::open_object(file, path).context(what)?;
    let space = h5::dataset_space(&dataset).context(what)?;
    let datatype = h5::dataset_type(&dataset).context(what)?;
    let element = h5::type_size(&datatype).context(what)? as u64;
    let elements = match h5::space_shape(&space).context(what)? {
        SpaceShape::Null => 0,
        SpaceShape::Scalar => 1,
        SpaceShape::Simple { dims, .. } => dims.iter().product(),
    };
    Ok(elements.saturating_mul(element))
}

#[cfg(test)]
mod tests {
    use super::child_path;

    #[test]
    fn child_paths() {
        assert_eq!(child_path("/", "a"), "/a");
        assert_eq!(child_path("/a", "b"), "/a/b");
    }
}
