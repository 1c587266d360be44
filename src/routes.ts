/**
 * Every page's path, in one place: pages link through these names, never through strings of their own.
 * test/unit/routes.test.ts holds this list and src/app.config.ts to each other.
 */
const sub = <K extends string>(root: string, pages: Record<K, string>) =>
  Object.fromEntries(Object.entries(pages).map(([k, p]) => [k, `/packages/${root}/pages/${p}/index`])) as Record<K, string>

export const ROUTES = {
  home: '/pages/index/index',
  report: '/pages/report/index',
  mine: '/pages/mine/index',
  login: '/pages/login/index',
  accounts: sub('accounts', { region: 'region', privacy: 'privacy', erase: 'erase', export: 'export' }),
  quizzes: sub('quizzes', {
    home: 'index', answer: 'answer', result: 'result', wrong: 'wrong', board: 'board', admin: 'admin', create: 'create', stats: 'stats',
    liveHost: 'live-host', liveJoin: 'live-join',
  }),
  reports: sub('reports', { new: 'new', detail: 'detail', work: 'work', handle: 'handle', stats: 'stats', moderation: 'moderation' }),
  surveys: sub('surveys', { index: 'index', answer: 'answer', admin: 'admin', edit: 'edit', manage: 'manage', results: 'results', outcome: 'outcome' }),
  volunteers: sub('volunteers', {
    index: 'index', apply: 'apply', activity: 'activity', mine: 'mine', admin: 'admin', create: 'create', shift: 'shift', certificate: 'certificate', verify: 'verify',
  }),
  rates: sub('rates', { dashboard: 'dashboard', bulletin: 'bulletin' }),
} as const

/** The tab pages (switchTab, not navigateTo). */
export const TAB_PAGES: string[] = [ROUTES.home, ROUTES.report, ROUTES.mine]

/** A page path with its query: `withQuery(ROUTES.reports.detail, { id: 3 })`. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')
  return q ? `${path}?${q}` : path
}
