import { Type, type Static } from '@sinclair/typebox'
import { Cursor, Id } from './common'
import { ACTIVITY_TYPES, SIGNUP_STATUS_LABELS, STAR_LEVELS, VOLUNTEER_STATUS_LABELS } from './volunteers-constants'

/**
 * Volunteers (志愿服务), under /api/v1/volunteers:
 *   POST /apply, GET /me, POST /me/leave                        — a resident's application and standing
 *   GET /applications, POST /applications/:id/decision, POST /:id/suspend — a worker of the volunteer's community
 *   POST/GET /activities, GET/PUT /activities/:id, POST /activities/:id/cancel
 *   POST /shifts/:id/signup, POST /shifts/:id/cancel, GET /me/signups
 *   GET /shifts/:id/code (worker: rotating check-in code), POST /shifts/:id/attendance (volunteer: in/out)
 *   GET /shifts/:id/roster, POST /shifts/:id/roster/:userId (worker marks attendance by hand)
 *   POST /hours (worker: correction or honorary entry), GET /me/hours (the ledger)
 *   POST/GET /me/certificates, POST/GET /:id/certificates (worker), GET /certificates/:number/image
 *   GET /certificates/:number/check — public, no sign-in, rate-limited: masked name, hours, issuer
 *   GET /export/hours.xlsx?month= — monthly hours per community and per volunteer (worker: their area; office: all)
 */

export * from './volunteers-constants'
export type ActivityType = keyof typeof ACTIVITY_TYPES
export type VolunteerStatus = keyof typeof VOLUNTEER_STATUS_LABELS
export type SignupStatus = keyof typeof SIGNUP_STATUS_LABELS

/** The highest star level reached with this many minutes on the ledger. */
export function starLevel(totalMinutes: number): { stars: number; label: string | null } {
  let best: { stars: number; label: string | null } = { stars: 0, label: null }
  for (const s of STAR_LEVELS) if (totalMinutes >= s.hours * 60) best = { stars: s.stars, label: s.label }
  return best
}

const Instant = Type.String({ format: 'date-time' })
const Lng = Type.Number({ minimum: -180, maximum: 180, description: 'GCJ-02 longitude' })
const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'GCJ-02 latitude' })
const ShortText = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max })

export const ApplyBody = Type.Object({
  realName: Type.String({ minLength: 2, maxLength: 20, pattern: '^[\\u4e00-\\u9fa5·A-Za-z ]+$' }),
  skills: Type.Array(ShortText(20), { maxItems: 10 }),
  availability: ShortText(200, 0),
  communityCode: ShortText(40),
  pledgeAgreed: Type.Boolean(),
}, { additionalProperties: false })
export type ApplyBody = Static<typeof ApplyBody>

export const VolunteerView = Type.Object({
  userId: Type.Integer(),
  realName: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(Type.String()),
  availability: Type.String(),
  communityCode: Type.String(),
  communityName: Type.String(),
  status: Type.String(),
  statusLabel: Type.String(),
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  appliedAt: Instant,
  decidedAt: Type.Union([Instant, Type.Null()]),
})
export type VolunteerView = Static<typeof VolunteerView>

export const MyVolunteer = Type.Object({
  volunteer: Type.Union([VolunteerView, Type.Null()]),
  totalMinutes: Type.Integer(),
  totalHours: Type.Number(),
  stars: Type.Integer(),
  starLabel: Type.Union([Type.String(), Type.Null()]),
  /** Sign-up is refused until then (repeated no-shows). */
  blockedUntil: Type.Union([Instant, Type.Null()]),
})
export type MyVolunteer = Static<typeof MyVolunteer>

export const DecisionBody = Type.Object({
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
  reason: Type.Optional(ShortText(200)),
}, { additionalProperties: false })
export type DecisionBody = Static<typeof DecisionBody>

export const ReasonBody = Type.Object({ reason: ShortText(200) }, { additionalProperties: false })
export type ReasonBody = Static<typeof ReasonBody>

export const ApplicationList = Type.Object({ items: Type.Array(VolunteerView), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type ApplicationList = Static<typeof ApplicationList>

export const ShiftInput = Type.Object({
  /** An existing shift being edited (after the first sign-up every existing shift must be listed by its id). */
  id: Type.Optional(Id),
  startsAt: Instant,
  endsAt: Instant,
  capacity: Type.Integer({ minimum: 1, maximum: 10000 }),
  signupDeadline: Instant,
  cancelDeadline: Instant,
}, { additionalProperties: false })
export type ShiftInput = Static<typeof ShiftInput>

export const ActivityBody = Type.Object({
  type: Type.Union([Type.Literal('traffic'), Type.Literal('waste'), Type.Literal('cleaning'), Type.Literal('tourism'), Type.Literal('elderly')]),
  title: ShortText(40),
  description: ShortText(2000),
  lng: Lng,
  lat: Lat,
  radiusM: Type.Integer({ minimum: 10, maximum: 5000 }),
  address: ShortText(200),
  regionCode: ShortText(40),
  requirements: ShortText(500, 0),
  shifts: Type.Array(ShiftInput, { minItems: 1, maxItems: 50 }),
}, { additionalProperties: false })
export type ActivityBody = Static<typeof ActivityBody>

export const ShiftView = Type.Object({
  id: Type.Integer(),
  startsAt: Instant,
  endsAt: Instant,
  capacity: Type.Integer(),
  confirmed: Type.Integer(),
  waitlisted: Type.Integer(),
  signupDeadline: Instant,
  cancelDeadline: Instant,
  /** Someone signed up to it (even if they cancelled since): an edit may not remove it. */
  held: Type.Boolean(),
  /** The caller's own sign-up, if any. */
  mine: Type.Union([Type.Object({ signupId: Type.Integer(), status: Type.String(), waitlistPosition: Type.Union([Type.Integer(), Type.Null()]) }), Type.Null()]),
})
export type ShiftView = Static<typeof ShiftView>

export const ActivityView = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  typeLabel: Type.String(),
  title: Type.String(),
  description: Type.String(),
  lng: Type.Number(),
  lat: Type.Number(),
  radiusM: Type.Integer(),
  address: Type.String(),
  regionCode: Type.String(),
  regionName: Type.String(),
  requirements: Type.String(),
  status: Type.String(),
  /** The caller is a worker of the activity's region (or the office): codes, rosters, cancellation. */
  manages: Type.Boolean(),
  editable: Type.Boolean(),
  /** Someone has signed up: edits are restricted (region fixed, held shifts kept, capacity not below the confirmed). */
  editLocked: Type.Boolean(),
  /** People holding or waiting for a place on any shift: those a change of place notifies. */
  signedUp: Type.Integer(),
  shifts: Type.Array(ShiftView),
})
export type ActivityView = Static<typeof ActivityView>

export const ActivityList = Type.Object({ items: Type.Array(ActivityView), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type ActivityList = Static<typeof ActivityList>

export const SignupResult = Type.Object({
  signupId: Type.Integer(),
  shiftId: Type.Integer(),
  status: Type.String(),
  waitlistPosition: Type.Union([Type.Integer(), Type.Null()]),
})
export type SignupResult = Static<typeof SignupResult>

export const CancelResult = Type.Object({ signupId: Type.Integer(), status: Type.String(), promotedUserId: Type.Union([Type.Integer(), Type.Null()]) })
export type CancelResult = Static<typeof CancelResult>

export const MySignup = Type.Object({
  signupId: Type.Integer(),
  shiftId: Type.Integer(),
  activityId: Type.Integer(),
  title: Type.String(),
  typeLabel: Type.String(),
  address: Type.String(),
  startsAt: Instant,
  endsAt: Instant,
  status: Type.String(),
  statusLabel: Type.String(),
  waitlistPosition: Type.Union([Type.Integer(), Type.Null()]),
  checkedInAt: Type.Union([Instant, Type.Null()]),
  checkedOutAt: Type.Union([Instant, Type.Null()]),
  creditedMinutes: Type.Union([Type.Integer(), Type.Null()]),
})
export const MySignups = Type.Object({ upcoming: Type.Array(MySignup), history: Type.Array(MySignup), /** the next page of history */ nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type MySignups = Static<typeof MySignups>

export const CheckCode = Type.Object({
  shiftId: Type.Integer(),
  token: Type.String(),
  qrDataUrl: Type.String(),
  code: Type.String(),
  step: Type.Integer(),
  stepSeconds: Type.Integer(),
  expiresAt: Instant,
})
export type CheckCode = Static<typeof CheckCode>

export const AttendanceBody = Type.Object({
  action: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  lng: Type.Optional(Lng),
  lat: Type.Optional(Lat),
}, { additionalProperties: false })
export type AttendanceBody = Static<typeof AttendanceBody>

export const AttendanceResult = Type.Object({
  signupId: Type.Integer(),
  checkedInAt: Type.Union([Instant, Type.Null()]),
  checkedOutAt: Type.Union([Instant, Type.Null()]),
  creditedMinutes: Type.Union([Type.Integer(), Type.Null()]),
  /** Why nothing was credited at check-out (attendance below the required share). */
  notCreditedReason: Type.Union([Type.String(), Type.Null()]),
})
export type AttendanceResult = Static<typeof AttendanceResult>

export const RosterEntry = Type.Object({
  signupId: Type.Integer(),
  userId: Type.Integer(),
  realName: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  waitlistPosition: Type.Union([Type.Integer(), Type.Null()]),
  checkedInAt: Type.Union([Instant, Type.Null()]),
  checkedOutAt: Type.Union([Instant, Type.Null()]),
  attendance: Type.Union([Type.String(), Type.Null()]),
  creditedMinutes: Type.Union([Type.Integer(), Type.Null()]),
})
export const Roster = Type.Object({
  shiftId: Type.Integer(), capacity: Type.Integer(), confirmed: Type.Integer(),
  /** Of the confirmed: how many checked in, how many out (the whole shift, whatever the page). */
  checkedIn: Type.Integer(), checkedOut: Type.Integer(),
  items: Type.Array(RosterEntry), nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type Roster = Static<typeof Roster>

export const MarkBody = Type.Object({
  attendance: Type.Union([Type.Literal('attended'), Type.Literal('no_show')]),
  checkedInAt: Type.Optional(Instant),
  checkedOutAt: Type.Optional(Instant),
  reason: ShortText(200),
}, { additionalProperties: false })
export type MarkBody = Static<typeof MarkBody>

export const HoursBody = Type.Object({
  userId: Id,
  kind: Type.Union([Type.Literal('correction'), Type.Literal('honorary')]),
  minutes: Type.Integer({ minimum: -100000, maximum: 100000 }),
  reason: ShortText(200),
}, { additionalProperties: false })
export type HoursBody = Static<typeof HoursBody>

export const HoursEntry = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  minutes: Type.Integer(),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.String(),
  signupId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Instant,
})
export const HoursLedger = Type.Object({ totalMinutes: Type.Integer(), /** newest first */ entries: Type.Array(HoursEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type HoursLedger = Static<typeof HoursLedger>

export const UserParams = Type.Object({ id: Id, userId: Id })
export const ListQuery = Type.Object({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
}, { additionalProperties: false })
export const RosterQuery = Type.Object({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false })
export const ApplicationsQuery = Type.Object({
  status: Type.Optional(Type.Union(Object.keys(VOLUNTEER_STATUS_LABELS).map((k) => Type.Literal(k)))),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
}, { additionalProperties: false })

/** Certificate numbers: ZY, the issue month (YYYYMM) and ten random Crockford base-32 characters (50 bits). */
export const CERTIFICATE_NUMBER_PATTERN = '^ZY[0-9]{6}[0-9A-HJKMNP-TV-Z]{10}$'
export const CertificateParams = Type.Object({ number: Type.String({ pattern: CERTIFICATE_NUMBER_PATTERN, maxLength: 18 }) })

export const CertificateView = Type.Object({
  number: Type.String(),
  userId: Type.Integer(),
  realName: Type.Union([Type.String(), Type.Null()]),
  issuer: Type.String(),
  totalMinutes: Type.Integer(),
  totalHours: Type.Number(),
  services: Type.Integer(),
  activities: Type.Array(Type.Object({ title: Type.String(), typeLabel: Type.String(), minutes: Type.Integer() })),
  issuedAt: Instant,
  /** The public page the certificate's QR code opens. */
  verifyUrl: Type.String(),
})
export type CertificateView = Static<typeof CertificateView>
export const CertificateList = Type.Object({ items: Type.Array(CertificateView), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type CertificateList = Static<typeof CertificateList>
export const CertificateImage = Type.Object({ number: Type.String(), width: Type.Integer(), height: Type.Integer(), dataUrl: Type.String() })
export type CertificateImage = Static<typeof CertificateImage>

/** What anyone holding a certificate's number may see: no full name, no phone, no account. */
export const CertificateCheck = Type.Object({
  number: Type.String(),
  /** The family name's first character and asterisks (王**); null once the holder erased the account. */
  maskedName: Type.Union([Type.String(), Type.Null()]),
  totalHours: Type.Number(),
  issuer: Type.String(),
  issuedAt: Instant,
})
export type CertificateCheck = Static<typeof CertificateCheck>

export const ExportQuery = Type.Object({
  month: Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (Asia/Shanghai)' }),
  regionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
}, { additionalProperties: false })
export type ExportQuery = Static<typeof ExportQuery>

/** The column heads of the monthly hours workbook (sheet 社区汇总, then 志愿者明细). */
export const EXPORT_COMMUNITY_COLUMNS = ['社区', '街道', '服务志愿者', '服务人次', '服务时长（小时）']
export const EXPORT_VOLUNTEER_COLUMNS = ['志愿者编号', '姓名', '服务社区', '服务人次', '本月时长（小时）', '累计时长（小时）']
