//! Instance configuration: environment variables, else the same keys in `paygate.toml`, else
//! defaults that let `paygate serve` start on a fresh machine.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paygate_app::{AppConfig, ChainNode, MailTransport, NetworkMode, Secret};

/// Every setting, already resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Apply migrations when `serve` starts (`PAYGATE_MIGRATE`, default on).
    pub migrate_on_start: bool,
    /// Run background jobs in this process (`PAYGATE_JOBS`, default on).
    pub jobs: bool,
    pub log_json: bool,
    pub app: AppConfig,
}

/// Where values come from: the environment first, then the file.
pub struct Source {
    env: HashMap<String, String>,
    file: HashMap<String, String>,
}

impl Source {
    /// Reads `PAYGATE_CONFIG` (default `paygate.toml`, optional) and the process environment.
    pub fn from_process() -> anyhow::Result<Source> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let path = env.get("PAYGATE_CONFIG").cloned();
        let file = match &path {
            Some(p) => read_toml(Path::new(p)).with_context(|| format!("reading {p}"))?,
            None if Path::new("paygate.toml").exists() => {
                read_toml(Path::new("paygate.toml")).context("reading paygate.toml")?
            }
            None => HashMap::new(),
        };
        Ok(Source { env, file })
    }

    pub fn from_maps(env: HashMap<String, String>, file: HashMap<String, String>) -> Source {
        Source { env, file }
    }

    /// Every key either source sets, in its `PAYGATE_…` form.
    pub fn keys(&self) -> std::collections::BTreeSet<String> {
        let long = |k: &String| {
            if k.starts_with("PAYGATE_") || k == "DATABASE_URL" {
                k.clone()
            } else {
                format!("PAYGATE_{}", k.to_ascii_uppercase())
            }
        };
        self.env.keys().chain(self.file.keys()).map(long).collect()
    }

    /// `KEY` from the environment, else `KEY` (or its lower-case name without `PAYGATE_`) from
    /// the file. Empty values count as unset.
    pub fn get(&self, key: &str) -> Option<String> {
        let short = key.strip_prefix("PAYGATE_").unwrap_or(key).to_ascii_lowercase();
        self.env
            .get(key)
            .or_else(|| self.file.get(key))
            .or_else(|| self.file.get(&short))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

fn read_toml(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)?;
    let table: toml::Table = toml::from_str(&text)?;
    Ok(table
        .into_iter()
        .filter_map(|(k, v)| {
            let s = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Float(f) => f.to_string(),
                _ => return None,
            };
            Some((k, s))
        })
        .collect())
}

fn flag(src: &Source, key: &str, default: bool) -> anyhow::Result<bool> {
    match src.get(key).as_deref() {
        None => Ok(default),
        Some("on" | "true" | "1" | "yes") => Ok(true),
        Some("off" | "false" | "0" | "no") => Ok(false),
        Some(other) => bail!("{key}: expected on or off, got {other:?}"),
    }
}

fn number(src: &Source, key: &str, default: i64) -> anyhow::Result<i64> {
    src.get(key)
        .map(|v| v.parse::<i64>().with_context(|| format!("{key} must be a whole number")))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

impl Config {
    pub fn load(src: &Source) -> anyhow::Result<Config> {
        let listen: SocketAddr = src
            .get("PAYGATE_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("PAYGATE_LISTEN must be host:port")?;
        let data_dir = PathBuf::from(src.get("PAYGATE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = src.get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/paygate.db?mode=rwc".into());
        let network_mode = match src.get("PAYGATE_NETWORK_MODE") {
            None => NetworkMode::Sandbox,
            Some(m) => NetworkMode::parse(&m)
                .with_context(|| format!("PAYGATE_NETWORK_MODE: main, test or sandbox, got {m:?}"))?,
        };
        let public_base_url = src.get("PAYGATE_PUBLIC_BASE_URL").unwrap_or_else(|| format!("http://{listen}"));
        url::Url::parse(&public_base_url).context("PAYGATE_PUBLIC_BASE_URL must be an absolute URL")?;
        let mail = match src.get("PAYGATE_SMTP_URL") {
            Some(url) => MailTransport::Smtp(url),
            None => MailTransport::Directory(data_dir.join("mail")),
        };
        let trusted_proxies = src
            .get("PAYGATE_TRUSTED_PROXIES")
            .map(|s| s.split(',').map(|p| p.trim().parse::<IpAddr>()).collect::<Result<Vec<_>, _>>())
            .transpose()
            .context("PAYGATE_TRUSTED_PROXIES: comma-separated IP addresses")?
            .unwrap_or_default();
        let jwt_secret = secret(src, "PAYGATE_JWT_SECRET", &data_dir, "jwt_secret")?;
        let encryption_key = secret(src, "PAYGATE_ENCRYPTION_KEY", &data_dir, "encryption_key")?;
        let app = AppConfig {
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            network_mode,
            rate_limits: flag(src, "PAYGATE_RATE_LIMITS", true)?,
            mail,
            mail_from: src.get("PAYGATE_MAIL_FROM").unwrap_or_else(|| "paygate <no-reply@localhost>".into()),
            instance_name: src.get("PAYGATE_INSTANCE_NAME").unwrap_or_else(|| "paygate".into()),
            jwt_secret,
            encryption_key,
            default_plan_id: src
                .get("PAYGATE_DEFAULT_PLAN_ID")
                .map(|s| s.parse())
                .transpose()
                .context("PAYGATE_DEFAULT_PLAN_ID")?
                .unwrap_or(1),
            trusted_proxies,
            cabinet_origins: src
                .get("PAYGATE_CABINET_ORIGINS")
                .map(|s| {
                    s.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect()
                })
                .unwrap_or_default(),
            kyc_required: flag(src, "PAYGATE_KYC_REQUIRED", network_mode != NetworkMode::Sandbox)?,
            rate_max_age_secs: number(src, "PAYGATE_RATES_MAX_AGE", 600)?,
            rate_refresh_secs: number(src, "PAYGATE_RATES_REFRESH", 60)?,
            rate_source_url: src.get("PAYGATE_RATES_URL"),
            rate_pairs: src
                .get("PAYGATE_RATES_PAIRS")
                .unwrap_or_else(|| "BTC/USDT,ETH/USDT,TRX/USDT,EUR/USDT".into())
                .split(',')
                .map(|p| {
                    p.trim()
                        .split_once('/')
                        .map(|(b, q)| (b.trim().to_uppercase(), q.trim().to_uppercase()))
                        .with_context(|| format!("PAYGATE_RATES_PAIRS: {p:?} is not BASE/QUOTE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
            sandbox_block_ms: src
                .get("PAYGATE_SANDBOX_BLOCK_SECONDS")
                .map(|v| v.parse::<f64>().map(|s| (s * 1000.0) as i64))
                .transpose()
                .context("PAYGATE_SANDBOX_BLOCK_SECONDS must be a number")?
                .unwrap_or(2000),
            allow_insecure_urls: network_mode != NetworkMode::Main,
            webhook_allow_private: flag(src, "PAYGATE_WEBHOOK_ALLOW_PRIVATE", false)?,
            metrics_token: src.get("PAYGATE_METRICS_TOKEN").map(|t| Secret(t.into_bytes())),
            chain_nodes: chain_nodes(src)?,
        };
        Ok(Config {
            listen,
            database_url,
            data_dir,
            migrate_on_start: flag(src, "PAYGATE_MIGRATE", true)?,
            jobs: flag(src, "PAYGATE_JOBS", true)?,
            log_json: src.get("PAYGATE_LOG_FORMAT").as_deref() == Some("json"),
            app,
        })
    }
}

/// `PAYGATE_CHAIN_<CODE>_RPC_URL` and its companions, for every code that has a URL.
fn chain_nodes(src: &Source) -> anyhow::Result<BTreeMap<String, ChainNode>> {
    let mut nodes = BTreeMap::new();
    for key in src.keys() {
        let Some(code) = key.strip_prefix("PAYGATE_CHAIN_").and_then(|k| k.strip_suffix("_RPC_URL")) else { continue };
        let Some(rpc_url) = src.get(&key) else { continue };
        let url = url::Url::parse(&rpc_url).with_context(|| format!("{key} must be an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("{key}: http or https, got {}", url.scheme());
        }
        let seconds = |name: &str, default: f64| -> anyhow::Result<i64> {
            let k = format!("PAYGATE_CHAIN_{code}_{name}");
            let s =
                src.get(&k).map(|v| v.parse::<f64>()).transpose().with_context(|| format!("{k} must be a number"))?;
            let s = s.unwrap_or(default);
            if !(0.05..=3600.0).contains(&s) {
                bail!("{k} must be between 0.05 and 3600 seconds");
            }
            Ok((s * 1000.0) as i64)
        };
        let node = ChainNode {
            rpc_url,
            poll_ms: seconds("POLL_SECONDS", 5.0)?,
            timeout_ms: seconds("TIMEOUT_SECONDS", 10.0)?,
            rpc_user: src.get(&format!("PAYGATE_CHAIN_{code}_RPC_USER")),
            rpc_password: src.get(&format!("PAYGATE_CHAIN_{code}_RPC_PASSWORD")).map(|p| Secret(p.into_bytes())),
            api_key: src.get(&format!("PAYGATE_CHAIN_{code}_API_KEY")).map(|p| Secret(p.into_bytes())),
        };
        nodes.insert(code.to_owned(), node);
    }
    Ok(nodes)
}

/// A secret from its setting (at least 32 bytes), else from `<data dir>/<file>`, else a new
/// random one written there (mode 0600) so restarts keep sessions and encrypted data readable.
fn secret(src: &Source, key: &str, data_dir: &Path, file: &str) -> anyhow::Result<Secret> {
    if let Some(v) = src.get(key) {
        if v.len() < 32 {
            bail!("{key} must be at least 32 bytes");
        }
        return Ok(Secret(v.into_bytes()));
    }
    let path = data_dir.join(file);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
        if bytes.len() < 32 {
            bail!("{} holds fewer than 32 bytes", path.display());
        }
        return Ok(Secret(bytes));
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let bytes = paygate_app::crypto::random_bytes(32);
    write_private(&path, &hex::encode(&bytes)).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "{key} not set: generated one and kept it in the data directory");
    Ok(Secret(bytes))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_wins_over_file_and_defaults_apply() {
        let dir = tempfile_dir();
        let env = HashMap::from([
            ("PAYGATE_DATA_DIR".to_owned(), dir.clone()),
            ("PAYGATE_LISTEN".to_owned(), "127.0.0.1:9000".to_owned()),
        ]);
        let file = HashMap::from([
            ("listen".to_owned(), "0.0.0.0:1".to_owned()),
            ("network_mode".to_owned(), "test".to_owned()),
        ]);
        let c = Config::load(&Source::from_maps(env, file)).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(c.app.network_mode, NetworkMode::Test);
        assert!(c.app.rate_limits);
        assert_eq!(c.app.public_base_url, "http://127.0.0.1:9000");
        // the generated secret is kept
        let again = Config::load(&Source::from_maps(
            HashMap::from([("PAYGATE_DATA_DIR".to_owned(), dir.clone())]),
            HashMap::new(),
        ))
        .unwrap();
        assert_eq!(again.app.jwt_secret.0, c.app.jwt_secret.0);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn chain_nodes_come_from_either_source_by_code() {
        let dir = tempfile_dir();
        let env = HashMap::from([
            ("PAYGATE_DATA_DIR".to_owned(), dir.clone()),
            ("PAYGATE_CHAIN_TRON_SHASTA_RPC_URL".to_owned(), "https://api.shasta.trongrid.io".to_owned()),
            ("PAYGATE_CHAIN_TRON_SHASTA_API_KEY".to_owned(), "k".to_owned()),
            ("PAYGATE_CHAIN_DEVNET_POLL_SECONDS".to_owned(), "0.5".to_owned()),
        ]);
        let file = HashMap::from([("chain_devnet_rpc_url".to_owned(), "http://127.0.0.1:8545".to_owned())]);
        let c = Config::load(&Source::from_maps(env.clone(), file)).unwrap();
        let nodes = &c.app.chain_nodes;
        assert_eq!(nodes.keys().collect::<Vec<_>>(), ["DEVNET", "TRON_SHASTA"]);
        assert_eq!((nodes["DEVNET"].rpc_url.as_str(), nodes["DEVNET"].poll_ms), ("http://127.0.0.1:8545", 500));
        assert_eq!((nodes["TRON_SHASTA"].poll_ms, nodes["TRON_SHASTA"].timeout_ms), (5000, 10_000));
        assert_eq!(nodes["TRON_SHASTA"].api_key.as_ref().map(|k| k.0.clone()), Some(b"k".to_vec()));
        assert_eq!(paygate_app::ChainNode::key("tron-shasta"), "TRON_SHASTA");
        for (key, value) in [("PAYGATE_CHAIN_X_RPC_URL", "not a url"), ("PAYGATE_CHAIN_X_RPC_URL", "ftp://node")] {
            let mut bad = env.clone();
            bad.insert(key.to_owned(), value.to_owned());
            assert!(Config::load(&Source::from_maps(bad, HashMap::new())).is_err(), "{value}");
        }
        let mut slow = env.clone();
        slow.insert("PAYGATE_CHAIN_TRON_SHASTA_POLL_SECONDS".to_owned(), "0".to_owned());
        assert!(Config::load(&Source::from_maps(slow, HashMap::new())).is_err());
        std::fs::remove_dir_all(dir).ok();
    }

    fn tempfile_dir() -> String {
        let d =
            std::env::temp_dir().join(format!("paygate-config-{}", hex::encode(paygate_app::crypto::random_bytes(6))));
        d.to_string_lossy().into_owned()
    }

    #[test]
    fn bad_values_are_refused() {
        let env = HashMap::from([
            ("PAYGATE_RATE_LIMITS".to_owned(), "maybe".to_owned()),
            ("PAYGATE_JWT_SECRET".to_owned(), "x".repeat(40)),
            ("PAYGATE_ENCRYPTION_KEY".to_owned(), "y".repeat(40)),
        ]);
        assert!(Config::load(&Source::from_maps(env, HashMap::new())).is_err());
        let env = HashMap::from([("PAYGATE_JWT_SECRET".to_owned(), "short".to_owned())]);
        assert!(Config::load(&Source::from_maps(env, HashMap::new())).is_err());
    }
}
