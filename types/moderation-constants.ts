/**
 * 举报 and 内容审核: the plain constants server, SQL and the mini-program share. Plain JavaScript syntax, without
 * TypeBox, so the mini-program can import it (its types are in moderation.ts).
 */

export const MODERATION_LABELS = {
  visible: '正常显示',
  auto_hidden: '被多人举报，待审核',
  hidden: '已隐藏',
  content_removed: '内容已移除',
}

/** The states in which residents see a report (with the content check's hold lifted). */
export const PUBLIC_MODERATION_STATES = ['visible', 'content_removed']

export const FLAG_REASONS = {
  privacy: '泄露他人隐私（人脸、车牌、门牌等）',
  abuse: '辱骂、人身攻击',
  false_info: '虚假不实',
  ads: '广告营销',
  illegal: '违法违规内容',
  other: '其他',
}

export const REVIEW_LABELS = { restore: '恢复显示', hide: '隐藏', remove_content: '移除内容' }
