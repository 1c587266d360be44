import '../helpers/long-timeout'
import { apiError, json, mountPage, type MountedPage } from './harness'
import { detail } from './reports-fixtures'

const DETAIL = 'packages/reports/pages/detail/index'
let page: MountedPage | undefined
afterEach(() => page?.unmount())

// someone else's report, open and public: the resident may flag it
const othersReport = () => detail({ isMine: false, canRate: false, actions: [], reporter: null, canFlag: true, flaggedByMe: false, moderation: 'visible' })

describe('举报 on the 随手拍 detail (compiled weapp page)', () => {
  it('needs a reason, sends the reason and note once, then shows it as flagged', async () => {
    const sent: unknown[] = []
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': json(200, othersReport()),
        'POST /reports/:id/flags': (req) => (sent.push(req.data), json(201, { reportId: 7, flagged: true })),
      },
    })
    await page.waitFor(() => page!.findByClass('rp-detail__flag') !== null, 'the 举报 button')
    await page.tapElement(page.findByClass('rp-detail__flag')!)
    await page.waitForText('举报人信息严格保密')
    for (const reason of ['泄露他人隐私', '辱骂、人身攻击', '虚假不实', '广告营销', '违法违规内容', '其他']) expect(page.text()).toContain(reason)

    await page.tap('提交举报')
    await page.waitFor(() => page!.toasts.includes('请选择举报原因'), 'the missing-reason toast')
    expect(sent).toEqual([])

    await page.tap('其他')
    await page.tap('提交举报')
    await page.waitFor(() => page!.toasts.includes('请说明举报原因'), 'the missing-note toast')
    expect(sent).toEqual([])

    await page.tap('辱骂、人身攻击')
    await page.input('补充说明（选填）', '评论区骂人')
    await page.tap('提交举报')
    await page.waitForText('您已举报该内容，正在等待审核')
    expect(sent).toEqual([{ reason: 'abuse', note: '评论区骂人' }])
    expect(page.toasts).toContain('举报已提交，我们会尽快审核')
    expect(page.findByClass('rp-detail__flag')).toBeNull()
  })

  it('a second flag from another phone is told so and shows the report as flagged', async () => {
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': json(200, othersReport()),
        'POST /reports/:id/flags': apiError(409, 'FLAG_ALREADY', '您已举报过该内容，我们会尽快审核'),
      },
    })
    await page.waitFor(() => page!.findByClass('rp-detail__flag') !== null, 'the 举报 button')
    await page.tapElement(page.findByClass('rp-detail__flag')!)
    await page.tap('虚假不实')
    await page.tap('提交举报')
    await page.waitForText('您已举报该内容，正在等待审核')
    expect(page.toasts).toContain('您已举报过该内容，我们会尽快审核')
  })

  it('offers no 举报 on one\'s own report, and tells the author when it is hidden', async () => {
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: { 'GET /reports/:id': json(200, detail({ isMine: true, canFlag: false, flaggedByMe: false, moderation: 'auto_hidden' })) },
    })
    await page.waitForText('内容审核：被多人举报，待审核')
    expect(page.findByClass('rp-detail__flag')).toBeNull()
  })
})
