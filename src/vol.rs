//! The connector's safe core: configuration (info string, environment), the capability flags it
//! advertises, open objects, and the mapping of HDF5 calls to REST calls.

pub mod attribute;
pub mod attribute_limit;
pub mod caps;
pub mod config;
pub mod copy;
pub mod dataset;
pub mod datatype;
pub mod dirty_region;
pub mod domain_name;
pub mod error;
pub mod file;
pub mod group;
pub mod layout_request;
pub mod link;
pub mod mount;
pub mod object;
pub mod reference;
pub mod response_cache;
pub mod session;
pub mod settings;
pub mod token;
pub mod value_cache;

pub use config::{ConnectorConfig, Endpoint};
pub use error::VolError;
pub use settings::{EndpointKey, Settings};
