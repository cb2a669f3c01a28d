//! `collect --from-arm|--from-bicep|--from-apiops` and the same flags on `check`:
//! IaC files → snapshot in memory, with warnings for what could not be read.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::cli::{ArmArgs, IacArgs};
use crate::iac::{self, IacSource};
use crate::snapshot::LoadedSnapshot;

/// Sets `collectedAt` of IaC snapshots (RFC 3339), for reproducible outputs.
pub const COLLECTED_AT_VARIABLE: &str = "APIMGUARD_COLLECTED_AT";

/// IaC flags that cannot work together.
#[derive(Debug, Error, Diagnostic)]
pub enum IacUsageError {
    /// `--parameters` without a template.
    #[error("--parameters applies to --from-arm and --from-bicep only")]
    #[diagnostic(
        code(apimguard::iac::parameters_usage),
        help("name the template with --from-arm FILE or --from-bicep FILE")
    )]
    ParametersWithoutTemplate,
    /// `--configuration`/`--env` without an APIOps folder.
    #[error("--configuration and --env apply to --from-apiops only")]
    #[diagnostic(
        code(apimguard::iac::configuration_usage),
        help("name the APIOps artifacts folder with --from-apiops DIR")
    )]
    ConfigurationWithoutApiops,
    /// `--root` without IaC files.
    #[error("--root applies to --from-arm, --from-bicep and --from-apiops only")]
    #[diagnostic(
        code(apimguard::iac::root_usage),
        help("name the IaC input with --from-arm FILE, --from-bicep FILE or --from-apiops DIR, or drop --root")
    )]
    RootWithoutIac,
    /// Azure scope flags with IaC files.
    #[error("--subscription, --resource-group, --service and --management-endpoint read Azure; they do not apply to --from-arm, --from-bicep or --from-apiops")]
    #[diagnostic(
        code(apimguard::iac::azure_flags),
        help("drop them: IaC snapshots use the placeholders {{subscriptionId}} and {{resourceGroupName}} (docs/iac.md)")
    )]
    AzureFlags,
    /// `APIMGUARD_COLLECTED_AT` is not a timestamp.
    #[error("{COLLECTED_AT_VARIABLE} is `{0}`, not an RFC 3339 timestamp")]
    #[diagnostic(
        code(apimguard::iac::collected_at),
        help("set it like 2026-01-31T00:00:00Z, or unset it to stamp the snapshot with the current time")
    )]
    BadCollectedAt(String),
}

/// The IaC source the flags name, if any.
pub fn source(args: &IacArgs, arm: &ArmArgs) -> Result<Option<IacSource>, IacUsageError> {
    let apiops = args.from_apiops.is_some();
    if args.parameters.is_some() && args.from_arm.is_none() && args.from_bicep.is_none() {
        return Err(IacUsageError::ParametersWithoutTemplate);
    }
    if (args.configuration.is_some() || args.env.is_some()) && !apiops {
        return Err(IacUsageError::ConfigurationWithoutApiops);
    }
    let source = if let Some(template) = &args.from_arm {
        IacSource::ArmTemplate {
            template: template.clone(),
            parameters: args.parameters.clone(),
        }
    } else if let Some(file) = &args.from_bicep {
        IacSource::Bicep {
            file: file.clone(),
            parameters: args.parameters.clone(),
        }
    } else if let Some(folder) = &args.from_apiops {
        IacSource::Apiops {
            folder: folder.clone(),
            configuration: args.configuration.clone(),
        }
    } else if args.root.is_some() {
        return Err(IacUsageError::RootWithoutIac);
    } else {
        return Ok(None);
    };
    let azure = !arm.subscriptions.is_empty()
        || arm.resource_group.is_some()
        || arm.service.is_some()
        || arm.connection.management_endpoint.is_some();
    if azure {
        return Err(IacUsageError::AzureFlags);
    }
    Ok(Some(source))
}

/// Reads the IaC files the flags name into a snapshot in memory; `None` without IaC flags.
pub fn read(args: &IacArgs, arm: &ArmArgs) -> miette::Result<Option<LoadedSnapshot>> {
    let Some(mut source) = source(args, arm)? else {
        return Ok(None);
    };
    if let (
        IacSource::Apiops {
            folder,
            configuration,
        },
        Some(env),
    ) = (&mut source, &args.env)
    {
        *configuration = Some(iac::apiops_configuration(folder, env)?);
    }
    let snapshot = iac::read(&source, args.root.as_deref(), collected_at()?)?;
    if !arm.connection.quiet {
        let services = snapshot.subscriptions.iter().flat_map(|s| &s.services);
        crate::console::line(format_args!(
            "read {}: {} service(s), {} API(s), {} unknown value(s), {} gap(s)",
            source.path().display(),
            services.clone().count(),
            services.map(|s| s.apis.len()).sum::<usize>(),
            snapshot.unknowns.len(),
            snapshot.gaps.len()
        ));
    }
    for gap in &snapshot.gaps {
        crate::console::warning(format_args!(
            "could not read {} of {}: {}",
            gap.what, gap.scope, gap.error
        ));
    }
    let text = crate::snapshot::to_text(&snapshot, false)?;
    Ok(Some(LoadedSnapshot {
        path: PathBuf::from(source.path()),
        text,
        snapshot,
    }))
}

/// `collectedAt`: [`COLLECTED_AT_VARIABLE`] when set, else now.
fn collected_at() -> Result<String, IacUsageError> {
    match std::env::var(COLLECTED_AT_VARIABLE) {
        Ok(value) if !value.is_empty() => chrono::DateTime::parse_from_rfc3339(&value)
            .map(|_| value.clone())
            .map_err(|_| IacUsageError::BadCollectedAt(value)),
        _ => Ok(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    }
}
