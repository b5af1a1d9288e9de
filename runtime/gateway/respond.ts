import type { Status } from 'kubernetes-types/meta/v1.js'
import type { ServerResponse } from 'node:http'

/** A JSON answer with its length (keep-alive clients need it). */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** A Kubernetes `Status` answer with its code. */
export const sendStatus = (res: ServerResponse, status: Status): void => sendJson(res, status.code ?? 500, status)
