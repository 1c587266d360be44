import { json, mountPage, type MountedPage } from './harness'
import type { StaffSurvey, StaffSurveyList, SurveyResults } from '../../types/surveys'
import { TEMPLATES } from '../../server/modules/surveys/template'

const ADMIN = 'packages/surveys/pages/admin/index'
const EDIT = 'packages/surveys/pages/edit/index'
const MANAGE = 'packages/surveys/pages/manage/index'
const RESULTS = 'packages/surveys/pages/results/index'
const HAPPY = '329901001001'

const me = {
  id: 2, nickname: '演示网格员', phoneMasked: '138****0002', hasWechat: false, community: null, elderMode: false,
  roles: [{ role: 'resident', regionCode: null, regionName: null }, { role: 'worker', regionCode: HAPPY, regionName: '幸福里社区' }],
}
const templates = { items: TEMPLATES.map((t) => ({ key: t.key, title: t.title, description: t.description, definition: t.definition })) }

const head = {
  title: '创建全国文明城市市民问卷', description: '', regionCode: HAPPY, regionName: '幸福里社区', audience: 'residents' as const, anonymous: true,
  resultsPublic: false, quotaPerCommunity: null, startsAt: '2026-11-01T00:00:00.000Z', endsAt: '2026-12-31T00:00:00.000Z',
}
function staffSurvey(over: Partial<StaffSurvey> = {}): StaffSurvey {
  return { id: 9, ...head, status: 'draft', templateKey: 'chuangwen_standard', definition: TEMPLATES[0].definition, responses: 0, wordingChanges: [], ...over }
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('问卷管理 staff pages (compiled weapp pages)', () => {
  it('lists my area\'s surveys by status with their responses, and starts one from the template', async () => {
    const list: StaffSurveyList = {
      items: [
        { id: 1, ...head, title: '垃圾分类满意度', status: 'published', responses: 37 },
        { id: 2, ...head, title: '停车问题征询', status: 'draft', responses: 0 },
        { id: 3, ...head, title: '上半年满意度', status: 'closed', responses: 120 },
      ],
    }
    page = await mountPage(ADMIN, { signedIn: true, api: { 'GET /surveys/admin': json(200, list) } })
    await page.waitForText('垃圾分类满意度')
    const text = page.text()
    expect(text).toContain('进行中（1）')
    expect(text).toContain('草稿（1）')
    expect(text).toContain('已结束（1）')
    expect(text).toContain('37 份')
    expect(text).toContain('120 份')
    await page.tap('用创文标准问卷新建')
    expect(page.navigations.at(-1)?.url).toBe('/packages/surveys/pages/edit/index?template=chuangwen_standard')
    await page.tap('垃圾分类满意度')
    expect(page.navigations.at(-1)?.url).toBe('/packages/surveys/pages/manage/index?id=1')
  })

  it('creates from the template in my own area: the template\'s questions shown, saved as a draft by the template\'s key', async () => {
    let body: Record<string, unknown> | undefined
    page = await mountPage(EDIT, {
      signedIn: true,
      query: { template: 'chuangwen_standard' },
      api: {
        'GET /me': json(200, me),
        'GET /surveys/templates': json(200, templates),
        // a community's children are grids, which a survey cannot address
        'GET /regions': json(200, { items: [{ code: `${HAPPY}01`, name: '第一网格', level: 'grid' }] }),
        'POST /surveys/admin': (req) => ((body = req.data as Record<string, unknown>), json(201, staffSurvey())),
      },
    })
    await page.waitForText('您知道本市正在创建全国文明城市吗？')
    expect(page.text()).toContain('基本设置（模板：创建全国文明城市市民问卷）')
    expect(page.text()).toContain('幸福里社区')
    // the markings the rates read are shown to the builder
    expect(page.text()).toContain('知晓率')
    expect(page.text()).toContain('有条件')
    await page.tap('保存为草稿')
    await page.waitFor(() => body !== undefined, 'the create request')
    expect(body).toMatchObject({ template: 'chuangwen_standard', regionCode: HAPPY, audience: 'residents', anonymous: true, title: '创建全国文明城市市民问卷' })
    expect(body).not.toHaveProperty('definition')
    expect(new Date(String(body!.endsAt)).getTime()).toBeGreaterThan(Date.now())
    await page.waitFor(() => page!.navigations.some((n) => n.url === '/packages/surveys/pages/manage/index?id=9'), 'to the survey')
  })

  it('offers the office the city and its districts (the office has no region of its own)', async () => {
    let body: Record<string, unknown> | undefined
    const office = { ...me, id: 3, roles: [{ role: 'office', regionCode: null, regionName: null }] }
    page = await mountPage(EDIT, {
      signedIn: true,
      query: { template: 'chuangwen_standard' },
      api: {
        'GET /me': json(200, office),
        'GET /surveys/templates': json(200, templates),
        'GET /regions': (req) => json(200, { items: req.query.parent ? [{ code: '329901', name: '文明区', level: 'district' }] : [{ code: '3299', name: '示范市', level: 'city' }] }),
        'POST /surveys/admin': (req) => ((body = req.data as Record<string, unknown>), json(201, staffSurvey())),
      },
    })
    await page.waitForText('示范市 ›')
    await page.tap('保存为草稿')
    await page.waitFor(() => body !== undefined, 'the create request')
    expect(body).toMatchObject({ regionCode: '3299', template: 'chuangwen_standard' })
  })

  it('builds one from scratch: refuses an empty question before sending, then sends the written definition', async () => {
    let body: { definition?: { sections: Array<{ questions: Array<Record<string, unknown>> }> }; title?: string } | undefined
    page = await mountPage(EDIT, {
      signedIn: true,
      api: {
        'GET /me': json(200, me),
        'GET /surveys/templates': json(200, templates),
        'GET /regions': json(200, { items: [] }),
        'POST /surveys/admin': (req) => ((body = req.data as typeof body), json(201, staffSurvey({ id: 10 }))),
      },
    })
    await page.waitForText('保存为草稿')
    await page.input('如：幸福里社区居民满意度调查', '停车问题征询')
    await page.tap('保存为草稿')
    await page.waitForText('有题目还没有填写题干')
    expect(body).toBeUndefined()
    await page.input('请输入题干', '您小区晚上停车难吗？')
    await page.tap('保存为草稿')
    await page.waitFor(() => body !== undefined, 'the create request')
    expect(body!.title).toBe('停车问题征询')
    expect(body!.definition!.sections[0].questions[0]).toMatchObject({
      key: 'q1', type: 'single', title: '您小区晚上停车难吗？', required: true, options: [{ value: 'o1', label: '选项一' }, { value: 'o2', label: '选项二' }],
    })
  })

  it('edits a display condition of several clauses, all or any, and sends them as the server reads them', async () => {
    let body: { definition?: { sections: Array<{ questions: Array<Record<string, unknown>> }> } } | undefined
    page = await mountPage(EDIT, {
      signedIn: true,
      query: { id: '9' },
      api: {
        'GET /me': json(200, me),
        'GET /surveys/templates': json(200, templates),
        'GET /regions': json(200, { items: [] }),
        'GET /surveys/admin/:id': json(200, staffSurvey()),
        'PUT /surveys/admin/:id': (req) => ((body = req.data as typeof body), json(200, staffSurvey())),
      },
    })
    await page.waitForText('您不满意的主要原因是？')
    await page.tap('7. 您不满意的主要原因是？')
    await page.waitForText('满足下面的条件时显示')
    await page.tap('再添加一个条件')
    await page.waitForText('条件 2')
    expect(page.text()).toContain('当「您支持本市创建全国文明城市吗？」的回答为')
    // a clause without a value is refused before sending
    await page.tap('保存修改')
    await page.waitForText('每个条件至少勾选一项')
    expect(body).toBeUndefined()
    await page.tap('不支持')
    await page.tap('任一满足')
    await page.waitForText('满足任一条件时显示')
    await page.tap('保存修改')
    await page.waitFor(() => body !== undefined, 'the update request')
    const reasons = body!.definition!.sections.flatMap((sec) => sec.questions).find((q) => q.key === 'reasons')!
    expect(reasons.showWhen).toEqual([{ question: 'overall', anyOf: ['2', '1'] }, { question: 'support', anyOf: ['no'] }])
    expect(reasons.showMatch).toBe('any')
  })

  it('publishes a draft after confirming, and offers preview as a resident sees it', async () => {
    let published = false
    page = await mountPage(MANAGE, {
      signedIn: true,
      query: { id: '9' },
      api: {
        'GET /surveys/admin/:id': () => json(200, staffSurvey({ status: published ? 'published' : 'draft' })),
        'POST /surveys/admin/:id/publish': () => ((published = true), json(200, staffSurvey({ status: 'published' }))),
      },
    })
    await page.waitForText('题目（8）')
    expect(page.text()).toContain('计入知晓率')
    await page.tap('预览')
    expect(page.navigations.at(-1)?.url).toBe('/packages/surveys/pages/answer/index?id=9&preview=1')
    await page.tap('发布')
    await page.waitForText('发布后，范围内的居民即可填写')
    await page.tap('确认')
    await page.waitFor(() => published, 'the publish request')
    await page.waitForText('查看结果')
    expect(page.findByText('结束问卷')).not.toBeNull()
  })

  it('shows each question\'s counts and percentages, cross-tabs with "<5", and exports through downloadFile + openDocument', async () => {
    const results: SurveyResults = {
      surveyId: 9, title: head.title, status: 'published', responses: 20,
      questions: [
        { key: 'aware', title: '您知道本市正在创建全国文明城市吗？', type: 'single', answered: 20, options: [{ value: 'yes', label: '知道', count: 14, percent: 70 }, { value: 'no', label: '不知道', count: 6, percent: 30 }] },
        { key: 'suggestion', title: '您对本市创建全国文明城市还有什么意见或建议？', type: 'long_text', answered: 3, options: [] },
      ],
    }
    const downloads: Array<{ url: string; header: Record<string, string> }> = []
    const opened: unknown[] = []
    page = await mountPage(RESULTS, {
      signedIn: true,
      query: { id: '9' },
      wx: {
        downloadFile: (o: { url: string; header: Record<string, string>; success?: (r: unknown) => void }) => {
          downloads.push({ url: o.url, header: o.header })
          o.success?.({ statusCode: 200, tempFilePath: 'wxfile://tmp/export.xlsx', errMsg: 'downloadFile:ok' })
          return { abort: () => undefined, onProgressUpdate: () => undefined }
        },
        openDocument: (o: { filePath: string; success?: (r: unknown) => void }) => {
          opened.push(o)
          o.success?.({ errMsg: 'openDocument:ok' })
        },
      },
      api: {
        'GET /surveys/admin/:id': json(200, staffSurvey({ status: 'published', responses: 20 })),
        'GET /surveys/admin/:id/results': json(200, results),
        'GET /surveys/admin/:id/crosstab': (req) => json(200, {
          question: req.query.question, row: null, by: req.query.by, columns: [{ value: 'yes', label: '知道' }, { value: 'no', label: '不知道' }],
          groups: [
            { key: '329901001002', label: '和平社区', respondents: 10, display: '10', cells: [{ value: 'yes', count: 5, percent: 50, display: '5（50%）', suppressed: false }, { value: 'no', count: 5, percent: 50, display: '5（50%）', suppressed: false }] },
            { key: HAPPY, label: '幸福里社区', respondents: null, display: '<5', cells: [{ value: 'yes', count: null, percent: null, display: '<5', suppressed: true }, { value: 'no', count: null, percent: null, display: '<5', suppressed: true }] },
          ],
        }),
        'GET /surveys/admin/:id/texts': json(200, { items: [{ text: '建议增加垃圾分类宣传', day: '2026-11-29', communityName: null, held: false }], total: 1, nextCursor: null }),
      },
    })
    await page.waitForText('共 20 份答卷（实时）')
    const text = page.text()
    expect(text).toContain('14 人')
    expect(text).toContain('70%')
    expect(text).toContain('6 人')
    expect(text).toContain('匿名问卷：导出的答卷不含任何个人信息')

    await page.tap('查看文字回答')
    await page.waitForText('建议增加垃圾分类宣传')
    expect(page.requests.find((r) => r.path.endsWith('/texts'))?.query).toMatchObject({ question: 'suggestion' })

    await page.tap('开始分析')
    await page.waitForText('和平社区')
    expect(page.text()).toContain('5（50%）')
    expect(page.text()).toContain('<5')
    expect(page.requests.find((r) => r.path.endsWith('/crosstab'))?.query).toMatchObject({ question: 'age', by: 'community' })

    await page.tap('导出答卷 Excel')
    await page.waitFor(() => opened.length === 1, 'the document opened')
    expect(downloads[0].url).toContain('/surveys/admin/9/export?what=responses&format=xlsx')
    expect(downloads[0].header.Authorization).toMatch(/^Bearer /)
    expect(opened[0]).toMatchObject({ filePath: 'wxfile://tmp/export.xlsx', fileType: 'xlsx' })
  })
})
