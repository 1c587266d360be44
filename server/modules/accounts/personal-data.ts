import type { Queryable } from '../../db/types'

/**
 * Every column that holds personal data, and what 注销账号 does to it. test/api/privacy.test.ts holds the database to
 * this list both ways: a column whose name looks personal must be here or in NOT_PERSONAL (with a reason), and after
 * an erasure no `erased` or `anonymised` column holds anything of the person. A module that adds such a column adds it
 * here and erases it in its PersonalDataSource.
 *
 * `rows` selects the person's rows ($1 the user id, $2 the phone they had).
 */
export interface PersonalColumn {
  table: string
  column: string
  treatment: 'erased' | 'anonymised' | 'kept'
  rows?: string
  why: string
}

export const ERASED_NICKNAME = '已注销用户'

export const PERSONAL_COLUMNS: PersonalColumn[] = [
  { table: 'users', column: 'phone', treatment: 'erased', rows: 'id = $1', why: '身份标识；置空后同一手机号可重新注册为新账号' },
  { table: 'users', column: 'openid', treatment: 'erased', rows: 'id = $1', why: '微信身份标识' },
  { table: 'users', column: 'unionid', treatment: 'erased', rows: 'id = $1', why: '微信身份标识' },
  { table: 'users', column: 'nickname', treatment: 'anonymised', rows: 'id = $1', why: `改为「${ERASED_NICKNAME}」：保留的随手拍与台账据此显示` },
  { table: 'users', column: 'community_code', treatment: 'erased', rows: 'id = $1', why: '居住社区；注销后不再计入社区注册居民数' },
  { table: 'sessions', column: 'user_id', treatment: 'erased', rows: 'user_id = $1', why: '登录会话全部删除，旧凭证立即失效' },
  { table: 'sessions', column: 'wx_session_key', treatment: 'erased', rows: 'user_id = $1', why: '微信会话密钥' },
  { table: 'sms_codes', column: 'phone', treatment: 'erased', rows: 'phone = $2', why: '验证码记录连同手机号删除' },
  { table: 'sms_codes', column: 'requester_ip', treatment: 'erased', rows: 'phone = $2', why: '请求验证码的 IP 地址' },
  { table: 'idempotency_keys', column: 'response', treatment: 'erased', rows: 'user_id = $1', why: '重试缓存的响应可能含个人资料' },
  { table: 'notification_outbox', column: 'payload', treatment: 'erased', rows: 'user_id = $1', why: '发给本人的订阅消息（含未发送的）删除' },
  { table: 'quiz_live_participants', column: 'nickname', treatment: 'anonymised', rows: 'user_id = $1', why: `直播答题排行榜上的昵称改为「${ERASED_NICKNAME}」，成绩保留` },
  { table: 'content_flags', column: 'note', treatment: 'erased', rows: 'flagger_id = $1', why: '举报补充说明是本人的话；举报本身保留计数' },
  { table: 'report_photos', column: 'owner_id', treatment: 'erased', rows: 'owner_id = $1 AND report_id IS NULL AND event_id IS NULL', why: '未用于任何上报的草稿照片连同文件删除' },
  { table: 'survey_drafts', column: 'answers', treatment: 'erased', rows: 'user_id = $1', why: '未提交的问卷草稿删除' },
  { table: 'survey_texts', column: 'text_value', treatment: 'erased', rows: 'response_id IN (SELECT id FROM survey_responses WHERE user_id = $1)', why: '实名问卷中本人写的文字删除；选择题答案保留，已计入的比率不变' },
  { table: 'survey_texts', column: 'other_text', treatment: 'erased', rows: 'response_id IN (SELECT id FROM survey_responses WHERE user_id = $1)', why: '“其他，请注明”里本人写的文字删除' },
  { table: 'volunteers', column: 'real_name', treatment: 'erased', rows: 'user_id = $1', why: '志愿者实名；已记的服务时长保留在台账里' },
  { table: 'volunteers', column: 'phone', treatment: 'erased', rows: 'user_id = $1', why: '申请志愿者时的已验证手机号' },
  { table: 'volunteer_certificates', column: 'real_name', treatment: 'erased', rows: 'user_id = $1', why: '证书上的实名；编号、时长与颁发单位保留，查验时不再显示姓氏' },
  // kept: the city's record of a public place (个人信息保护法 第十三条：履行法定职责所必需)
  { table: 'reports', column: 'description', treatment: 'kept', why: '问题台账：对公共场所问题的描述，属城市须保存的记录' },
  { table: 'reports', column: 'address', treatment: 'kept', why: '问题发生地点（公共场所），不是本人住址' },
  { table: 'reports', column: 'rating_comment', treatment: 'kept', why: '处置满意度的依据，已计入的评价保留' },
  { table: 'report_events', column: 'note', treatment: 'kept', why: '台账记录（重新打开的理由等），随上报保留' },
  // kept: people who reported through a city system (12345 热线…) have no account here, so no 注销 reaches them; their
  // contact stays with the report for the workers who call back, and never leaves through Open311 reads
  { table: 'open311_submitters', column: 'first_name', treatment: 'kept', why: '经城市系统（Open311）代为提交者的姓名：无本系统账号，随问题保存，仅本区域工作人员和创文办可见' },
  { table: 'open311_submitters', column: 'last_name', treatment: 'kept', why: '同上' },
  { table: 'open311_submitters', column: 'email', treatment: 'kept', why: '同上：回访联系方式' },
  { table: 'open311_submitters', column: 'phone', treatment: 'kept', why: '同上：回访联系方式（详情页中打码显示）' },
  { table: 'report_photos', column: 'storage_key', treatment: 'kept', why: '现场照片是台账证据，拍的是问题现场；上传时已去除 EXIF（含位置、设备），按台账保存' },
]

/** Columns whose names look personal but are not, each with the reason. */
export const NOT_PERSONAL: Array<{ table: string; column: string; why: string }> = [
  { table: 'regions', column: 'name', why: '行政区划名称' },
  { table: 'report_categories', column: 'name', why: '问题类别名称' },
  { table: 'open311_keys', column: 'name', why: '对接系统的名称' },
  { table: 'schema_migrations', column: 'name', why: '迁移文件名' },
  { table: 'rate_read_versions', column: 'name', why: '看板缓存所依据的版本号的名字（counts、targets）' },
  { table: 'volunteer_activities', column: 'address', why: '志愿活动的集合地点（公共场所），由网格员发布' },
]

/** The pattern of column names that look personal (the test scans information_schema with it). */
export const PERSONAL_NAME_PATTERN = '(phone|mobile|name|openid|unionid|(^|_)ip($|_)|email|address|id_card|idcard|real_name|session_key|birth|gender)'

/** Who erased an account's data and how a module exports a person's data: one per module that holds any. */
export interface ErasedPerson {
  userId: number
  phone: string | null
}

export interface PersonalDataSource {
  /** The export's section name. */
  name: string
  /** Erases or anonymises the module's data of the person in the erasure's transaction; may return work for after the
   *  commit (files), which must not undo anything if it fails. */
  erase(tx: Queryable, person: ErasedPerson): Promise<void | (() => Promise<void>)>
  /** Everything the module links to the person, and nothing of anybody else. */
  export(db: Queryable, userId: number): Promise<unknown>
}
