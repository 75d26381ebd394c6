//! S3 credentials: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), or
//! the profile `AWS_PROFILE` names (`default` otherwise) in `~/.aws/credentials`. Never in
//! `site.yaml`, and never printed: [`Secret`]'s `Debug` shows nothing of it.

use std::path::PathBuf;

/// What a deploy reads from the environment (read once, in `cmd`).
#[derive(Clone, Default)]
pub(crate) struct Env {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<Secret>,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: Option<Secret>,
    /// `AWS_PROFILE`.
    pub profile: Option<String>,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    pub credentials_file: Option<PathBuf>,
    /// `AWS_CA_BUNDLE`: a PEM file of the certificate authorities to trust instead of the
    /// built-in ones.
    pub ca_bundle: Option<PathBuf>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("access_key_id", &self.access_key_id)
            .field("profile", &self.profile)
            .field("credentials_file", &self.credentials_file)
            .field("ca_bundle", &self.ca_bundle)
            .finish_non_exhaustive()
    }
}

/// A secret string; its `Debug` does not show it.
#[derive(Clone)]
pub(crate) struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The keys a deploy signs with.
pub(crate) struct Keys {
    pub access_key_id: String,
    pub secret: Secret,
    pub token: Option<Secret>,
}

/// The keys from the environment, else from the credentials file; what to set when neither
/// has them.
pub(crate) fn keys(env: &Env) -> Result<Keys, String> {
    match (&env.access_key_id, &env.secret_access_key) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.0.is_empty() => {
            return Ok(Keys {
                access_key_id: id.clone(),
                secret: secret.clone(),
                token: env
                    .session_token
                    .clone()
                    .filter(|token| !token.0.is_empty()),
            });
        }
        (Some(_), None) => {
            return Err(
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both".into(),
            );
        }
        (None, Some(_)) => {
            return Err(
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both".into(),
            );
        }
        _ => {}
    }
    let profile = env.profile.as_deref().unwrap_or("default");
    let missing = || {
        format!(
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put a \
             [{profile}] profile with aws_access_key_id and aws_secret_access_key in {} \
             (AWS_PROFILE chooses the profile)",
            env.credentials_file.as_ref().map_or_else(
                || "~/.aws/credentials".to_string(),
                |p| p.display().to_string()
            )
        )
    };
    let Some(file) = &env.credentials_file else {
        return Err(missing());
    };
    let Ok(text) = std::fs::read_to_string(file) else {
        return Err(missing());
    };
    let section = profile_section(&text, profile);
    match (
        section.get("aws_access_key_id"),
        section.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Keys {
            access_key_id: (*id).to_string(),
            secret: Secret((*secret).to_string()),
            token: section
                .get("aws_session_token")
                .map(|token| Secret((*token).to_string())),
        }),
        _ => Err(missing()),
    }
}

/// The `key = value` lines of `[profile]` in an INI file (`[profile name]` is accepted too, as
/// in `~/.aws/config`).
fn profile_section<'a>(
    text: &'a str,
    profile: &str,
) -> std::collections::HashMap<&'a str, &'a str> {
    let mut values = std::collections::HashMap::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            inside =
                name == profile || name.strip_prefix("profile ").map(str::trim) == Some(profile);
            continue;
        }
        if inside && let Some((key, value)) = line.split_once('=') {
            values.insert(key.trim(), value.trim());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_environment_first_then_the_profile() {
        let temp = tempfile::tempdir().expect("temp dir");
        let file = temp.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n\
             # a comment\n[site]\naws_access_key_id=SITE\naws_secret_access_key=sitesecret\n\
             aws_session_token = tok\n",
        )
        .expect("write");
        let mut env = Env {
            credentials_file: Some(file),
            ..Env::default()
        };
        let found = keys(&env).expect("default profile");
        assert_eq!(
            (found.access_key_id.as_str(), found.secret.0.as_str()),
            ("DEF", "defsecret")
        );
        env.profile = Some("site".to_string());
        let found = keys(&env).expect("named profile");
        assert_eq!(found.access_key_id, "SITE");
        assert_eq!(found.token.map(|t| t.0).as_deref(), Some("tok"));
        env.access_key_id = Some("ENV".to_string());
        env.secret_access_key = Some(Secret("envsecret".to_string()));
        assert_eq!(keys(&env).expect("environment").access_key_id, "ENV");
        env.profile = Some("nobody".to_string());
        env.access_key_id = None;
        env.secret_access_key = None;
        let error = keys(&env).err().expect("no such profile");
        assert!(error.contains("[nobody]"), "{error}");
    }

    #[test]
    fn secrets_are_not_shown_by_debug() {
        let env = Env {
            secret_access_key: Some(Secret("very-secret".to_string())),
            session_token: Some(Secret("token-secret".to_string())),
            ..Env::default()
        };
        let shown = format!("{env:?} {:?}", Secret("very-secret".to_string()));
        assert!(
            !shown.contains("very-secret") && !shown.contains("token-secret"),
            "{shown}"
        );
    }
}
