//! Search: customers by Chinese name, pinyin (full or initials) or phone digits.

use fieldsales_core::customer::CustomerSummary;

use crate::convert::count_in;
use crate::error::{guard, Result};
use crate::root::Ctx;

/// The search area: `store.search()`.
#[derive(uniffi::Object)]
pub struct Search {
    ctx: Ctx,
}

impl Search {
    pub(crate) fn new(ctx: Ctx) -> Self {
        Search { ctx }
    }
}

#[uniffi::export]
impl Search {
    /// Live customers matching `query`, at most `limit`. `北京小米`, `beijingxiaomi`, `bjxm`
    /// and the last digits of a phone all find 北京小米. An empty query finds nothing (the rep
    /// is still typing); it is not an error. Fast enough to call on every keystroke.
    ///
    /// ```kotlin
    /// val hits = store.search().customers("bjxm", limit = 20)
    /// ```
    pub fn customers(&self, query: String, limit: i32) -> Result<Vec<CustomerSummary>> {
        guard(|| {
            Ok(self
                .ctx
                .core
                .search()
                .customers(&query, count_in(limit, "limit")?)?)
        })
    }
}
