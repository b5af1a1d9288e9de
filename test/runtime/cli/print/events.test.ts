import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { eventHeaders, eventJsonLine, eventRow, type EventListing } from '../../../../runtime/cli/print/events.js'
import { formatTable } from '../../../../runtime/cli/print/table.js'

const now = Date.parse('2024-05-01T12:00:00.000Z')

const log: EventListing[] = [
  { rev: 1, type: 'NodeRegistered', object: 'node/n1', by: 'kubelet/n1', at: now - 600_000 },
  { rev: 2, type: 'PodCreated', object: 'pod/default/command-demo', by: 'user:admin', at: now - 65_000 },
  { rev: 3, type: 'PodBound', object: 'pod/default/command-demo', by: 'scheduler', cause: 2, at: now - 64_500 },
]

test('rows: CAUSE <none> when absent, AGE as kubectl ages', () => {
  assert.equal(eventHeaders(), ['REV', 'TYPE', 'OBJECT', 'BY', 'CAUSE', 'AGE'])
  assert.equal(
    log.map((e) => eventRow(e, now)),
    [
      ['1', 'NodeRegistered', 'node/n1', 'kubelet/n1', '<none>', '10m'],
      ['2', 'PodCreated', 'pod/default/command-demo', 'user:admin', '<none>', '65s'],
      ['3', 'PodBound', 'pod/default/command-demo', 'scheduler', '2', '64s'],
    ],
  )
})

test('the table a user sees for kstate events', () => {
  assert.is(
    formatTable(
      eventHeaders(),
      log.map((e) => eventRow(e, now)),
    ),
    [
      'REV   TYPE             OBJECT                     BY           CAUSE    AGE',
      '1     NodeRegistered   node/n1                    kubelet/n1   <none>   10m',
      '2     PodCreated       pod/default/command-demo   user:admin   <none>   65s',
      '3     PodBound         pod/default/command-demo   scheduler    2        64s',
    ].join('\n'),
  )
})

test('JSON lines: fixed key order, cause null when absent, at in RFC 3339 with milliseconds', () => {
  assert.is(eventJsonLine(log[2]), '{"rev":3,"type":"PodBound","object":"pod/default/command-demo","by":"scheduler","cause":2,"at":"2024-05-01T11:58:55.500Z"}')
  assert.is(eventJsonLine(log[0]), '{"rev":1,"type":"NodeRegistered","object":"node/n1","by":"kubelet/n1","cause":null,"at":"2024-05-01T11:50:00.000Z"}')
  assert.equal(Object.keys(JSON.parse(eventJsonLine(log[0]))), ['rev', 'type', 'object', 'by', 'cause', 'at'])
})

test.run()
