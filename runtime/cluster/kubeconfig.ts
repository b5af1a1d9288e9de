import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { ErrorCode, KstateError } from '../errors.js'
import { dataDirPaths, DEFAULT_DATA_DIR, writeSecretFile } from './data-dir.js'

/** A real kubeconfig (kubectl reads it as is): one cluster, one admin user with a bearer token. */
export function kubeconfigYaml(server: string, token: string, caPem: string, name = 'kstate'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name, context: { cluster: name, user: 'admin', namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  })
}

/** Written 0600: it holds the admin token. */
export function writeKubeconfig(dataDir: string, server: string, token: string, caPem: string): string {
  const path = dataDirPaths(dataDir).kubeconfig
  writeSecretFile(path, kubeconfigYaml(server, token, caPem))
  return path
}

export interface ClientConfig {
  server: string
  token?: string
  /** PEM of the cluster CA (`certificate-authority-data`) that signs the API's certificate. */
  ca?: string
  /** `insecure-skip-tls-verify` */
  insecure?: boolean
  namespace: string
  path: string
}

/** `--kubeconfig`, else `$KUBECONFIG` (first entry), else `./.kstate/kubeconfig`: how client commands find the cluster. */
export function resolveKubeconfigPath(flag?: string): string {
  if (flag) return resolve(flag)
  const env = process.env.KUBECONFIG?.split(':').find((p) => p.trim() !== '')
  if (env) return resolve(env)
  return dataDirPaths(DEFAULT_DATA_DIR).kubeconfig
}

export function loadClientConfig(flag?: string): ClientConfig {
  const path = resolveKubeconfigPath(flag)
  if (!existsSync(path)) {
    throw new KstateError(ErrorCode.ClusterNotFound, `no kubeconfig at ${path}: start a cluster with \`kstate up\`, or pass --kubeconfig`)
  }
  type Named<T> = { name: string } & T
  let doc: {
    'current-context'?: string
    contexts?: Named<{ context: { cluster: string; user?: string; namespace?: string } }>[]
    clusters?: Named<{ cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean } }>[]
    users?: Named<{ user: { token?: string } }>[]
  }
  try {
    doc = parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new KstateError(ErrorCode.KubeconfigInvalid, `${path} is not valid YAML: ${(e as Error).message}`)
  }
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context']) ?? doc?.contexts?.[0]
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.context.cluster) ?? doc?.clusters?.[0]
  if (!cluster?.cluster?.server) throw new KstateError(ErrorCode.KubeconfigInvalid, `${path} names no cluster server`)
  const user = doc.users?.find((u) => u.name === ctx?.context.user)
  const c = cluster.cluster
  const ca = c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8') : c['certificate-authority'] ? readFileSync(resolve(dirname(path), c['certificate-authority']), 'utf8') : undefined
  return { server: c.server.replace(/\/+$/, ''), token: user?.user?.token, ca, insecure: c['insecure-skip-tls-verify'] === true, namespace: ctx?.context.namespace ?? 'default', path }
}
