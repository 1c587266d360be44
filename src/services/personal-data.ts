import Taro from '@tarojs/taro'
import type { SmsSendResult } from '@contract/accounts'
import type { ErasureBody, PersonalDataExport } from '@contract/privacy'
import { api } from './api'
import { clearSession } from './session'

/** 注销账号 and the export of one's own data (types/privacy.ts). */

export const sendErasureCode = () => api.post<SmsSendResult>('/me/erasure/code', undefined, { silent: true, maxRetries: 0 })

/** Irreversible: never retried automatically; on success the session is gone on the server, so forget it here. */
export async function eraseAccount(body: ErasureBody): Promise<void> {
  await api.post('/me/erasure', body, { silent: true, maxRetries: 0 })
  clearSession()
}

export const exportMyData = () => api.get<PersonalDataExport>('/me/export', undefined, { silent: true })

export const exportFileName = (at: string) => `文明共建-我的数据-${at.slice(0, 10)}.json`

/**
 * Hands the export to the person as a file. H5: a download. weapp: the file is written to the mini-program's user
 * folder and sent with shareFileMessage (to 文件传输助手 or any chat), the only way WeChat lets a file leave the app.
 */
export async function saveExport(data: PersonalDataExport): Promise<'downloaded' | 'shared'> {
  const text = JSON.stringify(data, null, 2)
  const name = exportFileName(data.exportedAt)
  if (process.env.TARO_ENV === 'h5') {
    const a = document.createElement('a')
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
    a.download = name
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    return 'downloaded'
  }
  const filePath = `${Taro.env.USER_DATA_PATH}/${name}`
  Taro.getFileSystemManager().writeFileSync(filePath, text, 'utf8')
  await Taro.shareFileMessage({ filePath, fileName: name })
  return 'shared'
}
