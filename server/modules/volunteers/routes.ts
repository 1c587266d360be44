import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { IdParams } from '../../../types/common'
import {
  ActivityBody, ActivityList, ActivityView, ApplicationList, ApplicationsQuery, ApplyBody, AttendanceBody, AttendanceResult, CancelResult,
  CheckCode, DecisionBody, HoursBody, HoursLedger, ListQuery, MarkBody, MySignups, MyVolunteer, ReasonBody, Roster, SignupResult, UserParams,
  VolunteerView,
} from '../../../types/volunteers'
import * as service from './service'

const tags = ['volunteers']
const ok = <T>(schema: T) => ({ 200: schema, ...errorResponses })

export const volunteerRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  const caller = (req: Parameters<typeof requireCaller>[1]) => requireCaller(ctx, req)

  app.post('/volunteers/apply', { schema: { tags, summary: '申请成为志愿者（实名、已验证手机号、承诺书）', body: ApplyBody, response: { 201: VolunteerView, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.apply(ctx, await caller(req), req.body)))
  app.get('/volunteers/me', { schema: { tags, summary: '我的志愿者身份、总时长与星级', response: ok(MyVolunteer) } },
    async (req) => service.mine(ctx, await caller(req)))
  app.post('/volunteers/me/leave', { schema: { tags, summary: '退出志愿者（未开始班次的名额让出）', response: ok(VolunteerView) } },
    async (req) => service.leave(ctx, await caller(req)))
  app.get('/volunteers/me/signups', { schema: { tags, summary: '我的志愿：即将参加与历史', response: ok(MySignups) } },
    async (req) => service.mySignups(ctx, await caller(req)))
  app.get('/volunteers/me/hours', { schema: { tags, summary: '我的时长台账', response: ok(HoursLedger) } },
    async (req) => service.hoursOfVolunteer(ctx, await caller(req), (await caller(req)).userId))

  app.get('/volunteers/applications', { schema: { tags, summary: '志愿者申请与名单（网格员：负责社区）', querystring: ApplicationsQuery, response: ok(ApplicationList) } },
    async (req) => service.applicationsFor(ctx, await caller(req), req.query.status))
  app.post('/volunteers/applications/:id/decision', { schema: { tags, summary: '审核志愿者申请（不通过须填原因）', params: IdParams, body: DecisionBody, response: ok(VolunteerView) } },
    async (req) => service.decide(ctx, await caller(req), req.params.id, req.body))
  app.post('/volunteers/:id/suspend', { schema: { tags, summary: '暂停志愿者（须填原因，记入审计）', params: IdParams, body: ReasonBody, response: ok(VolunteerView) } },
    async (req) => service.suspend(ctx, await caller(req), req.params.id, req.body.reason))
  app.get('/volunteers/:id/hours', { schema: { tags, summary: '志愿者的时长台账（本人或其社区的网格员）', params: IdParams, response: ok(HoursLedger) } },
    async (req) => service.hoursOfVolunteer(ctx, await caller(req), req.params.id))
  app.post('/volunteers/hours', { schema: { tags, summary: '时长更正或荣誉时长（台账新增一条）', body: HoursBody, response: { 201: HoursLedger, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.addHours(ctx, await caller(req), req.body)))

  app.post('/volunteers/activities', { schema: { tags, summary: '发布志愿活动及班次', body: ActivityBody, response: { 201: ActivityView, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.createActivity(ctx, await caller(req), req.body)))
  app.get('/volunteers/activities', { schema: { tags, summary: '可参加的志愿活动（本社区及上级区域）', querystring: ListQuery, response: ok(ActivityList) } },
    async (req) => service.listActivities(ctx, await caller(req), req.query.cursor, req.query.limit ?? 20))
  app.get('/volunteers/activities/:id', { schema: { tags, summary: '志愿活动详情（含我的报名与候补位次）', params: IdParams, response: ok(ActivityView) } },
    async (req) => service.getActivity(ctx, await caller(req), req.params.id))
  app.put('/volunteers/activities/:id', { schema: { tags, summary: '修改活动（首次报名前）', params: IdParams, body: ActivityBody, response: ok(ActivityView) } },
    async (req) => service.editActivity(ctx, await caller(req), req.params.id, req.body))
  app.post('/volunteers/activities/:id/cancel', { schema: { tags, summary: '取消活动（释放全部名额并通知报名者）', params: IdParams, body: ReasonBody, response: ok(ActivityView) } },
    async (req) => service.cancelActivity(ctx, await caller(req), req.params.id, req.body.reason))

  app.post('/volunteers/shifts/:id/signup', { schema: { tags, summary: '报名班次（满员进入候补）', params: IdParams, response: { 201: SignupResult, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.signUp(ctx, await caller(req), req.params.id)))
  app.post('/volunteers/shifts/:id/cancel', { schema: { tags, summary: '取消报名（取消截止前；名额顺延给第一位候补）', params: IdParams, response: ok(CancelResult) } },
    async (req) => service.cancelSignup(ctx, await caller(req), req.params.id))
  app.get('/volunteers/shifts/:id/code', { schema: { tags, summary: '当前签到码（每 30 秒更换）', params: IdParams, response: ok(CheckCode) } },
    async (req) => service.currentCode(ctx, await caller(req), req.params.id))
  app.post('/volunteers/shifts/:id/attendance', { schema: { tags, summary: '签到/签退（二维码、6 位码或定位）', params: IdParams, body: AttendanceBody, response: ok(AttendanceResult) } },
    async (req) => service.attend(ctx, await caller(req), req.params.id, req.body))
  app.get('/volunteers/shifts/:id/roster', { schema: { tags, summary: '班次名单与到岗情况', params: IdParams, response: ok(Roster) } },
    async (req) => service.rosterOf(ctx, await caller(req), req.params.id))
  app.post('/volunteers/shifts/:id/roster/:userId', { schema: { tags, summary: '网格员登记到岗或缺席（记入审计）', params: UserParams, body: MarkBody, response: ok(AttendanceResult) } },
    async (req) => service.markAttendance(ctx, await caller(req), req.params.id, req.params.userId, req.body))
}
