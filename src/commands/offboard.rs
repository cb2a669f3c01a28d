//! `apimguard offboard --service ID --api NAME`: a one-action plan (delete the API's
//! Defender for APIs collection), printed, and with `--apply` made like `remediate`'s.

use std::sync::OnceLock;

use miette::Diagnostic;
use regex::Regex;
use thiserror::Error;

use super::remediate::{execute, settings, Run};
use crate::cli::OffboardArgs;
use crate::engine::Severity;
use crate::remediate::catalogue::collection_id;
use crate::remediate::plan::{ApiRef, ServiceRef};
use crate::remediate::{Action, Plan, PlannedAction, Settings};

/// Arguments that cannot name a collection.
#[derive(Debug, Error, Diagnostic)]
pub enum OffboardError {
    /// `--service` is not the ARM id of an API Management service.
    #[error("--service `{0}` is not the ARM id of an API Management service")]
    #[diagnostic(
        code(apimguard::offboard::service),
        help("give the service's full id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME (the `id` of a service in the snapshot)")
    )]
    Service(String),
    /// `--api` is not an API name.
    #[error("--api `{0}` is not an API name")]
    #[diagnostic(
        code(apimguard::offboard::api),
        help("give the API's name, the last segment of its id (e.g. echo-api), 1 to 256 characters without / * # & + : < > ?")
    )]
    Api(String),
}

/// Runs `offboard` and returns its exit code.
pub fn run(args: &OffboardArgs) -> miette::Result<u8> {
    let (service, subscription, name) = parse_service(&args.service)?;
    let api = args.api.as_str();
    let valid_api = (1..=256).contains(&api.chars().count())
        && !api.contains(['/', '*', '#', '&', '+', ':', '<', '>', '?']);
    if !valid_api {
        return Err(OffboardError::Api(api.to_string()).into());
    }
    let mut action = PlannedAction::new(
        Action::OffboardApi,
        collection_id(&service, api),
        subscription,
        Severity::Info,
    );
    action.service = Some(ServiceRef {
        id: service.clone(),
        name,
        sku: String::new(),
        capacity_percent: None,
    });
    action.api = Some(ApiRef {
        id: format!("{service}/apis/{api}"),
        name: api.to_string(),
        display_name: String::new(),
    });
    action
        .reasons
        .push("requested with `apimguard offboard`".to_string());
    execute(Run {
        plan: Plan {
            snapshot: None,
            rules: Vec::new(),
            actions: vec![action],
            manual: Vec::new(),
            waived: 0,
        },
        settings: settings(
            Settings {
                max_changes: 1,
                ..Settings::default()
            },
            None,
            &args.apply,
        ),
        command: "offboard",
        resume: None,
        apply: &args.apply,
        format: args.format,
        connection: &args.connection,
    })
}

/// The service id (without a trailing slash), its subscription and its name.
fn parse_service(id: &str) -> Result<(String, String, String), OffboardError> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r"(?i)^/subscriptions/([^/]+)/resourceGroups/[^/]+/providers/Microsoft\.ApiManagement/service/([^/]+)$")
            .expect("valid regex")
    });
    let trimmed = id.trim_end_matches('/');
    let captures = pattern
        .captures(trimmed)
        .ok_or_else(|| OffboardError::Service(id.to_string()))?;
    Ok((
        trimmed.to_string(),
        captures[1].to_string(),
        captures[2].to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids() {
        let (id, sub, name) = parse_service(
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/",
        )
        .unwrap();
        assert_eq!(
            (id.ends_with("/contoso"), sub.as_str(), name.as_str()),
            (true, "s1", "contoso")
        );
        assert!(parse_service("contoso").is_err());
        assert!(parse_service(
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/apis/x"
        )
        .is_err());
    }
}
