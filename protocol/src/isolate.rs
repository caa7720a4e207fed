//! Running Automerge on bytes from elsewhere so that a failure costs one document, not the
//! request or the app.
//!
//! Automerge 0.12 panics on some crafted or damaged changes instead of returning an error
//! (a change that names an object its document lacks: "Obj … Missing from Index"). The server
//! applies each device's changes, and a device applies each server answer, document by
//! document: [`isolate`] runs one document's work and turns such a panic into [`Malformed`],
//! so the caller refuses or skips that document and goes on with the rest.
//!
//! This module owns the catching and the silence, and nothing else. It must not decide what a
//! malformed document means (the server rejects it, a device skips it); and the caller must
//! throw away whatever the work was building (the half-applied document, the savepoint), never
//! store it.
//!
//! While the work runs, the panic message is kept out of the logs: it can quote a document's
//! internals, and the caller logs the document id and "malformed change" instead. Panics
//! anywhere else still reach the hook that was installed before (the default one prints them).

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// Automerge failed (panicked) on the bytes of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed change: Automerge could not apply it")]
pub struct Malformed;

thread_local! {
    /// How many [`isolate`] calls this thread is inside: their panics are expected and quiet.
    static ISOLATING: Cell<u32> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs `work`, turning a panic inside it into [`Malformed`].
///
/// `work` is treated as unwind-safe: the caller promises to drop everything `work` mutated
/// when this returns `Err` (see the module doc).
///
/// ```
/// use fieldsales_protocol::isolate::{isolate, Malformed};
/// assert_eq!(isolate(|| 2 + 2), Ok(4));
/// let crafted: Vec<u8> = vec![];
/// assert_eq!(isolate(|| crafted[3]), Err(Malformed));
/// ```
pub fn isolate<T>(work: impl FnOnce() -> T) -> Result<T, Malformed> {
    install_quiet_hook();
    ISOLATING.with(|depth| depth.set(depth.get() + 1));
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    ISOLATING.with(|depth| depth.set(depth.get().saturating_sub(1)));
    outcome.map_err(|_| Malformed)
}

/// Chains a hook in front of the one installed now, once per process: silent inside
/// [`isolate`], the previous hook everywhere else.
fn install_quiet_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if ISOLATING.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_and_the_thread_goes_on() {
        let result: Result<(), Malformed> = isolate(|| panic!("Obj 1@abc Missing from Index"));
        assert_eq!(result, Err(Malformed));
        assert_eq!(isolate(|| "still here"), Ok("still here"));
        assert_eq!(ISOLATING.with(Cell::get), 0, "the depth is restored");
    }

    #[test]
    fn nested_isolation_restores_the_depth() {
        let outer = isolate(|| {
            let inner: Result<(), Malformed> = isolate(|| panic!("inner"));
            assert_eq!(inner, Err(Malformed));
            ISOLATING.with(Cell::get)
        });
        assert_eq!(outer, Ok(1));
        assert_eq!(ISOLATING.with(Cell::get), 0);
    }
}
