import { apiError, json, mountPage, type MountedPage } from './harness'
import type { ResidentSurvey, ResidentSurveyList, SurveyDefinition } from '../../types/surveys'
import { templateByKey } from '../../server/modules/surveys/template'

const ANSWER = 'packages/surveys/pages/answer/index'
const LIST = 'packages/surveys/pages/index/index'
const OUTCOME = 'packages/surveys/pages/outcome/index'

/** The standard survey as a resident receives it: without the markings. */
function definition(): SurveyDefinition {
  const def = templateByKey('chuangwen_standard')!.definition
  return { sections: def.sections.map((s) => ({ ...s, questions: s.questions.map(({ figure: _f, favourable: _v, ...q }) => q) })) }
}

function survey(over: Partial<ResidentSurvey> = {}): ResidentSurvey {
  return {
    id: 7, title: '创建全国文明城市市民问卷', description: '', regionCode: '329901001001', regionName: '幸福里社区', audience: 'residents',
    anonymous: true, resultsPublic: false, quotaPerCommunity: null, startsAt: '2026-11-01T00:00:00.000Z', endsAt: '2026-12-31T00:00:00.000Z',
    status: 'published', answered: false, quotaFull: false, hasDraft: false, questionCount: 8, definition: definition(), resultsAvailable: false, ...over,
  }
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

const WX = { pageScrollTo: (o: { success?: (r: unknown) => void }) => o?.success?.({ errMsg: 'pageScrollTo:ok' }) }

/** The deepest element whose whole text is `label` (the n-th in page order), inside `within` if given. */
function option(p: MountedPage, label: string, nth = 0, within?: Element): HTMLElement {
  const all = Array.from((within ?? p.dom).querySelectorAll('*')) as HTMLElement[]
  const exact = all.filter((el) => (el.textContent ?? '').trim() === label && !Array.from(el.children).some((c) => (c.textContent ?? '').trim() === label))
  if (!exact[nth]) throw new Error(`no option "${label}" (#${nth}) in: ${p.text().slice(0, 400)}`)
  return exact[nth]
}
const choose = (p: MountedPage, label: string, nth = 0, within?: Element) => p.tapElement(option(p, label, nth, within))

async function fillMatrix(p: MountedPage, label: string) {
  const rows = p.findAllByClass('sv-q__row')
  expect(rows).toHaveLength(6)
  for (const row of rows) await choose(p, label, 0, row)
}

describe('问卷 answering page (compiled weapp page)', () => {
  it('shows one group per screen, reveals the reasons only after 不满意, summarises, and sends only what is shown', async () => {
    const drafts: unknown[] = []
    let submitted: { data: unknown; header: Record<string, string> } | undefined
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '7' },
      wx: WX,
      api: {
        'GET /surveys/:id': json(200, survey()),
        'PUT /surveys/:id/draft': (req) => (drafts.push(req.data), json(200, { answers: {}, page: 0, savedAt: '2026-11-29T02:00:00.000Z' })),
        'POST /surveys/:id/responses': (req) => ((submitted = { data: req.data, header: req.header }), json(201, { surveyId: 7, submittedOn: '2026-11-29', anonymous: true })),
      },
    })
    await page.waitForText('您的年龄段')
    expect(page.text()).toContain('第 1/4 部分：基本情况')
    expect(page.text()).not.toContain('您知道本市正在创建全国文明城市吗') // one group per screen

    await page.tap('下一步')
    await page.waitFor(() => page!.toasts.includes('请回答「您的年龄段」'), 'required hint')

    await choose(page, '30–44岁')
    await choose(page, '3年以上')
    await page.tap('下一步')
    await page.waitForText('您知道本市正在创建全国文明城市吗')
    expect(page.text()).toContain('第 2/4 部分：知晓与支持')
    await choose(page, '知道')
    await choose(page, '支持')
    await page.tap('下一步')
    await page.waitForText('第 3/4 部分：满意度')
    expect(page.text()).not.toContain('您不满意的主要原因')

    await choose(page, '不满意') // the overall question comes before the matrix
    await page.waitForText('您不满意的主要原因')
    await choose(page, '工作流于形式')
    await choose(page, '其他（请注明）')
    await page.input('请注明其他的内容', '路灯不亮')
    await fillMatrix(page, '满意')
    await page.tap('下一步')
    await page.waitForText('第 4/4 部分：意见建议')
    await page.tap('查看并提交')
    await page.waitForText('请确认您的回答')
    const summary = page.text()
    for (const s of ['30–44岁', '3年以上', '知道', '支持', '不满意', '工作流于形式、其他：路灯不亮', '环境卫生：满意', '志愿服务：满意', '未填写']) expect(summary).toContain(s)

    await page.tap('上一步') // back works from the summary
    await page.waitForText('第 4/4 部分：意见建议')
    await page.tap('查看并提交')
    await page.waitForText('请确认您的回答')
    await choose(page, '提交') // the button, not the 确认提交 heading
    await page.waitForText('提交成功，感谢您的参与')
    expect(submitted!.header['Idempotency-Key'] ?? submitted!.header['idempotency-key']).toMatch(/^[A-Za-z0-9_.:-]{8,}$/)
    const answers = (submitted!.data as { answers: Record<string, unknown> }).answers
    expect(Object.keys(answers).sort()).toEqual(['age', 'areas', 'aware', 'overall', 'reasons', 'residence', 'support'])
    expect(answers.overall).toEqual({ value: 2 })
    expect(answers.reasons).toEqual({ choices: ['formality', 'other'], other: '路灯不亮' })
    expect((answers.areas as { rows: Record<string, number> }).rows).toEqual({ sanitation: 4, traffic: 4, facilities: 4, community: 4, windows: 4, volunteering: 4 })
    // each 下一步 saved the progress on the server, with the screen to come back to
    expect(drafts.length).toBeGreaterThanOrEqual(3)
    expect(drafts[1]).toMatchObject({ page: 2, answers: { aware: { choice: 'yes' }, support: { choice: 'yes' } } })
  })

  it('continues a draft saved on another device at its screen; an answer that becomes hidden is not sent', async () => {
    let submitted: { answers: Record<string, unknown> } | undefined
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '7' },
      wx: WX,
      api: {
        'GET /surveys/:id': json(200, survey({ hasDraft: true })),
        'GET /surveys/:id/draft': json(200, {
          page: 2,
          savedAt: '2026-11-29T02:00:00.000Z',
          answers: { age: { choice: 'a60plus' }, residence: { choice: 'gt3y' }, aware: { choice: 'no' }, support: { choice: 'neutral' }, overall: { value: 1 }, reasons: { choices: ['traffic'] } },
        }),
        'PUT /surveys/:id/draft': json(200, { answers: {}, page: 0, savedAt: '2026-11-29T02:00:00.000Z' }),
        'POST /surveys/:id/responses': (req) => ((submitted = req.data as never), json(201, { surveyId: 7, submittedOn: '2026-11-29', anonymous: true })),
      },
    })
    await page.waitForText('第 3/4 部分：满意度')
    expect(page.text()).toContain('您不满意的主要原因')
    await choose(page, '很满意')
    await page.waitFor(() => !page!.text().includes('您不满意的主要原因'), 'the reasons to hide')
    await fillMatrix(page, '一般')
    await page.tap('保存进度，稍后继续')
    await page.waitFor(() => page!.toasts.includes('已保存，可稍后在任意设备继续填写'), 'saved toast')
    await page.tap('下一步')
    await page.waitForText('第 4/4 部分')
    await page.tap('查看并提交')
    await page.waitForText('请确认您的回答')
    await choose(page, '提交') // the button, not the 确认提交 heading
    await page.waitForText('提交成功')
    expect(submitted!.answers.reasons).toBeUndefined()
    expect(submitted!.answers.overall).toEqual({ value: 5 })
    expect(submitted!.answers.age).toEqual({ choice: 'a60plus' })
  })

  it('goes back to the screen of a question the server refused, with its message', async () => {
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '7' },
      wx: WX,
      api: {
        'GET /surveys/:id': json(200, survey({ hasDraft: true })),
        'GET /surveys/:id/draft': json(200, {
          page: 4,
          savedAt: '2026-11-29T02:00:00.000Z',
          answers: {
            age: { choice: 'a60plus' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: 'yes' }, overall: { value: 4 },
            areas: { rows: { sanitation: 4, traffic: 4, facilities: 4, community: 4, windows: 4, volunteering: 4 } },
          },
        }),
        'POST /surveys/:id/responses': { status: 400, body: { code: 'ANSWER_CHOICE_NOT_IN_LIST', message: '「您的年龄段」的选项不存在', details: { question: 'age' } } },
      },
    })
    await page.waitForText('请确认您的回答')
    await choose(page, '提交') // the button, not the 确认提交 heading
    await page.waitForText('第 1/4 部分：基本情况')
    expect(page.toasts).toContain('「您的年龄段」的选项不存在')
  })

  it('says so when the survey was answered already, or the community quota is full', async () => {
    page = await mountPage(ANSWER, { signedIn: true, query: { id: '7' }, wx: WX, api: { 'GET /surveys/:id': json(200, survey({ answered: true })) } })
    await page.waitForText('您已经填写过这份问卷')
    expect(page.text()).not.toContain('您的年龄段')
    page.unmount()
    page = await mountPage(ANSWER, { signedIn: true, query: { id: '7' }, wx: WX, api: { 'GET /surveys/:id': json(200, survey({ quotaFull: true })) } })
    await page.waitForText('本社区的名额已满')
  })
})

/** The list's other reads: no closed surveys, no consent to notices. */
const QUIET = { 'GET /surveys/closed': json(200, { items: [] }), 'GET /surveys/notices': json(200, { agreed: false }) }

describe('问卷 list page (compiled weapp page)', () => {
  it('lists the open surveys with answered ones marked, and opens one to answer', async () => {
    const item = (id: number, title: string, over: Partial<ResidentSurveyList['items'][number]>) => {
      const { definition: _d, resultsAvailable: _r, ...head } = survey({ id, title, ...over })
      return head
    }
    page = await mountPage(LIST, {
      signedIn: true,
      api: {
        'GET /surveys': json(200, { items: [item(7, '创文满意度调查', {}), item(8, '垃圾分类问卷', { answered: true }), item(9, '停车问卷', { hasDraft: true })] }),
        ...QUIET,
      },
    })
    await page.waitForText('创文满意度调查')
    const text = page.text()
    expect(text).toContain('待填写')
    expect(text).toContain('已填写')
    expect(text).toContain('继续填写')
    expect(text).toContain('8 题 · 匿名')
    await page.tap('垃圾分类问卷')
    expect(page.toasts).toContain('您已经填写过这份问卷，感谢参与')
    await page.tap('创文满意度调查')
    await page.waitFor(() => page!.navigations.length > 0, 'navigation')
    expect(page.navigations[0]).toEqual({ api: 'navigateTo', url: '/packages/surveys/pages/answer/index?id=7' })
  })

  it('shows an empty state without surveys, and an error with retry', async () => {
    page = await mountPage(LIST, { signedIn: true, api: { 'GET /surveys': apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), ...QUIET } })
    await page.waitForText('重试')
    page.routes['GET /surveys'] = json(200, { items: [] })
    await page.tap('重试')
    await page.waitForText('暂时没有问卷')
  })

  it('offers the closed surveys whose results are public, and opens their results', async () => {
    const { definition: _d, resultsAvailable: _r, ...closed } = survey({ id: 5, title: '上月满意度调查', status: 'closed', resultsPublic: true, answered: true })
    page = await mountPage(LIST, {
      signedIn: true,
      api: { 'GET /surveys': json(200, { items: [] }), 'GET /surveys/closed': json(200, { items: [closed] }), 'GET /surveys/notices': json(200, { agreed: false }) },
    })
    await page.waitForText('已结束的问卷（可查看结果）')
    expect(page.text()).toContain('您参与过')
    await page.tap('上月满意度调查')
    await page.waitFor(() => page!.navigations.length > 0, 'navigation')
    expect(page.navigations[0]).toEqual({ api: 'navigateTo', url: '/packages/surveys/pages/outcome/index?id=5' })
  })

  /** `answers`: what the person picks in WeChat's prompt, one per prompt (the last one repeats). */
  async function noticePage(answers: 'accept' | 'reject' | ('accept' | 'reject')[], agreed: boolean, failFirstSave = false) {
    const picks = Array.isArray(answers) ? answers : [answers]
    const asked: unknown[] = []
    const saved: unknown[] = []
    let failures = failFirstSave ? 1 : 0
    page = await mountPage(LIST, {
      signedIn: true,
      wx: {
        requestSubscribeMessage: (o: { tmplIds: string[]; success?: (r: unknown) => void }) => {
          const answer = picks[Math.min(asked.length, picks.length - 1)]
          asked.push(o.tmplIds)
          // the person answers the prompt a moment later, as in WeChat (the switch shows itself busy meanwhile)
          setTimeout(() => o.success?.({ errMsg: 'requestSubscribeMessage:ok', [o.tmplIds[0]]: answer }), 50)
        },
      },
      api: {
        'GET /surveys': json(200, { items: [] }),
        'GET /surveys/closed': json(200, { items: [] }),
        'GET /surveys/notices': json(200, { agreed }),
        'PUT /surveys/notices': (req) => {
          if (failures-- > 0) return { ...apiError(422, 'NOTICE_REFUSED', '暂时无法开启通知'), delay: 100 }
          saved.push(req.data)
          return json(200, { agreed: (req.data as { agreed: boolean }).agreed })
        },
      },
    })
    await page.waitForText('有新问卷时通知我')
    await page.tapElement(page.findByClass('nut-switch')!)
    return { asked, saved }
  }

  /** The switch shows its off mark again, not busy: neither greyed nor spinning (a tap now reaches the page). */
  const switchIdleOff = () => page!.findByClass('nut-switch-disabled') === null && page!.findByClass('nut-switch-close-line') !== null

  it('"有新问卷时通知我": WeChat\'s subscribe prompt first; refused there, nothing is saved', async () => {
    const { asked, saved } = await noticePage('reject', false)
    await page!.waitFor(() => page!.toasts.some((t) => t.includes('未开启')), 'refusal said')
    expect(asked).toEqual([['demo-survey-open']])
    expect(saved).toEqual([])
  })

  it('"有新问卷时通知我": refused in WeChat, the switch stays off and a second tap asks again (accepted, saved)', async () => {
    const { asked, saved } = await noticePage(['reject', 'accept'], false)
    await page!.waitFor(() => page!.toasts.some((t) => t.includes('未开启')), 'refusal said')
    const off = () => page!.findByClass('nut-switch-close') !== null
    expect(off()).toBe(true)
    await page!.waitFor(switchIdleOff, 'switch idle again, not a spinner left over from the refused tap')
    await page!.tapElement(page!.findByClass('nut-switch')!)
    await page!.waitFor(() => saved.length === 1, 'second tap reached WeChat\'s prompt and the consent was saved')
    expect(asked).toHaveLength(2)
    expect(saved[0]).toEqual({ agreed: true, channel: 'weapp' })
    await page!.waitFor(() => !off(), 'switch on')
  })

  it('"有新问卷时通知我": a save that failed leaves the switch off and usable: the next tap saves', async () => {
    const { asked, saved } = await noticePage('accept', false, true)
    await page!.waitFor(() => page!.toasts.includes('暂时无法开启通知'), 'failure said')
    await page!.waitFor(switchIdleOff, 'switch idle again')
    await page!.tapElement(page!.findByClass('nut-switch')!)
    await page!.waitFor(() => saved.length === 1, 'saved on the second tap')
    expect(asked).toHaveLength(2)
  })

  it('"有新问卷时通知我": accepted in WeChat, the consent is saved; turning it off is saved without a prompt', async () => {
    const on = await noticePage('accept', false)
    await page!.waitFor(() => on.saved.length === 1, 'consent saved')
    expect(on.saved[0]).toEqual({ agreed: true, channel: 'weapp' })
    expect(on.asked).toHaveLength(1)
    page!.unmount()
    const off = await noticePage('accept', true)
    await page!.waitFor(() => off.saved.length === 1, 'withdrawn')
    expect(off.saved[0]).toEqual({ agreed: false, channel: 'weapp' })
    expect(off.asked).toEqual([])
  })
})

describe('问卷结果 for residents (compiled weapp page)', () => {
  const results = {
    surveyId: 5, title: '上月满意度调查', status: 'closed', responses: 12,
    questions: [
      { key: 'aware', title: '您知道本市正在创建全国文明城市吗？', type: 'single', answered: 12, options: [{ value: 'yes', label: '知道', count: 9, percent: 75 }, { value: 'no', label: '不知道', count: 3, percent: 25 }] },
      { key: 'suggestion', title: '建议', type: 'long_text', answered: 4, options: [] },
    ],
  }
  it('shows each question\'s figures after close, and no text answers', async () => {
    page = await mountPage(OUTCOME, { signedIn: true, query: { id: '5' }, api: { 'GET /surveys/:id/results': json(200, results) } })
    await page.waitForText('已结束 · 共 12 份答卷')
    const text = page.text()
    expect(text).toContain('1. 您知道本市正在创建全国文明城市吗？')
    expect(text).toMatch(/知道\s*9 人\s*75%/)
    expect(text).not.toContain('建议')
  })

  it('says why not before close or when the results are kept, without a retry', async () => {
    page = await mountPage(OUTCOME, { signedIn: true, query: { id: '5' }, api: { 'GET /surveys/:id/results': apiError(403, 'RESULTS_NOT_YET', '问卷结束后才能查看结果') } })
    await page.waitForText('问卷结束后才能查看结果')
    expect(page.text()).toContain('暂不能查看结果')
    expect(page.text()).not.toContain('重试')
  })
})
