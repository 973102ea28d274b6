//! Carrying out a [`Plan`]: groups, committed datatypes, datasets (structure, then values, the
//! ones holding references last, when every object they may name exists), extra links, and
//! finally the attributes of every object (which may hold references too).

use std::collections::HashMap;

use super::blocks::{block_shape, blocks, BLOCK_BYTES};
use super::error::{Context, TransferError};
use super::plan::{Plan, PlannedLink, PlannedObject};
use super::progress::Progress;
use crate::ffi::transfer::{
    self as h5, Handle, Hdf5Failure, ObjectKey, ObjectKind, SpaceShape, ValueCopy, ValueKind,
    ValueTarget,
};

/// Copies the planned objects of `source` into `dest`, an empty file.
#[derive(Debug)]
pub struct Copier<'a> {
    source: &'a Handle,
    dest: &'a Handle,
    /// A native source reports datasets that were never written; their values are not copied.
    native_source: bool,
    progress: &'a mut Progress,
    /// Committed datatypes copied so far: source identity → path.
    committed: HashMap<ObjectKey, String>,
}

impl<'a> Copier<'a> {
    /// A copier from `source` to `dest` reporting to `progress`.
    pub fn new(
        source: &'a Handle,
        dest: &'a Handle,
        native_source: bool,
        progress: &'a mut Progress,
    ) -> Copier<'a> {
        Copier { source, dest, native_source, progress, committed: HashMap::new() }
    }

    /// Copies everything in `plan`.
    pub fn run(&mut self, plan: &Plan) -> Result<(), TransferError> {
        let of_kind = |kind| plan.objects.iter().filter(move |o| o.kind == kind);
        self.progress.add_object(); // the root group exists already
        for group in of_kind(ObjectKind::Group).filter(|o| o.path != "/") {
            self.copy_group(group)?;
        }
        for datatype in of_kind(ObjectKind::Datatype) {
            self.copy_datatype(datatype)?;
        }
        let mut with_references = Vec::new();
        for dataset in of_kind(ObjectKind::Dataset) {
            if let Some(deferred) = self.copy_dataset(dataset)? {
                with_references.push(deferred);
            }
        }
        for dataset in with_references {
            self.copy_values(dataset)?;
        }
        for link in &plan.links {
            self.copy_link(link)?;
        }
        for object in &plan.objects {
            self.copy_attributes(object)?;
        }
        Ok(())
    }

    fn copy_group(&mut self, group: &PlannedObject) -> Result<(), TransferError> {
        let what = || format!("copying group {}", group.path);
        let source = h5::open_object(self.source, &group.path).context(what)?;
        let gcpl = h5::group_creation_plist(&source).context(what)?;
        h5::create_group(self.dest, &group.path, &gcpl).context(what)?;
        self.progress.add_object();
        Ok(())
    }

    fn copy_datatype(&mut self, datatype: &PlannedObject) -> Result<(), TransferError> {
        let what = || format!("copying committed datatype {}", datatype.path);
        let source = h5::open_object(self.source, &datatype.path).context(what)?;
        let tcpl = h5::datatype_creation_plist(&source).context(what)?;
        h5::commit_datatype(self.dest, &datatype.path, &source, &tcpl).context(what)?;
        self.committed.insert(datatype.key, datatype.path.clone());
        self.progress.add_object();
        Ok(())
    }

    /// For a type that is a committed datatype of the source, the same datatype in the
    /// destination; `None` for a transient type, used as it is.
    fn dest_type(&self, datatype: &Handle) -> Result<Option<Handle>, Hdf5Failure> {
        if !h5::is_committed(datatype)? {
            return Ok(None);
        }
        if let Ok(info) = h5::object_info(datatype) {
            if let Some(path) = self.committed.get(&info.key) {
                return h5::open_datatype(self.dest, path).map(Some);
            }
        }
        h5::copy_datatype(datatype).map(Some)
    }

    /// Creates a dataset and copies its values, or returns it to copy its values later when
    /// they are references.
    fn copy_dataset<'p>(
        &mut self,
        dataset: &'p PlannedObject,
    ) -> Result<Option<&'p PlannedObject>, TransferError> {
        let what = || format!("creating dataset {}", dataset.path);
        let source = h5::open_object(self.source, &dataset.path).context(what)?;
        let datatype = h5::dataset_type(&source).context(what)?;
        let space = h5::dataset_space(&source).context(what)?;
        let dcpl = h5::dataset_creation_plist(&source).context(what)?;
        let dest_type = self.dest_type(&datatype).context(what)?;
        h5::create_dataset(
            self.dest,
            &dataset.path,
            dest_type.as_ref().unwrap_or(&datatype),
            &space,
            &dcpl,
        )
        .context(what)?;
        let kind = ValueKind::of(&datatype).context(what)?;
        if kind == ValueKind::References {
            return Ok(Some(dataset));
        }
        self.copy_values(dataset)?;
        Ok(None)
    }

    fn copy_values(&mut self, dataset: &PlannedObject) -> Result<(), TransferError> {
        let what = || format!("copying the values of dataset {}", dataset.path);
        let source = h5::open_object(self.source, &dataset.path).context(what)?;
        let dest = h5::open_object(self.dest, &dataset.path).context(what)?;
        let datatype = h5::dataset_type(&source).context(what)?;
        let kind = ValueKind::of(&datatype).context(what)?;
        let space = h5::dataset_space(&source).context(what)?;
        let copy = ValueCopy {
            source: ValueTarget::Dataset(&source),
            dest: ValueTarget::Dataset(&dest),
            datatype: &datatype,
            kind,
            dest_file: self.dest,
        };
        let unwritten = self.native_source && !h5::is_allocated(&source).context(what)?;
        match h5::space_shape(&space).context(what)? {
            SpaceShape::Null => {}
            _ if unwritten => self.progress.add_bytes(dataset.bytes),
            SpaceShape::Scalar => {
                copy.copy_all(1).context(what)?;
                self.progress.add_bytes(dataset.bytes);
            }
            SpaceShape::Simple { dims, .. } => {
                let dcpl = h5::dataset_creation_plist(&source).context(what)?;
                let chunk = h5::chunk_dims(&dcpl).context(what)?;
                let element = h5::type_size(&datatype).context(what)? as u64;
                let shape = block_shape(&dims, chunk.as_deref(), element, BLOCK_BYTES);
                for (start, count) in blocks(&dims, &shape) {
                    copy.copy_block(&start, &count).context(what)?;
                    self.progress.add_bytes(count.iter().product::<u64>() * element);
                }
            }
        }
        self.progress.add_object();
        Ok(())
    }

    fn copy_link(&mut self, link: &PlannedLink) -> Result<(), TransferError> {
        match link {
            PlannedLink::Hard { path, target } => {
                h5::create_hard_link(self.dest, target, self.dest, path)
                    .context(|| format!("linking {path} to {target}"))
            }
            PlannedLink::Soft { path, value } => h5::create_soft_link(value, self.dest, path)
                .context(|| format!("creating soft link {path}")),
            PlannedLink::External { path, file, target } => {
                h5::create_external_link(file, target, self.dest, path)
                    .context(|| format!("creating external link {path}"))
            }
        }
    }

    fn copy_attributes(&mut self, object: &PlannedObject) -> Result<(), TransferError> {
        let what = || format!("copying the attributes of {}", object.path);
        let source = h5::open_object(self.source, &object.path).context(what)?;
        let dest = h5::open_object(self.dest, &object.path).context(what)?;
        let creation = match object.kind {
            ObjectKind::Group => h5::group_creation_plist(&source),
            ObjectKind::Dataset => h5::dataset_creation_plist(&source),
            _ => h5::datatype_creation_plist(&source),
        };
        let ordered =
            creation.and_then(|plist| h5::attr_creation_order_tracked(&plist)).unwrap_or(false);
        let names = h5::attribute_names(&source, ordered).context(what)?;
        for name in names {
            let what = || format!("copying attribute '{name}' of {}", object.path);
            let attribute = h5::open_attribute(&source, &name).context(what)?;
            let datatype = h5::attribute_type(&attribute).context(what)?;
            let space = h5::attribute_space(&attribute).context(what)?;
            let acpl = h5::attribute_creation_plist(&attribute).context(what)?;
            let dest_type = self.dest_type(&datatype).context(what)?;
            let created = h5::create_attribute(
                &dest,
                &name,
                dest_type.as_ref().unwrap_or(&datatype),
                &space,
                &acpl,
            )
            .context(what)?;
            let elements = match h5::space_shape(&space).context(what)? {
                SpaceShape::Null => 0,
                SpaceShape::Scalar => 1,
                SpaceShape::Simple { dims, .. } => dims.iter().product(),
            };
            if elements > 0 {
                let copy = ValueCopy {
                    source: ValueTarget::Attribute(&attribute),
                    dest: ValueTarget::Attribute(&created),
                    datatype: &datatype,
                    kind: ValueKind::of(&datatype).context(what)?,
                    dest_file: self.dest,
                };
                copy.copy_all(elements).context(what)?;
            }
        }
        Ok(())
    }
}
