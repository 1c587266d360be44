import { apiError, json, mountPage, type MountedPage } from './harness'
import { categories } from './reports-fixtures'

const STATS = 'packages/reports/pages/stats/index'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

/** Beijing dates, as the page and the server count days. */
const day = (offset = 0) => new Date(Date.now() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10)
const row = (d: string, code: string, name: string, n: number, closed: number, overdue: number) => ({ day: d, communityCode: code, communityName: name, new: n, closed, overdue })

const stats = {
  items: [
    row(day(-2), 'c1', '幸福里社区', 4, 1, 0),
    row(day(-2), 'c2', '湖滨社区', 1, 0, 0),
    row(day(0), 'c1', '幸福里社区', 2, 3, 1),
    row(day(0), 'c2', '湖滨社区', 5, 0, 2),
  ],
}

/** wx.downloadFile: progress events, then (after `delay` ms) the answer; the calls are kept. */
function downloadMock(answer: { statusCode: number; tempFilePath: string }, delay = 300) {
  const calls: { url: string; header: Record<string, string> }[] = []
  return {
    calls,
    fn: (o: any) => {
      calls.push({ url: o.url, header: o.header ?? {} })
      const listeners: ((r: any) => void)[] = []
      // a streamed file: no size known in advance
      setTimeout(() => listeners.forEach((l) => l({ progress: 0, totalBytesWritten: 150 * 1024, totalBytesExpectedToWrite: 0 })), 20)
      setTimeout(() => {
        o.success?.({ ...answer, errMsg: 'downloadFile:ok' })
        o.complete?.({ ...answer, errMsg: 'downloadFile:ok' })
      }, delay)
      return { onProgressUpdate: (cb: any) => listeners.push(cb), offProgressUpdate() {}, abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
    },
  }
}

describe('每日统计 (compiled weapp page)', () => {
  it('shows the last 7 days by default: totals, per community and per day, latest day first', async () => {
    page = await mountPage(STATS, { signedIn: true, api: { 'GET /reports/stats/daily': json(200, stats) } })
    await page.waitForText('各社区合计')
    const req = page.requests.find((r) => r.path === '/reports/stats/daily')!
    expect(req.query).toEqual({ from: day(-6), to: day(0) })
    expect(req.header.Authorization).toBe('Bearer test-token')
    const text = page.text()
    expect(text).toContain('2 个社区')
    // totals 12 new, 4 closed, 3 overdue
    const totals = page.findAllByClass('rp-stats__num').map((n) => n.textContent!.trim())
    expect(totals).toEqual(['12', '4', '3'])
    // per community over the range: most new first, then most overdue
    const firstTable = page.findByClass('rp-stats__table')!
    expect(firstTable.textContent!.replace(/\s+/g, ' ')).toMatch(/湖滨社区\s*6\s*0\s*2\s*幸福里社区\s*6\s*4\s*1/)
    // per day: today before the day before yesterday
    expect(text.indexOf('新增 7 · 销号 3 · 超期 3')).toBeGreaterThan(-1)
    expect(text.indexOf('新增 7 · 销号 3 · 超期 3')).toBeLessThan(text.indexOf('新增 5 · 销号 1 · 超期 0'))
    expect(page.findAllByClass('rp-stats__cell--overdue').length).toBeGreaterThan(0)
  })

  it('switches to the last 30 days, and shows older days seven at a time', async () => {
    const many = { items: Array.from({ length: 10 }, (_, i) => row(day(-i), 'c1', '幸福里社区', i + 1, 0, 0)) }
    page = await mountPage(STATS, { signedIn: true, api: { 'GET /reports/stats/daily': json(200, many) } })
    await page.waitForText('显示更早的日期（还有 3 天）')
    await page.tap('近 30 天')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/reports/stats/daily' && r.query.from === day(-29)), 'the 30-day request')
    expect(page.requests.filter((r) => r.path === '/reports/stats/daily').pop()!.query.to).toBe(day(0))
    await page.tap('显示更早的日期')
    await page.waitFor(() => !page!.text().includes('显示更早的日期'), 'all ten days')
    expect(page.text()).toContain('新增 10 · 销号 0 · 超期 0')
  })

  it('says so when there is nothing in the range, and shows the server\'s refusal to a resident', async () => {
    page = await mountPage(STATS, { signedIn: true, api: { 'GET /reports/stats/daily': json(200, { items: [] }) } })
    await page.waitForText('该时段没有数据')
    page.unmount()
    page = await mountPage(STATS, { signedIn: true, api: { 'GET /reports/stats/daily': apiError(403, 'FORBIDDEN_ROLE', '只有网格员或创文办用户可以查看工单') } })
    await page.waitForText('只有网格员或创文办用户可以查看工单')
    expect(page.text()).toContain('重试')
  })

  it('exports the 问题台账 of the range with the bearer token: progress while it downloads, then opens it', async () => {
    const download = downloadMock({ statusCode: 200, tempFilePath: 'wxfile://tmp/ledger.xlsx' })
    const opened: any[] = []
    page = await mountPage(STATS, {
      signedIn: true,
      api: { 'GET /reports/stats/daily': json(200, stats) },
      wx: {
        downloadFile: download.fn,
        openDocument: (o: any) => (opened.push(o), setTimeout(() => (o.success?.({ errMsg: 'openDocument:ok' }), o.complete?.({})), 0)),
      },
    })
    await page.waitForText('各社区合计')
    await page.tap('导出问题台账')
    await page.waitForText('已下载 150 KB')
    expect(page.text()).toContain('正在导出')
    expect(download.calls).toHaveLength(1)
    const url = new URL(download.calls[0].url)
    expect(url.pathname).toBe('/api/v1/reports/export.xlsx')
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: day(-6), to: day(0) })
    expect(download.calls[0].header.Authorization).toBe('Bearer test-token')
    await page.waitFor(() => opened.length === 1, 'openDocument')
    expect(opened[0]).toMatchObject({ filePath: 'wxfile://tmp/ledger.xlsx', fileType: 'xlsx', showMenu: true })
    await page.waitFor(() => page!.toasts.includes('问题台账已打开，可在右上角菜单中转发或保存'), 'the done toast')
    await page.waitFor(() => !page!.text().includes('已下载'), 'the progress to go away')
    // a second tap while nothing is running starts a new export
    await page.tap('导出问题台账')
    await page.waitFor(() => download.calls.length === 2, 'a second export')
  })

  it('shows the server\'s message when the export is refused, read from the downloaded error body', async () => {
    const download = downloadMock({ statusCode: 403, tempFilePath: 'wxfile://tmp/error.json' }, 50)
    const opened: any[] = []
    page = await mountPage(STATS, {
      signedIn: true,
      api: { 'GET /reports/stats/daily': json(200, stats) },
      wx: {
        downloadFile: download.fn,
        openDocument: (o: any) => opened.push(o),
        getFileSystemManager: () => ({
          readFileSync: (p: string) => {
            if (p !== 'wxfile://tmp/error.json') throw new Error('no such file')
            return JSON.stringify({ code: 'FORBIDDEN_REGION', message: '该社区不在您负责的区域内' })
          },
        }),
      },
    })
    await page.tap('导出问题台账')
    await page.waitFor(() => page!.toasts.includes('该社区不在您负责的区域内'), 'the refusal toast')
    expect(opened).toHaveLength(0)
    await page.waitForText('导出问题台账')
  })
})

describe('工单 page links to 每日统计', () => {
  it('opens the statistics page', async () => {
    const counts = { submitted: 0, accepted: 0, dispatched: 0, rectified: 0, closed: 0, closed_not_fixed: 0, rejected: 0, merged: 0 }
    page = await mountPage('packages/reports/pages/work/index', {
      signedIn: true,
      api: { 'GET /reports/categories': json(200, categories), 'GET /reports/work': json(200, { items: [], nextCursor: null, counts, overdueCount: 0 }) },
    })
    await page.waitForText('暂无工单')
    await page.tap('每日统计 · 导出问题台账')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/stats/index' })
  })
})
