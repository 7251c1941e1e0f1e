//! A PostgreSQL cluster of the scenario's own on a free port, so that it may be stopped and
//! started: `initdb` into a temporary directory, stopped when dropped.

use crate::harness::{free_port, tail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A PostgreSQL cluster of the scenario's own: `initdb` into a temporary directory, trust
/// authentication, its socket in that directory, run as the `postgres` OS user (initdb and
/// postgres refuse to run as root). Stopped with `pg_ctl stop -m immediate` when dropped.
pub struct OwnPostgres {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub log: PathBuf,
}

/// The directory of the newest installed PostgreSQL's programs (`/usr/lib/postgresql/<v>/bin`).
fn postgres_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("initdb").is_file().then_some((v, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().map(|(_, b)| b).expect("PostgreSQL server programs under /usr/lib/postgresql/<version>/bin")
}

/// Runs a PostgreSQL program as the `postgres` user (or as ourselves when we are not root).
fn as_postgres(program: &Path) -> Command {
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn check(what: &str, out: std::io::Result<std::process::Output>) {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl OwnPostgres {
    /// A new cluster on a free port, started.
    pub fn start_new() -> OwnPostgres {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().unwrap();
        check("chown of the cluster directory", Command::new("chown").arg("postgres:").arg(dir.path()).output());
        let data = dir.path().join("data");
        let init = as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .output();
        check("initdb", init);
        let pg = OwnPostgres { port: free_port(), log: dir.path().join("postgres.log"), dir, bin };
        pg.start();
        pg
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=32MB",
            self.port,
            self.dir.path().display()
        );
        let out = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            .output();
        let ok = out.as_ref().is_ok_and(|o| o.status.success());
        assert!(ok, "pg_ctl start failed: {:?}\n{}", out.map(|o| o.status), tail(&self.log, 30));
    }

    /// `pg_ctl stop -m <mode>`, waiting until it is down.
    pub fn stop(&self, mode: &str) {
        let out = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", mode, "-w", "-t", "60", "stop"])
            .stdin(Stdio::null())
            .output();
        check(&format!("pg_ctl stop -m {mode}"), out);
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
