//! The HDF REST API data model: schema-v2 object ids, type JSON, shapes, layouts, links,
//! attributes, the `select` grammar and error bodies. Pure data, serde only; no I/O.
