//! Reading where a service's logs go: its Azure Monitor diagnostic settings
//! (`Microsoft.Insights/diagnosticSettings`, which send the gateway's resource logs to a
//! workspace, storage account, event hub or partner), and API Management's own
//! diagnostics and loggers (Application Insights, Azure Monitor, Event Hubs), at the
//! service and on each API.
//!
//! Each list that cannot be read stays `None` and is a gap: a service whose diagnostic
//! settings could not be read is never taken for one without them, nor for one with them.

use futures::future::join_all;
use serde_json::Value;

use super::apim::{resource_record, API_VERSION};
use super::Ctx;
use crate::redact;
use crate::snapshot::{Api, JsonObject, Logging, Resource};

/// The api-version of `Microsoft.Insights/diagnosticSettings`.
pub(crate) const DIAGNOSTIC_SETTINGS_API_VERSION: &str = "2021-05-01-preview";

/// The collection of a resource's diagnostic settings, under the resource's id.
pub(crate) const DIAGNOSTIC_SETTINGS: &str = "providers/Microsoft.Insights/diagnosticSettings";

/// Reads the service-level logging of `service`: diagnostic settings, diagnostics and
/// loggers (three requests). API-level diagnostics are added by [`read_api_diagnostics`].
pub(crate) async fn read_service(ctx: &Ctx<'_>, service: &str) -> Logging {
    let (diagnostic_settings, diagnostics, loggers) = tokio::join!(
        read_list(
            ctx,
            service,
            DIAGNOSTIC_SETTINGS,
            DIAGNOSTIC_SETTINGS_API_VERSION,
            "diagnosticSettings",
            redact::logger
        ),
        read_list(
            ctx,
            service,
            "diagnostics",
            API_VERSION,
            "diagnostics",
            redact::logger
        ),
        read_list(
            ctx,
            service,
            "loggers",
            API_VERSION,
            "loggers",
            redact::logger
        ),
    );
    Logging {
        diagnostic_settings,
        diagnostics,
        loggers,
    }
}

/// Adds the diagnostics of each of `apis` (one request per API) to `logging`; an API
/// whose list cannot be read is a gap, and the service's diagnostics are then not known.
pub(crate) async fn read_api_diagnostics(ctx: &Ctx<'_>, apis: &[&Api], logging: &mut Logging) {
    let read = join_all(apis.iter().map(|api| {
        read_list(
            ctx,
            &api.id,
            "diagnostics",
            API_VERSION,
            "diagnostics",
            redact::logger,
        )
    }))
    .await;
    let mut all = Vec::new();
    for list in read {
        match list {
            Some(items) => all.extend(items),
            None => {
                logging.diagnostics = None;
                return;
            }
        }
    }
    if let Some(diagnostics) = logging.diagnostics.as_mut() {
        diagnostics.extend(all);
    }
}

/// Lists `{parent}/{collection}`: its direct children as snapshot resources (after
/// `redact`), or `None` (and a gap) when it cannot be read.
pub(super) async fn read_list(
    ctx: &Ctx<'_>,
    parent: &str,
    collection: &str,
    api_version: &str,
    what: &str,
    redact: fn(&mut JsonObject),
) -> Option<Vec<Resource>> {
    let items = ctx
        .list_or_gap(parent, collection, api_version, what)
        .await?;
    Some(
        ctx.children(parent, collection, what, &items)
            .into_iter()
            .map(|item: &Value| resource_record(item, redact))
            .collect(),
    )
}
