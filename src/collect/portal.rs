//! Reading how a service's developer portal lets people in (its configurations,
//! settings and identity providers) and the certificates uploaded to the service.
//!
//! Each list that cannot be read stays `None` and is a gap: a portal whose configuration
//! could not be read is never taken for one with username and password sign-in off.

use super::apim::API_VERSION;
use super::logging::read_list;
use super::Ctx;
use crate::redact;
use crate::snapshot::{DeveloperPortal, Resource};

/// Reads the developer portal of `service` (three requests): `None` on the Consumption
/// tier, which has no portal.
pub(crate) async fn read_portal(
    ctx: &Ctx<'_>,
    service: &str,
    sku: &str,
) -> Option<DeveloperPortal> {
    if !has_portal(sku) {
        return None;
    }
    let (configs, settings, identity_providers) = tokio::join!(
        read_list(
            ctx,
            service,
            "portalconfigs",
            API_VERSION,
            "portalConfigs",
            redact::portal
        ),
        read_list(
            ctx,
            service,
            "portalsettings",
            API_VERSION,
            "portalSettings",
            redact::portal
        ),
        read_list(
            ctx,
            service,
            "identityProviders",
            API_VERSION,
            "identityProviders",
            redact::portal
        ),
    );
    Some(DeveloperPortal {
        configs,
        settings,
        identity_providers,
    })
}

/// Reads the certificates of `service` (`data` and `password` never kept), or `None`
/// (and a gap) when they cannot be read.
pub(crate) async fn read_certificates(ctx: &Ctx<'_>, service: &str) -> Option<Vec<Resource>> {
    read_list(
        ctx,
        service,
        "certificates",
        API_VERSION,
        "certificates",
        redact::certificate,
    )
    .await
}

/// Whether a pricing tier has a developer portal (every tier but Consumption).
pub(crate) fn has_portal(sku: &str) -> bool {
    !sku.eq_ignore_ascii_case("consumption")
}
