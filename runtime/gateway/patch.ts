/**
 * PATCH bodies by content type, as kube-apiserver accepts them: JSON merge patch (RFC 7386),
 * strategic merge patch (kubectl's default) and JSON patch (RFC 6902, `kubectl patch --type json`).
 * Server-side apply is not implemented: it answers 415 naming the types that work.
 */
import jsonpatch from 'fast-json-patch'
import { failureStatus, type Resource } from '../../events/index.js'
import { HttpError } from './http-error.js'
import { mergePatch } from './merge-patch.js'
import { PATCH_SCHEMAS, PatchError, strategicMergePatch } from './strategic-merge-patch.js'

export const PATCH_TYPES = ['application/strategic-merge-patch+json', 'application/merge-patch+json', 'application/json-patch+json'] as const

/** The object after `patch` (already parsed) of the given content type; `target` is not modified. */
export function applyPatch(resource: Resource, target: object, patch: unknown, contentType: string | undefined): object {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  try {
    switch (type) {
      case 'application/merge-patch+json':
        return mergePatch(target, patch) as object
      case 'application/strategic-merge-patch+json':
        return strategicMergePatch(target, patch, PATCH_SCHEMAS[resource]) as object
      case 'application/json-patch+json': {
        if (!Array.isArray(patch)) throw new PatchError('a JSON patch is a list of operations')
        return jsonpatch.applyPatch(structuredClone(target), patch as jsonpatch.Operation[], true, false).newDocument
      }
      default:
        throw new HttpError(
          failureStatus('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`),
        )
    }
  } catch (e) {
    if (e instanceof HttpError) throw e
    if (e instanceof PatchError) throw new HttpError(failureStatus('BadRequest', e.message))
    // fast-json-patch's JsonPatchError: a failed `test`, a missing path, a bad operation.
    throw new HttpError(failureStatus('Invalid', `the server rejected our request due to an error in our request: ${(e as Error).message.split('\n')[0]}`))
  }
}
