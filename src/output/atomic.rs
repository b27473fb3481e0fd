//! The only code that writes outputs. Every file is first written to a
//! temporary file in its target folder; only when all of them are written
//! are they renamed into place. If anything fails, the temporary files are
//! removed and files already renamed by this run are taken back, so a failed
//! run leaves no half-written file and no partial set (SPEC §7).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A builder for staged files: hidden names, and the usual permissions
/// (0666 less the umask) rather than tempfile's private 0600.
pub fn staging() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".leadloop-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

/// Writes `files` (name, bytes) into `dir`, all or nothing.
pub fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let fail = |path: &Path, e: std::io::Error| Error::Output {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let mut tmp = staging().tempfile_in(dir).map_err(|e| fail(dir, e))?;
        tmp.write_all(bytes).map_err(|e| fail(&dir.join(name), e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| fail(&dir.join(name), e))?;
        staged.push((tmp, dir.join(name)));
    }
    persist_all(staged)
}

/// Renames staged temporary files into place; on failure undoes this run's renames.
pub fn persist_all(staged: Vec<(tempfile::NamedTempFile, PathBuf)>) -> Result<Vec<PathBuf>> {
    let mut done: Vec<PathBuf> = Vec::new();
    // On an early return the staged files not yet renamed drop, which removes them.
    for (tmp, target) in staged {
        if target.is_dir() {
            undo(&done);
            return Err(Error::Output {
                path: target,
                detail: "a folder of that name is in the way".into(),
            });
        }
        if let Err(e) = tmp.persist(&target) {
            undo(&done);
            return Err(Error::Output {
                path: target,
                detail: e.error.to_string(),
            });
        }
        done.push(target);
    }
    Ok(done)
}

fn undo(done: &[PathBuf]) {
    for p in done {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r");
        write_all(
            &out,
            &[
                ("a.csv".into(), b"1".to_vec()),
                ("b.csv".into(), b"2".to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(names(&out), ["a.csv", "b.csv"]);
        assert_eq!(std::fs::read(out.join("b.csv")).unwrap(), b"2");
    }

    #[test]
    fn a_failure_leaves_nothing_new_behind() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b.csv")).unwrap();
        let err = write_all(
            dir.path(),
            &[
                ("a.csv".into(), b"1".to_vec()),
                ("b.csv".into(), b"2".to_vec()),
                ("c.csv".into(), b"3".to_vec()),
            ],
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert_eq!(names(dir.path()), ["b.csv"]);
    }
}
