/**
 * WeChat's privacy rules for mini-programs, as data: which APIs, button open-types and components handle personal
 * information (the 隐私接口 of 《小程序用户隐私保护指引》, each with the item the admin console's guide must
 * declare), and which of them must also be declared in app.json's `requiredPrivateInfos` (since 2022-07-14 an
 * undeclared location API fails: "…:fail the api need to be declared in the requiredPrivateInfos field").
 * Sources: developers.weixin.qq.com — framework/user-privacy (the interface ↔ information table) and the app.json
 * reference (requiredPrivateInfos, permission).
 */

export interface PrivacyItem {
  /** API name (wx.X), open-type value, or component tag. */
  name: string
  kind: 'api' | 'open-type' | 'component' | 'input-type'
  /** The item of the 用户隐私保护指引 it falls under; null: WeChat does not gate it, listed so the README says why. */
  guideItem: string | null
  /** Must be listed in app.json requiredPrivateInfos. */
  requiredPrivateInfo?: boolean
  /** app.json `permission` scope whose `desc` WeChat requires before the call. */
  permissionScope?: string
}

const loc = (name: string, extra: Partial<PrivacyItem> = {}): PrivacyItem => ({ name, kind: 'api', guideItem: '位置信息', requiredPrivateInfo: true, ...extra })
const api = (names: string[], guideItem: string | null): PrivacyItem[] => names.map((name) => ({ name, kind: 'api', guideItem }))

export const PRIVACY_ITEMS: PrivacyItem[] = [
  loc('getLocation', { permissionScope: 'scope.userLocation' }),
  loc('getFuzzyLocation', { permissionScope: 'scope.userFuzzyLocation' }),
  loc('startLocationUpdate', { permissionScope: 'scope.userLocation' }),
  loc('startLocationUpdateBackground', { permissionScope: 'scope.userLocationBackground' }),
  loc('onLocationChange'),
  loc('chooseLocation', { guideItem: '选择的位置信息' }),
  loc('choosePoi', { guideItem: '选择的位置信息' }),
  loc('chooseAddress', { guideItem: '地址' }),
  ...api(['chooseImage', 'chooseMedia', 'chooseVideo'], '选中的照片或视频信息'),
  ...api(['chooseMessageFile'], '选中的文件'),
  ...api(['saveImageToPhotosAlbum', 'saveVideoToPhotosAlbum'], '相册（仅写入）权限'),
  ...api(['getClipboardData', 'setClipboardData'], '剪切板'),
  ...api(['startRecord', 'getRecorderManager', 'joinVoIPChat'], '麦克风'),
  ...api(['createVKSession'], '摄像头'),
  ...api(['openBluetoothAdapter', 'createBLEPeripheralServer'], '蓝牙'),
  ...api(['addPhoneContact'], '通讯录（仅写入）权限'),
  ...api(['addPhoneCalendar', 'addPhoneRepeatCalendar'], '日历（仅写入）权限'),
  ...api(['chooseInvoice', 'chooseInvoiceTitle'], '发票信息'),
  ...api(['getWeRunData'], '微信运动步数'),
  ...api(['chooseLicensePlate'], '车牌号'),
  ...api(['startAccelerometer'], '加速传感器'),
  ...api(['startCompass'], '磁场传感器'),
  ...api(['startDeviceMotionListening'], '方向传感器'),
  ...api(['startGyroscope'], '陀螺仪传感器'),
  ...api(['getUserProfile', 'getUserInfo'], '昵称、头像'),
  // The camera opens inside WeChat's own scan screen; WeChat's interface table does not list scanCode.
  ...api(['scanCode'], null),
  { name: 'getPhoneNumber', kind: 'open-type', guideItem: '手机号' },
  { name: 'getRealtimePhoneNumber', kind: 'open-type', guideItem: '手机号' },
  { name: 'chooseAvatar', kind: 'open-type', guideItem: '昵称、头像' },
  { name: 'nickname', kind: 'input-type', guideItem: '昵称、头像' },
  { name: 'camera', kind: 'component', guideItem: '摄像头' },
  { name: 'live-pusher', kind: 'component', guideItem: '摄像头' },
  { name: 'voip-room', kind: 'component', guideItem: '摄像头' },
]

/** WeChat accepts only these in requiredPrivateInfos, and never getLocation together with getFuzzyLocation. */
export const REQUIRED_PRIVATE_INFOS = PRIVACY_ITEMS.filter((i) => i.requiredPrivateInfo).map((i) => i.name)
