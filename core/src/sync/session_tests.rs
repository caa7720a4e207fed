//! Where a session leaves traces on disk: the token only in the session file, every file
//! owner-only, and nothing left after sign-out.

use std::path::Path;
use std::sync::Arc;

use crate::sync::fake::FakeTransport;
use crate::sync::testing::{config, customer, device, login};
use crate::FieldSales;

/// The token the fake server hands out.
const TOKEN: &[u8] = b"tok-1";

/// The names of the files in `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .expect("the data directory")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            std::fs::read(path)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        })
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn the_token_is_only_in_the_session_file_and_sign_out_leaves_it_nowhere() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, dir) = device(&fake).await;
    customer(&fs, "甲");
    fs.sync().sync_async().await.unwrap();
    assert!(dir.path().join("user-rep-1.sqlite3-wal").exists());
    assert_eq!(
        files_containing(dir.path(), TOKEN),
        vec!["user-rep-1.session".to_string()],
        "the database and its log hold no token"
    );

    fs.sync().logout_async().await.unwrap();
    assert!(!fs.sync().status().unwrap().signed_in);
    assert_eq!(files_containing(dir.path(), TOKEN), Vec::<String>::new());
}

#[tokio::test]
async fn a_session_issued_by_another_server_than_the_stores_is_not_used() {
    let fake = Arc::new(FakeTransport::default());
    let (fs, _dir) = device(&fake).await;
    // A crash between the two writes of a login to another server: the database names the new
    // server, the session file still holds the old server's token.
    fs.engine
        .store
        .transaction(|tx| super::state::save_server(tx, "https://other.example.com/"))
        .unwrap();
    assert!(!fs.sync().status().unwrap().signed_in);
    let err = fs.sync().sync_async().await.unwrap_err();
    assert!(
        matches!(err, crate::Error::Sync(crate::sync::SyncError::NotSignedIn)),
        "{err:?}"
    );
    assert!(fake.calls().is_empty(), "the token went nowhere");
}

#[cfg(unix)]
#[tokio::test]
async fn every_file_of_a_signed_in_synced_store_is_for_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let fake = Arc::new(FakeTransport::default());
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("fieldsales");
    let (fs, _session) = FieldSales::sign_in(&data, config(&fake), &login("secret")).unwrap();
    customer(&fs, "甲");
    fs.sync().sync_async().await.unwrap();

    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data directory");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(mode(&path), 0o600, "{name}");
        names.push(name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "accounts.json",
            "user-rep-1.session",
            "user-rep-1.sqlite3",
            "user-rep-1.sqlite3-shm",
            "user-rep-1.sqlite3-wal"
        ],
        "every file the store writes was checked"
    );
}
