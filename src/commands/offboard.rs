//! `apimguard offboard --service ID --api NAME`: a one-action plan (delete the API's
//! Defender for APIs collection), printed, and with `--apply` made like `remediate`'s.

use miette::Diagnostic;
use thiserror::Error;

use super::remediate::{execute, settings, Run};
use crate::azure::arm::names::Name;
use crate::cli::OffboardArgs;
use crate::engine::Severity;
use crate::remediate::catalogue::collection_id;
use crate::remediate::plan::{ApiRef, ServiceRef};
use crate::remediate::target::{self, ServiceId};
use crate::remediate::{Action, Plan, PlannedAction, Settings};

/// Arguments that cannot name a collection.
#[derive(Debug, Error, Diagnostic)]
pub enum OffboardError {
    /// `--service` is not the ARM id of an API Management service.
    #[error("--service is not the ARM id of an API Management service: {0}; nothing was sent")]
    #[diagnostic(
        code(apimguard::offboard::service),
        help("give the service's full id: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME (the `id` of a service in the snapshot)")
    )]
    Service(String),
    /// `--api` is not an API name.
    #[error("--api: {0}; nothing was sent")]
    #[diagnostic(
        code(apimguard::offboard::api),
        help("give the API's name, the last segment of its id (e.g. echo-api, or echo-api;rev=2 for a revision)")
    )]
    Api(String),
}

/// Runs `offboard` and returns its exit code.
pub fn run(args: &OffboardArgs) -> miette::Result<u8> {
    let service = ServiceId::parse(args.service.trim_end_matches('/'))
        .map_err(|e| OffboardError::Service(e.to_string()))?;
    let api = args.api.as_str();
    Name::Api
        .check(api)
        .map_err(|e| OffboardError::Api(e.to_string()))?;
    let service_path = service.path();
    let mut action = PlannedAction::new(
        Action::OffboardApi,
        collection_id(&service_path, api),
        service.subscription.clone(),
        Severity::Info,
    );
    action.service = Some(ServiceRef {
        id: service_path.clone(),
        name: service.name.clone(),
        sku: String::new(),
        capacity_percent: None,
    });
    action.api = Some(ApiRef {
        id: format!("{service_path}/apis/{api}"),
        name: api.to_string(),
        display_name: String::new(),
    });
    // The same check every plan's actions pass (a flag cannot make another request).
    target::check(&action).map_err(|e| OffboardError::Api(e.to_string()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids() {
        let service = ServiceId::parse(
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/microsoft.apimanagement/SERVICE/contoso",
        )
        .unwrap();
        assert_eq!(
            service.path(),
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso"
        );
        for bad in [
            "contoso",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/apis/x",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/../providers/Microsoft.ApiManagement/service/contoso",
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg%2F..%2Fx/providers/Microsoft.ApiManagement/service/contoso",
        ] {
            assert!(ServiceId::parse(bad).is_err(), "{bad}");
        }
    }
}
