//! Owner-only files: the data directory is `0700` and every file the core keeps in it `0600`.
//!
//! A store holds a company's customer book, a rep's call notes and (beside it) the session
//! that opens the rep's account; on a shared machine (a laptop running the command line, a
//! test runner, a rooted phone) other accounts must not read them. SQLite creates a new
//! database `0644` (less the umask), but its unix VFS gives the files it makes later — the
//! `-wal`, the `-shm` and a `-journal` — the permissions of the database file itself. So the
//! database file is created `0600` here, before SQLite opens it, and SQLite's own files follow.
//! Setting the process umask around the open instead would change it for every other thread of
//! the app, which is not ours to touch.
//!
//! Files written whole (the session, the accounts index) go through [`write_private`]: a
//! temporary file that is `0600` from its creation, synced, renamed over the old one, and the
//! directory synced, so a crash leaves the old file or the new one, never half of one.
//!
//! Stores made by older versions, whose files are world-readable, are tightened when opened.
//! Where there are no unix permissions (Windows) the app's private directory is the protection
//! and these steps only create and write.
//!
//! This module decides how files are made, not which files exist or what is in them: the store
//! and the credentials name their files.

use std::io::Write;
use std::path::Path;

/// The files SQLite keeps beside a database, by suffix.
const SQLITE_SIDE_FILES: &[&str] = &["-wal", "-shm", "-journal"];

/// Creates `dir` (and missing parents) owner-only, or tightens it when it exists with access
/// for others.
pub(crate) fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    if tighten(dir)? {
        tracing::info!("tightened the data directory's permissions to the owner only");
    }
    Ok(())
}

/// Makes sure the database at `path` exists owner-only before SQLite opens it (an empty file is
/// an empty database), and tightens the files of a store made by an older version.
pub(crate) fn private_database(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(path)?);
    let mut tightened = usize::from(tighten(path)?);
    for suffix in SQLITE_SIDE_FILES {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        tightened += usize::from(tighten(Path::new(&side))?);
    }
    if tightened > 0 {
        tracing::info!(
            files = tightened,
            "tightened the store files' permissions to the owner only"
        );
    }
    Ok(())
}

/// Replaces the file at `path` with `bytes`, atomically and owner-only.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent(path);
    // `tempfile` creates the file 0600 with a name no one else can have guessed.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Removes the file at `path` if it is there; the removal is synced to disk.
pub(crate) fn remove_private(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(parent(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A rename or removal is durable only once the directory holding it is synced.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Takes the group's and others' permission bits off `path`; `true` if there were any. A
/// missing file is left missing.
fn tighten(path: &Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7700))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_data_directory_and_database_are_for_the_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let db = dir.join("user-x.sqlite3");
        private_database(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn an_older_store_opened_again_loses_access_for_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.path().join("user-x.sqlite3");
        for file in ["user-x.sqlite3", "user-x.sqlite3-wal", "user-x.sqlite3-shm"] {
            let path = dir.path().join(file);
            std::fs::write(&path, b"old").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_dir(dir.path()).unwrap();
        private_database(&db).unwrap();
        assert_eq!(mode(dir.path()), 0o700);
        for file in ["user-x.sqlite3", "user-x.sqlite3-wal", "user-x.sqlite3-shm"] {
            assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
        }
        assert_eq!(
            std::fs::read(&db).unwrap(),
            b"old",
            "contents are untouched"
        );
    }

    #[test]
    fn a_private_write_replaces_the_file_whole_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp left"
        );
        remove_private(&path).unwrap();
        remove_private(&path).unwrap();
        assert!(!path.exists());
    }
}
