# Library (no METADATA, so not a rule): reading a service's developer portal (schema 1.3,
# feature `developerPortal`). Each getter is undefined when the snapshot does not have
# the list (an older snapshot, or a list that could not be read): rules then report it
# as not known.
package apimguard.lib.portal

import rego.v1

import data.apimguard.lib.estate

# The services that have a developer portal: every tier but Consumption.
services contains svc if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)
}

# The portal's configurations (portalconfigs).
configs(svc) := list if {
	list := object.get(_portal(svc), "configs", null)
	is_array(list)
}

# The portal settings (portalsettings: signin, signup, delegation).
settings(svc) := list if {
	list := object.get(_portal(svc), "settings", null)
	is_array(list)
}

# The identity providers people may sign in with.
identity_providers(svc) := list if {
	list := object.get(_portal(svc), "identityProviders", null)
	is_array(list)
}

# The portal setting called `name` (signin, signup, delegation), when the snapshot has it.
setting(svc, name) := s if {
	some s in settings(svc)
	lower(s.name) == name
}

_portal(svc) := p if {
	p := object.get(svc, "developerPortal", null)
	is_object(p)
} else := {}

# Why a fact about `what` (e.g. "portal configuration") is missing, for "not known" messages.
not_in_snapshot(what) := estate.by_source(
	sprintf("the snapshot does not have its %s (collected by an older apimguard, or not readable)", [what]),
	sprintf("the files do not declare its %s (APIOps folders are not read for it)", [what]),
)

# The developer portal is switched off (properties.developerPortalStatus Disabled).
portal_disabled(svc) if lower(object.get(svc.properties, "developerPortalStatus", "")) == "disabled"
