//! Registry modules (`br:…`, `br/public:…`, `br/ALIAS:…`) as the Bicep CLI restores them:
//! `bicep restore` (and `bicep build`) writes each module's compiled template to its
//! local cache, `~/.bicep/br/REGISTRY/REPOSITORY/TAG$/main.json`, with every `/` of the
//! repository written `$`. A module found there is read as an ARM template; one that is
//! not there is a gap naming the module and `bicep restore FILE`.
//!
//! The cache is read only at that default place: a `cacheRootDirectory` in
//! `bicepconfig.json` is a path the pull request chooses, so it is not followed.
//! `br/public:` is `mcr.microsoft.com/bicep/…`; other aliases come from the
//! `moduleAliases.br` of the nearest `bicepconfig.json` inside the IaC root.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::iac::root::{IacRoot, Want};

/// The public Bicep registry (`br/public:`): its registry and module path.
const PUBLIC: (&str, &str) = ("mcr.microsoft.com", "bicep");

/// A registry module reference: its registry, repository and tag.
#[derive(Debug, PartialEq, Eq)]
struct Artifact {
    registry: String,
    repository: String,
    tag: String,
}

/// The restored template of the registry module `reference` (written in the Bicep file
/// `from`), if the cache holds it.
pub(super) fn cached_template(reference: &str, from: &Path, root: &IacRoot) -> Option<PathBuf> {
    let artifact = parse(reference, |alias| alias_of(alias, from, root))?;
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    let path = Path::new(&home)
        .join(".bicep")
        .join("br")
        .join(&artifact.registry)
        .join(artifact.repository.replace('/', "$"))
        .join(format!("{}$", artifact.tag))
        .join("main.json");
    path.is_file().then_some(path)
}

/// How a cached template is shown in the snapshot's files: below `~` (the same on every
/// machine), not below the runner's home folder.
pub(super) fn shown(path: &Path) -> String {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
    match home.and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(below) => format!("~/{}", below.display()),
        None => path.display().to_string(),
    }
}

/// Reads `br:REGISTRY/REPOSITORY:TAG`, `br/public:REPOSITORY:TAG` and
/// `br/ALIAS:REPOSITORY:TAG` (`alias` gives an alias's registry and module path). A
/// digest (`@sha256:…`) or a part that is not a plain name (`..`, a separator, a
/// character a registry does not use) gives `None`: no cache path is built from it.
fn parse(
    reference: &str,
    alias: impl FnOnce(&str) -> Option<(String, String)>,
) -> Option<Artifact> {
    let (scheme, rest) = reference.split_once(':')?;
    let (registry, path, tag) = match scheme {
        "br" => {
            let (registry, path) = rest.split_once('/')?;
            let (path, tag) = path.rsplit_once(':')?;
            (registry.to_string(), path.to_string(), tag)
        }
        _ => {
            let name = scheme.strip_prefix("br/")?;
            let (path, tag) = rest.rsplit_once(':')?;
            let (registry, prefix) = match name {
                "public" => (PUBLIC.0.to_string(), PUBLIC.1.to_string()),
                other => alias(other)?,
            };
            let path = match prefix.trim_matches('/') {
                "" => path.to_string(),
                prefix => format!("{prefix}/{path}"),
            };
            (registry, path, tag)
        }
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    let registry_ok = registry.split(':').count() <= 2 && registry.split(':').all(plain);
    (registry_ok && path.split('/').all(plain) && plain(tag)).then(|| Artifact {
        registry: registry.to_lowercase(),
        repository: path.to_lowercase(),
        tag: tag.to_string(),
    })
}

/// The registry and module path of the alias `name` in the nearest `bicepconfig.json`
/// above the Bicep file `from`, inside the IaC root.
fn alias_of(name: &str, from: &Path, root: &IacRoot) -> Option<(String, String)> {
    let levels = from.components().count();
    let config = (0..levels)
        .map(|up| format!("{}bicepconfig.json", "../".repeat(up)))
        .find_map(|written| root.reference(from, &written, Want::File).ok())?;
    let text = String::from_utf8(root.read(&config).ok()?).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    let entry = config.pointer(&format!("/moduleAliases/br/{name}"))?;
    let registry = entry.get("registry")?.as_str()?.to_string();
    let path = entry
        .get("modulePath")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Some((registry, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(registry: &str, repository: &str, tag: &str) -> Option<Artifact> {
        Some(Artifact {
            registry: registry.into(),
            repository: repository.into(),
            tag: tag.into(),
        })
    }

    #[test]
    fn references_and_aliases() {
        let alias = |name: &str| {
            (name == "contoso").then(|| {
                (
                    "contoso.azurecr.io".to_string(),
                    "bicep/modules".to_string(),
                )
            })
        };
        assert_eq!(
            parse("br/public:avm/res/api-management/service:0.9.1", alias),
            artifact(
                "mcr.microsoft.com",
                "bicep/avm/res/api-management/service",
                "0.9.1"
            )
        );
        assert_eq!(
            parse("br:contoso.azurecr.io/apim/api:v1", alias),
            artifact("contoso.azurecr.io", "apim/api", "v1")
        );
        assert_eq!(
            parse("br/contoso:apim/api:2024-01-01", alias),
            artifact("contoso.azurecr.io", "bicep/modules/apim/api", "2024-01-01")
        );
        assert_eq!(
            parse("br:localhost:5000/apim:v1", alias),
            artifact("localhost:5000", "apim", "v1")
        );
        for refused in [
            "br/other:apim/api:v1",
            "br:contoso.azurecr.io/../../../etc:v1",
            "br:contoso.azurecr.io/apim/api@sha256:abc",
            "br:contoso.azurecr.io/apim/api:..",
            "br:/apim:v1",
            "br:contoso.azurecr.io/apim\\x:v1",
            "ts:sub/rg/spec:v1",
        ] {
            assert_eq!(parse(refused, alias), None, "{refused}");
        }
    }
}
