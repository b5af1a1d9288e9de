import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logSubject, objectKey, parseLogSubject } from '../../events/index.js'

test('one subject per object; cluster-scoped objects use _', () => {
  assert.is(logSubject('pods', 'default', 'web-1'), 'kstate.log.pods.default.web-1')
  assert.is(logSubject('nodes', undefined, 'node-1'), 'kstate.log.nodes._.node-1')
})

test('dots in names (DNS-1123 subdomains) are encoded losslessly', () => {
  const s = logSubject('pods', 'team.a', 'web.v1.example')
  assert.is(s.split('.').length, 5)
  assert.equal(parseLogSubject(s), { resource: 'pods', namespace: 'team.a', name: 'web.v1.example' })
})

test('parse rejects foreign subjects', () => {
  assert.is(parseLogSubject('kstate.api.request'), undefined)
  assert.is(parseLogSubject('kstate.log.secrets.default.x'), undefined)
})

test('objectKey names objects as the CLI shows them', () => {
  assert.is(objectKey({ resource: 'pods', namespace: 'default', name: 'x' }), 'pod/default/x')
  assert.is(objectKey({ resource: 'nodes', name: 'n1' }), 'node/n1')
})

test.run()
