import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fitErrorMessage } from '../../../actors/scheduler/framework.js'

test('FitError message: counts per reason, "N reason" strings sorted, period at the end', () => {
  assert.is(
    fitErrorMessage(3, [['Insufficient cpu'], ['node(s) were unschedulable'], ['Insufficient cpu']]),
    '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.',
  )
})

test('FitError message: a node with several reasons counts in each', () => {
  assert.is(
    fitErrorMessage(2, [['Insufficient cpu', 'Insufficient memory'], ['Insufficient memory']]),
    '0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.',
  )
})

test('FitError message: sorted as strings, as Go sort.Strings does ("10 …" before "2 …")', () => {
  const rejections = [...Array(10).fill(['Insufficient cpu']), ['Too many pods'], ['Too many pods']]
  assert.is(fitErrorMessage(12, rejections), '0/12 nodes are available: 10 Insufficient cpu, 2 Too many pods.')
})

test('no node at all: ErrNoNodesAvailable', () => {
  assert.is(fitErrorMessage(0, []), 'no nodes available to schedule pods')
})

test.run()
