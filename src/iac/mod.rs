//! IaC readers: the same schema-v1 snapshot as `collect`, read from the files of a
//! change before it is deployed (a pull-request gate cannot read Azure).
//!
//! - [`IacSource::ArmTemplate`]: ARM template JSON, hand-written or `bicep build` output,
//!   with an optional parameters file (`arm_template`);
//! - [`IacSource::Bicep`]: the declarative subset of Bicep, for when no Bicep CLI is at
//!   hand (`bicep`);
//! - [`IacSource::Apiops`]: an APIOps extractor folder, with an optional publisher
//!   configuration `configuration.<env>.yaml` (`apiops`).
//!
//! Each reader turns its files into declared resources; `estate` maps them onto the
//! snapshot with the live collector's own record functions and derivations. Every
//! resource carries its `origin` (file and line, and the lines of its settings), so
//! findings point at the line of the pull request. What the files leave open is
//! unknown (`<unknown: EXPRESSION>`, listed in `unknowns`), never compliant; what
//! IaC cannot know at all (Defender observations, alerts, capacity) is named in
//! `source.unavailable`, so rules that need it are not applicable. Constructs the
//! readers do not read are gaps located by file and line; malformed files are errors.
//! Every file an input references stays inside the IaC root (`root`).

mod apiops;
mod arm_template;
mod bicep;
mod error;
mod estate;
mod expr;
mod json;
mod lambda;
mod lazy;
mod root;
mod scope;
mod spec;
mod unknown;

use std::path::{Path, PathBuf};

pub(crate) use apiops::ARTIFACTS as APIOPS_ARTIFACTS;
pub use error::IacError;

use crate::snapshot::Snapshot;

/// The files to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IacSource {
    /// An ARM template, with an optional parameters file.
    ArmTemplate {
        /// The template.
        template: PathBuf,
        /// Parameter values (`{"parameters": {"name": {"value": …}}}`).
        parameters: Option<PathBuf>,
    },
    /// A Bicep file, with an optional ARM parameters file.
    Bicep {
        /// The `.bicep` file.
        file: PathBuf,
        /// Parameter values (`{"parameters": {"name": {"value": …}}}`).
        parameters: Option<PathBuf>,
    },
    /// An APIOps extractor folder, with an optional publisher configuration.
    Apiops {
        /// The artifacts folder (the one holding `apis/`, `products/`, …).
        folder: PathBuf,
        /// A `configuration.<env>.yaml` whose overrides apply as the publisher applies them.
        configuration: Option<PathBuf>,
    },
}

impl IacSource {
    /// The file or folder read, as given.
    pub fn path(&self) -> &Path {
        match self {
            IacSource::ArmTemplate { template, .. } => template,
            IacSource::Bicep { file, .. } => file,
            IacSource::Apiops { folder, .. } => folder,
        }
    }

    /// The files and folders the user names, and what each must be.
    fn named(&self) -> Vec<(&Path, root::Want)> {
        let (main, extra, want) = match self {
            IacSource::ArmTemplate {
                template,
                parameters,
            } => (template, parameters, root::Want::File),
            IacSource::Bicep { file, parameters } => (file, parameters, root::Want::File),
            IacSource::Apiops {
                folder,
                configuration,
            } => (folder, configuration, root::Want::Folder),
        };
        std::iter::once((main.as_path(), want))
            .chain(extra.as_deref().map(|p| (p, root::Want::File)))
            .collect()
    }

    /// Where the search for the IaC root starts: the input's folder.
    fn start(&self) -> &Path {
        match self {
            IacSource::Apiops { folder, .. } => folder,
            _ => self.path().parent().unwrap_or(Path::new("")),
        }
    }
}

/// Reads `source` into a snapshot stamped `collected_at` (RFC 3339). Every file it
/// references must be inside `root` (`--root`), else inside the git work tree holding
/// it, else inside its folder.
pub fn read(
    source: &IacSource,
    root: Option<&Path>,
    collected_at: String,
) -> Result<Snapshot, IacError> {
    let root = root::IacRoot::find(root, source.start())?;
    for (path, want) in source.named() {
        root.named(path, want)?;
    }
    let estate = match source {
        IacSource::ArmTemplate {
            template,
            parameters,
        } => arm_template::read(template, parameters.as_deref(), &root)?,
        IacSource::Bicep { file, parameters } => bicep::read(file, parameters.as_deref(), &root)?,
        IacSource::Apiops {
            folder,
            configuration,
        } => apiops::read(folder, configuration.as_deref(), &root)?,
    };
    let mut snapshot = estate::build(estate, collected_at)?;
    crate::redact::snapshot(&mut snapshot);
    Ok(snapshot)
}

/// The publisher configuration of environment `env` for an APIOps folder:
/// `configuration.<env>.yaml` in the folder, else beside it (where APIOps keeps it). It
/// must be a regular file, not a link (beside the folder may be outside the IaC root).
pub fn apiops_configuration(folder: &Path, env: &str) -> Result<PathBuf, IacError> {
    apiops::check_folder(folder)?;
    let name = format!("configuration.{env}.yaml");
    let beside = match folder.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => Some(parent.join(&name)),
        // `.` or `apiops`: the folder above, by name.
        _ => root::lexical(folder).parent().map(|p| p.join(&name)),
    };
    let candidates = [Some(folder.join(&name)), beside];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|p| p.symlink_metadata().is_ok())
        .ok_or_else(|| IacError::NoConfiguration {
            env: env.to_string(),
            folder: folder.display().to_string(),
        })?;
    root::found_file(&found)?;
    Ok(found)
}
