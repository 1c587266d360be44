/**
 * Surveys contract (问卷). All under /api/v1, bearer token required.
 *
 *  Residents
 *   GET  /surveys                         → ResidentSurveyList   open surveys I may answer (answered ones marked)
 *   GET  /surveys/:id                     → ResidentSurvey       the questions, my state (answered, quota full, draft)
 *   GET  /surveys/:id/draft               → SurveyDraft          my saved partial answers (404 SURVEY_DRAFT_NOT_FOUND)
 *   PUT  /surveys/:id/draft  SurveyDraftBody → SurveyDraft       save and continue (on any device)
 *   POST /surveys/:id/responses  SubmitSurveyBody (Idempotency-Key optional) → SubmitSurveyResult (201)
 *        errors: ANSWER_* 400 (details.question), SURVEY_NOT_FOR_YOU 403, COMMUNITY_REQUIRED 400, SURVEY_NOT_STARTED 409,
 *                SURVEY_CLOSED 409, SURVEY_QUOTA_FULL 409, SURVEY_ALREADY_ANSWERED 409
 *   GET  /surveys/:id/results             → SurveyResults        after close, when the survey publishes results
 *        errors: RESULTS_NOT_YET 403 (still open), RESULTS_NOT_PUBLIC 403, SURVEY_NOT_FOUND 404 (a draft), SURVEY_NOT_FOR_YOU 403
 *   GET  /surveys/closed                  → ResidentSurveyList   closed surveys of my community whose results are public
 *   GET  /surveys/notices                 → SurveyNoticeConsent  do I want a subscribe message when a survey opens for me
 *   PUT  /surveys/notices  SurveyNoticeBody → SurveyNoticeConsent  opt in (on weapp after WeChat's prompt was accepted) or out
 *
 *  Staff (a worker within their area, the office everywhere)
 *   GET  /surveys/templates               → SurveyTemplateList
 *   GET  /surveys/admin                   → StaffSurveyList
 *   POST /surveys/admin  CreateSurveyBody → StaffSurvey (201)    from a template or a definition; starts as draft
 *   GET  /surveys/admin/:id               → StaffSurvey          definition with markings, counts, wording changes
 *   GET  /surveys/admin/:id/preview       → ResidentSurvey       as a resident would see it (drafts too)
 *   PUT  /surveys/admin/:id  UpdateSurveyBody → StaffSurvey      once answered: wording only (SURVEY_HAS_RESPONSES 409)
 *   POST /surveys/admin/:id/publish | /close → StaffSurvey    (closing drops residents' unsent drafts)
 *   GET  /surveys/admin/:id/results       → SurveyResults        live while open
 *   GET  /surveys/admin/:id/crosstab?question=&row=&by=community|street|question&byQuestion=&byRow= → CrossTab
 *   GET  /surveys/admin/:id/texts?question=&q=&cursor= → TextAnswerPage
 *   GET  /surveys/admin/:id/export?what=responses|summary&format=xlsx|csv → the file, streamed (anonymous: no person
 *        columns, no community, the day only)
 *
 * Anonymous surveys: nothing here carries a response id, a user, or a time finer than the day.
 */
import { Type, type Static } from '@sinclair/typebox'
import { INT4_MAX } from './common'

const Key = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$', description: 'stable key within the survey' })
const Label = Type.String({ minLength: 1, maxLength: 200 })

export const QUESTION_TYPES = ['single', 'multiple', 'scale5', 'rating10', 'short_text', 'long_text', 'matrix'] as const
export const QuestionType = Type.Union(QUESTION_TYPES.map((t) => Type.Literal(t)))
export type QuestionType = Static<typeof QuestionType>

export const FIGURES = ['awareness', 'support', 'satisfaction', 'eligibility'] as const
export const Figure = Type.Union(FIGURES.map((f) => Type.Literal(f)))
export type Figure = Static<typeof Figure>

/** Clauses of a display condition: each holds when an earlier answer (a matrix row's, with `row`) is one of `anyOf`.
 *  All of them must hold, or — with `showMatch: 'any'` beside them — at least one. */
export const ShowWhen = Type.Array(
  Type.Object({ question: Key, row: Type.Optional(Key), anyOf: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
  { maxItems: 5 },
)
export type ShowWhen = Static<typeof ShowWhen>
export const ShowMatch = Type.Union([Type.Literal('all'), Type.Literal('any')])
export type ShowMatch = Static<typeof ShowMatch>

export const SurveyOption = Type.Object({
  value: Type.String({ pattern: '^[A-Za-z0-9_]{1,40}$' }),
  label: Label,
  /** "其他（请注明）": choosing it asks for a short text */
  other: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })

export const SurveyQuestion = Type.Object({
  key: Key,
  type: QuestionType,
  title: Type.String({ minLength: 1, maxLength: 300 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  required: Type.Boolean(),
  /** single, multiple */
  options: Type.Optional(Type.Array(SurveyOption, { minItems: 2, maxItems: 30 })),
  minChoices: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })),
  maxChoices: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
  /** scale5 and matrix: the labels of 5, 4, 3, 2, 1 in that order (default 很满意 … 很不满意) */
  labels: Type.Optional(Type.Array(Label, { minItems: 5, maxItems: 5 })),
  /** rating10: the words at 0 and at 10 */
  ends: Type.Optional(Type.Array(Label, { minItems: 2, maxItems: 2 })),
  /** matrix */
  rows: Type.Optional(Type.Array(Type.Object({ key: Key, label: Label }, { additionalProperties: false }), { minItems: 1, maxItems: 20 })),
  /** short_text (default 100), long_text (default 1000) */
  maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
  showWhen: Type.Optional(ShowWhen),
  /** how the clauses of showWhen combine (default 'all') */
  showMatch: Type.Optional(ShowMatch),
  figure: Type.Optional(Figure),
  /** the values that count as favourable (eligible, for eligibility): option values, '5'…'1' on a scale */
  favourable: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 30 })),
}, { additionalProperties: false })
export type SurveyQuestion = Static<typeof SurveyQuestion>

export const SurveySection = Type.Object({
  key: Key,
  title: Type.String({ minLength: 1, maxLength: 100 }),
  showWhen: Type.Optional(ShowWhen),
  showMatch: Type.Optional(ShowMatch),
  questions: Type.Array(SurveyQuestion, { minItems: 1, maxItems: 60 }),
}, { additionalProperties: false })
export type SurveySection = Static<typeof SurveySection>

export const SurveyDefinition = Type.Object({ sections: Type.Array(SurveySection, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false })
export type SurveyDefinition = Static<typeof SurveyDefinition>

const Audience = Type.Union([Type.Literal('residents'), Type.Literal('signed_in')])
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('closed')])

const Settings = {
  title: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  regionCode: Type.String({ maxLength: 40 }),
  audience: Audience,
  anonymous: Type.Boolean(),
  resultsPublic: Type.Optional(Type.Boolean()),
  quotaPerCommunity: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100000 }), Type.Null()])),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
}

export const CreateSurveyBody = Type.Object({
  ...Settings,
  /** a template's key (GET /surveys/templates), or `definition` */
  template: Type.Optional(Type.String({ maxLength: 40 })),
  definition: Type.Optional(SurveyDefinition),
}, { additionalProperties: false })
export type CreateSurveyBody = Static<typeof CreateSurveyBody>

export const UpdateSurveyBody = Type.Object({ ...Settings, definition: SurveyDefinition }, { additionalProperties: false })
export type UpdateSurveyBody = Static<typeof UpdateSurveyBody>

const SurveyHead = {
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  regionCode: Type.String(),
  regionName: Type.String(),
  audience: Audience,
  anonymous: Type.Boolean(),
  resultsPublic: Type.Boolean(),
  quotaPerCommunity: Type.Union([Type.Integer(), Type.Null()]),
  startsAt: Type.String(),
  endsAt: Type.String(),
  status: Status,
}

export const WordingChange = Type.Object({ at: Type.String(), by: Type.String(), changes: Type.Array(Type.Object({ path: Type.String(), from: Type.String(), to: Type.String() })) })

export const StaffSurvey = Type.Object({
  ...SurveyHead,
  templateKey: Type.Union([Type.String(), Type.Null()]),
  definition: SurveyDefinition,
  responses: Type.Integer(),
  wordingChanges: Type.Array(WordingChange),
})
export type StaffSurvey = Static<typeof StaffSurvey>

export const StaffSurveyList = Type.Object({ items: Type.Array(Type.Object({ ...SurveyHead, responses: Type.Integer() })) })
export type StaffSurveyList = Static<typeof StaffSurveyList>

const ResidentState = {
  answered: Type.Boolean(),
  quotaFull: Type.Boolean(),
  hasDraft: Type.Boolean(),
  questionCount: Type.Integer(),
}
export const ResidentSurveyList = Type.Object({ items: Type.Array(Type.Object({ ...SurveyHead, ...ResidentState })) })
export type ResidentSurveyList = Static<typeof ResidentSurveyList>

/** What a resident sees: the questions without the markings (figure, favourable) — nothing that could coach. */
export const ResidentSurvey = Type.Object({ ...SurveyHead, ...ResidentState, definition: SurveyDefinition, resultsAvailable: Type.Boolean() })
export type ResidentSurvey = Static<typeof ResidentSurvey>

export const AnswerValue = Type.Object({
  choice: Type.Optional(Type.String({ maxLength: 40 })),
  choices: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 30 })),
  other: Type.Optional(Type.String({ maxLength: 500 })),
  value: Type.Optional(Type.Integer({ minimum: -INT4_MAX, maximum: INT4_MAX })),
  text: Type.Optional(Type.String({ maxLength: 5000 })),
  rows: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Integer({ minimum: -INT4_MAX, maximum: INT4_MAX }))),
}, { additionalProperties: false })
export type AnswerValue = Static<typeof AnswerValue>

export const Answers = Type.Record(Type.String({ maxLength: 40 }), AnswerValue)
export type Answers = Static<typeof Answers>

export const SubmitSurveyBody = Type.Object({ answers: Answers }, { additionalProperties: false })
export type SubmitSurveyBody = Static<typeof SubmitSurveyBody>

/** No response id: for an anonymous survey the replayable body is stored beside the user's key. */
export const SubmitSurveyResult = Type.Object({ surveyId: Type.Integer(), submittedOn: Type.String(), anonymous: Type.Boolean() })
export type SubmitSurveyResult = Static<typeof SubmitSurveyResult>

export const SurveyDraftBody = Type.Object({ answers: Answers, page: Type.Integer({ minimum: 0, maximum: 100 }) }, { additionalProperties: false })
export type SurveyDraftBody = Static<typeof SurveyDraftBody>
export const SurveyDraft = Type.Object({ answers: Answers, page: Type.Integer(), savedAt: Type.String() })
export type SurveyDraft = Static<typeof SurveyDraft>

const OptionCount = Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer(), percent: Type.Number() })
export const QuestionResult = Type.Object({
  key: Type.String(),
  title: Type.String(),
  type: QuestionType,
  /** responses that answered it (for a matrix, per row) */
  answered: Type.Integer(),
  options: Type.Array(OptionCount),
  rows: Type.Optional(Type.Array(Type.Object({ key: Type.String(), label: Type.String(), answered: Type.Integer(), options: Type.Array(OptionCount) }))),
  mean: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  otherTexts: Type.Optional(Type.Integer()),
})
export const SurveyResults = Type.Object({ surveyId: Type.Integer(), title: Type.String(), status: Status, responses: Type.Integer(), questions: Type.Array(QuestionResult) })
export type SurveyResults = Static<typeof SurveyResults>

/** A cell of fewer than 5 respondents is `suppressed` with display '<5' and no figures (and one more cell where
 *  the hidden one could be worked out from the totals). */
const Cell = Type.Object({
  value: Type.String(),
  count: Type.Union([Type.Integer(), Type.Null()]),
  percent: Type.Union([Type.Number(), Type.Null()]),
  display: Type.String(),
  suppressed: Type.Boolean(),
})
export const CrossTab = Type.Object({
  question: Type.String(),
  row: Type.Union([Type.String(), Type.Null()]),
  by: Type.String(),
  columns: Type.Array(Type.Object({ value: Type.String(), label: Type.String() })),
  groups: Type.Array(Type.Object({
    key: Type.String(),
    label: Type.String(),
    respondents: Type.Union([Type.Integer(), Type.Null()]),
    display: Type.String(),
    cells: Type.Array(Cell),
  })),
})
export type CrossTab = Static<typeof CrossTab>

export const TextAnswerPage = Type.Object({
  /** held: WeChat's content check did not pass the text (or could not check it): for staff only, never shown to residents */
  items: Type.Array(Type.Object({ text: Type.String(), day: Type.String(), communityName: Type.Union([Type.String(), Type.Null()]), held: Type.Boolean() })),
  total: Type.Integer(),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type TextAnswerPage = Static<typeof TextAnswerPage>

export const SurveyNoticeBody = Type.Object({
  agreed: Type.Boolean(),
  /** where the consent is given: on weapp the page asks WeChat's subscribe prompt first */
  channel: Type.Union([Type.Literal('weapp'), Type.Literal('h5')]),
}, { additionalProperties: false })
export type SurveyNoticeBody = Static<typeof SurveyNoticeBody>
export const SurveyNoticeConsent = Type.Object({ agreed: Type.Boolean() })
export type SurveyNoticeConsent = Static<typeof SurveyNoticeConsent>

export const SurveyTemplateList = Type.Object({
  items: Type.Array(Type.Object({ key: Type.String(), title: Type.String(), description: Type.String(), definition: SurveyDefinition })),
})
export type SurveyTemplateList = Static<typeof SurveyTemplateList>
