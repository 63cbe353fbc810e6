//! Real Debian `redis-server` processes for the tests: one server with persistence, or a
//! 3-master Redis Cluster, each on free loopback ports in a private temp dir, stopped on `Drop`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `redis-server` process.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    cluster: bool,
    owns_dir: bool,
}

fn temp_dir(tag: &str) -> PathBuf {
    let mut bytes = [0u8; 8];
    aws_lc_rs::rand::fill(&mut bytes).expect("random");
    let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("oidckit-{tag}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    dir
}

/// A free loopback port (for a Cluster node, one whose bus port, +10000, is free too).
fn free_port(cluster: bool) -> u16 {
    for _ in 0..200 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        if !cluster {
            return port;
        }
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair for a Redis Cluster node");
}

fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run redis-cli (apt-get install redis-server)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `redis-server` and `redis-cli` can run here. When they cannot, the test is skipped if
/// `OIDCKIT_SKIP_SYSTEM_SERVERS=1` is set (the answer is `false`) and fails with the apt line
/// otherwise, so a missing package is never a silent pass.
pub fn available() -> bool {
    let runs = |bin: &str| {
        Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if runs("redis-server") && runs("redis-cli") {
        return true;
    }
    if std::env::var("OIDCKIT_SKIP_SYSTEM_SERVERS").as_deref() == Ok("1") {
        eprintln!("skipping: redis-server is not installed and OIDCKIT_SKIP_SYSTEM_SERVERS=1");
        return false;
    }
    panic!(
        "redis-server/redis-cli not found: run `apt-get install -y redis-server redis-tools` \
         (or set OIDCKIT_SKIP_SYSTEM_SERVERS=1 to skip the Redis tests)"
    );
}

impl RedisServer {
    /// A single server with append-only persistence.
    pub fn start() -> RedisServer {
        let dir = temp_dir("redis");
        Self::spawn(free_port(false), dir, false, true)
    }

    fn spawn(port: u16, dir: PathBuf, cluster: bool, owns_dir: bool) -> RedisServer {
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            cluster,
            owns_dir,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let port = self.port.to_string();
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
        ])
        .args([
            "--appendfsync",
            "always",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
        ])
        .arg("--dir")
        .arg(&self.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        if self.cluster {
            cmd.args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ]);
        }
        self.child = Some(
            cmd.spawn()
                .expect("start redis-server (apt-get install redis-server)"),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !cli(self.port, &["PING"]).contains("PONG") {
            assert!(
                Instant::now() < deadline,
                "redis-server on {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (it writes its append-only file) and starts it again on the same port
    /// and directory.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = cli(self.port, &["SHUTDOWN"]);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A Redis Cluster of three masters (no replicas).
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    dir: PathBuf,
}

impl RedisCluster {
    pub fn start() -> RedisCluster {
        let dir = temp_dir("redis-cluster");
        let mut nodes = Vec::new();
        for i in 0..3 {
            let node_dir = dir.join(format!("node{i}"));
            std::fs::create_dir_all(&node_dir).expect("node dir");
            nodes.push(RedisServer::spawn(free_port(true), node_dir, true, false));
        }
        let cluster = RedisCluster { nodes, dir };
        let addrs: Vec<String> = cluster
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("redis-cli --cluster create");
        assert!(out.success(), "redis-cli --cluster create failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cluster
            .nodes
            .iter()
            .all(|n| cli(n.port, &["CLUSTER", "INFO"]).contains("cluster_state:ok"))
        {
            assert!(
                Instant::now() < deadline,
                "the Redis Cluster did not become ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    /// The nodes' URLs.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// Ports of the masters.
    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|n| n.port).collect()
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        self.nodes.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
