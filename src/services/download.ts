import Taro from '@tarojs/taro'
import { ApiError, NETWORK_ERROR_MESSAGE } from './api'
import { clearSession, getToken, goToLogin } from './session'

export interface DownloadProgress {
  /** Bytes received so far. */
  received: number
  /** Size of the file when the server said it (a streamed export does not): null otherwise. */
  total: number | null
}

/**
 * Downloads an Excel file of the API (`url` from buildUrl) with the bearer token and hands it to the user: on weapp
 * downloadFile (which can send a header) then openDocument, whose menu forwards or saves it; on H5 a fetch read chunk
 * by chunk (to show progress) into a Blob and a download link. Rejects with ApiError carrying the server's message.
 */
export async function downloadXlsx(url: string, fileName: string, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  const header: Record<string, string> = {}
  const token = getToken()
  if (token) header.Authorization = `Bearer ${token}`
  if (process.env.TARO_ENV === 'h5') {
    let res: Response
    try {
      res = await fetch(url, { headers: header })
    } catch {
      throw new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0)
    }
    if (!res.ok) throw await failedDownload(res.status, () => res.json())
    const total = Number(res.headers.get('content-length')) || null
    const chunks: BlobPart[] = []
    let received = 0
    onProgress?.({ received, total })
    const reader = res.body?.getReader()
    try {
      if (!reader) {
        chunks.push(await res.arrayBuffer())
      } else {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          chunks.push(value)
          received += value.byteLength
          onProgress?.({ received, total })
        }
      }
    } catch {
      throw new ApiError('NETWORK_ERROR', '导出中断，请检查网络后重试', 0)
    }
    const blob = new Blob(chunks, { type: res.headers.get('content-type') ?? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
    const a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = fileName
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    return
  }
  const filePath = await new Promise<string>((resolve, reject) => {
    let task: any
    try {
      task = Taro.downloadFile({
        url,
        header,
        timeout: 120000,
        success: (res: { statusCode: number; tempFilePath: string }) => {
          if (res.statusCode === 200) {
            resolve(res.tempFilePath)
            return
          }
          // the error body ({code, message}) was saved to the temporary file
          void failedDownload(res.statusCode, () => JSON.parse(String(Taro.getFileSystemManager().readFileSync(res.tempFilePath, 'utf8')))).then(reject)
        },
        fail: () => reject(new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0)),
      } as any)
    } catch {
      reject(new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0))
      return
    }
    try {
      const listen = (r: { totalBytesWritten: number; totalBytesExpectedToWrite: number }) =>
        onProgress?.({ received: r.totalBytesWritten, total: r.totalBytesExpectedToWrite > 0 ? r.totalBytesExpectedToWrite : null })
      if (task && typeof task.onProgressUpdate === 'function') task.onProgressUpdate(listen)
    } catch {
      // progress is a nicety
    }
    // the promise form would reject unhandled next to the callbacks
    if (task && typeof task.catch === 'function') task.catch(() => undefined)
  })
  try {
    await Taro.openDocument({ filePath, fileType: 'xlsx', showMenu: true } as any)
  } catch {
    throw new ApiError('OPEN_DOCUMENT_FAILED', '文件已下载，但无法打开，请确认手机上有可以打开 Excel 的应用', 0)
  }
}

async function failedDownload(status: number, readBody: () => unknown): Promise<ApiError> {
  let body: any
  try {
    body = await readBody()
  } catch {
    body = null
  }
  if (status === 401) {
    clearSession()
    goToLogin()
  }
  return new ApiError(body?.code ?? `HTTP_${status}`, body?.message ?? (status >= 500 ? '服务暂时不可用，请稍后重试' : `导出失败（${status}）`), status)
}
