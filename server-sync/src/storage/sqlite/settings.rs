//! Tenant settings in SQLite: one row per tenant in `tenant_settings` (migration 5), absent
//! until an administrator changes a setting, so a tenant without a row has the defaults of
//! [`TenantSettings`]. Only the SQL lives here; what each setting means is the protocol's.

use fieldsales_protocol::TenantSettings;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// The settings of `tenant_id` (the defaults when none were set).
pub fn load(conn: &Connection, tenant_id: &str) -> Result<TenantSettings> {
    let row = conn
        .prepare_cached(
            "SELECT photo_watermark, utc_offset_minutes FROM tenant_settings WHERE tenant_id = ?1",
        )?
        .query_row([tenant_id], |r| {
            Ok(TenantSettings {
                photo_watermark: r.get::<_, i64>(0)? != 0,
                utc_offset_minutes: r.get(1)?,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

/// Replaces the settings of `tenant_id`.
pub fn save(conn: &Connection, tenant_id: &str, settings: &TenantSettings) -> Result<()> {
    conn.execute(
        "INSERT INTO tenant_settings (tenant_id, photo_watermark, utc_offset_minutes)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id) DO UPDATE SET
             photo_watermark = excluded.photo_watermark,
             utc_offset_minutes = excluded.utc_offset_minutes",
        params![
            tenant_id,
            settings.photo_watermark as i64,
            settings.utc_offset_minutes
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_without_a_row_has_the_defaults_and_a_saved_row_is_read_back_per_tenant() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 'x'), ('t2', 'globex', 'x');",
        )
        .unwrap();
        assert_eq!(load(&conn, "t1").unwrap(), TenantSettings::default());
        let on = TenantSettings {
            photo_watermark: true,
            utc_offset_minutes: -210,
        };
        save(&conn, "t1", &on).unwrap();
        assert_eq!(load(&conn, "t1").unwrap(), on);
        assert_eq!(load(&conn, "t2").unwrap(), TenantSettings::default());
        let off = TenantSettings {
            photo_watermark: false,
            ..on
        };
        save(&conn, "t1", &off).unwrap();
        assert_eq!(load(&conn, "t1").unwrap(), off);
    }
}
