//! Files: an HDF5 file is an HSDS domain. Create (`PUT /`), open (`GET /`), delete
//! (`DELETE /`), accessibility checks, flush, and the facts `H5Fget_*` report.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use serde_json::Value;

use super::domain_name::domain_for_file_name;
use super::error::VolError;
use super::mount::MountTable;
use super::session::Session;
use super::settings::Settings;
use super::value_cache::Scope;
use crate::client::Request;
use crate::model::ObjId;

/// `H5F_ACC_RDWR`.
pub const ACC_RDWR: u32 = 0x0001;
/// `H5F_ACC_TRUNC`.
pub const ACC_TRUNC: u32 = 0x0002;
/// `H5F_ACC_EXCL`.
pub const ACC_EXCL: u32 = 0x0004;

/// An open domain, shared by the file handle and every object opened in it.
#[derive(Debug)]
pub struct OpenFile {
    session: Arc<Session>,
    name: String,
    domain: String,
    root: ObjId,
    writable: bool,
    open_objects: AtomicUsize,
    mounts: MountTable,
    earliest_format: AtomicBool,
}

impl OpenFile {
    /// `H5Fcreate`: makes the domain (replacing it with `H5F_ACC_TRUNC`, failing if it exists
    /// with `H5F_ACC_EXCL`, the default). `root_props` become the root group's
    /// `creationProperties` (the file creation plist's settings) unless empty.
    pub fn create(
        settings: &Settings,
        name: &str,
        flags: u32,
        root_props: &Value,
    ) -> Result<Arc<OpenFile>, VolError> {
        let domain = domain_for_file_name(name)?;
        let session = Session::for_settings(settings)?;
        if flags & ACC_TRUNC != 0 && is_open(&domain, session.settings()) {
            // As HDF5: a file this process holds open cannot be truncated.
            return Err(VolError::InvalidArgument(format!(
                "unable to truncate '{name}': the file is already open"
            )));
        }
        if flags & ACC_TRUNC != 0 {
            match session.send(Request::delete("/").domain(domain.clone())) {
                Ok(_) => {}
                Err(err) if err.is_not_found() => {}
                Err(err) => return Err(err),
            }
        }
        let mut request = Request::put("/").domain(domain.clone());
        if root_props.as_object().is_some_and(|props| !props.is_empty()) {
            request =
                request.json(serde_json::json!({"group": {"creationProperties": root_props}}));
        }
        let reply = session.send(request)?;
        let root = root_of(&reply.json::<Value>()?, &domain)?;
        Ok(registered(OpenFile::new(session, name, domain, root, true)))
    }

    /// `H5Fopen`: opens an existing domain, read-only unless `H5F_ACC_RDWR`.
    pub fn open(settings: &Settings, name: &str, flags: u32) -> Result<Arc<OpenFile>, VolError> {
        let domain = domain_for_file_name(name)?;
        let session = Session::for_settings(settings)?;
        // Opening a file reads what is stored now, as HDF5 does: the connector's caches are
        // dropped and the service asked to recheck its own (`refresh`).
        session.forget_cached(&domain)?;
        let reply = session.send(Request::get("/").param("refresh", "1").domain(domain.clone()))?;
        let root = root_of(&reply.json::<Value>()?, &domain)?;
        Ok(registered(OpenFile::new(session, name, domain, root, flags & ACC_RDWR != 0)))
    }

    /// `H5Fis_accessible`: whether `name` is a domain the user can read.
    pub fn is_accessible(settings: &Settings, name: &str) -> Result<bool, VolError> {
        let domain = match domain_for_file_name(name) {
            Ok(domain) => domain,
            Err(_) => return Ok(false),
        };
        let session = Session::for_settings(settings)?;
        match session.send(Request::get("/").domain(domain.clone())) {
            Ok(reply) => {
                Ok(reply.json::<Value>().map(|v| v.get("root").is_some()).unwrap_or(false))
            }
            // As HDF5 for a file that does not exist: an error, not "no".
            Err(err) if err.is_not_found() => Err(err),
            Err(err) if err.is_forbidden() => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// `H5Fdelete`: removes the domain and everything in it.
    pub fn delete(settings: &Settings, name: &str) -> Result<(), VolError> {
        let domain = domain_for_file_name(name)?;
        let session = Session::for_settings(settings)?;
        session.send(Request::delete("/").domain(domain))?;
        Ok(())
    }

    fn new(
        session: Arc<Session>,
        name: &str,
        domain: String,
        root: ObjId,
        writable: bool,
    ) -> OpenFile {
        OpenFile {
            session,
            name: name.to_string(),
            domain,
            root,
            writable,
            open_objects: AtomicUsize::new(0),
            mounts: MountTable::default(),
            earliest_format: AtomicBool::new(false),
        }
    }

    /// Records whether the file access plist asked for the earliest file format (HDF5's
    /// default low bound), which limits what one attribute may hold, as natively.
    pub fn set_earliest_format(&self, earliest: bool) {
        self.earliest_format.store(earliest, Ordering::Relaxed);
    }

    /// Whether the file was opened with the earliest file format as its low bound.
    pub fn earliest_format(&self) -> bool {
        self.earliest_format.load(Ordering::Relaxed)
    }

    /// A second handle on the same domain (`H5Freopen`).
    pub fn reopen(&self) -> Arc<OpenFile> {
        let file = registered(OpenFile::new(
            self.session.clone(),
            &self.name,
            self.domain.clone(),
            self.root.clone(),
            self.writable,
        ));
        file.set_earliest_format(self.earliest_format());
        file
    }

    /// The settings the file was opened with (for files reached through external links).
    pub fn session_settings(&self) -> &Settings {
        self.session.settings()
    }

    /// The name the file was opened with (`H5Fget_name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The domain path.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The root group's id.
    pub fn root(&self) -> &ObjId {
        &self.root
    }

    /// The files mounted on this file's groups, and the file this one is mounted in.
    pub fn mounts(&self) -> &MountTable {
        &self.mounts
    }

    /// Whether the file was opened for writing.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// `H5Fget_intent` flags: `H5F_ACC_RDWR` or `H5F_ACC_RDONLY`.
    pub fn intent(&self) -> u32 {
        if self.writable {
            ACC_RDWR
        } else {
            0
        }
    }

    /// A number unique to the domain within this process (`H5Fget_fileno`).
    pub fn fileno(&self) -> u64 {
        let hex = self.root.hex();
        u64::from_str_radix(hex.get(..15).unwrap_or("0"), 16).unwrap_or(0)
    }

    /// Fails with a clear message unless the file is writable.
    pub fn check_writable(&self, operation: &str) -> Result<(), VolError> {
        if self.writable {
            Ok(())
        } else {
            Err(VolError::InvalidArgument(format!(
                "{operation}: file '{}' is open read-only",
                self.name
            )))
        }
    }

    /// `H5Fflush`: asks the service to make everything of this domain durable.
    pub fn flush(&self) -> Result<(), VolError> {
        if !self.writable {
            return Ok(());
        }
        self.flush_values(None)?;
        self.send(Request::put("/").param("flush", "1"))?;
        Ok(())
    }

    /// `H5*refresh`: forgets the metadata answers and dataset values cached for this domain and
    /// asks the service to recheck its caches against storage (`GET /?refresh=1`; HSDS ignores
    /// the parameter), so that the next reads see what other processes wrote.
    pub fn refresh(&self) -> Result<(), VolError> {
        self.session.forget_cached(&self.domain)?;
        self.send(Request::get("/").param("refresh", "1"))?;
        self.session.forget_cached(&self.domain)?;
        Ok(())
    }

    /// The dataset values held for this session (keyed by domain: see
    /// [`crate::vol::value_cache`]).
    pub fn values(&self) -> &super::value_cache::ValueCache {
        self.session.values()
    }

    /// Sends the dataset writes held back for `dataset` (`None`: for this domain); see
    /// [`Session::flush_values`].
    ///
    /// # Errors
    /// The first write that failed; the changes stay held.
    pub fn flush_values(&self, dataset: Option<&ObjId>) -> Result<(), VolError> {
        let scope = match dataset {
            Some(id) => Scope::Dataset(&self.domain, id.as_str()),
            None => Scope::Domain(&self.domain),
        };
        self.session.flush_values(scope)
    }

    /// Sends a request about this domain.
    pub fn send(&self, request: Request) -> Result<crate::client::Response, VolError> {
        self.session.send(request.domain(self.domain.clone()))
    }

    /// Sends several requests about this domain concurrently; answers come back in order.
    pub fn send_all(
        &self,
        requests: Vec<Request>,
    ) -> Result<Vec<Result<crate::client::Response, VolError>>, VolError> {
        let requests = requests.into_iter().map(|r| r.domain(self.domain.clone())).collect();
        self.session.send_all(requests)
    }

    /// Sends a request and parses its JSON answer.
    pub fn send_json(&self, request: Request) -> Result<Value, VolError> {
        Ok(self.send(request)?.json::<Value>()?)
    }

    /// Counts an object opened in this file.
    pub fn object_opened(&self) {
        self.open_objects.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an object closed in this file.
    pub fn object_closed(&self) {
        self.open_objects.fetch_sub(1, Ordering::Relaxed);
    }

    /// `H5Fclose`: sends the dataset writes held back for the domain and, in direct access,
    /// flushes a writable domain (and the files mounted on it) so the next process sees it.
    pub fn close(&self) -> Result<(), VolError> {
        for child in self.mounts.children_files() {
            child.close()?;
        }
        self.flush_values(None)?;
        if self.session.is_direct() {
            match self.flush() {
                // The domain was deleted while open: nothing is left to flush.
                Err(err) if err.is_not_found() => {}
                other => other?,
            }
        }
        Ok(())
    }
}

/// Every file this process has open (while any handle or object keeps it open).
static OPEN_FILES: Mutex<Vec<Weak<OpenFile>>> = Mutex::new(Vec::new());

fn open_files() -> std::sync::MutexGuard<'static, Vec<Weak<OpenFile>>> {
    OPEN_FILES.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `file`, shared and recorded as open.
fn registered(file: OpenFile) -> Arc<OpenFile> {
    let file = Arc::new(file);
    let mut open = open_files();
    open.retain(|f| f.strong_count() > 0);
    open.push(Arc::downgrade(&file));
    file
}

/// Whether this process has `domain` of the service `settings` names open.
fn is_open(domain: &str, settings: &Settings) -> bool {
    open_files()
        .iter()
        .filter_map(Weak::upgrade)
        .any(|f| f.domain == domain && f.session.settings() == settings)
}

fn root_of(reply: &Value, domain: &str) -> Result<ObjId, VolError> {
    let root = reply
        .get("root")
        .and_then(Value::as_str)
        .ok_or_else(|| VolError::InvalidArgument(format!("'{domain}' is a folder, not a file")))?;
    Ok(ObjId::parse(root)?)
}
