import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import websocket from '@fastify/websocket'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { AppError, badRequest } from '../../errors'
import { callerOfTokenHash, rememberedCallerOrToken, requireCaller, type Caller } from '../../lib/caller'
import { checkIdempotencyKey } from '../../lib/idempotency'
import { errorResponses } from '../../lib/schemas'
import {
  AttemptList, AttemptResult, AttemptStarted, CampaignList, CampaignView, CreateCampaignBody, CreateLiveBody, ImportResult, LiveAnswerAck,
  LiveAnswerBody, LiveSessionView, LiveSnapshot, PointsBoard, PointsSummary, ChangedQuestion, QuestionList, RegionBoard, SubmitBody, TagList,
  UpdateQuestionBody, WrongAnswerList,
} from '../../../types/quizzes'
import { LIVE_WS_PROTOCOL } from '../../../types/live-protocol'
import { Cursor, Id, IdParams } from '../../../types/common'
import { exportQuestions, parseQuestions } from './excel'
import { LiveHub } from './hub'
import { LiveService, qrPng } from './live'
import { assertQuizStaff } from './policy'
import * as service from './service'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const WS_PROTOCOL = LIVE_WS_PROTOCOL
function wsToken(header: string | string[] | undefined): string | null {
  const offered = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  return offered[0] === WS_PROTOCOL && offered[1] ? offered[1] : null
}
/** Per connection: more messages than this in one window is not a person answering a quiz. */
const WS_MESSAGES_PER_WINDOW = 40
const WS_WINDOW_MS = 10_000

const CodeParams = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) })
const CursorQuery = Type.Object({ cursor: Type.Optional(Cursor) }, { additionalProperties: false })
const tags = ['quizzes']

declare module 'fastify' {
  interface FastifyRequest {
    liveJoin?: { sessionId: number; role: 'host' | 'participant'; caller: Caller }
    liveRefusal?: AppError
  }
}

export const quizRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  const live = new LiveService(ctx)
  const hub = new LiveHub(ctx.bus)
  app.addHook('onClose', async () => {
    live.close()
    await hub.close()
  })
  await app.register(websocket, {
    // on shutdown, before the server stops listening: every live socket is told to reconnect (to another process)
    preClose(done) {
      for (const socket of this.websocketServer.clients) socket.close(1012, 'server restarting')
      done()
    },
    options: {
      maxPayload: 16 * 1024,
      handleProtocols: (offered: Set<string>) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  })
  app.addContentTypeParser([XLSX, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body))

  // ------------------------------------------------------------ residents

  app.get('/quiz/campaigns', {
    schema: { tags, summary: '我所在社区的答题活动', response: { 200: CampaignList, ...errorResponses } },
  }, async (req) => ({ items: await service.residentCampaigns(ctx, await requireCaller(ctx, req)) }))

  app.get('/quiz/campaigns/:id', {
    schema: { tags, params: IdParams, response: { 200: CampaignView, ...errorResponses } },
  }, async (req) => service.residentCampaign(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/quiz/campaigns/:id/attempts', {
    schema: { tags, summary: '开始答题（有未完成的答题时继续该次）；只返回题干和选项', params: IdParams, response: { 200: AttemptStarted, 201: AttemptStarted, ...errorResponses } },
  }, async (req, reply) => {
    const r = await service.startCampaignAttempt(ctx, await requireCaller(ctx, req), req.params.id)
    return reply.code(r.status as 200).send(r.body as never)
  })

  app.post('/quiz/practice', {
    schema: { tags, summary: '每日练习：随机 5 题（有未完成的练习时继续该次；每天次数有限）', response: { 200: AttemptStarted, 201: AttemptStarted, ...errorResponses } },
  }, async (req, reply) => {
    const r = await service.startPractice(ctx, await requireCaller(ctx, req))
    return reply.code(r.status as 200).send(r.body as never)
  })

  app.get('/quiz/attempts/:id', {
    schema: { tags, summary: '答题中：题干与选项；已提交：成绩、答案与解析', params: IdParams, response: { 200: Type.Union([AttemptResult, AttemptStarted]), ...errorResponses } },
  }, async (req) => service.getAttempt(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/quiz/attempts/:id/submit', {
    schema: { tags, summary: '交卷（每次答题只能提交一次；超时不接受）', params: IdParams, body: SubmitBody, response: { 200: AttemptResult, ...errorResponses } },
  }, async (req, reply) => {
    // the session is checked by the submission's own statement unless this process remembers the caller
    const who = rememberedCallerOrToken(ctx, req)
    let r: Awaited<ReturnType<typeof service.submitAttempt>>
    try {
      const key = checkIdempotencyKey(req.headers['idempotency-key'] as string | undefined)
      r = await service.submitAttempt(ctx, { userId: who.caller?.userId ?? null, tokenHash: who.tokenHash }, req.params.id, req.body, key)
    } catch (err) {
      // without a valid session the answer is 401, whatever else is wrong with the request
      if (!who.caller) await callerOfTokenHash(ctx, who.tokenHash)
      throw err
    }
    if (r.replayed) reply.header('Idempotency-Replayed', 'true')
    return reply.code(r.status as 200).send(r.body as never)
  })

  app.get('/quiz/attempts', {
    schema: { tags, summary: '我的答题记录', querystring: CursorQuery, response: { 200: AttemptList, ...errorResponses } },
  }, async (req) => service.myAttempts(ctx, await requireCaller(ctx, req), req.query.cursor))

  app.get('/quiz/wrong-answers', {
    schema: { tags, summary: '错题本', querystring: CursorQuery, response: { 200: WrongAnswerList, ...errorResponses } },
  }, async (req) => service.wrongAnswers(ctx, await requireCaller(ctx, req), req.query.cursor))

  app.get('/quiz/points', {
    schema: { tags, summary: '我的积分', response: { 200: PointsSummary, ...errorResponses } },
  }, async (req) => service.pointsSummary(ctx, await requireCaller(ctx, req)))

  app.get('/quiz/points/leaderboard', {
    schema: {
      tags, summary: '社区积分榜',
      querystring: Type.Object({ communityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: PointsBoard, ...errorResponses },
    },
  }, async (req) => service.pointsBoard(ctx, await requireCaller(ctx, req), req.query.communityCode))

  app.get('/quiz/leaderboard', {
    schema: {
      tags, summary: '社区/街道答题榜：参与人数、及格率、平均分',
      querystring: Type.Object({
        level: Type.Union([Type.Literal('community'), Type.Literal('street')], { default: 'community' }),
        campaignId: Type.Optional(Id),
        parent: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: RegionBoard, ...errorResponses },
    },
  }, async (req) => service.leaderboard(ctx, await requireCaller(ctx, req), req.query.level, req.query.campaignId, req.query.parent))

  // ------------------------------------------------------------ staff: bank and campaigns

  app.get('/quiz/tags', {
    schema: { tags, summary: '题库标签与题数', response: { 200: TagList, ...errorResponses } },
  }, async (req) => service.listTags(ctx, await requireCaller(ctx, req)))

  app.get('/quiz/questions', {
    schema: {
      tags, summary: '题库（含答案，仅工作人员）；status=retired 为已停用的题',
      querystring: Type.Object({
        tag: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
        status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired')])),
        cursor: Type.Optional(Cursor),
      }, { additionalProperties: false }),
      response: { 200: QuestionList, ...errorResponses },
    },
  }, async (req) => service.listQuestions(ctx, await requireCaller(ctx, req), req.query.tag, req.query.status, req.query.cursor))

  app.patch('/quiz/questions/:id', {
    schema: { tags, summary: '修改题目（与导入相同的校验；题型不变）', params: IdParams, body: UpdateQuestionBody, response: { 200: ChangedQuestion, ...errorResponses } },
  }, async (req) => service.updateQuestion(ctx, await requireCaller(ctx, req), req.params.id, req.body))

  app.post('/quiz/questions/:id/retire', {
    schema: { tags, summary: '停用题目：不再被抽到；已答过的记录和错题本照常显示', params: IdParams, response: { 200: ChangedQuestion, ...errorResponses } },
  }, async (req) => service.setQuestionActive(ctx, await requireCaller(ctx, req), req.params.id, false))

  app.post('/quiz/questions/:id/restore', {
    schema: { tags, summary: '恢复已停用的题目', params: IdParams, response: { 200: ChangedQuestion, ...errorResponses } },
  }, async (req) => service.setQuestionActive(ctx, await requireCaller(ctx, req), req.params.id, true))

  app.get('/quiz/questions/export', {
    schema: { tags, summary: '导出题库（Excel）', response: { 200: Type.Unknown(), ...errorResponses } },
  }, async (req, reply) => {
    const rows = await service.allQuestionsFor(ctx, await requireCaller(ctx, req))
    const file = await exportQuestions(rows)
    return reply
      .header('Content-Type', XLSX)
      .header('Content-Disposition', `attachment; filename="questions.xlsx"; filename*=UTF-8''${encodeURIComponent('题库.xlsx')}`)
      .send(file)
  })

  app.post('/quiz/questions/import', {
    bodyLimit: 5 * 1024 * 1024,
    schema: {
      tags, summary: '导入题库（Excel；有任何一行出错则全部不导入）',
      querystring: Type.Object({ regionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: ImportResult, ...errorResponses },
    },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    assertQuizStaff(caller) // the role error before anything is read
    if (!Buffer.isBuffer(req.body)) throw badRequest('IMPORT_FILE_INVALID', `请以 ${XLSX} 上传 .xlsx 文件`)
    const { items, errors } = await parseQuestions(req.body)
    if (errors.length) {
      throw badRequest('IMPORT_INVALID', `${errors[0].message}${errors.length > 1 ? `（共 ${errors.length} 处错误）` : ''}；未导入任何题目`, { errors })
    }
    return service.importQuestions(ctx, caller, items, req.query.regionCode)
  })

  app.post('/quiz/admin/campaigns', {
    schema: { tags, summary: '创建答题活动', body: CreateCampaignBody, response: { 201: CampaignView, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(await service.createCampaign(ctx, await requireCaller(ctx, req), req.body)))

  app.get('/quiz/admin/campaigns', {
    schema: { tags, summary: '我负责区域的答题活动', response: { 200: CampaignList, ...errorResponses } },
  }, async (req) => ({ items: await service.managedCampaigns(ctx, await requireCaller(ctx, req)) }))

  app.get('/quiz/admin/campaigns/:id/stats', {
    schema: { tags, summary: '答题活动各社区统计', params: IdParams, response: { 200: RegionBoard, ...errorResponses } },
  }, async (req) => service.campaignStats(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/quiz/admin/campaigns/:id/cancel', {
    schema: { tags, summary: '取消答题活动', params: IdParams, response: { 200: CampaignView, ...errorResponses } },
  }, async (req) => service.cancelCampaign(ctx, await requireCaller(ctx, req), req.params.id))

  // ------------------------------------------------------------ live quiz

  app.post('/live/sessions', {
    schema: { tags, summary: '创建现场答题（得到 6 位邀请码和二维码）', body: CreateLiveBody, response: { 201: LiveSessionView, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(await live.create(await requireCaller(ctx, req), req.body)))

  app.get('/live/sessions/:id', {
    schema: { tags, params: IdParams, response: { 200: LiveSessionView, ...errorResponses } },
  }, async (req) => live.hostView(await requireCaller(ctx, req), req.params.id))

  app.get('/live/sessions/:id/qr.png', {
    schema: { tags, summary: '邀请二维码图片', params: IdParams, response: { 200: Type.Unknown(), ...errorResponses } },
  }, async (req, reply) => {
    const s = await live.hostSession(ctx.db, await requireCaller(ctx, req), req.params.id)
    return reply.header('Content-Type', 'image/png').send(await qrPng(s.code))
  })

  app.post('/live/sessions/:id/advance', {
    schema: { tags, summary: '主持人：下一步（开始下一题 / 公布本题答案 / 结束）', params: IdParams, response: { 200: LiveSnapshot, ...errorResponses } },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    await live.advance(caller, req.params.id)
    return live.snapshot(req.params.id, caller.userId)
  })

  app.post('/live/sessions/:id/finish', {
    schema: { tags, summary: '主持人：结束现场答题', params: IdParams, response: { 200: LiveSnapshot, ...errorResponses } },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    await live.finish(caller, req.params.id)
    return live.snapshot(req.params.id, caller.userId)
  })

  app.post('/live/:code/join', {
    schema: { tags, summary: '凭邀请码加入现场答题（重复加入不变）', params: CodeParams, response: { 200: LiveSnapshot, ...errorResponses } },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    const { session } = await live.join(caller, req.params.code)
    return live.snapshot(session.id, caller.userId)
  })

  app.get('/live/:code/state', {
    schema: { tags, summary: '现场答题当前状态（主持人或已加入的参与者；不会加入）', params: CodeParams, response: { 200: LiveSnapshot, ...errorResponses } },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    const { session } = await live.attach(caller, req.params.code)
    return live.snapshot(session.id, caller.userId)
  })

  app.post('/live/:code/answer', {
    schema: { tags, summary: '作答当前题目', params: CodeParams, body: LiveAnswerBody, response: { 200: LiveAnswerAck, ...errorResponses } },
  }, async (req) => live.answer(await requireCaller(ctx, req), req.params.code, req.body.questionIndex, req.body.choice))

  app.get('/live/:code/ws', {
    websocket: true,
    schema: {
      tags, params: CodeParams,
      summary: `WebSocket：主持人或已加入（POST join）的参与者接收实时消息。登录凭证放在子协议中：Sec-WebSocket-Protocol: ${WS_PROTOCOL}, <token>（或 Authorization 头）`,
    },
    preValidation: async (req) => {
      // Browsers cannot set headers on a WebSocket, and a token in the URL ends up in logs: it rides as the
      // second subprotocol offered (the server answers with the first, never echoing the token).
      const token = wsToken(req.headers['sec-websocket-protocol'])
      if (token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`
      try {
        const caller = await requireCaller(ctx, req)
        const { session, role } = await live.attach(caller, (req.params as { code: string }).code)
        req.liveJoin = { sessionId: session.id, role, caller }
      } catch (err) {
        // refused on the socket, not on the upgrade: a WebSocket client cannot read an HTTP error body
        if (!(err instanceof AppError)) throw err
        req.liveRefusal = err
      }
    },
  }, (socket, req) => {
    if (req.liveRefusal) {
      const err = req.liveRefusal
      socket.send(JSON.stringify({ type: 'error', code: err.code, message: err.message }))
      // 4000 + HTTP status: the client knows not to reconnect
      socket.close(4000 + err.status, err.code)
      return
    }
    const { sessionId, role, caller } = req.liveJoin!
    const client = { ws: socket, userId: caller.userId, role }
    const reply = (m: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m))
    }
    const fail = (err: unknown) => {
      if (err instanceof AppError) reply({ type: 'error', code: err.code, message: err.message })
      else {
        req.log.error({ err }, 'live quiz message failed')
        reply({ type: 'error', code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' })
      }
    }
    // messages are handled one after another, and only after the snapshot went out
    let chain: Promise<void> = hub.attach(sessionId, client).then(async () => reply({ type: 'snapshot', ...(await live.snapshot(sessionId, caller.userId)) }))
    chain = chain.catch(fail)
    let windowStart = Date.now()
    let inWindow = 0
    socket.on('message', (raw) => {
      if (Date.now() - windowStart > WS_WINDOW_MS) {
        windowStart = Date.now()
        inWindow = 0
      }
      if (++inWindow > WS_MESSAGES_PER_WINDOW) {
        reply({ type: 'error', code: 'RATE_LIMITED', message: '消息过于频繁，连接已断开' })
        socket.close(4429, 'RATE_LIMITED')
        return
      }
      chain = chain.then(async () => {
        let m: { type?: unknown; questionIndex?: unknown; choice?: unknown }
        try {
          m = JSON.parse(raw.toString())
        } catch {
          return reply({ type: 'error', code: 'MALFORMED_JSON', message: '消息不是合法的 JSON' })
        }
        switch (m?.type) {
          case 'ping':
            return reply({ type: 'pong' })
          case 'answer': {
            const choice = m.choice
            if (!Number.isInteger(m.questionIndex) || !Array.isArray(choice) || choice.length === 0 || choice.length > 6 || !choice.every((c) => Number.isInteger(c))) {
              return reply({ type: 'error', code: 'VALIDATION_FAILED', message: '作答格式不正确：需要 questionIndex 和 choice（选项序号数组）' })
            }
            const ack = await live.answerIn(caller, sessionId, m.questionIndex as number, choice as number[])
            return reply({ type: 'answer_ack', ...ack })
          }
          case 'advance':
            return live.advance(caller, sessionId)
          case 'finish':
            return live.finish(caller, sessionId)
          default:
            return reply({ type: 'error', code: 'UNKNOWN_MESSAGE', message: '不支持的消息类型' })
        }
      }).catch(fail)
    })
    socket.on('close', () => hub.detach(sessionId, client))
    socket.on('error', () => hub.detach(sessionId, client))
  })
}
