import Taro from '@tarojs/taro'
import { ApiError, toast } from '@/services/api'
import { isPrivacyRefusal, PRIVACY_REFUSED } from '@/services/privacy'
import { registerLocalFile, uploadPhoto } from '@/services/reports'

export interface PickedPhoto {
  uid: string
  localPath: string
  status: 'uploading' | 'done' | 'failed'
  progress: number
  photoId?: string
  thumbUrl?: string
  error?: string
  /** the failure was the network's: the photo can wait in a draft */
  offline?: boolean
}

let seq = 0
const uid = () => `p${Date.now().toString(36)}${(seq++).toString(36)}`

/** Above this, weapp compresses the image again before uploading. */
const COMPRESS_ABOVE_BYTES = 1024 * 1024

/** Camera or album, compressed; returns local paths (nothing when the user cancelled). */
export async function choosePhotos(count: number): Promise<string[]> {
  if (count <= 0) return []
  let files: { tempFilePath: string; size: number; originalFileObj?: Blob }[]
  try {
    // callbacks, not the promise form: Taro 4.2.1 does not promisify chooseMedia on weapp (it relies on the
    // base library's own promise, which older WeChat versions and the simulator lack)
    const res = await new Promise<any>((resolve, reject) => {
      Taro.chooseMedia({ count, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'], success: resolve, fail: reject } as any)
    })
    files = (res?.tempFiles ?? []) as any
  } catch (e) {
    if (isPrivacyRefusal(e)) toast(`${PRIVACY_REFUSED}，无法拍照或选择照片`)
    return [] // cancelled, or refused (told)
  }
  const out: string[] = []
  for (const f of files.slice(0, count)) {
    let path = f.tempFilePath
    registerLocalFile(path, f.originalFileObj) // H5 only
    if (process.env.TARO_ENV === 'weapp' && f.size > COMPRESS_ABOVE_BYTES) {
      try {
        const c = await Taro.compressImage({ src: path, quality: 70 } as any)
        if (c?.tempFilePath) path = c.tempFilePath
      } catch {
        // keep the original: the server takes up to 10 MB
      }
    }
    out.push(path)
  }
  return out
}

export function newPicked(localPath: string): PickedPhoto {
  return { uid: uid(), localPath, status: 'uploading', progress: 0 }
}

/** Uploads one picked photo, reporting every change through `update`. */
export async function uploadPicked(p: PickedPhoto, update: (uid: string, patch: Partial<PickedPhoto>) => void): Promise<void> {
  update(p.uid, { status: 'uploading', progress: 0, error: undefined, offline: false })
  try {
    const view = await uploadPhoto(p.localPath, (progress) => update(p.uid, { progress }))
    update(p.uid, { status: 'done', progress: 100, photoId: view.id, thumbUrl: view.thumbUrl })
  } catch (e) {
    const err = e instanceof ApiError ? e : undefined
    update(p.uid, { status: 'failed', error: err?.message ?? '上传失败', offline: !err || err.status === 0 })
  }
}
