//! Deploying to S3 and S3-compatible storage (Aliyun OSS, Tencent COS, Qiniu, Cloudflare R2,
//! MinIO): requests signed by `rusty-s3` (SigV4, presigned) and sent with `ureq`, about 16 at a
//! time, each retried with backoff on timeouts, resets, 5xx and 429.
//!
//! A file is unchanged when the object at its key has its size and its MD5: as the ETag (what
//! every service gives for a single `PUT`), or, for an ETag that is not an MD5 (multipart
//! uploads, some encryption settings), as the ETag the last deploy recorded for that MD5 or as
//! the `x-amz-meta-yuanba-md5` that yuanba stores with each object (read with a `HEAD`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use crate::deploy::credentials::{self, Env};
use crate::deploy::files::{self, Phase, SiteFile};
use crate::deploy::plan::{Plan, Upload};
use crate::deploy::record::{Entry, Record};
use crate::deploy::{Counts, Error, Options, Outcome, Progress};
use crate::deploy_config::{S3Target, Target};

/// Requests in flight at once.
const CONCURRENCY: usize = 16;
/// Attempts of one request before the deploy gives up.
const ATTEMPTS: u32 = 5;
/// How long a presigned request stays valid.
const SIGNED_FOR: Duration = Duration::from_hours(1);
/// The metadata key yuanba stores each object's MD5 under.
const MD5_META: &str = "x-amz-meta-yuanba-md5";

/// Set by the Ctrl-C handler: no new request starts, and the deploy ends as failed.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Deploys `site` to the bucket.
pub(super) fn deploy(
    site: &Path,
    target: &Target,
    s3: &S3Target,
    options: &Options,
    env: &Env,
    cache: &Path,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome, Error> {
    let location = format!("s3://{}/{}", s3.bucket, s3.prefix);
    let keys = credentials::keys(env).map_err(Error::Refused)?;
    let client = Client::new(s3, &keys, env)?;
    let record = Record::load(cache, &target.name);
    let files = files::scan(site, &record).map_err(|error| {
        Error::Refused(format!(
            "cannot read the built site in {}: {error}",
            site.display()
        ))
    })?;
    let remote = client
        .list()
        .map_err(|error| Error::Refused(format!("cannot list {location}: {error}")))?;
    // A comparison may need a `HEAD` (an ETag that is not an MD5): as many in flight as uploads.
    let compare = || {
        Plan::make(files.clone(), &remote, |file, object| {
            client.holds(file, object, &record)
        })
    };
    let plan = match rayon::ThreadPoolBuilder::new()
        .num_threads(CONCURRENCY)
        .build()
    {
        Ok(pool) => pool.install(compare),
        Err(_) => compare(),
    };
    if let Some(refusal) = plan.too_many_deletes(options.max_deletes) {
        return Err(Error::Refused(refusal));
    }
    let counts = Counts {
        uploaded: plan.uploads.len(),
        bytes: plan.upload_bytes(),
        deleted: plan.deletes.len(),
        unchanged: plan.unchanged,
    };
    if !options.dry_run {
        let uploaded = client.upload_all(&plan, progress, s3)?;
        client.delete_all(&plan.deletes, plan.uploads.len())?;
        save_record(cache, &target.name, &files, &remote, &uploaded);
    }
    Ok(Outcome {
        target: target.name.clone(),
        location: format!("{location} at {}", s3.endpoint),
        plan: Some(plan),
        counts,
        dry_run: options.dry_run,
        details: Vec::new(),
    })
}

/// Remembers every file's hash and the ETag its object has now.
fn save_record(
    cache: &Path,
    target: &str,
    files: &[SiteFile],
    remote: &HashMap<String, RemoteObject>,
    uploaded: &HashMap<String, Option<String>>,
) {
    let mut record = Record::default();
    for file in files {
        let etag = match uploaded.get(&file.key) {
            Some(etag) => etag.clone(),
            None => remote.get(&file.key).and_then(|object| object.etag.clone()),
        };
        record.files.insert(
            file.key.clone(),
            Entry {
                size: file.size,
                stamp: file.stamp,
                md5: file.md5.clone(),
                etag,
            },
        );
    }
    record.save(cache, target);
}

/// An object of the bucket, from a listing.
#[derive(Debug, Clone)]
pub(crate) struct RemoteObject {
    size: u64,
    /// Without quotes.
    etag: Option<String>,
}

/// What one attempt of a request gave.
enum Failure {
    /// Worth another attempt: a timeout, a reset, a 5xx or 429.
    Transient(String),
    /// Not: a 4xx, a response that makes no sense.
    Permanent(String),
}

struct Client {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
    prefix: String,
}

impl Client {
    fn new(s3: &S3Target, keys: &credentials::Keys, env: &Env) -> Result<Client, Error> {
        let endpoint: url::Url = s3.endpoint.parse().map_err(|error| {
            Error::Refused(format!("`endpoint` {} is not a URL: {error}", s3.endpoint))
        })?;
        let style = if s3.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(endpoint, style, s3.bucket.clone(), s3.region.clone()).map_err(
            |error| {
                Error::Refused(format!(
                    "cannot reach bucket {} at {}: {error} (set `path_style: true` for a server \
                     addressed by IP address or without virtual-host buckets)",
                    s3.bucket, s3.endpoint
                ))
            },
        )?;
        let credentials = match &keys.token {
            Some(token) => Credentials::new_with_token(
                keys.access_key_id.clone(),
                keys.secret.0.clone(),
                token.0.clone(),
            ),
            None => Credentials::new(keys.access_key_id.clone(), keys.secret.0.clone()),
        };
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_mins(5)))
            .max_idle_connections_per_host(CONCURRENCY)
            .max_idle_connections(CONCURRENCY * 2);
        if let Some(bundle) = &env.ca_bundle {
            config = config.tls_config(tls_with_bundle(bundle)?);
        }
        Ok(Client {
            bucket,
            credentials,
            agent: config.build().into(),
            prefix: s3.prefix.clone(),
        })
    }

    /// Every object under the prefix, by key relative to it (keys ending with `/`, folder
    /// placeholders that some tools make, are left out).
    fn list(&self) -> Result<HashMap<String, RemoteObject>, String> {
        let mut objects = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if !self.prefix.is_empty() {
                action.with_prefix(self.prefix.clone());
            }
            if let Some(token) = &token {
                action.with_continuation_token(token.clone());
            }
            let url = action.sign(SIGNED_FOR);
            let body = retry(|| {
                let response = self.agent.get(url.as_str()).call().map_err(transport)?;
                read_ok(response)
            })?;
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&body)
                .map_err(|error| format!("the listing is not what S3 sends: {error}"))?;
            for object in page.contents {
                let Some(key) = object.key.strip_prefix(&self.prefix) else {
                    continue;
                };
                if key.is_empty() || key.ends_with('/') {
                    continue;
                }
                objects.insert(
                    key.to_string(),
                    RemoteObject {
                        size: object.size.unwrap_or(0),
                        etag: object.etag.map(|etag| etag.trim_matches('"').to_string()),
                    },
                );
            }
            match page.next_continuation_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(objects),
            }
        }
    }

    /// Whether the object holds the file's bytes.
    fn holds(&self, file: &SiteFile, object: &RemoteObject, record: &Record) -> bool {
        if object.size != file.size {
            return false;
        }
        let Some(etag) = &object.etag else {
            return self.stored_md5(&file.key).as_deref() == Some(&file.md5);
        };
        if etag.eq_ignore_ascii_case(&file.md5) {
            return true;
        }
        if is_md5(etag) {
            // A plain MD5 that differs: another content.
            return false;
        }
        let recorded = record.files.get(&file.key).is_some_and(|entry| {
            entry.md5 == file.md5 && entry.etag.as_deref() == Some(etag.as_str())
        });
        recorded || self.stored_md5(&file.key).as_deref() == Some(&file.md5)
    }

    /// The MD5 yuanba stored with the object, read with a `HEAD`.
    fn stored_md5(&self, key: &str) -> Option<String> {
        let full = format!("{}{key}", self.prefix);
        let url = self
            .bucket
            .head_object(Some(&self.credentials), &full)
            .sign(SIGNED_FOR);
        retry(|| {
            let response = self.agent.head(url.as_str()).call().map_err(transport)?;
            let value = response
                .headers()
                .get(MD5_META)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string);
            read_ok(response)?;
            Ok(value)
        })
        .ok()
        .flatten()
    }

    /// Uploads the plan's files phase by phase, each phase only after the one before it is
    /// complete. Returns the ETag each upload got.
    fn upload_all(
        &self,
        plan: &Plan,
        progress: &(dyn Fn(Progress) + Sync),
        s3: &S3Target,
    ) -> Result<HashMap<String, Option<String>>, Error> {
        let total = plan.uploads.len();
        let done = AtomicUsize::new(0);
        let bytes = AtomicU64::new(0);
        let etags = Mutex::new(HashMap::with_capacity(total));
        let rules = CacheRules::new(&s3.cache_control);
        for phase in Phase::ALL {
            let uploads: Vec<&Upload> = plan.phase(phase).collect();
            let failure: Mutex<Option<String>> = Mutex::new(None);
            let next = AtomicUsize::new(0);
            let workers = CONCURRENCY.min(uploads.len());
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    scope.spawn(|| {
                        loop {
                            let stop = INTERRUPTED.load(Ordering::Relaxed)
                                || failure.lock().is_ok_and(|f| f.is_some());
                            let idx = next.fetch_add(1, Ordering::Relaxed);
                            if stop || idx >= uploads.len() {
                                return;
                            }
                            let file = &uploads[idx].file;
                            match self.put(file, rules.cache_control(file)) {
                                Ok(etag) => {
                                    if let Ok(mut etags) = etags.lock() {
                                        etags.insert(file.key.clone(), etag);
                                    }
                                    let bytes =
                                        bytes.fetch_add(file.size, Ordering::Relaxed) + file.size;
                                    let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                                    progress(Progress::Uploaded { done, total, bytes });
                                }
                                Err(error) => {
                                    if let Ok(mut failure) = failure.lock() {
                                        failure.get_or_insert(format!("{}: {error}", file.key));
                                    }
                                }
                            }
                        }
                    });
                }
            });
            let done = done.load(Ordering::Relaxed);
            let unfinished = |why: String| Error::Failed {
                message: format!(
                    "{why}; {done} of {total} files were uploaded and nothing was deleted, so \
                     every page still finds what it links to: run `yuanba deploy` again to finish"
                ),
            };
            if let Some(error) = failure.into_inner().ok().flatten() {
                return Err(unfinished(format!("the upload of {error}")));
            }
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(unfinished("interrupted".to_string()));
            }
        }
        Ok(etags.into_inner().unwrap_or_default())
    }

    /// Uploads one file; returns its ETag.
    fn put(&self, file: &SiteFile, cache_control: &str) -> Result<Option<String>, String> {
        let bytes = std::fs::read(&file.path)
            .map_err(|error| format!("cannot read {}: {error}", file.path.display()))?;
        // The file changed since it was hashed (a build ran meanwhile): its MD5 would lie.
        if files::md5_hex(&bytes) != file.md5 {
            return Err("the file changed during the deploy (did a build run?)".to_string());
        }
        let key = format!("{}{}", self.prefix, file.key);
        let content_type = files::content_type(&file.key);
        let content_md5 = base64_md5(&file.md5);
        let mut action = self.bucket.put_object(Some(&self.credentials), &key);
        let headers = action.headers_mut();
        headers.insert("content-type", content_type);
        headers.insert("cache-control", cache_control.to_string());
        headers.insert("content-md5", content_md5.clone());
        headers.insert(MD5_META, file.md5.clone());
        let url = action.sign(SIGNED_FOR);
        retry(|| {
            let response = self
                .agent
                .put(url.as_str())
                .header("content-type", content_type)
                .header("cache-control", cache_control)
                .header("content-md5", &content_md5)
                .header(MD5_META, &file.md5)
                .send(&bytes[..])
                .map_err(transport)?;
            let etag = response
                .headers()
                .get("etag")
                .and_then(|value| value.to_str().ok())
                .map(|etag| etag.trim_matches('"').to_string());
            read_ok(response)?;
            Ok(etag)
        })
    }

    /// Deletes the keys, 1000 to a request, after every upload succeeded.
    fn delete_all(&self, keys: &[String], uploaded: usize) -> Result<(), Error> {
        let mut deleted = 0;
        for chunk in keys.chunks(1000) {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Error::Failed {
                    message: format!(
                        "interrupted after all {uploaded} uploads and {deleted} of {} \
                         deletions: run `yuanba deploy` again to finish",
                        keys.len()
                    ),
                });
            }
            if let Err(error) = self.delete(chunk) {
                return Err(Error::Failed {
                    message: format!(
                        "every file was uploaded, but deleting old files failed: {error}; \
                         {deleted} of {} were deleted: run `yuanba deploy` again to finish",
                        keys.len()
                    ),
                });
            }
            deleted += chunk.len();
        }
        Ok(())
    }

    fn delete(&self, keys: &[String]) -> Result<(), String> {
        let objects: Vec<rusty_s3::actions::ObjectIdentifier> = keys
            .iter()
            .map(|key| rusty_s3::actions::ObjectIdentifier::new(format!("{}{key}", self.prefix)))
            .collect();
        let mut action = rusty_s3::actions::DeleteObjects::new(
            &self.bucket,
            Some(&self.credentials),
            objects.iter(),
        );
        action.set_quiet(true);
        let url = action.sign(SIGNED_FOR);
        let (body, content_md5) = action.body_with_md5();
        let body = retry(|| {
            let response = self
                .agent
                .post(url.as_str())
                .header("content-md5", &content_md5)
                .header("content-type", "application/xml")
                .send(body.as_bytes())
                .map_err(transport)?;
            read_ok(response)
        })?;
        // Quiet mode: the answer lists only the objects that could not be deleted. (Read by
        // hand: servers differ in the namespace of `DeleteResult`, which rusty-s3's parser
        // insists on.)
        match body.split("<Error>").nth(1) {
            Some(error) => {
                let key = xml_field(error, "Key").unwrap_or_default();
                Err(format!(
                    "{}: {} {}",
                    key.strip_prefix(&self.prefix).unwrap_or(&key),
                    xml_field(error, "Code").unwrap_or_default(),
                    xml_field(error, "Message").unwrap_or_default()
                ))
            }
            None if body.contains("DeleteResult") => Ok(()),
            None => Err(format!(
                "the answer to a deletion is not what S3 sends: {body}"
            )),
        }
    }
}

/// `Cache-Control` by the target's patterns, then the defaults of [`files::cache_control`].
struct CacheRules {
    rules: Vec<(globset::GlobMatcher, String)>,
}

impl CacheRules {
    fn new(patterns: &[(String, String)]) -> CacheRules {
        CacheRules {
            rules: patterns
                .iter()
                .filter_map(|(pattern, value)| {
                    let glob = globset::GlobBuilder::new(pattern)
                        .literal_separator(true)
                        .build()
                        .ok()?;
                    Some((glob.compile_matcher(), value.clone()))
                })
                .collect(),
        }
    }

    fn cache_control<'a>(&'a self, file: &SiteFile) -> &'a str {
        self.rules
            .iter()
            .find(|(glob, _)| glob.is_match(&file.key))
            .map_or_else(
                || files::cache_control(&file.key, file.phase),
                |(_, value)| value.as_str(),
            )
    }
}

/// Runs a request up to [`ATTEMPTS`] times, waiting longer after each transient failure.
fn retry<T>(mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T, String> {
    let mut wait = Duration::from_millis(200);
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Ok(value) => return Ok(value),
            Err(Failure::Permanent(message)) => return Err(message),
            Err(Failure::Transient(message)) => {
                if tries >= ATTEMPTS || INTERRUPTED.load(Ordering::Relaxed) {
                    return Err(format!("{message} (after {tries} attempts)"));
                }
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// A failure to get any answer: always worth another attempt.
#[allow(clippy::needless_pass_by_value, reason = "used as map_err(transport)")]
fn transport(error: ureq::Error) -> Failure {
    Failure::Transient(error.to_string())
}

/// The body of a 2xx answer; a failure with S3's error code and message otherwise.
fn read_ok(response: ureq::http::Response<ureq::Body>) -> Result<String, Failure> {
    let status = response.status();
    let mut body = response.into_body();
    let text = body
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    if status.is_success() {
        return Ok(text);
    }
    let message = match (xml_field(&text, "Code"), xml_field(&text, "Message")) {
        (Some(code), Some(message)) => format!("{status}: {code}: {message}"),
        (Some(code), None) => format!("{status}: {code}"),
        _ => format!("{status}"),
    };
    if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
        Err(Failure::Transient(message))
    } else {
        Err(Failure::Permanent(message))
    }
}

/// The text of the first `<name>…</name>` in an XML answer.
fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().to_string())
}

/// Whether an ETag is a plain MD5 (32 hex digits), as for a single `PUT`.
fn is_md5(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The base64 of an MD5 given in hex, for `Content-MD5`.
fn base64_md5(hex: &str) -> String {
    use base64::Engine as _;
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// TLS that trusts the certificate authorities of a PEM file (`AWS_CA_BUNDLE`).
fn tls_with_bundle(bundle: &Path) -> Result<ureq::tls::TlsConfig, Error> {
    let pem = std::fs::read(bundle).map_err(|error| {
        Error::Refused(format!(
            "cannot read AWS_CA_BUNDLE {}: {error}",
            bundle.display()
        ))
    })?;
    let certificates: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(certificate),
            _ => None,
        })
        .collect();
    if certificates.is_empty() {
        return Err(Error::Refused(format!(
            "AWS_CA_BUNDLE {} holds no certificates",
            bundle.display()
        )));
    }
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&certificates))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_is_the_base64_of_the_digest() {
        // MD5 of "" and of "hello".
        assert_eq!(
            base64_md5("d41d8cd98f00b204e9800998ecf8427e"),
            "1B2M2Y8AsgTpgAmY7PhCfg=="
        );
        assert_eq!(
            base64_md5("5d41402abc4b2a76b9719d911017c592"),
            "XUFAKrxLKna5cZ2REBfFkg=="
        );
    }

    #[test]
    fn s3_errors_are_read_from_their_xml() {
        let xml = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
                   <Message>The request signature we calculated does not match</Message></Error>";
        assert_eq!(
            xml_field(xml, "Code").as_deref(),
            Some("SignatureDoesNotMatch")
        );
        assert_eq!(xml_field("<a/>", "Code"), None);
        assert!(is_md5("d41d8cd98f00b204e9800998ecf8427e"));
        assert!(!is_md5("d41d8cd98f00b204e9800998ecf8427e-2"));
    }
}
