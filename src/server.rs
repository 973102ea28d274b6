//! The service: service node (SN) and data node (DN) HTTP handlers speaking HSDS's REST API,
//! routing, authentication and ACLs, fan-out to DNs, caches, write-back and node discovery.

pub mod chunks;
pub mod values;
