import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ErrorCode, KstateError } from '../errors.js'

/**
 * The data directory of a cluster (default `./.kstate`): the NATS store, generated secrets, the
 * kubeconfig and where the running cluster can be reached. Secrets are written with mode 0600.
 */
export const DEFAULT_DATA_DIR = '.kstate'

export interface Credentials {
  controlPlanePassword: string
  nodePassword: string
  /** Bearer token of the `admin` user of the HTTP API (kubeconfig). */
  adminToken: string
}

/** Where the running cluster answers; rewritten at every start (ports are picked freshly). */
export interface ClusterEndpoints {
  natsUrl: string
  apiUrl: string
  pid: number
}

export function dataDirPaths(dir: string) {
  const root = resolve(dir)
  return {
    root,
    nats: join(root, 'nats'),
    natsPid: join(root, 'nats.pid'),
    credentials: join(root, 'credentials.json'),
    endpoints: join(root, 'cluster.json'),
    kubeconfig: join(root, 'kubeconfig'),
    nodes: join(root, 'nodes'),
  }
}

export function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 })
  chmodSync(path, 0o600)
}

const secret = () => randomBytes(24).toString('base64url')
/**
 * NATS passwords reach nats.conf through `$VAR`, and nats-server parses the variable's value as a
 * config value: one starting with digits may be read as a number, size or date and fail (seen: a
 * base64url password beginning "1-"). A
 * letter then hex is always a plain string.
 */
const natsPassword = () => `k${randomBytes(24).toString('hex')}`

/** Loads the cluster's secrets, generating them on the first start of this data dir. */
export function loadOrCreateCredentials(dir: string): Credentials {
  const p = dataDirPaths(dir)
  mkdirSync(p.root, { recursive: true, mode: 0o700 })
  if (existsSync(p.credentials)) return JSON.parse(readFileSync(p.credentials, 'utf8')) as Credentials
  const creds: Credentials = { controlPlanePassword: natsPassword(), nodePassword: natsPassword(), adminToken: secret() }
  writeSecretFile(p.credentials, JSON.stringify(creds, null, 2) + '\n')
  return creds
}

export function readCredentials(dir: string): Credentials {
  const p = dataDirPaths(dir)
  if (!existsSync(p.credentials)) {
    throw new KstateError(ErrorCode.ClusterNotFound, `no cluster in ${p.root} (no credentials.json): start one with \`kstate up --data-dir ${dir}\``)
  }
  return JSON.parse(readFileSync(p.credentials, 'utf8')) as Credentials
}

export function writeEndpoints(dir: string, e: ClusterEndpoints): void {
  writeFileSync(dataDirPaths(dir).endpoints, JSON.stringify(e, null, 2) + '\n')
}

export function readEndpoints(dir: string): ClusterEndpoints {
  const p = dataDirPaths(dir)
  if (!existsSync(p.endpoints)) {
    throw new KstateError(ErrorCode.ClusterNotFound, `no running cluster in ${p.root}: start one with \`kstate up --data-dir ${dir}\``)
  }
  return JSON.parse(readFileSync(p.endpoints, 'utf8')) as ClusterEndpoints
}
