//! Diagnostics: calls that measure the boundary itself, for `cargo xtask bench ffi_call`.
//!
//! They touch no store and hold no logic; apps have no use for them.

/// Receives `data` across the boundary and returns its length: the cost of moving a byte
/// array from Kotlin/Swift into Rust.
#[uniffi::export]
pub fn diagnostics_receive_bytes(data: Vec<u8>) -> u64 {
    data.len() as u64
}

/// Returns `data` unchanged: the cost of a byte array crossing both ways.
#[uniffi::export]
pub fn diagnostics_echo_bytes(data: Vec<u8>) -> Vec<u8> {
    data
}
