//! Why IaC files could not be read: every error names the file and, where it can, the
//! line and column, with an excerpt (exit 2).

use miette::Diagnostic;
use thiserror::Error;

use crate::collect::policy_xml::PolicyXmlError;
use crate::diagnostic::Located;

/// IaC input that cannot be read.
#[derive(Debug, Error, Diagnostic)]
pub enum IacError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(
        code(apimguard::iac::io),
        help("check the path; see docs/iac.md for what each reader expects")
    )]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file that is not what its reader expects (JSON, YAML, Bicep, template shape).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),
    /// A policy document that APIM would refuse too (named after its file).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(Box<PolicyXmlError>),
    /// `--from-apiops` names a folder holding none of the APIOps artifacts.
    #[error("{folder} holds no APIOps artifacts (policy.xml, apis/, products/, backends/, named values/, …){hint}")]
    #[diagnostic(
        code(apimguard::iac::apiops),
        help("pass the artifacts folder the APIOps extractor writes (the one holding apis/); reading another folder would check nothing")
    )]
    NotApiops {
        /// The folder given.
        folder: String,
        /// A subfolder that does hold artifacts, when there is one.
        hint: String,
    },
    /// `--env NAME` names no configuration file.
    #[error("no configuration.{env}.yaml in {folder} or beside it")]
    #[diagnostic(
        code(apimguard::iac::configuration),
        help("check the environment name, or name the file with --configuration FILE")
    )]
    NoConfiguration {
        /// The environment asked for.
        env: String,
        /// The APIOps folder.
        folder: String,
    },
}

impl IacError {
    /// The I/O error of reading `path`.
    pub(super) fn io(path: &str, source: std::io::Error) -> IacError {
        IacError::Io {
            path: path.to_string(),
            source,
        }
    }
}

/// Reads a file as text, as an [`IacError::Io`] on failure.
pub(super) fn read_text(path: &std::path::Path, display: &str) -> Result<String, IacError> {
    crate::input_file::read_to_string(path).map_err(|e| IacError::io(display, e))
}
