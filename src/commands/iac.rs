//! `collect --from-arm|--from-bicep|--from-apiops` and the same flags on `check`: the
//! flags bound to what `app::iac` reads.

use miette::Diagnostic;
use thiserror::Error;

use crate::app::iac::{self, IacRead};
use crate::cli::{ArmArgs, IacArgs};
use crate::iac::IacSource;
use crate::snapshot::LoadedSnapshot;

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
    let Some(source) = source(args, arm)? else {
        return Ok(None);
    };
    iac::read(IacRead {
        source,
        env: args.env.clone(),
        root: args.root.clone(),
        quiet: arm.connection.quiet,
    })
    .map(Some)
}
