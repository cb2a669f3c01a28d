//! Azure clouds: where ARM lives and which token audience it accepts.

use std::fmt;
use std::str::FromStr;

use azure_core::cloud::CloudConfiguration;

/// An Azure cloud (`--cloud`), named as `az cloud list` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cloud {
    /// Azure public cloud (`AzureCloud`).
    #[default]
    Public,
    /// Azure US Government (`AzureUSGovernment`).
    UsGovernment,
    /// Azure operated by 21Vianet (`AzureChinaCloud`).
    China,
}

impl Cloud {
    /// The name `az cloud list` uses, recorded in the snapshot's `source.cloud`.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Public => "AzureCloud",
            Cloud::UsGovernment => "AzureUSGovernment",
            Cloud::China => "AzureChinaCloud",
        }
    }

    /// The Azure Resource Manager endpoint.
    pub fn management_endpoint(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::UsGovernment => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
        }
    }

    /// The OAuth scope of ARM tokens in this cloud.
    pub fn token_scope(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com/.default",
            Cloud::UsGovernment => "https://management.core.usgovcloudapi.net/.default",
            Cloud::China => "https://management.core.chinacloudapi.cn/.default",
        }
    }

    /// The identity library's cloud setting. `None` for the public cloud, so that
    /// `AZURE_AUTHORITY_HOST` keeps working there.
    pub(crate) fn configuration(self) -> Option<CloudConfiguration> {
        match self {
            Cloud::Public => None,
            Cloud::UsGovernment => Some(CloudConfiguration::AzureGovernment),
            Cloud::China => Some(CloudConfiguration::AzureChina),
        }
    }
}

/// `--cloud`: the names `az cloud list` uses, and the short ones `FromStr` reads too.
impl clap::ValueEnum for Cloud {
    fn value_variants<'a>() -> &'a [Self] {
        &[Cloud::Public, Cloud::UsGovernment, Cloud::China]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let aliases: &[&str] = match self {
            Cloud::Public => &["AzurePublicCloud", "public"],
            Cloud::UsGovernment => &["AzureUSGovernmentCloud", "usgov", "usgovernment"],
            Cloud::China => &["china"],
        };
        Some(clap::builder::PossibleValue::new(self.name()).aliases(aliases.iter().copied()))
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cloud {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "azurecloud" | "azurepubliccloud" | "public" => Ok(Cloud::Public),
            "azureusgovernment" | "azureusgovernmentcloud" | "usgov" | "usgovernment" => Ok(Cloud::UsGovernment),
            "azurechinacloud" | "china" => Ok(Cloud::China),
            _ => Err(format!(
                "unknown cloud `{s}`; use AzureCloud, AzureUSGovernment or AzureChinaCloud (for another ARM-compatible endpoint, add --management-endpoint)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_case_insensitively() {
        assert_eq!(
            "azureusgovernment".parse::<Cloud>(),
            Ok(Cloud::UsGovernment)
        );
        assert_eq!("AzureCloud".parse::<Cloud>(), Ok(Cloud::Public));
        assert_eq!(
            "china".parse::<Cloud>().map(Cloud::name),
            Ok("AzureChinaCloud")
        );
        assert!("mars".parse::<Cloud>().is_err());
    }

    #[test]
    fn endpoint_and_audience_change_together() {
        assert_eq!(
            Cloud::UsGovernment.management_endpoint(),
            "https://management.usgovcloudapi.net"
        );
        assert_eq!(
            Cloud::UsGovernment.token_scope(),
            "https://management.core.usgovcloudapi.net/.default"
        );
    }
}
