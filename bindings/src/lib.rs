//! `fieldsales-ffi`: the fieldsales core as Kotlin, Swift and Python see it, through UniFFI.
//!
//! This crate owns the shape of the foreign API and nothing else: the objects, the small error
//! enum apps act on, and the tokio runtime that runs long calls off the caller's thread. Every
//! rule (validation, merge, search) stays in `fieldsales-core`; a function here converts its
//! inputs, calls the core once and converts the answer. If you find yourself writing an `if`
//! about business data here, it belongs in the core.
//!
//! One vocabulary: the records and enums are the core's own (`Customer`, `Visit`,
//! `SyncReport`, …), which carry UniFFI derives behind the core's `uniffi` feature and form the
//! `fieldsales_core` component of this library (Kotlin package `app.fieldsales.core`, Python
//! module `fieldsales_core`, the same Swift module). A record is defined here only where apps
//! need another shape than the core's, and each says why in its module and has a test that a
//! fully-populated value converts with every field kept (the conversions name every field, no
//! `..`, so a field added to the core breaks the build until it is handled here):
//! [`NewCustomer`], [`NewQuickLog`], [`NewTask`], [`CheckOut`], [`HealthReport`],
//! [`SyncSession`], [`SyncStatus`].
//!
//! Shape: one root object, [`FieldSales`], opened with a data directory and a
//! [`FieldSalesConfig`], hands out one object per area — `customers()`, `visits()`,
//! `quickLog()`, `tasks()`, `search()`, `conflicts()`, `health()`, `changes()`, `sync()` — as the core
//! does. Each crossing costs microseconds, so calls are coarse: one call per user action.
//!
//! Sync: `FieldSales.signIn` (async constructor) for the first sign-in, then `sync()` hands out
//! a [`SyncClient`] whose `async` login and sync run on the same [`runtime`], and whose
//! auto-sync engine reports through [`SyncListener`], a foreign trait like [`StoreListener`].
//!
//! Guarantees at the boundary:
//! - no panic crosses it: every exported call runs inside [`error::guard`], which turns a panic
//!   into [`FieldSalesError::Internal`];
//! - errors are [`FieldSalesError`]: Kotlin sees `FieldSalesException`, Swift `FieldSalesError`,
//!   Python `FieldSalesError`; none of its fields is called `message` (it would clash with
//!   `Throwable.message`).

mod changes;
mod conflict;
mod convert;
mod customer;
mod diagnostics;
mod error;
mod events;
mod health;
mod media;
mod quicklog;
mod root;
mod runtime;
mod search;
mod sync;
mod task;
mod visit;

pub use changes::*;
pub use conflict::*;
pub use customer::*;
pub use diagnostics::*;
pub use error::FieldSalesError;
pub use events::*;
pub use health::*;
pub use quicklog::*;
pub use root::*;
pub use search::*;
pub use sync::*;
pub use task::*;
pub use visit::*;

uniffi::setup_scaffolding!();
