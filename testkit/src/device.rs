//! Phones in tests and harnesses: a store signed in through the product's login, or the store
//! of a known user opened without one (for devices that then speak the protocol by hand).

use std::path::Path;

use fieldsales_core::sync::Login;
use fieldsales_core::{Config, FieldSales, Identity};
use fieldsales_server::storage::User;

/// Signs a new phone in at `login` and opens its store in `dir`, as an app's login screen does.
pub fn sign_in(dir: &Path, login: &Login, config: Config) -> fieldsales_core::Result<FieldSales> {
    Ok(FieldSales::sign_in(dir, config, login)?.0)
}

/// Opens the store of `user` (as the server created them) in `dir`, without signing in.
pub fn open_store(dir: &Path, user: &User) -> fieldsales_core::Result<FieldSales> {
    let identity = Identity::new(user.id.clone(), user.team_id.clone())?;
    FieldSales::open(dir, identity, Config::default())
}
