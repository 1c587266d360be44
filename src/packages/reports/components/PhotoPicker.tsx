import { Image, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { photoUrl } from '@/services/reports'
import { choosePhotos, newPicked, uploadPicked, type PickedPhoto } from './photos'
import './PhotoPicker.scss'

interface Props {
  photos: PickedPhoto[]
  setPhotos: (f: (prev: PickedPhoto[]) => PickedPhoto[]) => void
  max?: number
  addText?: string
}

/** Up to `max` photos from camera or album, each uploaded at once with its own progress bar. */
export default function PhotoPicker({ photos, setPhotos, max = 9, addText = '拍照/相册' }: Props) {
  const update = (id: string, patch: Partial<PickedPhoto>) => setPhotos((prev) => prev.map((p) => (p.uid === id ? { ...p, ...patch } : p)))

  const onAdd = async () => {
    const paths = await choosePhotos(max - photos.length)
    if (paths.length === 0) return
    const picked = paths.map(newPicked)
    setPhotos((prev) => [...prev, ...picked].slice(0, max))
    for (const p of picked) await uploadPicked(p, update)
  }

  const onRemove = (id: string) => setPhotos((prev) => prev.filter((p) => p.uid !== id))

  const onTap = (p: PickedPhoto) => {
    if (p.status === 'failed') {
      void uploadPicked(p, update)
      return
    }
    Taro.previewImage({ current: p.localPath, urls: photos.map((x) => x.localPath) }).catch(() => undefined)
  }

  return (
    <View className='rp-photos'>
      {photos.map((p, i) => (
        <View key={p.uid} className={`rp-photos__item rp-photos__item--${p.status}`}>
          <Image className='rp-photos__img' nativeProps={{ alt: `照片${i + 1}` }} src={p.localPath || photoUrl(p.thumbUrl)} mode='aspectFill' onClick={() => onTap(p)} />
          {p.status === 'uploading' ? (
            <View className='rp-photos__progress'>
              <View className='rp-photos__bar' style={{ width: `${p.progress}%` }} />
              <View className='rp-photos__pct'>{`照片${i + 1} 上传中 ${p.progress}%`}</View>
            </View>
          ) : null}
          {p.status === 'failed' ? (
            <View className='rp-photos__failed' onClick={() => onTap(p)}>
              {p.offline ? '网络不佳，点此重试' : `${p.error ?? '上传失败'}，点此重试`}
            </View>
          ) : null}
          {p.status === 'done' ? <View className='rp-photos__ok'>已上传</View> : null}
          <View className='rp-photos__remove' onClick={() => onRemove(p.uid)}>
            ×
          </View>
        </View>
      ))}
      {photos.length < max ? (
        <View className='rp-photos__add' onClick={onAdd}>
          <View className='rp-photos__plus'>+</View>
          <View className='rp-photos__add-text'>{addText}</View>
          <View className='rp-photos__count'>{`${photos.length}/${max}`}</View>
        </View>
      ) : null}
    </View>
  )
}
