metadata name = 'API Management Workspace API Operations'
metadata description = 'This module deploys an API Operation under an API Management Workspace.'

@sys.description('Conditional. The name of the parent API Management service. Required if the template is used in a standalone deployment.')
param apiManagementServiceName string

@sys.description('Conditional. The name of the parent Workspace. Required if the template is used in a standalone deployment.')
param workspaceName string

@sys.description('Conditional. The name of the parent API. Required if the template is used in a standalone deployment.')
param apiName string

@sys.description('Required. The name of the operation.')
param name string

@sys.description('Required. The display name of the operation.')
param displayName string

@sys.description('Optional. The policies to apply to the operation.')
param policies policyType[]?

@sys.description('Required. A Valid HTTP Operation Method. Typical Http Methods like GET, PUT, POST but not limited by only them.')
param method string

@minLength(1)
@maxLength(1000)
@sys.description('Required. Relative URL template identifying the target resource for this operation. May include parameters. Example: /customers/{cid}/orders/{oid}/?date={date}.')
param urlTemplate string

@maxLength(1000)
@sys.description('Optional. Description of the operation. May include HTML formatting tags.')
param description string?

@sys.description('Optional. An entity containing request details.')
param request resourceInput<'Microsoft.ApiManagement/service/workspaces/apis/operations@2024-05-01'>.properties.request?

@sys.description('Optional. An entity containing request details.')
param responses resourceInput<'Microsoft.ApiManagement/service/workspaces/apis/operations@2024-05-01'>.properties.responses?

@sys.description('Optional. Collection of URL template parameters.')
param templateParameters resourceInput<'Microsoft.ApiManagement/service/workspaces/apis/operations@2024-05-01'>.properties.templateParameters?

@sys.description('Optional. Enable/Disable usage telemetry for module.')
param enableTelemetry bool = true

var enableReferencedModulesTelemetry bool = false

resource service 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apiManagementServiceName

  resource workspace 'workspaces@2024-05-01' existing = {
    name: workspaceName

    resource api 'apis@2024-05-01' existing = {
      name: apiName
    }
  }
}

#disable-next-line no-deployments-resources
resource avmTelemetry 'Microsoft.Resources/deployments@2025-04-01' = if (enableTelemetry) {
  name: '46d3xbcp.res.apimgmt-service-workspaceapiop.${replace('-..--..-', '.', '-')}.${substring(uniqueString(deployment().name), 0, 4)}'
  properties: {
    mode: 'Incremental'
    template: {
      '$schema': 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
      contentVersion: '1.0.0.0'
      resources: []
      outputs: {
        telemetry: {
          type: 'String'
          value: 'For more information, see https://aka.ms/avm/TelemetryInfo'
        }
      }
    }
  }
}

resource operation 'Microsoft.ApiManagement/service/workspaces/apis/operations@2024-05-01' = {
  name: name
  parent: service::workspace::api
  properties: {
    displayName: displayName
    method: method
    urlTemplate: urlTemplate
    description: description
    request: request
    responses: responses
    templateParameters: templateParameters
  }
}

module operation_policies 'policy/main.bicep' = [
  for (policy, index) in policies ?? []: {
    name: '${deployment().name}-Pol-${index}'
    params: {
      apiManagementServiceName: apiManagementServiceName
      workspaceName: workspaceName
      apiName: apiName
      operationName: operation.name
      name: policy.?name
      format: policy.?format
      value: policy.value
      enableTelemetry: enableReferencedModulesTelemetry
    }
  }
]

@sys.description('The resource ID of the operation.')
output resourceId string = operation.id

@sys.description('The name of the operation.')
output name string = operation.name

@sys.description('The resource group the operation was deployed into.')
output resourceGroupName string = resourceGroup().name

// =============== //
//   Definitions   //
// =============== //

@export()
@sys.description('The type of a policy.')
type policyType = {
  @sys.description('Optional. The name of the policy.')
  name: string?

  @sys.description('Optional. Format of the policyContent.')
  format: ('rawxml' | 'rawxml-link' | 'xml' | 'xml-link')?

  @sys.description('Required. Contents of the Policy as defined by the format.')
  value: string
}
