// The kstate web page: DOM glue around the pure view models in runtime/ui/model (TypeScript,
// compiled by `npm run build`, served from /lib/). Everything it reads comes through the local
// `kstate ui` server, which adds the cluster's token: the page holds no secret and loads nothing
// from outside this origin.
import { ClusterView, UNSCHEDULED } from '/lib/runtime/ui/model/cluster.js'
import { cardPosition, gridWindow } from '/lib/runtime/ui/model/grid.js'
import { LineSplitter } from '/lib/runtime/ui/model/ndjson.js'
import { activeIds, formatValue, transitionDiff } from '/lib/runtime/ui/model/statechart.js'
import { describeRow, EventTimeline } from '/lib/runtime/ui/model/timeline.js'
import { ACTORS_PATH, actorPath, CLUSTER_VIEW_PATH, diagramPath, inspectFollowPath, listOf } from '/ui/endpoints.js'

const $ = (id) => document.getElementById(id)
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

/** What tests and curious users can read: `window.kstateUi.metrics.firstRenderMs`, the shown revision, … */
const ui = (window.kstateUi = { metrics: {}, mode: 'live', shownRev: 0, live: undefined, shown: undefined })

async function getJson(path, signal, response) {
  const res = await (response ?? fetch(path, { signal, headers: { accept: 'application/json' } }))
  const body = await res.json()
  if (!res.ok) throw Object.assign(new Error(body.message ?? `${path}: HTTP ${res.status}`), { status: res.status })
  return body
}

/** Reads an NDJSON / watch stream line by line until it ends or `signal` aborts. */
async function follow(path, onObject, signal) {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } })
  if (!res.ok) throw Object.assign(new Error(`${path}: HTTP ${res.status}`), { status: res.status })
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  const split = new LineSplitter()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    for (const line of split.push(value)) onObject(JSON.parse(line))
  }
  for (const line of split.end()) onObject(JSON.parse(line))
}

function setConn(state, text) {
  const c = $('conn')
  c.dataset.state = state
  c.textContent = text
}

// ---------------------------------------------------------------- cluster view (virtualized grid)

const CARD = { cardWidth: 280, cardHeight: 168, gap: 10 }
const POD_ROWS = 7
const grid = $('grid')
const layer = $('grid-layer')
/** Cards in the DOM, by card name: only those in view exist. */
const cards = new Map()
let filter = ''
let renderQueued = false

function scheduleRender() {
  if (renderQueued) return
  renderQueued = true
  requestAnimationFrame(() => {
    renderQueued = false
    render()
  })
}

function fillCard(el, view, name) {
  const node = view.nodes.get(name)
  const pods = view.podsOf(name)
  const ready = name === UNSCHEDULED ? 'none' : (node?.ready ?? 'Unknown')
  el.dataset.node = name
  el.dataset.ready = ready
  el.dataset.pods = String(pods.length)
  const badge = name === UNSCHEDULED ? '<span class="badge">no node</span>' : `<span class="badge ready-${ready}" data-role="ready">Ready ${esc(ready)}</span>`
  const taints = node?.taints.length ? `<div class="taints">${node.taints.map((t) => `<span class="taint" data-role="taint" title="${esc(t)}">${esc(t)}</span>`).join('')}</div>` : ''
  const extra = [node?.reason && node.ready !== 'True' ? node.reason : '', ...(node?.pressures ?? []), node?.unschedulable ? 'SchedulingDisabled' : ''].filter(Boolean)
  const shown = pods.slice(0, POD_ROWS)
  el.innerHTML =
    `<div class="head"><span class="name" title="${esc(name)}">${esc(name || 'unscheduled pods')}</span>${badge}</div>` +
    (extra.length ? `<div class="reason">${esc(extra.join(' · '))}</div>` : '') +
    taints +
    `<ul class="pods">${shown.map((p) => `<li class="pod st-${esc(p.status)}" data-pod="${esc(p.key)}" data-status="${esc(p.status)}"><span class="pname">${esc(p.name)}</span><span class="pst">${esc(p.status)}</span></li>`).join('')}</ul>` +
    (pods.length > shown.length ? `<div class="more">+${pods.length - shown.length} more pods</div>` : pods.length === 0 ? '<div class="more">no pods</div>' : '')
}

function render() {
  const view = ui.shown
  if (!view) return
  const names = view.cards(filter)
  const w = gridWindow({ count: names.length, width: grid.clientWidth, viewportHeight: grid.clientHeight, scrollTop: grid.scrollTop, ...CARD })
  $('grid-spacer').style.height = `${w.height}px`
  const keep = new Set()
  for (let i = w.first; i < w.end; i++) {
    const name = names[i]
    keep.add(name)
    let c = cards.get(name)
    if (!c) {
      c = { el: document.createElement('div'), version: -1, view: undefined }
      c.el.className = 'card'
      layer.appendChild(c.el)
      cards.set(name, c)
    }
    const version = view.version(name)
    if (c.version !== version || c.view !== view) {
      fillCard(c.el, view, name)
      c.version = version
      c.view = view
    }
    const pos = cardPosition(i, w.columns, CARD)
    c.el.style.transform = `translate(${pos.left}px, ${pos.top}px)`
  }
  for (const [name, c] of cards) {
    if (!keep.has(name)) {
      c.el.remove()
      cards.delete(name)
    }
  }
  const counts = view.counts()
  const statuses = Object.entries(counts.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${n} ${s}`)
    .join(', ')
  $('summary').textContent = `${counts.nodes} nodes (${counts.ready.True} Ready, ${counts.ready.False} NotReady, ${counts.ready.Unknown} Unknown) · ${counts.pods} pods${statuses ? ` (${statuses})` : ''} · rev ${view.rev}`
  $('shown-count').textContent = filter ? `${names.length} of ${view.cards().length} cards` : ''
  document.body.dataset.shownRev = String(view.rev)
  ui.shownRev = view.rev
}

grid.addEventListener('scroll', scheduleRender, { passive: true })
window.addEventListener('resize', scheduleRender)
$('node-filter').addEventListener('input', (e) => {
  filter = e.target.value.trim()
  grid.scrollTop = 0
  scheduleRender()
})

/** The live cluster: list, then watch from the list's resourceVersion; a watch that ends re-lists. */
let liveSession
async function startLive() {
  liveSession?.abort()
  const ac = (liveSession = new AbortController())
  try {
    // The compact list (what the cards show), then the REST watches from its revision.
    const prefetched = window.kstatePrefetch
    window.kstatePrefetch = undefined
    const summary = await getJson(CLUSTER_VIEW_PATH, ac.signal, prefetched)
    const rv = summary.metadata.resourceVersion
    const view = ClusterView.fromSummary(summary)
    ui.live = view
    if (ui.mode === 'live') {
      ui.shown = view
      render()
    }
    if (ui.metrics.firstRenderMs === undefined) {
      // After the frame that paints the first cards; the timeline's history loads after it.
      requestAnimationFrame(() =>
        setTimeout(() => {
          ui.metrics.firstRenderMs = performance.now()
          followEvents()
        }),
      )
    }
    setConn('live', 'live')
    const changed = () => ui.mode === 'live' && scheduleRender()
    await Promise.race([
      follow(`/api/v1/nodes?watch=1&resourceVersion=${rv}`, (e) => (view.applyNode(e), changed()), ac.signal),
      follow(`/api/v1/pods?watch=1&resourceVersion=${rv}`, (e) => (view.applyPod(e), changed()), ac.signal),
    ])
  } catch (e) {
    if (ac.signal.aborted) return
    setConn('error', `API: ${e.message}`)
  }
  if (ac.signal.aborted) return
  setConn('connecting', 'reconnecting')
  setTimeout(startLive, 1000)
}

// ---------------------------------------------------------------- timeline

const timeline = new EventTimeline()
const slider = $('rev')
let timelineQueued = false
let pastTimer
let pastSeq = 0

function scheduleTimeline() {
  if (timelineQueued) return
  timelineQueued = true
  requestAnimationFrame(() => {
    timelineQueued = false
    renderTimeline()
  })
}

function renderTimeline() {
  const head = timeline.head
  slider.min = '1'
  slider.max = String(Math.max(1, head))
  if (ui.mode === 'live') {
    slider.value = String(head)
    $('rev-label').textContent = `live · ${describeRow(timeline.at(head))}`
  } else {
    const rev = Number(slider.value)
    $('rev-label').textContent = timeline.isLoaded(rev) ? describeRow(timeline.at(rev)) : `rev ${rev} · loading events…`
  }
  const at = ui.mode === 'live' ? head : Number(slider.value)
  const rows = ui.mode === 'live' ? timeline.around(at, 7, 0) : timeline.around(at, 4, 3)
  $('events').innerHTML = rows
    .map(
      (r) =>
        `<li data-rev="${r.rev}" class="${r.rev === at ? 'at' : r.rev > at ? 'after' : ''}"><span>${r.rev}</span><span>${esc(r.type)}</span><span>${esc(r.object)}</span><span>${esc(r.by)}</span><span>${new Date(r.at).toLocaleTimeString('en-GB', { hour12: false })}</span></li>`,
    )
    .join('')
}

function setMode(mode) {
  ui.mode = mode
  document.body.dataset.mode = mode
  $('live').setAttribute('aria-pressed', String(mode === 'live'))
  $('past-banner').hidden = mode === 'live'
}

function goLive() {
  pastSeq++
  clearTimeout(pastTimer)
  setMode('live')
  ui.shown = ui.live
  render()
  renderTimeline()
}

/** The whole cluster view at revision `rev`: the API's lists at exactly that revision (the replay projection). */
async function showRevision(rev) {
  const seq = ++pastSeq
  try {
    const summary = await getJson(`${CLUSTER_VIEW_PATH}?resourceVersion=${rev}&resourceVersionMatch=Exact`)
    if (seq !== pastSeq || ui.mode !== 'past') return
    const view = ClusterView.fromSummary(summary)
    const answered = summary.metadata.resourceVersion !== String(rev) ? summary.metadata.resourceVersion : undefined
    view.rev = rev
    ui.shown = view
    $('past-text').innerHTML = `Viewing the cluster at ${esc(timeline.isLoaded(rev) ? describeRow(timeline.at(rev)) : `rev ${rev}`)}` + (answered ? ` <span class="warn">the API answered revision ${esc(answered)}: it cannot list past revisions</span>` : '')
    render()
    ui.metrics.pastShownAt = performance.now()
  } catch (e) {
    if (seq === pastSeq) $('past-text').textContent = `revision ${rev}: ${e.message}`
  }
}

slider.addEventListener('input', () => {
  const rev = Number(slider.value)
  if (rev >= timeline.head && ui.mode === 'live') return
  setMode('past')
  $('past-text').textContent = `Loading revision ${rev}…`
  renderTimeline()
  loadWindow(rev)
  clearTimeout(pastTimer)
  // Dragging fires many inputs: list once the thumb rests.
  pastTimer = setTimeout(() => showRevision(rev), 120)
})
$('live').addEventListener('click', goLive)
$('banner-live').addEventListener('click', goLive)
$('events').addEventListener('click', (e) => {
  const li = e.target.closest('li[data-rev]')
  if (!li) return
  slider.value = li.dataset.rev
  slider.dispatchEvent(new Event('input'))
})

let followingEvents = false
/** Rows around `rev` the page has not loaded yet (the slider went into the older log). */
let windowLoading
async function loadWindow(rev) {
  const w = timeline.missing(rev, TIMELINE_SPAN)
  if (!w || windowLoading) return
  windowLoading = w
  const rows = []
  try {
    await follow(`/kstate/v1/events?since=${w.since}&until=${w.until}`, (row) => rows.push(row))
    timeline.addBlock(rows, w.since, w.until)
  } catch {
    /* the label says loading; the next move retries */
  } finally {
    windowLoading = undefined
  }
  scheduleTimeline()
  const now = Number(slider.value)
  if (ui.mode === 'past' && now !== rev) loadWindow(now)
}

/** Rows either side of the slider's position the page keeps loaded; the tail it starts with. */
const TIMELINE_SPAN = 150
const TIMELINE_TAIL = 300

/** The log's recent tail, then live: older rows load as the slider reaches them. */
async function followEvents() {
  if (followingEvents) return
  followingEvents = true
  timeline.followFrom(Math.max(1, (ui.live?.rev ?? 0) - TIMELINE_TAIL))
  let since = Math.max(1, (ui.live?.rev ?? 0) - TIMELINE_TAIL)
  for (;;) {
    try {
      await follow(`/kstate/v1/events?since=${since}&follow=true`, (row) => timeline.append(row) && scheduleTimeline())
    } catch {
      /* reconnect below */
    }
    await new Promise((r) => setTimeout(r, 1000))
    since = timeline.head + 1
  }
}

// ---------------------------------------------------------------- actor view

let actors = []
let selected
let actorSession

async function loadActors() {
  try {
    actors = listOf(await getJson(ACTORS_PATH))
    $('actor-note').textContent = `${actors.length} actors`
  } catch (e) {
    actors = []
    $('actor-note').textContent = e.status === 404 ? 'this API does not serve the inspection endpoints yet' : `actors: ${e.message}`
  }
  renderActorList()
}

function renderActorList() {
  const f = $('actor-filter').value.trim()
  const list = actors.filter((a) => !f || a.id.includes(f)).slice(0, 300)
  $('actor-list').innerHTML = list
    .map((a) => `<li data-actor="${esc(a.id)}" aria-selected="${a.id === selected}"><span class="aid" title="${esc(a.machine ?? '')}">${esc(a.id)}</span><span class="aval">${esc(formatValue(a.value))}</span></li>`)
    .join('')
}

$('actor-filter').addEventListener('input', renderActorList)
$('diagram-fit').addEventListener('click', () => {
  const fit = $('diagram').classList.toggle('fit')
  $('diagram-fit').setAttribute('aria-pressed', String(fit))
})
$('actor-list').addEventListener('click', (e) => {
  const li = e.target.closest('li[data-actor]')
  if (li) selectActor(li.dataset.actor)
})

const isLeaf = (el) => !el.classList.contains('compound') && !el.classList.contains('parallel')

/** Centers the diagram box (only it: scrollIntoView would scroll the page too) on the last active leaf, when it is out of view or `always`. */
function bringIntoView(states, always) {
  const leaf = states.filter(isLeaf).at(-1)
  if (!leaf) return
  const box = $('diagram')
  const r = leaf.getBoundingClientRect()
  const b = box.getBoundingClientRect()
  if (!always && r.left >= b.left && r.right <= b.right && r.top >= b.top && r.bottom <= b.bottom) return
  box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2)
  box.scrollTop += r.top + r.height / 2 - (b.top + b.height / 2)
}

/** Marks the active states of the drawn machine; entered states pulse and the edges taken glow. */
function highlight(value, animate) {
  const diagram = $('diagram')
  const els = [...diagram.querySelectorAll('[data-state-id]')]
  const byId = new Map(els.map((el) => [el.getAttribute('data-state-id'), el]))
  const root = diagram.querySelector('svg')?.getAttribute('data-machine') ?? undefined
  const before = new Set(els.filter((el) => el.classList.contains('current')).map((el) => el.getAttribute('data-state-id')))
  const after = activeIds(value, byId.keys(), root)
  $('actor-state').textContent = formatValue(value)
  $('actor-state').dataset.value = JSON.stringify(value)
  if (after.size === 0) return
  const { entered, exited } = transitionDiff(before, after)
  for (const id of exited) byId.get(id).classList.remove('current', 'entered')
  for (const id of entered) byId.get(id).classList.add('current')
  if (!animate || entered.length === 0) return
  for (const id of entered) {
    const el = byId.get(id)
    el.classList.remove('entered')
    void el.getBoundingClientRect() // restarts the animation
    el.classList.add('entered')
  }
  if (!$('diagram').classList.contains('fit')) bringIntoView(entered.map((id) => byId.get(id)), false)
  const into = new Set(entered)
  for (const edge of diagram.querySelectorAll('.edge[data-to]')) {
    if (!into.has(edge.getAttribute('data-to')) || !before.has(edge.getAttribute('data-from'))) continue
    edge.classList.add('fired')
    setTimeout(() => edge.classList.remove('fired'), 1500)
  }
}

function addTransition(m) {
  const li = document.createElement('li')
  li.className = 'fresh'
  const time = new Date(m.at).toLocaleTimeString('en-GB', { hour12: false })
  li.textContent = `${time}  ${formatValue(m.from)} → ${formatValue(m.value)}  on ${m.event}`
  const list = $('transitions')
  list.prepend(li)
  while (list.children.length > 50) list.lastChild.remove()
}

async function selectActor(id) {
  actorSession?.abort()
  const ac = (actorSession = new AbortController())
  selected = id
  renderActorList()
  $('actor-title').textContent = id
  $('actor-state').textContent = ''
  $('transitions').innerHTML = ''
  $('diagram').innerHTML = '<p class="muted">drawing…</p>'
  document.body.dataset.actor = id
  try {
    const [svg, info] = await Promise.all([
      fetch(diagramPath(id, 'svg'), { signal: ac.signal }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`diagram: HTTP ${r.status}`)))),
      getJson(actorPath(id), ac.signal).catch(() => undefined),
    ])
    if (ac.signal.aborted) return
    $('diagram').innerHTML = svg
    if (info?.value !== undefined) highlight(info.value, false)
    // At full size the active leaf may be out of view: bring it in.
    bringIntoView([...$('diagram').querySelectorAll('[data-state-id].current')], true)
    await follow(
      inspectFollowPath(id),
      (m) => {
        if (m.kind === 'snapshot' || m.kind === 'created') {
          highlight(m.value, true)
          if (m.kind === 'snapshot' && m.from !== undefined && JSON.stringify(m.from) !== JSON.stringify(m.value)) addTransition(m)
        }
        if (m.kind === 'stopped') $('actor-state').textContent += ' (stopped)'
      },
      ac.signal,
    )
  } catch (e) {
    if (!ac.signal.aborted) $('diagram').insertAdjacentHTML('beforeend', `<p class="muted">${esc(e.message)}</p>`)
  }
}

function showTab(tab) {
  document.body.dataset.tab = tab
  $('cluster-view').hidden = tab !== 'cluster'
  $('actor-view').hidden = tab !== 'actors'
  $('tab-cluster').setAttribute('aria-pressed', String(tab === 'cluster'))
  $('tab-actors').setAttribute('aria-pressed', String(tab === 'actors'))
  if (tab === 'actors') loadActors()
  else scheduleRender()
}
$('tab-cluster').addEventListener('click', () => showTab('cluster'))
$('tab-actors').addEventListener('click', () => showTab('actors'))
// The actor list's states change: refresh it while it is shown.
setInterval(() => document.body.dataset.tab === 'actors' && loadActors(), 3000)

// ---------------------------------------------------------------- start

const params = new URLSearchParams(location.search)
startLive()
if (params.get('actor')) {
  showTab('actors')
  selectActor(params.get('actor'))
}
