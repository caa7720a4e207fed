//! A stand-in for the sync server in the duplicate tests: an append-only change log that every
//! device pushes its outbox to and pulls others' changes from (by cursor), plus a server store
//! that applies everything, as the real server keeps its own copy of each document.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;

use fieldsales_core::outbox::IncomingChanges;

use crate::common::{device, Device};

pub struct Hub {
    pub server: Device,
    log: RefCell<Vec<(String, IncomingChanges)>>,
    cursors: RefCell<HashMap<String, usize>>,
}

impl Hub {
    pub fn new() -> Hub {
        Hub {
            server: device("server", "all"),
            log: RefCell::new(Vec::new()),
            cursors: RefCell::new(HashMap::new()),
        }
    }

    fn push_from(&self, origin: &str, d: &Device) {
        let outgoing = d.fs.outbox(100_000).unwrap();
        let batch: Vec<IncomingChanges> = outgoing
            .iter()
            .map(|c| IncomingChanges {
                doc_id: c.doc_id.clone(),
                kind: c.kind,
                changes: vec![c.change.clone()],
            })
            .collect();
        if origin != "server" {
            self.server.fs.apply_changes(&batch).unwrap();
        }
        self.log
            .borrow_mut()
            .extend(batch.into_iter().map(|b| (origin.to_string(), b)));
        if let Some(last) = outgoing.last() {
            d.fs.acknowledge(last.seq).unwrap();
        }
    }

    /// One sync round trip of device `d`: push its outbox, pull what others wrote since.
    pub fn sync(&self, d: &Device) {
        let me = d.fs.identity().user_id.clone();
        self.push_from(&me, d);
        // What the server wrote while applying (settled merges) goes into the log too.
        self.push_from("server", &self.server);
        let start = *self.cursors.borrow().get(&me).unwrap_or(&0);
        let batch: Vec<IncomingChanges> = self.log.borrow()[start..]
            .iter()
            .filter(|(origin, _)| *origin != me)
            .map(|(_, c)| c.clone())
            .collect();
        d.fs.apply_changes(&batch).unwrap();
        let end = self.log.borrow().len();
        self.cursors.borrow_mut().insert(me, end);
    }

    /// Syncs every device a few times over, until nothing is left to exchange.
    pub fn settle_all(&self, devices: &[&Device]) {
        for _ in 0..3 {
            for d in devices {
                self.sync(d);
            }
        }
    }
}
