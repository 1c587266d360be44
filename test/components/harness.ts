/**
 * Renders the COMPILED weapp pages (dist/weapp) under miniprogram-simulate, with WeChat's own template
 * compiler (wcc from miniprogram-compiler), the real Taro runtime and our app.js — what WeChat would run.
 * `wx.*` is mocked: storage in memory, `wx.request` answered from a route table, navigation and toasts recorded.
 *
 * Usage (a jest test in test/components/, testEnvironment jsdom; run `npx taro build --type weapp` first):
 *
 *   import { mountPage, json } from './harness'
 *
 *   const page = await mountPage('pages/index/index', {
 *     signedIn: true,                                  // puts a token in storage (or storage: {...})
 *     api: { 'GET /home': json(200, overview) },       // 'METHOD /path' under /api/v1; or a function(req)
 *   })
 *   await page.waitForText('幸福里社区')                // polls until the text is rendered (or throws)
 *   await page.tap('重试')                              // taps the innermost element showing that text
 *   await page.input('请输入手机号', '13800000001')      // types into the input with that placeholder
 *   expect(page.requests.map((r) => r.path)).toContain('/home')
 *   expect(page.toasts).toContain('…'); expect(page.navigations[0]).toEqual({ api: 'navigateTo', url: '…' })
 *   page.unmount()
 *
 * Subpackage pages work the same: mountPage('packages/reports/pages/new/index', …).
 *
 * Privacy (用户隐私保护指引): by default the person has agreed. With `privacy: 'undecided'` the harness holds every
 * privacy API call as WeChat does — it asks the app's onNeedPrivacyAuthorization listener and goes on only after
 * resolve({event:'agree', buttonId}) for a tapped button with open-type="agreePrivacyAuthorization", or fails
 * with "…:fail privacy permission is not authorized" (errno 104) after resolve({event:'disagree'}).
 * page.privacy records what happened.
 */
import fs from 'node:fs'
import path from 'node:path'
import { PRIVACY_ITEMS } from '../helpers/wechat-privacy'

export const DIST = path.resolve(__dirname, '../../dist/weapp')

export interface MockRequest {
  method: string
  /** Path under /api/v1, without the query string, e.g. '/regions'. */
  path: string
  query: Record<string, string>
  url: string
  data: unknown
  header: Record<string, string>
}
export interface MockResponse {
  status: number
  body?: unknown
  header?: Record<string, string>
  /** Simulate a network failure instead of answering. */
  networkError?: boolean
  /** Answer after this many ms. */
  delay?: number
}
export type Route = MockResponse | ((req: MockRequest) => MockResponse | Promise<MockResponse>)
/** Keys are 'METHOD /path' (path under /api/v1, no query string). */
export type Routes = Record<string, Route>

export const json = (status: number, body?: unknown): MockResponse => ({ status, body })
export const apiError = (status: number, code: string, message: string): MockResponse => ({ status, body: { code, message } })
export const networkError = (): MockResponse => ({ status: 0, networkError: true })

export interface MountOptions {
  /** Query of the page (what onLoad receives). */
  query?: Record<string, string>
  /** Initial storage content. */
  storage?: Record<string, unknown>
  /** Shortcut: a token in storage ('civiclink.token'). */
  signedIn?: boolean
  api?: Routes
  /** Any other wx.* to override for this page (e.g. getLocation, login, showModal). */
  wx?: Record<string, unknown>
  /** Answer for wx.showModal (default: confirm). */
  modalConfirm?: boolean
  /** Whether the person already agreed to the privacy guide (default: agreed). */
  privacy?: 'agreed' | 'undecided'
}

/** WeChat's privacy gate as the page met it. */
export interface PrivacyRecord {
  agreed: boolean
  /** How many onNeedPrivacyAuthorization listeners the app registered. */
  listeners: number
  /** The referrer of each time the listener was asked (the held API's name). */
  asked: string[]
  /** Times the app reported its sheet on screen (resolve({event:'exposureAuthorization'})). */
  exposures: number
  /** Ids of tapped buttons with open-type agreePrivacyAuthorization. */
  agreeTaps: string[]
  contractOpened: number
}

/** Privacy APIs the harness holds until the person agreed: the ones WeChat gates. */
const GATED_APIS = PRIVACY_ITEMS.filter((i) => i.kind === 'api' && i.guideItem).map((i) => i.name)

export interface MountedPage {
  /** The j-component wrapper of the page. */
  comp: any
  /** The page instance (`this` inside the page). */
  instance: any
  dom: HTMLElement
  storage: Map<string, unknown>
  requests: MockRequest[]
  toasts: string[]
  navigations: { api: string; url?: string; delta?: number }[]
  modals: { title?: string; content?: string }[]
  privacy: PrivacyRecord
  /** Text of the page, whitespace collapsed. */
  text(): string
  waitFor(predicate: () => boolean, what?: string, timeoutMs?: number): Promise<void>
  waitForText(text: string, timeoutMs?: number): Promise<void>
  waitForRequest(methodAndPath: string, timeoutMs?: number): Promise<MockRequest>
  /** The innermost element whose text contains `text`. */
  findByText(text: string): HTMLElement | null
  /**
   * Elements carrying a class as written in the source ('nut-switch', 'cl-page--elder'). miniprogram-simulate
   * prefixes classes per component ('page--nut-switch'); this looks through that.
   */
  findAllByClass(className: string): HTMLElement[]
  findByClass(className: string): HTMLElement | null
  tap(text: string): Promise<void>
  /** Taps a given element (e.g. page.dom.querySelector('.nut-switch')). */
  tapElement(el: Element): Promise<void>
  input(placeholder: string, value: string): Promise<void>
  /** Routes can be changed between steps. */
  routes: Routes
  /** Runs the page's onShow again (as when coming back to it). */
  show(): Promise<void>
  /** Runs the page's pull-down-refresh handler. */
  pullDownRefresh(): Promise<void>
  unmount(): void
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const API_PREFIX = '/api/v1'
/** The per-component class prefix miniprogram-simulate adds: 'page--' on the page, 'comp--' in Taro's recursive component. */
const CLASS_PREFIX = /^(page|comp|custom-wrapper)--/

function ensureBuilt(): void {
  if (!fs.existsSync(path.join(DIST, 'app.js'))) {
    throw new Error(`dist/weapp is missing: run \`npx taro build --type weapp\` before the component tests (${DIST})`)
  }
}

function parseUrl(url: string): { path: string; query: Record<string, string> } {
  const u = new URL(url, 'http://127.0.0.1:3000')
  let p = u.pathname
  if (p.startsWith(API_PREFIX)) p = p.slice(API_PREFIX.length) || '/'
  const query: Record<string, string> = {}
  u.searchParams.forEach((v, k) => (query[k] = v))
  return { path: p, query }
}

function matchRoute(routes: Routes, method: string, p: string): Route | undefined {
  if (routes[`${method} ${p}`]) return routes[`${method} ${p}`]
  // patterns with :params, e.g. 'GET /reports/:id'
  for (const key of Object.keys(routes)) {
    const [m, pattern] = key.split(' ')
    if (m !== method || !pattern.includes(':')) continue
    const re = new RegExp(`^${pattern.replace(/:[^/]+/g, '[^/]+')}$`)
    if (re.test(p)) return routes[key]
  }
  return undefined
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim()
}

let current: MountedPage | undefined

/** Loads dist/weapp's runtime, app and the page, renders it and runs onLoad/onShow. */
export async function mountPage(pagePath: string, options: MountOptions = {}): Promise<MountedPage> {
  ensureBuilt()
  current?.unmount()
  jest.resetModules()
  document.body.innerHTML = ''

  const storage = new Map<string, unknown>(Object.entries(options.storage ?? {}))
  if (options.signedIn && !storage.has('civiclink.token')) {
    storage.set('civiclink.token', 'test-token')
    storage.set('civiclink.tokenExpiresAt', '2030-01-01T00:00:00.000Z')
  }
  const requests: MockRequest[] = []
  const toasts: string[] = []
  const navigations: MountedPage['navigations'] = []
  const modals: MountedPage['modals'] = []
  const state = { routes: { ...(options.api ?? {}) } as Routes, instance: undefined as any, timers: new Set<ReturnType<typeof setTimeout>>() }
  const privacy: PrivacyRecord = { agreed: options.privacy !== 'undecided', listeners: 0, asked: [], exposures: 0, agreeTaps: [], contractOpened: 0 }
  let privacyListener: ((resolve: (a: any) => void, info: { referrer: string }) => void) | undefined
  lastAgreeTaps = privacy.agreeTaps

  // miniprogram-simulate installs its own wx (a rich mock); ours goes over it.
  const g = global as any
  delete g.wx
   
  const simulate = require('miniprogram-simulate')
  registerFormComponents()
  const ok = (extra: object = {}) => ({ errMsg: 'ok', ...extra })
  const callAsync = (opts: any, result: any, fail = false) => {
    const t = setTimeout(() => {
      state.timers.delete(t)
      if (fail) opts?.fail?.(result)
      else opts?.success?.(result)
      opts?.complete?.(result)
    }, 0)
    state.timers.add(t)
  }
  const wxMock: Record<string, unknown> = {
    getStorageSync: (k: string) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k: string, v: unknown) => void storage.set(k, v),
    removeStorageSync: (k: string) => void storage.delete(k),
    clearStorageSync: () => storage.clear(),
    getStorage: (o: any) => callAsync(o, storage.has(o.key) ? ok({ data: storage.get(o.key) }) : { errMsg: 'getStorage:fail data not found' }, !storage.has(o.key)),
    setStorage: (o: any) => (storage.set(o.key, o.data), callAsync(o, ok())),
    removeStorage: (o: any) => (storage.delete(o.key), callAsync(o, ok())),
    request: (o: any) => {
      const method = String(o.method || 'GET').toUpperCase()
      const { path: p, query } = parseUrl(o.url)
      const req: MockRequest = { method, path: p, query, url: o.url, data: o.data, header: o.header ?? {} }
      requests.push(req)
      const route = matchRoute(state.routes, method, p)
      void (async () => {
        const res: MockResponse = !route
          ? apiError(404, 'NOT_FOUND', `测试未模拟该接口：${method} ${p}`)
          : typeof route === 'function'
            ? await route(req)
            : route
        if (res.delay) await sleep(res.delay)
        if (res.networkError) callAsync(o, { errMsg: 'request:fail timeout' }, true)
        else callAsync(o, { statusCode: res.status, data: res.body === undefined ? '' : res.body, header: res.header ?? { 'content-type': 'application/json' }, errMsg: 'request:ok' })
      })()
      return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
    },
    showToast: (o: any) => (toasts.push(o?.title ?? ''), callAsync(o, ok())),
    hideToast: (o: any) => callAsync(o, ok()),
    showLoading: (o: any) => callAsync(o, ok()),
    hideLoading: (o: any) => callAsync(o, ok()),
    showModal: (o: any) => {
      // WeChat (and Taro's H5) refuse button texts over 4 Chinese characters: the modal never shows
      const tooLong = [o?.confirmText, o?.cancelText].find((x) => typeof x === 'string' && x.replace(/[\u0391-\uFFE5]/g, 'aa').length > 8)
      if (tooLong) return callAsync(o, { errMsg: `showModal:fail button text too long: ${tooLong}` }, true)
      modals.push({ title: o?.title, content: o?.content })
      callAsync(o, ok({ confirm: options.modalConfirm !== false, cancel: options.modalConfirm === false }))
    },
    stopPullDownRefresh: (o: any) => callAsync(o, ok()),
    startPullDownRefresh: (o: any) => callAsync(o, ok()),
    login: (o: any) => callAsync(o, ok({ code: 'test-wx-code' })),
    getLocation: (o: any) => callAsync(o, ok({ longitude: 114.3, latitude: 30.6 })),
    createSelectorQuery: () => state.instance.createSelectorQuery(),
    createIntersectionObserver: (_c: unknown, opts: unknown) => state.instance.createIntersectionObserver(opts),
    setNavigationBarTitle: (o: any) => callAsync(o, ok()),
    setNavigationBarColor: (o: any) => callAsync(o, ok()),
    onNeedPrivacyAuthorization: (listener: typeof privacyListener) => {
      privacy.listeners++
      privacyListener = listener
    },
    openPrivacyContract: (o: any) => (privacy.contractOpened++, callAsync(o, ok())),
    getPrivacySetting: (o: any) => callAsync(o, ok({ needAuthorization: !privacy.agreed, privacyContractName: '《文明共建用户隐私保护指引》' })),
    requirePrivacyAuthorize: (o: any) => callAsync(o, ok()),
  }
  for (const api of ['navigateTo', 'redirectTo', 'reLaunch', 'switchTab', 'navigateBack']) {
    wxMock[api] = (o: any) => {
      navigations.push(api === 'navigateBack' ? { api, delta: o?.delta ?? 1 } : { api, url: o?.url })
      callAsync(o, ok())
    }
  }
  g.wx = Object.assign(g.wx, wxMock, options.wx ?? {})
  // WeChat's privacy gate: a privacy API called before the person agreed waits for the app's answer.
  for (const name of [...GATED_APIS, 'requirePrivacyAuthorize']) {
    const original = g.wx[name]
    if (typeof original !== 'function') continue
    const gated = (o: any) => {
      if (privacy.agreed) return original(o)
      const refuse = (why: string) => callAsync(o, { errMsg: `${name}:fail ${why}`, errno: 104 }, true)
      if (!privacyListener) return refuse('privacy permission is not authorized (no onNeedPrivacyAuthorization listener: WeChat would show its own popup)')
      privacy.asked.push(name)
      let settled = false
      privacyListener(
        (answer: { event: string; buttonId?: string }) => {
          if (answer?.event === 'exposureAuthorization') return void privacy.exposures++
          if (settled) return
          settled = true
          if (answer?.event === 'agree') {
            // WeChat checks that the named agree button was really tapped
            if (!answer.buttonId || !privacy.agreeTaps.includes(answer.buttonId)) return refuse(`privacy agree button «${answer.buttonId}» was not tapped`)
            privacy.agreed = true
            original(o)
          } else refuse('privacy permission is not authorized')
        },
        { referrer: name },
      )
    }
    // WeChat's promise style: called without success/fail/complete, an async API returns a promise (Taro 4.2.1
    // leaves e.g. chooseMessageFile and chooseMedia unwrapped, so the app relies on it)
    g.wx[name] = (o: any = {}) =>
      o.success || o.fail || o.complete ? gated(o) : new Promise((resolve, reject) => gated({ ...o, success: resolve, fail: reject }))
  }

  // App / Page / getApp / getCurrentPages, as WeChat provides them.
  let app: any
  g.App = (config: any) => {
    app = config
  }
  g.getApp = () => app
  const route = pagePath.replace(/^\//, '')
  g.getCurrentPages = () => (state.instance ? [state.instance] : [])
  g.Page = (config: any) => {
    const methods: Record<string, (...args: any[]) => any> = {}
    const data = config.data ?? {}
    for (const [k, v] of Object.entries(config)) if (typeof v === 'function') methods[k] = v as (...args: any[]) => any
    g.Component({
      data,
      options: { addGlobalClass: true },
      methods,
      lifetimes: {
        attached(this: any) {
          state.instance = this
          this.route = route
          this.__route__ = route
          this.options = options.query ?? {}
          this.onLoad?.(options.query ?? {})
          this.onShow?.()
          this.onReady?.()
        },
        detached(this: any) {
          this.onUnload?.()
        },
      },
    })
  }

  // The compiled mini-program: webpack runtime, then the app (React, Taro), then the page.
  delete g.wx.webpackJsonp
  require(path.join(DIST, 'runtime.js'))
  require(path.join(DIST, 'app.js'))
  app?.onLaunch?.({ path: route, query: options.query ?? {}, scene: 1001 })
  app?.onShow?.({ path: route, query: options.query ?? {}, scene: 1001 })

  const id = simulate.load(path.join(DIST, route), 'page', { rootPath: DIST, compiler: 'official' })
  const comp = simulate.render(id)
  const container = document.createElement('div')
  document.body.appendChild(container)
  comp.attach(container)

  const mounted: MountedPage = {
    comp,
    get instance() {
      return state.instance
    },
    dom: comp.dom as HTMLElement,
    storage,
    requests,
    toasts,
    navigations,
    modals,
    privacy,
    get routes() {
      return state.routes
    },
    set routes(r: Routes) {
      state.routes = r
    },
    text: () => collapse(comp.dom.textContent ?? ''),
    async waitFor(predicate, what = 'condition', timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs
      for (;;) {
        if (predicate()) return
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; page text: «${mounted.text().slice(0, 800)}»`)
        await sleep(15)
      }
    },
    waitForText(text, timeoutMs) {
      return mounted.waitFor(() => mounted.text().includes(text), `text «${text}»`, timeoutMs)
    },
    async waitForRequest(methodAndPath, timeoutMs) {
      const [m, p] = methodAndPath.split(' ')
      const find = () => requests.find((r) => r.method === m && r.path === p)
      await mounted.waitFor(() => !!find(), `request ${methodAndPath}`, timeoutMs)
      return find()!
    },
    findByText(text) {
      const all = Array.from(comp.dom.querySelectorAll('*')) as HTMLElement[]
      const hits = all.filter((el) => collapse(el.textContent ?? '').includes(text))
      return hits.find((el) => !Array.from(el.children).some((c) => collapse(c.textContent ?? '').includes(text))) ?? null
    },
    findAllByClass(className) {
      const all = Array.from(comp.dom.querySelectorAll('*')) as HTMLElement[]
      return all.filter((el) => Array.from(el.classList).some((c) => c.replace(CLASS_PREFIX, '') === className))
    },
    findByClass(className) {
      return mounted.findAllByClass(className)[0] ?? null
    },
    async tap(text) {
      await mounted.waitForText(text)
      const el = mounted.findByText(text)
      if (!el) throw new Error(`nothing shows «${text}»`)
      dispatch(el, 'tap', {})
      await sleep(30)
    },
    async tapElement(el) {
      dispatch(el as HTMLElement, 'tap', {})
      await sleep(30)
    },
    async input(placeholder, value) {
      await mounted.waitFor(() => !!findByAttr(comp.dom, 'placeholder', placeholder), `input «${placeholder}»`)
      const el = findByAttr(comp.dom, 'placeholder', placeholder)!
      dispatch(el, 'input', { value, cursor: value.length })
      await sleep(30)
    },
    async show() {
      state.instance.onShow?.()
      await sleep(30)
    },
    async pullDownRefresh() {
      state.instance.onPullDownRefresh?.()
      await sleep(30)
    },
    unmount() {
      try {
        comp.detach()
      } catch {
        // already detached
      }
      state.timers.forEach((t) => clearTimeout(t))
      if (current === mounted) current = undefined
    },
  }
  current = mounted
  await sleep(30) // Taro's first setData is asynchronous
  return mounted
}

/**
 * miniprogram-simulate registers WeChat's built-in tags as bare slots, so an <input>'s placeholder and value
 * are dropped. Re-register the form tags with those properties, so tests can find inputs by placeholder and
 * read their value (the DOM element gets them as attributes too).
 */
function registerFormComponents(): void {
   
  const jComponent = require('j-component')
  const prop = { type: String, value: '' }
  jComponent.register({
    id: 'button',
    tagName: 'wx-button',
    template: '<slot/>',
    properties: { openType: prop, disabled: { type: Boolean, value: false } },
    options: { classPrefix: '' },
  })
  for (const name of ['input', 'textarea']) {
    jComponent.register({
      id: name,
      tagName: `wx-${name}`,
      template: '<slot/>',
      properties: { placeholder: prop, value: prop, type: prop, name: prop, maxlength: { type: Number, value: 140 }, disabled: { type: Boolean, value: false } },
      options: { classPrefix: '' },
    })
  }
}

function propsOf(el: any): Record<string, unknown> {
  return el?.__wxElement?.__propData ?? el?.__wxElement?.data ?? {}
}

function findByAttr(root: HTMLElement, attr: string, value: string): HTMLElement | null {
  const all = Array.from(root.querySelectorAll('wx-input, wx-textarea')) as any[]
  return all.find((el) => propsOf(el)[attr] === value || el.getAttribute?.(attr) === value) ?? null
}

/** The current value of the input or textarea with that placeholder (as the page last set it). */
export function inputValue(page: MountedPage, placeholder: string): string | undefined {
  const el = findByAttr(page.dom, 'placeholder', placeholder)
  return el ? String(propsOf(el).value ?? '') : undefined
}

/** Fires a WeChat event on the exparser node behind a DOM element (bubbling to the bindtap/bindinput that Taro set). */
function dispatch(el: HTMLElement, name: string, detail: unknown): void {
   
  const exparser = require('miniprogram-exparser')
  let node: any = el
  while (node && !node.__wxElement) node = node.parentNode
  if (!node) throw new Error(`no WeChat element behind «${el.textContent}»`)
  exparser.Event.dispatchEvent(node.__wxElement, exparser.Event.create(name, detail, { bubbles: true, composed: true, capturePhase: true }))
  if (name === 'tap') tappedAgreeButton(node)
}

/** The agree-button taps of the page being tested (the gate in mountPage reads them). */
let lastAgreeTaps: string[] = []

/** A tap on <button open-type="agreePrivacyAuthorization"> also fires its agreeprivacyauthorization event, as in WeChat. */
function tappedAgreeButton(start: any): void {
   
  const exparser = require('miniprogram-exparser')
  for (let el = start; el; el = el.parentNode) {
    if (el.tagName?.toLowerCase() !== 'wx-button' || !el.__wxElement) continue
    const props = propsOf(el)
    if (props.openType !== 'agreePrivacyAuthorization' || props.disabled) return
    lastAgreeTaps.push(el.__wxElement.id || el.id)
    exparser.Event.dispatchEvent(el.__wxElement, exparser.Event.create('agreeprivacyauthorization', {}, { bubbles: false, composed: true }))
    return
  }
}
