//! Why IaC files could not be read: every error names the file and, where it can, the
//! line and column, with an excerpt (exit 2).

use miette::Diagnostic;
use thiserror::Error;

use super::expr::Cut;
use crate::diagnostic::Located;
use crate::input::{self, Kind, TooLarge};
use crate::policy_xml::PolicyXmlError;

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
    /// A file over the file size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// A file that is not what its reader expects (JSON, YAML, Bicep, template shape).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),
    /// A file or folder outside the IaC root, or not one the readers read (see
    /// [`super::root`]), with no line to point at.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Refused(Box<super::root::Refused>),
    /// A policy document that APIM would refuse too (named after its file).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(Box<PolicyXmlError>),
    /// A resource whose evaluated values nest deeper than a snapshot can hold.
    #[error("{at}: the values of this resource nest more than {limit} levels deep")]
    #[diagnostic(
        code(apimguard::iac::value_depth),
        help("a value read with json() or from a loaded JSON file nests deeper than any real resource; flatten it (docs/limits.md)")
    )]
    TooDeep {
        /// The file and line of the resource.
        at: String,
        /// The limit.
        limit: usize,
    },
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

/// A resource whose evaluation was cut short (see [`super::expr::Cut`]), at its line.
pub(super) fn evaluation_cut(cut: Cut, file: &str, text: &str, line: usize) -> IacError {
    let (code, help, message) = match cut {
        Cut::Depth => (
            "apimguard::iac::evaluation_depth",
            "no real template chains values this deep: shorten the chain of variables (or parameters, or resources) that refer to each other (docs/limits.md)",
            format!(
                "{file}:{line}: evaluating this resource goes more than {} levels deep (nested expressions, variables that refer to variables, or values a lambda nests)",
                super::expr::MAX_EVALUATION_DEPTH
            ),
        ),
        Cut::Steps => (
            "apimguard::iac::evaluation_steps",
            "no real template computes this much: shorten the loops, lambdas (filter, map, reduce, sort, …) and range() counts this resource's values go through (docs/limits.md)",
            format!(
                "{file}:{line}: evaluating this resource takes more than {} steps (loop items, lambda calls, range() items and the size of what lambdas build)",
                super::expr::MAX_STEPS
            ),
        ),
    };
    IacError::Located(Located::new(code, help, file, text, line, 1, message))
}

/// Reads a file as text (within the file size cap), as an [`IacError::Io`] on failure.
pub(super) fn read_text(path: &std::path::Path, display: &str) -> Result<String, IacError> {
    input::read_to_string(path, Kind::File).map_err(|e| e.or_io(|e| IacError::io(display, e)))
}
