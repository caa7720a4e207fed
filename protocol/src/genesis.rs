//! Shared genesis: the first change of a document that several devices create identically.
//!
//! Two reps who call the same unknown number offline each create a lead for it. When both
//! devices derive the lead's id from the number (`fieldsales-core`'s quick-log) and write the
//! same first change — same content, time 0, no dependencies, under an actor derived from the
//! id rather than the device's — Automerge sees one change, not two, and each device's own
//! edits follow under its own actor. Device and server agree here on that actor, so the
//! server can accept a change that is not the sending device's when it is exactly this one.
//!
//! It must not know how ids are derived (the engine's business) nor what the change holds.

/// The first byte of a shared genesis actor: device actors are 16 bytes, a genesis actor 17,
/// so neither can ever be taken for the other.
const MARK: u8 = 0xfe;

/// The actor of the shared genesis change of document `doc_id` (a hyphenated UUID), or `None`
/// when `doc_id` is not a UUID.
pub fn shared_genesis_actor(doc_id: &str) -> Option<Vec<u8>> {
    let hex: Vec<u8> = doc_id.bytes().filter(|b| *b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut actor = Vec::with_capacity(17);
    actor.push(MARK);
    for pair in hex.chunks(2) {
        let text = std::str::from_utf8(pair).ok()?;
        actor.push(u8::from_str_radix(text, 16).ok()?);
    }
    Some(actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_genesis_actor_is_never_a_device_actor() {
        let actor = shared_genesis_actor("0190a3b4-7c2d-5e6f-8a9b-0c1d2e3f4a5b").expect("a uuid");
        assert_eq!(actor.len(), 17);
        assert_eq!(actor[0], MARK);
        assert_eq!(shared_genesis_actor("not-a-uuid"), None);
    }
}
