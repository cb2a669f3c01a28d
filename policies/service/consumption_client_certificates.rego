# METADATA
# title: Consumption services should request client certificates
# description: >-
#   On the Consumption tier the gateway only asks callers for a client certificate when
#   enableClientCertificate is on; without it, validate-client-certificate and
#   context.Request.Certificate see nothing, so certificate-based authentication (mutual
#   TLS) silently cannot work.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-mutual-certificates-for-clients
#   - https://learn.microsoft.com/azure/api-management/validate-client-certificate-policy
# custom:
#   id: APIM-SVC-014
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set properties.enableClientCertificate to true on the service (portal: Custom domains >
#     Request client certificate; Terraform: client_certificate_enabled = true) and validate
#     the certificate with validate-client-certificate in the APIs that need it.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-4]
#     nist-800-53: ["IA-3", "IA-5(2)"]
#     iso-27001: [A.8.5]
#     checkov: [CKV_AZURE_152]
package apimguard.rules.service.consumption_client_certificates

import rego.v1

import data.apimguard.lib.estate

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.is_consumption(svc)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.is_consumption(svc)
	object.get(svc.properties, "enableClientCertificate", false) != true
	msg := sprintf("Consumption service %q does not request client certificates (enableClientCertificate is %v)", [svc.name, object.get(svc.properties, "enableClientCertificate", "not set")])
}
