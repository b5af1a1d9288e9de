import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatLabelSelector, replicaSetHeaders, replicaSetRow } from '../../../../runtime/cli/print/replicasets.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const rs = {
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-23T11:58:00Z' },
  spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }, { name: 's', image: 'busybox' }] } } },
  status: { replicas: 5, readyReplicas: 4 },
}

test('columns as kubectl get rs shows them', () => {
  assert.equal(replicaSetHeaders(false), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'])
  assert.equal(replicaSetRow(rs, NOW), ['web', '6', '5', '4', '2m'])
  assert.equal(replicaSetRow(rs, NOW, { wide: true }).slice(5), ['c,s', 'nginx:1.27,busybox', 'app=web'])
  assert.equal(replicaSetRow({ metadata: { name: 'x' } }, NOW), ['x', '1', '0', '0', '<unknown>'])
})

test('label selectors print as metav1.FormatLabelSelector', () => {
  assert.is(formatLabelSelector(undefined), '<none>')
  assert.is(formatLabelSelector({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 't', operator: 'In', values: ['x', 'y'] }, { key: 'k', operator: 'Exists' }] }), 'a=b,t in (x,y),k')
})

test.run()
