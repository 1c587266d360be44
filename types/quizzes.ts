/**
 * Quizzes contract (答题): question bank, campaigns (答题活动), attempts, daily practice (每日练习), 错题本,
 * points and leaderboards, live quizzes (现场答题). All under /api/v1, bearer token required.
 *
 * The rule the client can rely on: before an attempt is submitted, nothing it receives carries an answer
 * or an explanation (QuestionForAnswering has neither). Answers and explanations come back only in the
 * AttemptResult of a submitted attempt, in the 错题本, in a live quiz's `reveal` message after the question
 * closed, and to workers in the bank endpoints.
 *
 * HTTP (see each schema below; errors are { code, message, details? }):
 *
 *  Residents
 *   GET  /quiz/campaigns                      → CampaignList        campaigns for my community (open, upcoming, ended ≤30 days)
 *   GET  /quiz/campaigns/:id                  → CampaignView
 *   POST /quiz/campaigns/:id/attempts         → AttemptStarted (201; 200 when an unfinished attempt is resumed)
 *        errors: COMMUNITY_REQUIRED 400, CAMPAIGN_NOT_FOUND 404, CAMPAIGN_NOT_FOR_YOUR_REGION 403,
 *                CAMPAIGN_NOT_STARTED 409, CAMPAIGN_ENDED 409, ATTEMPTS_EXHAUSTED 409, NOT_ENOUGH_QUESTIONS 409
 *   POST /quiz/practice                       → AttemptStarted (201; 200 when today's unfinished practice is resumed)
 *        daily practice: 5 random questions, 10 min; at most QUIZ_PRACTICE_PER_DAY (default 10) a day:
 *        PRACTICE_LIMIT_REACHED 409
 *   GET  /quiz/attempts/:id                   → AttemptStarted while open (no answers) | AttemptResult once submitted
 *        (answers and explanations of the questions answered only: revealed)
 *   POST /quiz/attempts/:id/submit  SubmitBody (Idempotency-Key optional) → AttemptResult
 *        errors: ATTEMPT_NOT_FOUND 404 (also someone else's), ATTEMPT_EXPIRED 409, ATTEMPT_ALREADY_SUBMITTED 409,
 *                QUESTION_NOT_IN_ATTEMPT 400, DUPLICATE_ANSWER 400, INVALID_CHOICE 400, VALIDATION_FAILED 400
 *   GET  /quiz/attempts?cursor=               → AttemptList          my records (campaign, practice, live: a live
 *                                                                    quiz is recorded, with its points, when the host ends it)
 *   GET  /quiz/wrong-answers?cursor=          → WrongAnswerList      错题本
 *   GET  /quiz/points                         → PointsSummary
 *   GET  /quiz/leaderboard?level=community|street&campaignId=&parent= → RegionBoard
 *   GET  /quiz/points/leaderboard?communityCode= → PointsBoard     (default: my community)
 *
 *  Workers (of the region, or the office)
 *   GET  /quiz/tags                           → TagList             tags with question counts by difficulty
 *   GET  /quiz/questions?tag=&status=active|retired&cursor= → QuestionList   (with answers; workers only)
 *   PATCH /quiz/questions/:id  UpdateQuestionBody → ChangedQuestion
 *   POST /quiz/questions/:id/retire | /restore → ChangedQuestion   停用 / 恢复 (retired: never drawn again)
 *        ChangedQuestion.shortages: campaigns not yet ended that the question could be drawn for and whose bank now
 *        falls short (in all: residents can no longer start; of a tag: draws fill it with other tags)
 *        errors: FORBIDDEN_ROLE 403, QUESTION_NOT_COVERED 403 (another region's question; the city bank is the office's),
 *                QUESTION_NOT_FOUND 404, QUESTION_INVALID 400, QUESTION_IN_USE 409 (options of a question being answered)
 *   GET  /quiz/questions/export               → .xlsx file
 *   POST /quiz/questions/import  body: the .xlsx file, Content-Type
 *        application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (or application/octet-stream);
 *        ?regionCode= (default: the worker's first region; the office imports into the city-wide bank)
 *        → ImportResult; all-or-nothing: 400 IMPORT_INVALID with details.errors = [{ row, message: '第 17 行：缺少正确答案' }];
 *        a question already in the bank (or earlier in the file) is skipped, not added again: ImportResult.skipped
 *   POST /quiz/admin/campaigns     CreateCampaignBody → CampaignView (201)
 *        errors: FORBIDDEN_ROLE 403, REGION_NOT_COVERED 403, REGION_NOT_FOUND 404, REGION_LEVEL_NOT_ALLOWED 400,
 *                INVALID_WINDOW 400, TAG_MIX_TOO_LARGE 400, NOT_ENOUGH_QUESTIONS 400
 *   GET  /quiz/admin/campaigns                → CampaignList        campaigns of the regions I cover
 *   GET  /quiz/admin/campaigns/:id/stats      → RegionBoard         by community (participants, pass rate, average)
 *   POST /quiz/admin/campaigns/:id/cancel     → CampaignView
 *
 *  Live quiz (现场答题)
 *   POST /live/sessions  CreateLiveBody (worker/office) → LiveSessionView (201; code, qrDataUrl)
 *        errors: QUESTION_NOT_FOUND 404, QUESTION_RETIRED 400 (a named question was retired), NOT_ENOUGH_QUESTIONS 400
 *   GET  /live/sessions/:id                   → LiveSessionView (host)
 *   GET  /live/sessions/:id/qr.png            → PNG of the join QR code (content: `civiclink://live?code=123456`)
 *   POST /live/sessions/:id/advance           → LiveSnapshot   host: lobby → question 1 → reveal 1 → question 2 … → finished
 *   POST /live/sessions/:id/finish            → LiveSnapshot   host ends early; ending (this, or advancing past the last
 *        question) saves each participant's result as a 'live' attempt and credits its points under the daily cap — once,
 *        however often or from however many processes it is called
 *   POST /live/:code/join                     → LiveSnapshot   join by 6-digit code (LIVE_NOT_FOUND 404, LIVE_FINISHED 409);
 *                                                              joining again changes nothing
 *   GET  /live/:code/state                    → LiveSnapshot   (same as the WebSocket's snapshot) for the host and those who
 *                                                              joined; changes nothing (LIVE_NOT_JOINED 403 for anyone else)
 *   POST /live/:code/answer  LiveAnswerBody   → LiveAnswerAck  (same rules as the WebSocket `answer`)
 *        errors: LIVE_NOT_JOINED 403, LIVE_NOT_CURRENT_QUESTION 409, LIVE_QUESTION_CLOSED 409,
 *                LIVE_ALREADY_ANSWERED 409, INVALID_CHOICE 400
 *   WebSocket /api/v1/live/:code/ws  (token as the second subprotocol: Sec-WebSocket-Protocol: civiclink.v1, <token>)
 *        For the host and those who joined (POST join first; anyone else is refused with LIVE_NOT_JOINED, close 4403);
 *        immediately sends { type: 'snapshot', ... }.
 *        Scores and ranks change only when a question closes (reveal): while it is open, nothing anyone receives
 *        (snapshot, state, leaderboard, acks) depends on whether an answer was right.
 *        On reconnect, connect again with the same URL: the new snapshot is the resumed state.
 *        Messages: see LiveServerMessage / LiveClientMessage below.
 */
import { Type, type Static } from '@sinclair/typebox'
import { Id, INT4_MAX } from './common'

export const QuestionKind = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('judge')], {
  description: 'single 单选 / multiple 多选 / judge 判断（选项为 正确、错误）',
})
export type QuestionKind = Static<typeof QuestionKind>

/** A question as shown while answering: no answer, no explanation. */
export const QuestionForAnswering = Type.Object({
  id: Type.Integer(),
  kind: QuestionKind,
  stem: Type.String(),
  options: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  difficulty: Type.Integer({ minimum: 1, maximum: 3 }),
})
export type QuestionForAnswering = Static<typeof QuestionForAnswering>

/** A question with its answer: workers' bank views, results after submission, the 错题本. */
export const QuestionWithAnswer = Type.Object({
  ...QuestionForAnswering.properties,
  /** 0-based indexes into options */
  answer: Type.Array(Type.Integer()),
  explanation: Type.String(),
})
export type QuestionWithAnswer = Static<typeof QuestionWithAnswer>

export const QuestionBankItem = Type.Object({
  ...QuestionWithAnswer.properties,
  regionCode: Type.Union([Type.String(), Type.Null()]),
  bankKey: Type.Union([Type.String(), Type.Null()]),
  /** false once retired (停用): never drawn again; past attempts and the 错题本 still show it */
  active: Type.Boolean(),
  /** the caller may edit, retire and restore it (staff of the region that owns it; the office for the city bank) */
  editable: Type.Boolean(),
})
export type QuestionBankItem = Static<typeof QuestionBankItem>
/** A campaign not yet ended whose draw a change to the bank has left short. tag null: in all (no attempt can start). */
export const CampaignShortage = Type.Object({
  campaignId: Type.Integer(),
  campaignTitle: Type.String(),
  tag: Type.Union([Type.String(), Type.Null()]),
  available: Type.Integer(),
  needed: Type.Integer(),
})
export type CampaignShortage = Static<typeof CampaignShortage>
/** A question after an edit, a retirement or a restore, with the campaigns that change left short (usually none). */
export const ChangedQuestion = Type.Object({ ...QuestionBankItem.properties, shortages: Type.Array(CampaignShortage) })
export type ChangedQuestion = Static<typeof ChangedQuestion>
export const QuestionList = Type.Object({ items: Type.Array(QuestionBankItem), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type QuestionList = Static<typeof QuestionList>

/** The fields to change (at least one); the kind stays. Checked by the same rules as an import. */
export const UpdateQuestionBody = Type.Object(
  {
    stem: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** 2–6 options; a true/false question keeps 正确、错误 */
    options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: 6 })),
    /** 0-based indexes into options */
    answer: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 5 }), { minItems: 1, maxItems: 6, uniqueItems: true })),
    explanation: Type.Optional(Type.String({ maxLength: 1000 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { minItems: 1, maxItems: 10 })),
    difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateQuestionBody = Static<typeof UpdateQuestionBody>

export const TagList = Type.Object({
  items: Type.Array(Type.Object({ tag: Type.String(), total: Type.Integer(), byDifficulty: Type.Record(Type.String(), Type.Integer()) })),
})
export type TagList = Static<typeof TagList>

/** A row not imported because the question is there already: in the bank (questionId) or earlier in the file (sameAsRow). */
export const ImportSkipped = Type.Object({
  row: Type.Integer(),
  questionId: Type.Union([Type.Integer(), Type.Null()]),
  sameAsRow: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
})
export const ImportResult = Type.Object({
  imported: Type.Integer(),
  regionCode: Type.Union([Type.String(), Type.Null()]),
  /** duplicates (same stem and options, whitespace and option order aside), skipped */
  skipped: Type.Array(ImportSkipped),
})
export type ImportResult = Static<typeof ImportResult>

export const TagMixItem = Type.Object({ tag: Type.String({ minLength: 1, maxLength: 20 }), count: Type.Integer({ minimum: 1, maximum: 100 }) }, { additionalProperties: false })

export const CreateCampaignBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 60 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    /** community or street for a worker (one they cover); any region for the office */
    regionCode: Type.String({ minLength: 1, maxLength: 64 }),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    questionCount: Type.Integer({ minimum: 1, maximum: 100 }),
    /** questions drawn per tag; the rest of questionCount from any tag */
    tagMix: Type.Optional(Type.Array(TagMixItem, { maxItems: 20 })),
    difficulties: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 3 }), { minItems: 1, maxItems: 3, uniqueItems: true })),
    timeLimitSeconds: Type.Integer({ minimum: 30, maximum: 7200 }),
    /** 0–100, percent of questions right */
    passScore: Type.Integer({ minimum: 0, maximum: 100 }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
    /** a pass counts as 知晓 (and a fail as not) in the awareness rate; default false */
    countsForAwareness: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type CreateCampaignBody = Static<typeof CreateCampaignBody>

export const CampaignStatus = Type.Union([Type.Literal('upcoming'), Type.Literal('open'), Type.Literal('ended'), Type.Literal('cancelled')])

export const CampaignView = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  regionCode: Type.String(),
  regionName: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  status: CampaignStatus,
  questionCount: Type.Integer(),
  tagMix: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
  difficulties: Type.Array(Type.Integer()),
  timeLimitSeconds: Type.Integer(),
  passScore: Type.Integer(),
  maxAttempts: Type.Integer(),
  countsForAwareness: Type.Boolean(),
  /** present for a resident: my attempts so far */
  mine: Type.Optional(Type.Object({
    attemptsUsed: Type.Integer(),
    attemptsLeft: Type.Integer(),
    bestScore: Type.Union([Type.Integer(), Type.Null()]),
    passed: Type.Boolean(),
    /** an attempt started and not yet submitted or expired */
    openAttemptId: Type.Union([Type.Integer(), Type.Null()]),
  })),
})
export type CampaignView = Static<typeof CampaignView>
export const CampaignList = Type.Object({ items: Type.Array(CampaignView) })
export type CampaignList = Static<typeof CampaignList>

export const AttemptKind = Type.Union([Type.Literal('campaign'), Type.Literal('practice'), Type.Literal('live')])

/** An attempt in progress: stems and options only. Time the countdown from expiresAt - serverNow. */
export const AttemptStarted = Type.Object({
  id: Type.Integer(),
  kind: AttemptKind,
  campaignId: Type.Union([Type.Integer(), Type.Null()]),
  attemptNo: Type.Integer(),
  status: Type.Literal('in_progress'),
  startedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  serverNow: Type.String({ format: 'date-time' }),
  questions: Type.Array(QuestionForAnswering),
})
export type AttemptStarted = Static<typeof AttemptStarted>

export const SubmitBody = Type.Object(
  {
    /** one entry per answered question; unanswered questions count as wrong */
    answers: Type.Array(
      Type.Object({ questionId: Id, choice: Type.Array(Type.Integer({ minimum: 0, maximum: 5 }), { maxItems: 6 }) }, { additionalProperties: false }),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
)
export type SubmitBody = Static<typeof SubmitBody>

export const AttemptResult = Type.Object({
  id: Type.Integer(),
  kind: AttemptKind,
  campaignId: Type.Union([Type.Integer(), Type.Null()]),
  attemptNo: Type.Integer(),
  status: Type.Union([Type.Literal('submitted'), Type.Literal('expired')]),
  startedAt: Type.String({ format: 'date-time' }),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  correctCount: Type.Integer(),
  total: Type.Integer(),
  /** 0–100 */
  score: Type.Integer(),
  passed: Type.Union([Type.Boolean(), Type.Null()]),
  passScore: Type.Union([Type.Integer(), Type.Null()]),
  /** points credited (after the daily cap) */
  points: Type.Integer(),
  /** answer and explanation only where revealed: the questions the person answered (answer [] and explanation '' otherwise) */
  questions: Type.Array(Type.Object({
    ...QuestionWithAnswer.properties,
    given: Type.Array(Type.Integer()),
    correct: Type.Boolean(),
    revealed: Type.Boolean(),
  })),
})
export type AttemptResult = Static<typeof AttemptResult>

export const AttemptSummary = Type.Object({
  id: Type.Integer(),
  kind: AttemptKind,
  campaignId: Type.Union([Type.Integer(), Type.Null()]),
  title: Type.String(),
  status: Type.Union([Type.Literal('in_progress'), Type.Literal('submitted'), Type.Literal('expired')]),
  startedAt: Type.String({ format: 'date-time' }),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  score: Type.Union([Type.Integer(), Type.Null()]),
  passed: Type.Union([Type.Boolean(), Type.Null()]),
  points: Type.Integer(),
})
export const AttemptList = Type.Object({ items: Type.Array(AttemptSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type AttemptList = Static<typeof AttemptList>

export const WrongAnswer = Type.Object({
  /** answer [] and explanation '' unless revealed */
  question: QuestionWithAnswer,
  /** the person answered this question at some time (a question only ever left blank keeps its answer hidden) */
  revealed: Type.Boolean(),
  /** my last wrong choice */
  lastGiven: Type.Array(Type.Integer()),
  wrongTimes: Type.Integer(),
  lastWrongAt: Type.String({ format: 'date-time' }),
  /** answered right in a later attempt */
  correctedSince: Type.Boolean(),
})
export const WrongAnswerList = Type.Object({ items: Type.Array(WrongAnswer), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type WrongAnswerList = Static<typeof WrongAnswerList>

export const PointsSummary = Type.Object({
  total: Type.Integer(),
  today: Type.Integer(),
  dailyCap: Type.Integer(),
  rules: Type.String(),
})
export type PointsSummary = Static<typeof PointsSummary>

export const RegionBoardRow = Type.Object({
  regionCode: Type.String(),
  regionName: Type.String(),
  participants: Type.Integer(),
  passed: Type.Integer(),
  /** passed / participants, 0–1, null without participants */
  passRate: Type.Union([Type.Number(), Type.Null()]),
  /** mean of each participant's best score */
  averageScore: Type.Union([Type.Number(), Type.Null()]),
  rank: Type.Integer(),
})
export const RegionBoard = Type.Object({
  level: Type.Union([Type.Literal('community'), Type.Literal('street')]),
  campaignId: Type.Union([Type.Integer(), Type.Null()]),
  items: Type.Array(RegionBoardRow),
})
export type RegionBoard = Static<typeof RegionBoard>

export const PointsBoard = Type.Object({
  communityCode: Type.String(),
  items: Type.Array(Type.Object({ rank: Type.Integer(), nickname: Type.String(), points: Type.Integer(), isMe: Type.Boolean() })),
})
export type PointsBoard = Static<typeof PointsBoard>

// ---- live quiz ----

export const CreateLiveBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 60 }),
    /** explicit questions, in order … */
    questionIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true })),
    /** … or drawn at random from a tag (any tag when omitted) */
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    difficulties: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 3 }), { minItems: 1, maxItems: 3, uniqueItems: true })),
    questionSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
  },
  { additionalProperties: false },
)
export type CreateLiveBody = Static<typeof CreateLiveBody>

export const LiveState = Type.Union([Type.Literal('lobby'), Type.Literal('question'), Type.Literal('reveal'), Type.Literal('finished')])
export type LiveState = Static<typeof LiveState>

export const LiveParticipant = Type.Object({ userId: Type.Integer(), nickname: Type.String() })
export const LiveStanding = Type.Object({ rank: Type.Integer(), userId: Type.Integer(), nickname: Type.String(), score: Type.Integer(), correctCount: Type.Integer() })
export type LiveStanding = Static<typeof LiveStanding>

/** The current question while it is open: no answer. */
export const LiveQuestion = Type.Object({
  index: Type.Integer(),
  total: Type.Integer(),
  question: QuestionForAnswering,
  startedAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
})
export type LiveQuestion = Static<typeof LiveQuestion>

/** After a question closed: its answer and explanation. */
export const LiveReveal = Type.Object({
  index: Type.Integer(),
  questionId: Type.Integer(),
  answer: Type.Array(Type.Integer()),
  explanation: Type.String(),
})

export const LiveSnapshot = Type.Object({
  code: Type.String(),
  sessionId: Type.Integer(),
  title: Type.String(),
  state: LiveState,
  questionCount: Type.Integer(),
  /** -1 in the lobby */
  currentIndex: Type.Integer(),
  serverNow: Type.String({ format: 'date-time' }),
  participantCount: Type.Integer(),
  /** the lobby list (first 200) */
  participants: Type.Array(LiveParticipant),
  question: Type.Union([LiveQuestion, Type.Null()]),
  reveal: Type.Union([LiveReveal, Type.Null()]),
  /** top 10 (reveal/finished); the podium is its first three when finished */
  leaderboard: Type.Array(LiveStanding),
  you: Type.Object({
    role: Type.Union([Type.Literal('host'), Type.Literal('participant')]),
    score: Type.Integer(),
    rank: Type.Union([Type.Integer(), Type.Null()]),
    /** answered the current question */
    answered: Type.Boolean(),
  }),
})
export type LiveSnapshot = Static<typeof LiveSnapshot>

export const LiveSessionView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  title: Type.String(),
  state: LiveState,
  questionCount: Type.Integer(),
  questionSeconds: Type.Integer(),
  /** QR code of `civiclink://live?code=<code>` as a PNG data URL */
  qrDataUrl: Type.String(),
  wsPath: Type.String(),
})
export type LiveSessionView = Static<typeof LiveSessionView>

export const LiveAnswerBody = Type.Object(
  { questionIndex: Type.Integer({ minimum: 0, maximum: INT4_MAX }), choice: Type.Array(Type.Integer({ minimum: 0, maximum: 5 }), { minItems: 1, maxItems: 6 }) },
  { additionalProperties: false },
)
export type LiveAnswerBody = Static<typeof LiveAnswerBody>

export const LiveAnswerAck = Type.Object({ questionIndex: Type.Integer(), accepted: Type.Literal(true) })
export type LiveAnswerAck = Static<typeof LiveAnswerAck>

/**
 * WebSocket messages, client → server (JSON text frames):
 *   { type: 'answer', questionIndex, choice }     participant
 *   { type: 'advance' } | { type: 'finish' }       host
 *   { type: 'ping' }                               → { type: 'pong' }
 */
export type LiveClientMessage =
  | { type: 'answer'; questionIndex: number; choice: number[] }
  | { type: 'advance' }
  | { type: 'finish' }
  | { type: 'ping' }

/**
 * WebSocket messages, server → client:
 *   snapshot     on connect (and reconnect): the whole state for this user
 *   joined       someone joined the lobby: { participant, participantCount }
 *   question     a question opened: LiveQuestion (no answer)
 *   progress     host only: { index, answered, participantCount }
 *   answer_ack   to the answering client: { questionIndex, accepted: true }
 *   reveal       the question closed: { reveal: LiveReveal, leaderboard (top 10), you: { score, rank } }
 *   finished     { podium (top 3), leaderboard (top 10), you: { score, rank } }
 *   error        { code, message } (e.g. LIVE_NOT_CURRENT_QUESTION, LIVE_ALREADY_ANSWERED)
 *   pong
 */
export type LiveServerMessage =
  | ({ type: 'snapshot' } & LiveSnapshot)
  | { type: 'joined'; participant: Static<typeof LiveParticipant>; participantCount: number }
  | ({ type: 'question' } & LiveQuestion)
  | { type: 'progress'; index: number; answered: number; participantCount: number }
  | { type: 'answer_ack'; questionIndex: number; accepted: true }
  | { type: 'reveal'; reveal: Static<typeof LiveReveal>; leaderboard: LiveStanding[]; you: { score: number; rank: number | null } }
  | { type: 'finished'; podium: LiveStanding[]; leaderboard: LiveStanding[]; you: { score: number; rank: number | null } }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' }

