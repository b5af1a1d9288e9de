/**
 * Just enough OpenAPI v3 for kubectl: `kubectl apply/create` (validation "Strict", the default)
 * first asks whether the server validates fields itself — a `fieldValidation` query parameter on
 * the resource's PATCH operation — and then sends `?fieldValidation=Strict` instead of downloading
 * schemas. kstate's api-server validates every object against the real schemas (kubernetes-models)
 * plus Kubernetes' semantic rules, so it declares that parameter.
 */
const HASH = 'kstate-v1'

export function openapiV3Root() {
  return {
    paths: {
      'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${HASH}` },
      'apis/apps/v1': { serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${HASH}` },
    },
  }
}

const fieldValidation = {
  name: 'fieldValidation',
  in: 'query',
  description: 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
  schema: { type: 'string', uniqueItems: true },
}

function op(kind: string, action: string, params: object[] = [], group = '') {
  return {
    description: `${action} ${kind}`,
    operationId: `${action}CoreV1${kind}`,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group, version: 'v1', kind },
  }
}

export function openapiV3CoreV1() {
  const item = (kind: string) => ({
    get: op(kind, 'get'),
    put: op(kind, 'put', [fieldValidation]),
    patch: op(kind, 'patch', [fieldValidation]),
    delete: op(kind, 'delete'),
  })
  const collection = (kind: string) => ({ get: op(kind, 'list'), post: op(kind, 'post', [fieldValidation]) })
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-kstate' },
    paths: {
      '/api/v1/namespaces/{namespace}/pods': collection('Pod'),
      '/api/v1/namespaces/{namespace}/pods/{name}': item('Pod'),
      '/api/v1/nodes': collection('Node'),
      '/api/v1/nodes/{name}': item('Node'),
    },
    components: { schemas: {} },
  }
}

export function openapiV3AppsV1() {
  const k = 'ReplicaSet'
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-kstate' },
    paths: {
      '/apis/apps/v1/namespaces/{namespace}/replicasets': { get: op(k, 'list', [], 'apps'), post: op(k, 'post', [fieldValidation], 'apps') },
      '/apis/apps/v1/namespaces/{namespace}/replicasets/{name}': {
        get: op(k, 'get', [], 'apps'),
        put: op(k, 'put', [fieldValidation], 'apps'),
        patch: op(k, 'patch', [fieldValidation], 'apps'),
        delete: op(k, 'delete', [], 'apps'),
      },
    },
    components: { schemas: {} },
  }
}
