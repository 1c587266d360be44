import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppContext } from '../../context'
import { rememberedCallerOrToken, requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { IdParams } from '../../../types/common'
import {
  ActivityBody, ActivityList, ActivityView, ApplicationList, ApplicationsQuery, ApplyBody, AttendanceBody, AttendanceResult, CancelResult,
  CertificateCheck, CertificateImage, CertificateList, CertificateParams, CertificateView, CheckCode, DecisionBody, ExportQuery, HoursBody,
  HoursLedger, ListQuery, MarkBody, MySignups, MyVolunteer, ReasonBody, Roster, RosterQuery, SignupResult, UserParams, VolunteerView,
} from '../../../types/volunteers'
import * as certificates from './certificates'
import { monthlyHoursWorkbook } from './export'
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
  app.get('/volunteers/me/signups', { schema: { tags, summary: '我的志愿：即将参加与历史（历史分页）', querystring: ListQuery, response: ok(MySignups) } },
    async (req) => service.mySignups(ctx, await caller(req), req.query.cursor, req.query.limit))
  app.get('/volunteers/me/hours', { schema: { tags, summary: '我的时长台账（新到旧，分页）', querystring: ListQuery, response: ok(HoursLedger) } },
    async (req) => {
      const c = await caller(req)
      return service.hoursOfVolunteer(ctx, c, c.userId, req.query.cursor, req.query.limit)
    })
  app.post('/volunteers/me/certificates', { schema: { tags, summary: '申领志愿服务证书（按当前时长开具；时长未变则返回上一张）', response: { 200: CertificateView, 201: CertificateView, ...errorResponses } } },
    async (req, reply) => {
      const c = await caller(req)
      const r = await certificates.issueCertificate(ctx, c, c.userId)
      return reply.code(r.created ? 201 : 200).send(r.certificate)
    })
  app.get('/volunteers/me/certificates', { schema: { tags, summary: '我的志愿服务证书', querystring: ListQuery, response: ok(CertificateList) } },
    async (req) => {
      const c = await caller(req)
      return certificates.certificatesOf(ctx, c, c.userId, req.query.cursor, req.query.limit ?? 20)
    })
  app.get('/volunteers/certificates/:number/image', { schema: { tags, summary: '证书图片（PNG，本人或其社区网格员）', params: CertificateParams, response: ok(CertificateImage) } },
    async (req) => certificates.certificateImage(ctx, await caller(req), req.params.number))
  // public: the page a certificate's QR code opens; no sign-in, so limited per address
  app.get('/volunteers/certificates/:number/check', {
    config: { rateLimit: { max: ctx.config.volunteers.certificateChecksPerMinute, timeWindow: '1 minute' } },
    schema: { tags, summary: '证书查验（公开，无需登录）：姓氏、时长、颁发单位', security: [], params: CertificateParams, response: ok(CertificateCheck) },
  }, async (req) => certificates.checkCertificate(ctx, req.params.number))
  app.get('/volunteers/export/hours.xlsx', { schema: { tags, summary: '志愿服务时长月报（Excel：社区汇总与志愿者明细）', querystring: ExportQuery } },
    async (req, reply) => {
      const { buffer, filename } = await monthlyHoursWorkbook(ctx, await caller(req), req.query)
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="volunteer-hours-${req.query.month}.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`)
        .send(buffer)
    })

  app.get('/volunteers/applications', { schema: { tags, summary: '志愿者申请与名单（网格员：负责社区；分页）', querystring: ApplicationsQuery, response: ok(ApplicationList) } },
    async (req) => service.applicationsFor(ctx, await caller(req), req.query.status, req.query.cursor, req.query.limit))
  app.post('/volunteers/applications/:id/decision', { schema: { tags, summary: '审核志愿者申请（不通过须填原因）', params: IdParams, body: DecisionBody, response: ok(VolunteerView) } },
    async (req) => service.decide(ctx, await caller(req), req.params.id, req.body))
  app.post('/volunteers/:id/suspend', { schema: { tags, summary: '暂停志愿者（须填原因，记入审计）', params: IdParams, body: ReasonBody, response: ok(VolunteerView) } },
    async (req) => service.suspend(ctx, await caller(req), req.params.id, req.body.reason))
  app.get('/volunteers/:id/hours', { schema: { tags, summary: '志愿者的时长台账（本人或其社区的网格员）', params: IdParams, querystring: ListQuery, response: ok(HoursLedger) } },
    async (req) => service.hoursOfVolunteer(ctx, await caller(req), req.params.id, req.query.cursor, req.query.limit))
  app.post('/volunteers/:id/certificates', { schema: { tags, summary: '为志愿者开具证书（其社区网格员）', params: IdParams, response: { 200: CertificateView, 201: CertificateView, ...errorResponses } } },
    async (req, reply) => {
      const r = await certificates.issueCertificate(ctx, await caller(req), req.params.id)
      return reply.code(r.created ? 201 : 200).send(r.certificate)
    })
  app.get('/volunteers/:id/certificates', { schema: { tags, summary: '志愿者的证书（本人或其社区网格员）', params: IdParams, querystring: ListQuery, response: ok(CertificateList) } },
    async (req) => certificates.certificatesOf(ctx, await caller(req), req.params.id, req.query.cursor, req.query.limit ?? 20))
  app.post('/volunteers/hours', { schema: { tags, summary: '时长更正或荣誉时长（台账新增一条）', body: HoursBody, response: { 201: HoursLedger, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.addHours(ctx, await caller(req), req.body)))

  app.post('/volunteers/activities', { schema: { tags, summary: '发布志愿活动及班次', body: ActivityBody, response: { 201: ActivityView, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await service.createActivity(ctx, await caller(req), req.body)))
  app.get('/volunteers/activities', { schema: { tags, summary: '可参加的志愿活动（本社区及上级区域）', querystring: ListQuery, response: ok(ActivityList) } },
    async (req) => service.listActivities(ctx, await caller(req), req.query.cursor, req.query.limit ?? 20))
  app.get('/volunteers/activities/:id', { schema: { tags, summary: '志愿活动详情（含我的报名与候补位次）', params: IdParams, response: ok(ActivityView) } },
    async (req) => service.getActivity(ctx, await caller(req), req.params.id))
  app.put('/volunteers/activities/:id', { schema: { tags, summary: '修改活动（报名后：班次不可删、名额不少于已报名、改期不得致人重叠；时间或地点变更通知报名者）', params: IdParams, body: ActivityBody, response: ok(ActivityView) } },
    async (req) => service.editActivity(ctx, await caller(req), req.params.id, req.body))
  app.post('/volunteers/activities/:id/cancel', { schema: { tags, summary: '取消活动（释放全部名额并通知报名者）', params: IdParams, body: ReasonBody, response: ok(ActivityView) } },
    async (req) => service.cancelActivity(ctx, await caller(req), req.params.id, req.body.reason))

  app.post('/volunteers/shifts/:id/signup', { schema: { tags, summary: '报名班次（满员进入候补）', params: IdParams, response: { 201: SignupResult, ...errorResponses } } },
    async (req, reply) => {
      // the session is checked by the sign-up's own statement unless this process remembers the caller
      const who = rememberedCallerOrToken(ctx, req)
      return reply.code(201).send(await service.signUp(ctx, { userId: who.caller?.userId ?? null, tokenHash: who.tokenHash }, req.params.id))
    })
  app.post('/volunteers/shifts/:id/cancel', { schema: { tags, summary: '取消报名（取消截止前；名额顺延给第一位候补）', params: IdParams, response: ok(CancelResult) } },
    async (req) => service.cancelSignup(ctx, await caller(req), req.params.id))
  app.get('/volunteers/shifts/:id/code', { schema: { tags, summary: '当前签到码（每 30 秒更换）', params: IdParams, response: ok(CheckCode) } },
    async (req) => service.currentCode(ctx, await caller(req), req.params.id))
  app.post('/volunteers/shifts/:id/attendance', { schema: { tags, summary: '签到/签退（二维码、6 位码或定位）', params: IdParams, body: AttendanceBody, response: ok(AttendanceResult) } },
    async (req) => service.attend(ctx, await caller(req), req.params.id, req.body))
  app.get('/volunteers/shifts/:id/roster', { schema: { tags, summary: '班次名单与到岗情况（分页）', params: IdParams, querystring: RosterQuery, response: ok(Roster) } },
    async (req) => service.rosterOf(ctx, await caller(req), req.params.id, req.query.cursor, req.query.limit))
  app.post('/volunteers/shifts/:id/roster/:userId', { schema: { tags, summary: '网格员登记到岗或缺席（记入审计）', params: UserParams, body: MarkBody, response: ok(AttendanceResult) } },
    async (req) => service.markAttendance(ctx, await caller(req), req.params.id, req.params.userId, req.body))
}
