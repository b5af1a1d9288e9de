/**
 * `-o json` and `-o yaml`, byte for byte as kubectl prints them. kubectl holds objects as
 * unstructured maps, so every mapping comes out with its keys sorted:
 * - json: Go's json.MarshalIndent(obj, "", "    "): keys in byte order, `<`, `>`, `&`, U+2028 and
 *   U+2029 escaped as \u003c etc.
 * - yaml: sigs.k8s.io/yaml, i.e. the JSON re-read and written by go-yaml v2: keys in go-yaml's
 *   natural order, sequences not indented under their key, strings that would read back as
 *   another type ("true", "1", timestamps, "") double-quoted, strings that cannot be plain
 *   single-quoted, multi-line strings as `|` blocks, and long lines folded past column 80.
 * The `yaml` package, a YAML 1.2 emitter, differs on quoting and folding, so the go-yaml v2 emitter
 * is ported here for the JSON-shaped values kubectl prints.
 */

export type OutputFormat = 'json' | 'yaml'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** kubectl's List wrapper for more than one object (`get` of a collection). */
export interface KubeList<T> {
  apiVersion: 'v1'
  items: T[]
  kind: 'List'
  metadata: { resourceVersion: string }
}

/**
 * Wraps objects as kubectl does for `get` of a collection with `-o json|yaml`. kubectl always
 * prints `resourceVersion: ""` there, so that is the default.
 */
export function asList<T>(items: T[], resourceVersion = ''): KubeList<T> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion } }
}

/** One object (or an `asList`) as kubectl prints it; no trailing newline. */
export function formatObject(obj: unknown, format: OutputFormat): string {
  // kubectl prints what went through JSON: undefined fields vanish, Dates become strings.
  const value = JSON.parse(JSON.stringify(obj) ?? 'null') as Json
  return format === 'json' ? goJsonIndent(value) : goYaml(value).replace(/\n$/, '')
}

// ---------------------------------------------------------------------------------------------
// JSON

function goJsonIndent(value: Json): string {
  return JSON.stringify(sortKeys(value, byteOrder), null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function sortKeys(value: Json, order: (a: string, b: string) => number): Json {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, order))
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: Json } = {}
  for (const k of Object.keys(value).sort(order)) out[k] = sortKeys(value[k], order)
  return out
}

/** Go's string comparison: byte-wise over UTF-8. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

// ---------------------------------------------------------------------------------------------
// YAML: go-yaml v2 (gopkg.in/yaml.v2 2.4, as forked in sigs.k8s.io/yaml/goyaml.v2)

function goYaml(value: Json): string {
  const e = new Emitter()
  e.node(value, false)
  // Implicit document end: finish the last line.
  e.writeIndent()
  return e.out
}

const BEST_INDENT = 2
const BEST_WIDTH = 80

type Style = 'plain' | 'single' | 'double' | 'literal'

/** What libyaml's analysis allows, in block context: kubectl output never has a scalar inside a flow collection. */
interface ScalarAnalysis {
  multiline: boolean
  blockPlainAllowed: boolean
  singleQuotedAllowed: boolean
  blockAllowed: boolean
}

/** The parts of libyaml's emitter (emitterc.go) that block-style JSON data goes through. */
class Emitter {
  out = ''
  private column = 0
  private whitespace = true
  private indention = true
  private indent = -1
  private readonly indents: number[] = []

  /** A node in mapping-value position (`mapping`) or not (sequence item, document root). */
  node(value: Json, mapping: boolean): void {
    if (Array.isArray(value)) this.sequence(value, mapping)
    else if (value !== null && typeof value === 'object') this.mapping(value)
    else if (typeof value === 'string') this.scalar(value, stringStyle(value), false)
    else this.scalar(value === null ? 'null' : typeof value === 'number' ? goNumber(value) : String(value), 'plain', false)
  }

  private sequence(items: Json[], mapping: boolean): void {
    if (items.length === 0) return this.emptyFlow('[', ']')
    // A block sequence as a mapping value is not indented ("indentless").
    this.increaseIndent(false, mapping && !this.indention)
    for (const item of items) {
      this.writeIndent()
      this.writeIndicator('-', true, false, true)
      this.node(item, false)
    }
    this.popIndent()
  }

  private mapping(obj: { [key: string]: Json }): void {
    const keys = Object.keys(obj).sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0))
    if (keys.length === 0) return this.emptyFlow('{', '}')
    this.increaseIndent(false, false)
    for (const key of keys) {
      this.writeIndent()
      const style = stringStyle(key)
      const a = analyzeScalar(key)
      if (!a.multiline && utf8Length(key) <= 128) {
        this.scalar(key, style, true, a)
        this.writeIndicator(':', false, false, false)
      } else {
        this.writeIndicator('?', true, false, true)
        this.scalar(key, style, false, a)
        this.writeIndent()
        this.writeIndicator(':', true, false, true)
      }
      this.node(obj[key], true)
    }
    this.popIndent()
  }

  /** An empty sequence or mapping is written in flow style: ` []`, ` {}`. */
  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false)
    this.writeIndicator(close, false, false, false)
  }

  private scalar(value: string, requested: Style, simpleKey: boolean, a = analyzeScalar(value)): void {
    const style = this.selectStyle(value, requested, simpleKey, a)
    this.increaseIndent(true, false)
    const cps = Array.from(value)
    const allowBreaks = !simpleKey
    if (style === 'plain') this.writePlain(cps, allowBreaks)
    else if (style === 'single') this.writeSingleQuoted(cps, allowBreaks)
    else if (style === 'double') this.writeDoubleQuoted(cps, allowBreaks)
    else this.writeLiteral(cps)
    this.popIndent()
  }

  private selectStyle(value: string, requested: Style, simpleKey: boolean, a: ScalarAnalysis): Style {
    let style = requested
    if (simpleKey && a.multiline) style = 'double'
    if (style === 'plain' && (!a.blockPlainAllowed || (value.length === 0 && simpleKey))) style = 'single'
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double'
    if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double'
    return style
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent)
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0
    else if (!indentless) this.indent += BEST_INDENT
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1
  }

  private put(s: string): void {
    this.out += s
    this.column++
  }

  private putBreak(): void {
    this.out += '\n'
    this.column = 0
  }

  private writeBreak(c: string): void {
    if (c === '\n') this.putBreak()
    else {
      this.out += c
      this.column = 0
    }
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0)
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak()
    while (this.column < indent) this.put(' ')
    this.whitespace = true
    this.indention = true
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ')
    for (const c of indicator) this.put(c)
    this.whitespace = isWhitespace
    this.indention = this.indention && isIndention
  }

  private writePlain(v: string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ')
    let spaces = false
    let breaks = false
    for (let i = 0; i < v.length; i++) {
      const c = v[i]
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && v[i + 1] !== ' ') this.writeIndent()
        else this.put(c)
        spaces = true
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak()
        this.writeBreak(c)
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.put(c)
        this.indention = false
        spaces = false
        breaks = false
      }
    }
    this.whitespace = false
    this.indention = false
  }

  private writeSingleQuoted(v: string[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false)
    let spaces = false
    let breaks = false
    for (let i = 0; i < v.length; i++) {
      const c = v[i]
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] !== ' ') this.writeIndent()
        else this.put(c)
        spaces = true
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak()
        this.writeBreak(c)
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        if (c === "'") this.put("'")
        this.put(c)
        this.indention = false
        spaces = false
        breaks = false
      }
    }
    this.writeIndicator("'", false, false, false)
    this.whitespace = false
    this.indention = false
  }

  private writeDoubleQuoted(v: string[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false)
    let spaces = false
    for (let i = 0; i < v.length; i++) {
      const c = v[i]
      const cp = c.codePointAt(0) ?? 0
      if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
        this.put('\\')
        const short = DOUBLE_QUOTED_ESCAPES[cp]
        if (short !== undefined) this.put(short)
        else {
          const [prefix, digits] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8]
          this.put(prefix)
          for (const d of cp.toString(16).toUpperCase().padStart(digits, '0')) this.put(d)
        }
        spaces = false
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1) {
          this.writeIndent()
          if (v[i + 1] === ' ') this.put('\\')
        } else this.put(c)
        spaces = true
      } else {
        this.put(c)
        spaces = false
      }
    }
    this.writeIndicator('"', false, false, false)
    this.whitespace = false
    this.indention = false
  }

  private writeLiteral(v: string[]): void {
    this.writeIndicator('|', true, false, false)
    // Block scalar hints: an indentation indicator when the text starts with a space or break,
    // `-` to strip a missing final newline, `+` to keep several.
    if (v[0] === ' ' || isBreak(v[0])) this.writeIndicator(String(BEST_INDENT), false, false, false)
    const n = v.length
    let chomp = ''
    if (n === 0 || !isBreak(v[n - 1])) chomp = '-'
    else if (n === 1 || isBreak(v[n - 2])) chomp = '+'
    if (chomp) this.writeIndicator(chomp, false, false, false)
    this.putBreak()
    this.indention = true
    this.whitespace = true
    let breaks = true
    for (const c of v) {
      if (isBreak(c)) {
        this.writeBreak(c)
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.put(c)
        this.indention = false
        breaks = false
      }
    }
  }
}

const DOUBLE_QUOTED_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
}

/** encoder.stringv: multi-line text as a literal block; text that would not read back as a string is double-quoted. */
function stringStyle(s: string): Style {
  if (s.includes('\n')) return 'literal'
  return resolvesToString(s) && !isBase60Float(s) ? 'plain' : 'double'
}

/** libyaml's yaml_emitter_analyze_scalar: which styles can carry this text. */
function analyzeScalar(value: string): ScalarAnalysis {
  const v = Array.from(value)
  if (v.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false }
  }
  let blockIndicators = false
  let lineBreaks = false
  let specialCharacters = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false

  if (value.startsWith('---') || value.startsWith('...')) blockIndicators = true
  let precededByWhitespace = true
  for (let i = 0; i < v.length; i++) {
    const c = v[i]
    const followedByWhitespace = i + 1 >= v.length || isBlank(v[i + 1])
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c) || ('?:-'.includes(c) && followedByWhitespace)) blockIndicators = true
    } else if ((c === ':' && followedByWhitespace) || (c === '#' && precededByWhitespace)) {
      blockIndicators = true
    }

    // The emitter writes unicode, so only unprintable characters are special.
    if (!isPrintable(c.codePointAt(0) ?? 0)) specialCharacters = true
    if (c === ' ') {
      if (i === 0) leadingSpace = true
      if (i === v.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(c)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (i === v.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === '\0'
  }

  const edges = leadingSpace || leadingBreak || trailingSpace || trailingBreak
  return {
    multiline: lineBreaks,
    blockPlainAllowed: !(edges || breakSpace || spaceBreak || specialCharacters || lineBreaks || blockIndicators),
    singleQuotedAllowed: !(breakSpace || spaceBreak || specialCharacters),
    blockAllowed: !(trailingSpace || spaceBreak || specialCharacters),
  }
}

/** libyaml's is_printable, over code points. */
function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
}

function isBreak(c: string | undefined): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029'
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t'
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s)
}

// go-yaml v2 resolve.go: would this text, written plain, read back as a string?

const RESOLVE_NON_STRING = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'],
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
  '<<',
])
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/

function resolvesToString(s: string): boolean {
  if (RESOLVE_NON_STRING.has(s)) return false
  const hint = s[0]
  if (hint === '.') return !isGoFloat(s)
  if (!/^[-+0-9]$/.test(hint)) return true
  if (isYamlTimestamp(s)) return false
  const plain = s.replaceAll('_', '')
  if (isGoInt(plain)) return false
  // ParseFloat fails on overflow (1e400), which then reads back as a string.
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return false
  return true
}

/** strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds, or would but for range (big.Int). */
function isGoInt(s: string): boolean {
  return /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.test(s)
}

/** strconv.ParseFloat of text starting with `.`: `.5`, `.5e3`. */
function isGoFloat(s: string): boolean {
  return /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s)
}

/**
 * go-yaml's parseTimestamp: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (also `t`), or
 * `2006-1-2 15:4:5.999999999`, with time.Parse's range checks.
 */
function isYamlTimestamp(s: string): boolean {
  const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/.exec(s)
  if (!m) return false
  const [, year, month, day, sep, hour, minute, second, zone] = m
  if (sep !== undefined && (sep === ' ') === (zone !== undefined)) return false
  const daysInMonth = new Date(Date.UTC(2000, Number(month), 0)).getUTCDate() - (Number(month) === 2 && !isLeap(Number(year)) ? 1 : 0)
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) return false
  return sep === undefined || (Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60)
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

function isBase60Float(s: string): boolean {
  return /^[-+0-9]/.test(s) && s.includes(':') && BASE60_FLOAT.test(s)
}

/**
 * A JSON number as go-yaml writes it after reading the JSON back: digits that fit an int64 or
 * uint64 as they are, anything else as a float64 in strconv's shortest 'g' form (`1.5e+06`).
 */
function goNumber(n: number): string {
  // JSON.stringify and Go's encoding/json spell numbers alike: digits below 1e21, else exponent.
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    const digits = BigInt(String(n))
    if (digits >= -(2n ** 63n) && digits < 2n ** 64n) return String(n)
  }
  const [mantissa, exp] = n.toExponential().split('e')
  const e = Number(exp)
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  return String(n)
}

/** go-yaml v2's keyList.Less for string keys: letters by code point after non-letters, digit runs by value. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a)
  const br = Array.from(b)
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i])
    const bl = isLetter(br[i])
    if (al && bl) return cpOf(ar[i]) < cpOf(br[i])
    if (al || bl) return bl
    let an = 0
    let bn = 0
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1
          bn = 1
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + (cpOf(ar[ai]) - 48)
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + (cpOf(br[bi]) - 48)
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return cpOf(ar[i]) < cpOf(br[i])
  }
  return ar.length < br.length
}

function cpOf(c: string): number {
  return c.codePointAt(0) ?? 0
}

function isLetter(c: string): boolean {
  return /^\p{L}$/u.test(c)
}

function isDigit(c: string): boolean {
  return /^\p{Nd}$/u.test(c)
}
