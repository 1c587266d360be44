/**
 * 志愿服务: the plain constants server, SQL and the mini-program share. Plain JavaScript syntax, without TypeBox or
 * type annotations, so the mini-program's build can take it as it is (the types are in volunteers.ts).
 */

export const ACTIVITY_TYPES = {
  traffic: '文明交通劝导',
  waste: '垃圾分类督导',
  cleaning: '社区清洁',
  tourism: '文明旅游引导',
  elderly: '敬老助残',
}

export const VOLUNTEER_STATUS_LABELS = {
  pending: '待审核',
  approved: '已通过',
  rejected: '未通过',
  left: '已退出',
  suspended: '已暂停',
}

export const SIGNUP_STATUS_LABELS = { confirmed: '已报名', waitlisted: '候补', cancelled: '已取消', released: '活动取消' }

/** 星级 by total service hours (全国志愿服务信息系统的星级认定). */
export const STAR_LEVELS = [
  { stars: 1, label: '一星', hours: 100 },
  { stars: 2, label: '二星', hours: 300 },
  { stars: 3, label: '三星', hours: 600 },
  { stars: 4, label: '四星', hours: 1000 },
  { stars: 5, label: '五星', hours: 1500 },
]

/** What the worker's QR code holds before the token; the volunteer's scan takes the token after it. */
export const CHECKIN_QR_PREFIX = 'civiclink://volunteer-checkin?token='
