#!/usr/bin/env python3
"""Writes demo/snapshot.json, the README's demo, from the every-rule estate
(fixtures/demo/snapshot.json, which `apimguard collect` recorded from fixtures/arm/demo):

    scripts/make_demo.py          # from the repository's root

It keeps the production subscription and its Premium service, and makes the estate one a
reader recognises: four partner APIs behind JWT validation and a subscription key,
onboarded to Defender for APIs, rate-limited, with HTTPS backends, Key Vault secrets and
no sample products; and a few real problems, the headline one first: the Payments API is
reachable from the internet without authentication and not onboarded to Defender for
APIs; the gateway's certificate expires in 12 days; the Premium service is not in a
virtual network. The collector's verdicts (auth, exposure, defender) come with the APIs
they were made for: the four partner APIs are copies of Orders API v4 under new names.
tests/readme_demo.rs keeps the demo what README.md says it is.
"""
import json

d = json.load(open('fixtures/demo/snapshot.json'))
sub = [s for s in d['subscriptions'] if any(v['name']=='apim-contoso-prod' for v in s['services'])][0]
svc = [v for v in sub['services'] if v['name']=='apim-contoso-prod'][0]
keep = ['orders-api-v4', 'payments-api']
svc['apis'] = [a for a in svc['apis'] if a['name'] in keep]
sub['services'] = [svc]
d['subscriptions'] = [sub]
sub = d['subscriptions'][0]; svc = sub['services'][0]
base = lambda: {"name": "base", "attributes": {}, "children": []}
apis = {a['name']: a for a in svc['apis']}
orders = apis['orders-api-v4']
def clone(name, display, path, desc, url):
    a = json.loads(json.dumps(orders).replace('orders-api-v4', name))
    a['displayName'] = display; a['path'] = path
    a['properties']['displayName'] = display; a['properties']['path'] = path
    a['properties']['description'] = desc; a['properties']['serviceUrl'] = url
    a['properties'].pop('apiVersion', None); a['properties'].pop('apiVersionSetId', None)
    a['properties'].pop('apiVersionSet', None)
    if a['defender'].get('collection'):
        c = a['defender']['collection']; c['displayName'] = display
        c['baseUrl'] = 'https://apim-contoso-prod.azure-api.net/' + path
    return a
payments = apis['payments-api']
payments['policy'] = {"inbound": [base(), {"name": "rate-limit-by-key", "attributes": {"calls": "100", "renewal-period": "60", "counter-key": "@(context.Request.IpAddress)"}, "children": []}, {"name": "set-backend-service", "attributes": {"backend-id": "payments-backend"}, "children": []}], "backend": [base()], "outbound": [base()], "onError": [base()], "fragments": []}
payments['products'] = []
svc['apis'] = [orders,
               clone('customers-api', 'Customers API', 'customers', 'Customer accounts and addresses for partners.', 'https://customers.contoso.com/api'),
               clone('inventory-api', 'Inventory API', 'inventory', 'Stock levels per warehouse.', 'https://inventory.contoso.com/api'),
               clone('shipping-api', 'Shipping API', 'shipping', 'Shipments and tracking for partners.', 'https://shipping.contoso.com/api'),
               payments]
svc['products'] = [p for p in svc['products'] if p['name'] == 'partners']
for p in svc['products']:
    p.setdefault('apis', None)
svc['apimSubscriptions'] = [s for s in svc['apimSubscriptions'] if s['name'] == 'fabrikam-partners']
svc['backends'] = [b for b in svc['backends'] if b['name'] in ('orders-backend',)]
pb = json.loads(json.dumps(svc['backends'][0]).replace('orders-backend', 'payments-backend').replace('https://orders.contoso.com/api', 'https://payments.internal.contoso.com/api').replace('orders-client', 'payments-client'))
svc['backends'].append(pb)
svc['namedValues'] = [n for n in svc['namedValues'] if n['name'] in ('proxybackend-auth', 'environment', 'orders-cert-password')]
for n in svc['namedValues']:
    kv = n['properties'].get('keyVault')
    if kv: kv['lastStatus'] = {"code": "Success", "timeStampUtc": "2026-11-25T23:10:04Z"}
sub['alerts'] = []
sub['recommendations'] = [r for r in sub['recommendations'] if 'payments' in json.dumps(r)]
json.dump(d, open('demo/snapshot.json', 'w'), indent=2)
open('demo/snapshot.json', 'a').write('\n')
