/** Discovery documents kubectl reads before it talks to a resource. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kstate.0' }

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: 'kstate',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: 'n/a (kstate on Node.js ' + process.version + ')',
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  }
}

export function apiVersions(host: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] }
}

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']
export function apiResourceList() {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs, shortNames: ['po'], categories: ['all'] },
      { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] },
      { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
      { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs, shortNames: ['no'] },
      { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] },
    ],
  }
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [appsGroup()] }
}

export function appsGroup() {
  const v = { groupVersion: 'apps/v1', version: 'v1' }
  return { kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [v], preferredVersion: v }
}

export function appsResourceList() {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'apps/v1',
    resources: [
      { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: [...verbs, 'watch'], shortNames: ['rs'], categories: ['all'] },
      { name: 'replicasets/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
      { name: 'replicasets/status', singularName: '', namespaced: true, kind: 'ReplicaSet', verbs: ['get', 'patch', 'update'] },
    ],
  }
}
