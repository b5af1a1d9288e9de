import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pack } from 'msgpackr'
import { decode, decodeEvent, encode, encodeEvent, FrameErrorCode, isMalformedFrame, MAX_FRAME_BYTES, type LogEvent } from '../../events/index.js'

const created: LogEvent = {
  type: 'PodCreated',
  v: 1,
  at: 1_700_000_000_000,
  by: 'user:admin',
  data: { object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'command-demo', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'debian', command: ['printenv'] }] } } },
}

test('a log event survives encode → decode unchanged', () => {
  assert.equal(decodeEvent(encodeEvent(created)), created)
})

test('every event type of the vocabulary round-trips', () => {
  const events: LogEvent[] = [
    created,
    { type: 'PodBound', v: 1, at: 1, by: 'scheduler', cause: 7, data: { nodeName: 'node-1' } },
    { type: 'PodStatusUpdated', v: 1, at: 2, by: 'kubelet/node-1', data: { status: { phase: 'Running' } } },
    { type: 'PodDeletionRequested', v: 1, at: 3, by: 'user:admin', data: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } },
    { type: 'PodDeleted', v: 1, at: 4, by: 'kubelet/node-1', data: {} },
    { type: 'NodeRegistered', v: 1, at: 5, by: 'kubelet/node-1', data: { object: { metadata: { name: 'node-1' } } } },
    { type: 'NodeStatusUpdated', v: 1, at: 6, by: 'kubelet/node-1', data: { status: { capacity: { cpu: '2' } } } },
    { type: 'NodeDeleted', v: 1, at: 7, by: 'user:admin', data: {} },
  ]
  for (const e of events) assert.equal(decodeEvent(encodeEvent(e)), e, e.type)
})

test('unicode and large strings survive', () => {
  const e = { ...created, by: 'user:ünïcødé-✓', data: { object: { metadata: { name: 'x', annotations: { big: 'x'.repeat(100_000) } } } } } as LogEvent
  assert.equal(decodeEvent(encodeEvent(e)), e)
})

const malformed: [string, Uint8Array, string][] = [
  ['empty frame', new Uint8Array(), FrameErrorCode.Empty],
  ['truncated msgpack', encodeEvent(created).subarray(0, 20), FrameErrorCode.Undecodable],
  ['reserved byte 0xc1', new Uint8Array([0xc1]), FrameErrorCode.NotAnEnvelope],
  ['a bare number', pack(42), FrameErrorCode.NotAnEnvelope],
  ['an array', pack([1, 2, 3]), FrameErrorCode.NotAnEnvelope],
  ['missing type', pack({ v: 1, at: 1, by: 'x', data: {} }), FrameErrorCode.NotAnEnvelope],
  ['data not a map', pack({ type: 'PodDeleted', v: 1, at: 1, by: 'x', data: 'nope' }), FrameErrorCode.NotAnEnvelope],
  ['at not a number', pack({ type: 'PodDeleted', v: 1, at: 'now', by: 'x', data: {} }), FrameErrorCode.NotAnEnvelope],
  ['negative cause', pack({ type: 'PodDeleted', v: 1, at: 1, by: 'x', cause: -3, data: {} }), FrameErrorCode.NotAnEnvelope],
  ['unknown type', pack({ type: 'PodExploded', v: 1, at: 1, by: 'x', data: {} }), FrameErrorCode.UnknownType],
  ['future schema version', pack({ type: 'PodDeleted', v: 99, at: 1, by: 'x', data: {} }), FrameErrorCode.UnsupportedVersion],
  ['zero schema version', pack({ type: 'PodDeleted', v: 0, at: 1, by: 'x', data: {} }), FrameErrorCode.UnsupportedVersion],
  ['oversized frame', new Uint8Array(MAX_FRAME_BYTES + 1), FrameErrorCode.TooLarge],
  ['huge declared array length', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), FrameErrorCode.Undecodable],
  ['text, not msgpack', new TextEncoder().encode('{"type":"PodDeleted"}'), FrameErrorCode.Undecodable],
]

for (const [name, frame, code] of malformed) {
  test(`malformed frame rejected with a typed error: ${name}`, () => {
    try {
      decodeEvent(frame)
      assert.unreachable('should have thrown')
    } catch (e) {
      assert.ok(isMalformedFrame(e), `not a MalformedFrameError: ${e}`)
      assert.is((e as { code: string }).code, code)
    }
  })
}

test('generic decode applies the size bound before unpacking', () => {
  assert.throws(() => decode(new Uint8Array(MAX_FRAME_BYTES + 10)), (e: unknown) => isMalformedFrame(e) && e.code === FrameErrorCode.TooLarge)
  assert.equal(decode(encode({ a: [1, 'b'] })), { a: [1, 'b'] })
})

test.run()
