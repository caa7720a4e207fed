//! `[console]`: the manager console's settings.
//!
//! The console shows every time in the tenant's time zone, and a date range typed by a manager
//! ("this week") means days in that zone. One zone per server for now (every tenant of a
//! company-run server sits in one country); it is an IANA name so that a zone with summer time
//! is shown right too.

use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The console's settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSettings {
    /// IANA time-zone name, e.g. `Asia/Shanghai` (the default).
    pub time_zone: String,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            time_zone: "Asia/Shanghai".into(),
        }
    }
}

impl ConsoleSettings {
    /// The zone; [`ConsoleSettings::check`] made sure it parses.
    pub fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::Asia__Shanghai)
    }

    pub(super) fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("FIELDSALES_SERVER_CONSOLE_TIME_ZONE") {
            self.time_zone = v.trim().to_string();
        }
        Ok(())
    }

    pub(super) fn check(&self) -> Result<()> {
        self.time_zone
            .parse::<Tz>()
            .map(|_| ())
            .map_err(|_| Error::Config("console.time_zone is not an IANA time-zone name".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_zone_is_shanghai_and_a_wrong_name_is_refused() {
        let settings = ConsoleSettings::default();
        assert_eq!(settings.zone(), Tz::Asia__Shanghai);
        settings.check().unwrap();
        let wrong = ConsoleSettings {
            time_zone: "Mars/Olympus".into(),
        };
        assert!(wrong.check().is_err());
    }
}
