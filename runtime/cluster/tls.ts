import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { dataDirPaths, writeSecretFile } from './data-dir.js'

/**
 * The API serves HTTPS, as kube-apiserver does: kubectl (client-go) never sends a bearer token
 * over plain HTTP. A cluster CA and a serving certificate for the loopback names are generated on
 * the first start of a data dir and kept (keys 0600); the kubeconfig carries the CA.
 */
export interface ServingTls {
  ca: string
  cert: string
  key: string
}

const YEAR = 365 * 24 * 3600 * 1000

export async function loadOrCreateTls(dataDir: string): Promise<ServingTls> {
  const dir = join(dataDirPaths(dataDir).root, 'pki')
  const paths = { ca: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') }
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    return { ca: readFileSync(paths.ca, 'utf8'), cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const now = Date.now()
  const ca = await generate([{ name: 'commonName', value: 'kstate-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 10 * YEAR),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  })
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + YEAR),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  })
  writeSecretFile(paths.caKey, ca.private)
  writeSecretFile(paths.key, server.private)
  writeSecretFile(paths.ca, ca.cert)
  writeSecretFile(paths.cert, server.cert)
  return { ca: ca.cert, cert: server.cert, key: server.private }
}
