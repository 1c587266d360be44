import { ROUTES, TAB_PAGES, withQuery } from '../../src/routes'

// app.config.ts calls defineAppConfig, a global of Taro's build
;(globalThis as Record<string, unknown>).defineAppConfig ??= (c: unknown) => c
const appConfig = require('../../src/app.config').default

function allPaths(node: unknown): string[] {
  if (typeof node === 'string') return [node]
  return Object.values(node as Record<string, unknown>).flatMap(allPaths)
}

describe('the routes module', () => {
  it('names every page of app.config.ts, and nothing else', () => {
    const config = appConfig as unknown as { pages: string[]; subPackages: Array<{ root: string; pages: string[] }>; tabBar: { list: Array<{ pagePath: string }> } }
    const declared = [...config.pages, ...config.subPackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))].map((p) => `/${p}`)
    const named = allPaths(ROUTES)
    expect(named.filter((p) => !declared.includes(p))).toEqual([])
    expect(declared.filter((p) => !named.includes(p))).toEqual([])
    expect(TAB_PAGES).toEqual(config.tabBar.list.map((t) => `/${t.pagePath}`))
  })

  it('builds a query string', () => {
    expect(withQuery(ROUTES.reports.detail, { id: 3, title: '路 口', x: undefined })).toBe('/packages/reports/pages/detail/index?id=3&title=%E8%B7%AF%20%E5%8F%A3')
  })
})
