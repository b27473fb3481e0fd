//! The only code that writes outputs. Every file is first written to a
//! temporary file in its target folder; only when all of them are written
//! are they renamed into place, each existing file of the same name first
//! moved aside. If anything fails, the temporary files are removed, files
//! already renamed by this run are taken back and the files they replaced
//! are put back, so a failed run leaves no half-written file, no partial
//! set, and the folder as it was (SPEC §7).

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
    // A file, or a device such as /dev/null (a breaker's --out got "File
    // exists (os error 17)", exit 1): anything there that is no folder.
    if dir.exists() && !dir.is_dir() {
        let what = match dir.is_file() {
            true => "a file",
            false => "a device or a special file",
        };
        return Err(Error::bad_argument(format!(
            "{}: is {what}, not a folder; give a folder to write into",
            dir.display()
        )));
    }
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

/// Renames staged temporary files into place; on failure undoes this run's
/// renames and restores what they replaced.
pub fn persist_all(staged: Vec<(tempfile::NamedTempFile, PathBuf)>) -> Result<Vec<PathBuf>> {
    // (target, the earlier file moved aside from it, if any)
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    // On an early return the staged files not yet renamed drop, which removes them.
    for (tmp, target) in staged {
        if target.is_dir() {
            undo(&done);
            return Err(Error::Output {
                path: target,
                detail: "a folder of that name is in the way".into(),
            });
        }
        let aside = match target.exists() {
            true => match move_aside(&target) {
                Ok(p) => Some(p),
                Err(e) => {
                    undo(&done);
                    return Err(Error::Output {
                        path: target,
                        detail: e.to_string(),
                    });
                }
            },
            false => None,
        };
        if let Err(e) = tmp.persist(&target) {
            if let Some(a) = &aside {
                let _ = std::fs::rename(a, &target);
            }
            undo(&done);
            return Err(Error::Output {
                path: target,
                detail: e.error.to_string(),
            });
        }
        done.push((target, aside));
    }
    for (_, aside) in &done {
        if let Some(a) = aside {
            let _ = std::fs::remove_file(a);
        }
    }
    Ok(done.into_iter().map(|(t, _)| t).collect())
}

/// Renames an existing file to a hidden name beside it; returns that name.
fn move_aside(target: &Path) -> std::io::Result<PathBuf> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    for i in 0..1000 {
        let aside = dir.join(format!(".leadloop-old-{i}-{name}"));
        if !aside.exists() {
            std::fs::rename(target, &aside)?;
            return Ok(aside);
        }
    }
    Err(std::io::Error::other(
        "no free name to move the old file aside",
    ))
}

/// Takes back this run's renames, last first, and restores what they replaced.
fn undo(done: &[(PathBuf, Option<PathBuf>)]) {
    for (target, aside) in done.iter().rev() {
        let _ = std::fs::remove_file(target);
        if let Some(a) = aside {
            let _ = std::fs::rename(a, target);
        }
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

    /// A failed run over an earlier report keeps the earlier files as they
    /// were (the helper who tried to break leadloop lost 17 of 21 files of
    /// an earlier report when one rename failed).
    #[test]
    #[allow(clippy::disallowed_methods)] // the earlier report, written as a user's would be
    fn a_failure_restores_the_files_it_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), b"old a").unwrap();
        std::fs::write(dir.path().join("c.csv"), b"old c").unwrap();
        std::fs::create_dir(dir.path().join("b.csv")).unwrap();
        let err = write_all(
            dir.path(),
            &[
                ("a.csv".into(), b"new a".to_vec()),
                ("b.csv".into(), b"new b".to_vec()),
                ("c.csv".into(), b"new c".to_vec()),
            ],
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert_eq!(names(dir.path()), ["a.csv", "b.csv", "c.csv"]);
        assert_eq!(std::fs::read(dir.path().join("a.csv")).unwrap(), b"old a");
        assert_eq!(std::fs::read(dir.path().join("c.csv")).unwrap(), b"old c");
        // And a successful run replaces them, leaving nothing aside.
        std::fs::remove_dir(dir.path().join("b.csv")).unwrap();
        write_all(dir.path(), &[("a.csv".into(), b"new a".to_vec())]).unwrap();
        assert_eq!(names(dir.path()), ["a.csv", "c.csv"]);
        assert_eq!(std::fs::read(dir.path().join("a.csv")).unwrap(), b"new a");
    }
}
