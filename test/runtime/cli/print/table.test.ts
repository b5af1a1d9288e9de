import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatTable } from '../../../../runtime/cli/print/table.js'

test('columns are the widest cell plus 3, headers upper-cased, last column unpadded', () => {
  const got = formatTable(
    ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
    [
      ['command-demo', '0/1', 'Completed', '0', '5m'],
      ['crasher', '0/1', 'CrashLoopBackOff', '3 (45s ago)', '2m'],
    ],
  )
  assert.is(
    got,
    [
      'NAME           READY   STATUS             RESTARTS      AGE',
      'command-demo   0/1     Completed          0             5m',
      'crasher        0/1     CrashLoopBackOff   3 (45s ago)   2m',
    ].join('\n'),
  )
})

test('a column is at least 6 wide (tabwriter minwidth)', () => {
  assert.is(formatTable(['a', 'b'], [['x', 'y']]), ['A     B', 'x     y'].join('\n'))
})

test('only the header when there are no rows', () => {
  assert.is(formatTable(['name', 'status'], []), 'NAME   STATUS')
})

test('a cell keeps its first line only, as kubectl prints it', () => {
  assert.is(formatTable(['name', 'message'], [['p', 'first line\nsecond line']]), ['NAME   MESSAGE', 'p      first line...'].join('\n'))
})

test('an empty last cell leaves the padding of the column before it, as kubectl does', () => {
  assert.is(formatTable(['name', 'version'], [['n1', '']]), ['NAME   VERSION', 'n1     '].join('\n'))
})

test('width counts characters, not bytes', () => {
  assert.is(formatTable(['name', 'age'], [['café-ü', '1s']]), ['NAME     AGE', 'café-ü   1s'].join('\n'))
})

test.run()
