//! File mounting (`H5Fmount`/`H5Funmount`): each open file's mount table (group → child file),
//! the child's link back to the file it is mounted in, and path resolution that crosses mount
//! points.
//!
//! The service resolves a whole path in one request and knows nothing of mounts, so when a
//! file takes part in a mount (it has children, or it is mounted itself), the connector walks
//! the path one component at a time and switches to the child file's root group wherever the
//! current group is a mount point. Files without mounts never pay for this.
//!
//! As in HDF5: a mount point hides the group's own links while the child is mounted; an
//! absolute path from any file of a mount hierarchy starts at the top file's root; a file is
//! mounted at most once; a mount that would make a cycle fails; the child stays open while
//! mounted even if the application closes its file id, and is released when unmounted or when
//! the parent file is finally closed. Mount tables belong to one open file handle (HDF5 shares
//! them between handles on the same file).

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::error::VolError;
use super::file::OpenFile;
use super::object::resolve;
use crate::model::{ObjClass, ObjId};

/// One mounted file: the group it covers and the child file.
#[derive(Debug)]
struct Mount {
    point: ObjId,
    child: Arc<OpenFile>,
}

/// An open file's mounts: the files mounted on its groups, and the file it is mounted in.
#[derive(Debug, Default)]
pub struct MountTable {
    children: Mutex<Vec<Mount>>,
    parent: Mutex<Weak<OpenFile>>,
}

impl MountTable {
    fn children(&self) -> MutexGuard<'_, Vec<Mount>> {
        self.children.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn parent_slot(&self) -> MutexGuard<'_, Weak<OpenFile>> {
        self.parent.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a file is mounted on the group `id` (`H5G_info_t.mounted`).
    pub fn is_mount_point(&self, id: &ObjId) -> bool {
        self.children().iter().any(|m| m.point == *id)
    }

    /// The file mounted on the group `id`, if any.
    pub fn child_at(&self, id: &ObjId) -> Option<Arc<OpenFile>> {
        self.children().iter().find(|m| m.point == *id).map(|m| m.child.clone())
    }

    /// The files mounted here, each once.
    pub fn children_files(&self) -> Vec<Arc<OpenFile>> {
        self.children().iter().map(|m| m.child.clone()).collect()
    }

    /// The file this one is mounted in, while it is mounted and that file is open.
    pub fn parent(&self) -> Option<Arc<OpenFile>> {
        self.parent_slot().upgrade()
    }

    /// Whether the file takes part in a mount (has children or is mounted).
    pub fn is_involved(&self) -> bool {
        !self.children().is_empty() || self.parent().is_some()
    }
}

/// Where a path continues after the mount points along it were crossed: `path` (relative, or
/// `.`) from `anchor` in `file`.
#[derive(Debug, Clone)]
pub struct Located {
    /// The file the rest of the path lies in.
    pub file: Arc<OpenFile>,
    /// The group (or object) the rest starts from.
    pub anchor: ObjId,
    /// The rest of the path, relative to `anchor`; `.` when nothing is left.
    pub path: String,
}

/// The top file of the mount hierarchy `file` belongs to.
fn top_of(file: &Arc<OpenFile>) -> Arc<OpenFile> {
    let mut top = file.clone();
    // A cycle cannot form (mount refuses one), but bound the walk anyway.
    for _ in 0..64 {
        match top.mounts().parent() {
            Some(parent) => top = parent,
            None => break,
        }
    }
    top
}

/// Moves (`file`, `current`) into the root of the file mounted on `current`, repeatedly.
fn cross(file: &mut Arc<OpenFile>, current: &mut ObjId) {
    for _ in 0..64 {
        let Some(child) = file.mounts().child_at(current) else { return };
        *current = child.root().clone();
        *file = child;
    }
}

fn unchanged(file: &Arc<OpenFile>, anchor: &ObjId, path: &str) -> Located {
    Located { file: file.clone(), anchor: anchor.clone(), path: path.to_string() }
}

/// Crosses the mount points along `path` (absolute, or relative to `anchor` in `file`): every
/// component that exists is walked, so the rest names only what does not exist (or `.`).
pub fn locate(file: &Arc<OpenFile>, anchor: &ObjId, path: &str) -> Result<Located, VolError> {
    walk(file, anchor, path, true)
}

/// Like [`locate`], but leaves the last component unwalked: where a new link named by `path`
/// goes (its parent group, in the file that group lies in), or the mount point itself.
pub fn locate_parent(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<Located, VolError> {
    walk(file, anchor, path, false)
}

fn walk(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
    last_too: bool,
) -> Result<Located, VolError> {
    if !file.mounts().is_involved() {
        return Ok(unchanged(file, anchor, path));
    }
    let (mut file, mut current) = if path.starts_with('/') {
        let top = top_of(file);
        let root = top.root().clone();
        (top, root)
    } else {
        (file.clone(), anchor.clone())
    };
    cross(&mut file, &mut current);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let walked = if last_too { parts.len() } else { parts.len().saturating_sub(1) };
    let rest = |from: usize| {
        let rest = parts[from..].join("/");
        if rest.is_empty() {
            ".".to_string()
        } else {
            rest
        }
    };
    for (index, part) in parts.iter().take(walked).enumerate() {
        if file.mounts().children().is_empty() {
            // No mount point below this file: the service resolves the rest in one request.
            return Ok(Located { file, anchor: current, path: rest(index) });
        }
        match resolve(&file, &current, part) {
            Ok(found) => current = found.id,
            Err(err) if err.is_not_found() || is_bad_request(&err) => {
                return Ok(Located { file, anchor: current, path: rest(index) });
            }
            Err(err) => return Err(err),
        }
        cross(&mut file, &mut current);
    }
    Ok(Located { file, anchor: current, path: rest(walked) })
}

fn is_bad_request(err: &VolError) -> bool {
    matches!(err, VolError::Client(c) if c.status() == Some(400))
}

/// The group `path` names (relative to `anchor` in `file`) without crossing a mount on the
/// group itself: the mount point of `H5Fmount`/`H5Funmount`.
fn mount_point(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<(Arc<OpenFile>, ObjId), VolError> {
    let at = locate_parent(file, anchor, path)?;
    let last = path.split('/').rfind(|p| !p.is_empty() && *p != ".");
    let id = match last {
        // The path names the anchor itself (`.`, or `/` for the top root).
        None => at.anchor.clone(),
        Some(name) => resolve(&at.file, &at.anchor, name)?.id,
    };
    if id.class() != ObjClass::Group {
        return Err(VolError::InvalidArgument(format!("mount point '{path}' is not a group")));
    }
    Ok((at.file, id))
}

/// Whether `a` and `b` are the same file (domain and service).
fn same_file(a: &OpenFile, b: &OpenFile) -> bool {
    a.domain() == b.domain() && a.session_settings() == b.session_settings()
}

/// `H5Fmount`: mounts `child` on the group `path` (relative to `anchor` in `file`).
///
/// # Errors
/// [`VolError::InvalidArgument`] when the group does not exist or is no group, when a file is
/// already mounted there, when `child` is already mounted, or when the mount would make a
/// cycle (a file mounted inside itself).
pub fn mount(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
    child: &Arc<OpenFile>,
) -> Result<(), VolError> {
    if child.mounts().parent().is_some() {
        return Err(VolError::InvalidArgument("the file is already mounted".into()));
    }
    let (parent, point) = mount_point(file, anchor, path)?;
    let mut ancestor = Some(parent.clone());
    while let Some(current) = ancestor {
        if same_file(&current, child) {
            return Err(VolError::InvalidArgument("the mount would introduce a cycle".into()));
        }
        ancestor = current.mounts().parent();
    }
    let mut children = parent.mounts().children();
    if children.iter().any(|m| m.point == point) {
        return Err(VolError::InvalidArgument(format!("mount point '{path}' is already in use")));
    }
    children.push(Mount { point, child: child.clone() });
    drop(children);
    *child.mounts().parent_slot() = Arc::downgrade(&parent);
    Ok(())
}

/// `H5Funmount`: unmounts the file mounted on the group `path` (relative to `anchor` in
/// `file`); the group's own links show again. `path` may also name the mounted file's root
/// (the mount point seen through the mount).
///
/// # Errors
/// [`VolError::InvalidArgument`] when no file is mounted there.
pub fn unmount(file: &Arc<OpenFile>, anchor: &ObjId, path: &str) -> Result<(), VolError> {
    let (holder, point) = mount_point(file, anchor, path)?;
    // Named as the mount point in the parent, or through the mount as the child's root.
    let (parent, point) = if holder.mounts().is_mount_point(&point) {
        (holder, point)
    } else {
        match holder.mounts().parent() {
            Some(parent) if holder.root() == &point => {
                let covered = parent
                    .mounts()
                    .children()
                    .iter()
                    .find(|m| Arc::ptr_eq(&m.child, &holder))
                    .map(|m| m.point.clone());
                match covered {
                    Some(covered) => (parent, covered),
                    None => (holder, point),
                }
            }
            _ => (holder, point),
        }
    };
    let mut children = parent.mounts().children();
    let Some(position) = children.iter().position(|m| m.point == point) else {
        return Err(VolError::InvalidArgument(format!("'{path}' is not a mount point")));
    };
    let removed = children.remove(position);
    drop(children);
    *removed.child.mounts().parent_slot() = Weak::new();
    if Arc::strong_count(&removed.child) == 1 {
        // The application closed the child's id while it was mounted: close it now.
        removed.child.close()?;
    }
    Ok(())
}
