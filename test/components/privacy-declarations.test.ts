/**
 * What WeChat's runtime and review check before any code runs: every privacy API the compiled mini-program calls is
 * declared where WeChat requires it (app.json requiredPrivateInfos for the location family, permission desc for
 * scopes), and the README's 用户隐私保护指引 table — what the admin console must declare — lists each one.
 * Reads the compiled dist/weapp (what is uploaded), not the sources: a call a library makes counts too.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DIST } from './harness'
import { PRIVACY_ITEMS, REQUIRED_PRIVATE_INFOS, type PrivacyItem } from '../helpers/wechat-privacy'

const ROOT = path.resolve(__dirname, '../..')

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(p, ext) : p.endsWith(ext) ? [p] : []
  })
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')

/**
 * How a use shows in the build. Taro compiles `Taro.chooseLocation({...})` to a member call on the Taro module
 * (`G().chooseLocation({`, or `(0,o.chooseLocation)(` when destructured); taro.js only lists the API names as
 * strings, which is not a call. Components and open-types reach WXML through Taro's templates (base.wxml) and
 * the JSX props in JS (`openType:"getPhoneNumber"`).
 */
function patternsOf(item: PrivacyItem): { js?: RegExp; wxml?: RegExp } {
  const n = escape(item.name)
  switch (item.kind) {
    case 'api':
      return { js: new RegExp(`(?:\\.|\\[\\s*["'])${n}(?:["']\\s*\\])?\\)?\\s*\\(`) }
    case 'open-type':
      return { js: new RegExp(`openType\\s*:\\s*["']${n}["']`), wxml: new RegExp(`open-type\\s*=\\s*["']${n}["']`) }
    case 'input-type':
      return { js: new RegExp(`\\btype\\s*:\\s*["']${n}["']`), wxml: new RegExp(`<input[^>]*\\btype\\s*=\\s*["']${n}["']`) }
    case 'component':
      return { wxml: new RegExp(`<${n}[\\s>/]`) }
  }
}

/** name → the dist files that use it. */
function scanDist(): Map<string, string[]> {
  const js = filesUnder(DIST, '.js').map((f) => [f, fs.readFileSync(f, 'utf8')] as const)
  const wxml = filesUnder(DIST, '.wxml').map((f) => [f, fs.readFileSync(f, 'utf8')] as const)
  const found = new Map<string, string[]>()
  for (const item of PRIVACY_ITEMS) {
    const p = patternsOf(item)
    const hits = [
      ...(p.js ? js.filter(([, s]) => p.js!.test(s)) : []),
      ...(p.wxml ? wxml.filter(([, s]) => p.wxml!.test(s)) : []),
    ].map(([f]) => path.relative(DIST, f))
    if (hits.length) found.set(item.name, hits)
  }
  return found
}

/** The README section that tells what to declare in the admin console's 用户隐私保护指引. */
function readmeGuideSection(): string {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n')
  const start = lines.findIndex((l) => /^#+ .*用户隐私保护指引/.test(l))
  if (start < 0) return ''
  const level = lines[start].match(/^#+/)![0].length
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.match(/^#+/)![0].length <= level)
  return lines.slice(start, end < 0 ? undefined : end).join('\n')
}

const appJson = () => JSON.parse(fs.readFileSync(path.join(DIST, 'app.json'), 'utf8')) as { requiredPrivateInfos?: string[]; permission?: Record<string, { desc?: string }> }
const byName = new Map(PRIVACY_ITEMS.map((i) => [i.name, i]))

describe('WeChat privacy declarations of the compiled mini-program (dist/weapp)', () => {
  const found = scanDist()

  it('sees every privacy API the sources call (the scan matches how Taro compiles calls)', () => {
    const src = filesUnder(path.join(ROOT, 'src'), '.ts').concat(filesUnder(path.join(ROOT, 'src'), '.tsx'))
    const called = new Set<string>()
    for (const f of src) {
      const text = fs.readFileSync(f, 'utf8')
      for (const m of text.matchAll(/\b(?:Taro|wx)\.([A-Za-z]+)\s*\(/g)) if (byName.get(m[1])?.kind === 'api') called.add(m[1])
    }
    expect(called.size).toBeGreaterThan(0)
    expect([...called].filter((n) => !found.has(n))).toEqual([])
  })

  it('recognises each compiled form of a use, and not the API names taro.js merely lists', () => {
    const sees = (name: string, code: { js?: string; wxml?: string }) => {
      const p = patternsOf(byName.get(name)!)
      return !!((p.js && code.js && p.js.test(code.js)) || (p.wxml && code.wxml && p.wxml.test(code.wxml)))
    }
    expect(sees('chooseLocation', { js: 'return e.n=1,G().chooseLocation(h?{latitude:h.lat}:{})' })).toBe(true)
    expect(sees('getClipboardData', { js: '(0,o.getClipboardData)({success:f})' })).toBe(true)
    expect(sees('setClipboardData', { js: 'wx["setClipboardData"]({data:t})' })).toBe(true)
    expect(sees('getPhoneNumber', { js: '(0,r.jsx)(u.Button,{openType:"getPhoneNumber",onGetPhoneNumber:c})' })).toBe(true)
    expect(sees('nickname', { js: '(0,r.jsx)(u.Input,{type:"nickname"})' })).toBe(true)
    expect(sees('camera', { wxml: '<template name="tmpl_0_camera"><camera mode="{{i.p0}}" bindstop="eh">' })).toBe(true)
    expect(sees('chooseLocation', { js: 'var n=["chooseImage","chooseInvoiceTitle","chooseLocation","chooseVideo"]' })).toBe(false)
    expect(sees('getLocation', { js: 'requiredPrivateInfos:["getLocation"]' })).toBe(false)
  })

  it('declares every location API it uses in app.json requiredPrivateInfos, and only valid ones', () => {
    const declared = appJson().requiredPrivateInfos ?? []
    const needed = [...found.keys()].filter((n) => byName.get(n)!.requiredPrivateInfo)
    const missing = needed.filter((n) => !declared.includes(n)).map((n) => `${n} (${found.get(n)!.join(', ')})`)
    expect(missing).toEqual([])
    expect(declared.filter((n) => !REQUIRED_PRIVATE_INFOS.includes(n))).toEqual([])
    expect(declared.includes('getLocation') && declared.includes('getFuzzyLocation')).toBe(false)
  })

  it('describes in app.json permission every scope a used API asks the user for', () => {
    const permission = appJson().permission ?? {}
    const missing = [...found.keys()]
      .map((n) => byName.get(n)!.permissionScope)
      .filter((scope): scope is string => !!scope && !permission[scope]?.desc?.trim())
    expect(missing).toEqual([])
  })

  it('lists every privacy API it uses in the README 用户隐私保护指引 table', () => {
    const section = readmeGuideSection()
    expect(section).not.toBe('')
    const unlisted = [...found.keys()].filter((n) => !new RegExp(`\\b${escape(n)}\\b`).test(section))
    expect(unlisted).toEqual([])
    // and each guide item that applies is named, as the admin console calls it
    const items = new Set([...found.keys()].map((n) => byName.get(n)!.guideItem).filter((x): x is string => !!x))
    expect([...items].filter((i) => !section.includes(i))).toEqual([])
  })
})
