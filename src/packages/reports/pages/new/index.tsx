import { useMemo, useRef, useState } from 'react'
import { Image, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup, Dialog, Input, Switch, TextArea } from '@nutui/nutui-react-taro'
import type { NearbyResult, ReportCategory } from '@contract/reports'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { locate } from '@/services/accounts'
import { installOfflineSync, newDraftKey, sendDraft, type ReportDraft } from '@/services/offline-queue'
import { listCategories, meToo, nearbyReports, photoUrl } from '@/services/reports'
import { fromNow } from '@/utils/time'
import PhotoPicker from '../../components/PhotoPicker'
import type { PickedPhoto } from '../../components/photos'
import { categoryIcon } from '../../components/icons'
import { currentGcj02 } from '@/utils/position'
import { isPrivacyRefusal, PRIVACY_REFUSED } from '@/services/privacy'
import { PAGES } from '../../config'
import { askSubscribe } from '../../components/subscribe'
import './index.scss'
import { ROUTES } from '@/routes'
import PageGate from '@/components/PageGate'

installOfflineSync()

interface Place {
  lng: number
  lat: number
  address: string
  name?: string
}

export default function NewReportPage() {
  const signedIn = useRequireSignIn()
  const cats = useRemote(listCategories, [], signedIn)
  const [category, setCategory] = useState<ReportCategory>()
  const [photos, setPhotos] = useState<PickedPhoto[]>([])
  const [place, setPlace] = useState<Place>()
  const [locating, setLocating] = useState(false)
  /** The person declined the privacy guide when asked for the position: say why the report cannot go on. */
  const [locationRefused, setLocationRefused] = useState(false)
  const [description, setDescription] = useState('')
  const [anonymous, setAnonymous] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [sendProgress, setSendProgress] = useState('')
  const [nearby, setNearby] = useState<NearbyResult['items'][number]>()
  const [meTooing, setMeTooing] = useState(false)
  // one Idempotency-Key per draft, for every attempt to send it
  const draftKey = useRef(newDraftKey())

  const uploading = photos.some((p) => p.status === 'uploading')
  const missing = useMemo(() => {
    if (!category) return '请选择问题类别'
    if (photos.length === 0) return '请至少拍摄或选择 1 张照片'
    if (uploading) return '照片上传中，请稍候'
    if (photos.some((p) => p.status === 'failed' && !p.offline)) return '有照片上传失败，请点击照片重试或删除'
    if (!place) return '请选择问题位置'
    if (!place.address.trim()) return '请填写问题地址'
    return ''
  }, [category, photos, uploading, place])

  const fillAddress = async (lng: number, lat: number) => {
    try {
      const hit = await locate(lng, lat)
      return `${hit.district.name}${hit.street.name}${hit.community.name}附近`
    } catch {
      return ''
    }
  }

  const onLocate = async () => {
    setLocating(true)
    try {
      const { lng, lat } = await currentGcj02()
      setLocationRefused(false)
      const address = await fillAddress(lng, lat)
      setPlace({ lng, lat, address })
      if (!address) toast('已定位，请补充问题地址')
    } catch (e) {
      if (isPrivacyRefusal(e)) setLocationRefused(true)
      else toast('无法获取位置，请在设置中允许使用位置信息，或在地图上选点')
    } finally {
      setLocating(false)
    }
  }

  const onChooseOnMap = async () => {
    try {
      const res = await Taro.chooseLocation(place ? { latitude: place.lat, longitude: place.lng } : ({} as any))
      if (!res || (!res.latitude && !res.longitude)) return
      setLocationRefused(false)
      const address = [res.address, res.name].filter(Boolean).join(' ') || (await fillAddress(res.longitude, res.latitude))
      setPlace({ lng: res.longitude, lat: res.latitude, address, name: res.name })
    } catch (e: any) {
      if (isPrivacyRefusal(e)) setLocationRefused(true)
      else if (!String(e?.errMsg ?? '').includes('cancel')) toast('无法打开地图选点，请使用当前位置')
    }
  }

  const buildDraft = (): ReportDraft => ({
    key: draftKey.current,
    createdAt: new Date().toISOString(),
    categoryCode: category!.code,
    categoryName: category!.name,
    lng: place!.lng,
    lat: place!.lat,
    address: place!.address.trim(),
    description: description.trim(),
    anonymous,
    photos: photos.map((p) => ({ localPath: p.localPath, photoId: p.photoId, thumbUrl: p.thumbUrl })),
    status: 'queued',
  })

  const send = async () => {
    setSubmitting(true)
    setSendProgress('正在提交…')
    try {
      const outcome = await sendDraft(buildDraft(), { keepOnRefusal: false, onPhotoProgress: (i, pct) => setSendProgress(`正在上传第 ${i + 1} 张照片 ${pct}%`) })
      if (outcome.kind === 'sent') {
        Taro.showToast({ title: '上报成功', icon: 'success' }).catch(() => undefined)
        setTimeout(() => Taro.redirectTo({ url: `${PAGES.detail}?id=${outcome.report.id}` }), 600)
      } else if (outcome.kind === 'queued') {
        await Taro.showModal({
          title: '已保存为待发送',
          content: '网络不给力，随手拍已保存在本机，联网后会自动发送（不会重复提交）。',
          showCancel: false,
          confirmText: '知道了',
        }).catch(() => undefined)
        Taro.navigateBack().catch(() => Taro.switchTab({ url: ROUTES.report }))
      } else {
        toast(outcome.error.message)
      }
    } finally {
      setSubmitting(false)
      setSendProgress('')
    }
  }

  const onSubmit = async () => {
    if (missing) {
      toast(missing)
      return
    }
    if (submitting) return
    // must start inside the tap: WeChat allows the consent dialog only from a user gesture
    const consent = askSubscribe()
    setSubmitting(true)
    await consent
    try {
      const res = await nearbyReports(category!.code, place!.lng, place!.lat)
      const open = res.items[0]
      if (open) {
        setNearby(open)
        setSubmitting(false)
        return
      }
    } catch {
      // lookup failed (offline?): go on and submit; the server still gets the report once
    }
    await send()
  }

  const onMeToo = async () => {
    if (!nearby) return
    setMeTooing(true)
    try {
      await meToo(nearby.id)
      setNearby(undefined)
      Taro.showToast({ title: '已 +1，感谢反映', icon: 'success' }).catch(() => undefined)
      setTimeout(() => Taro.redirectTo({ url: `${PAGES.detail}?id=${nearby.id}` }), 600)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
    } finally {
      setMeTooing(false)
    }
  }

  const onSubmitAnyway = async () => {
    setNearby(undefined)
    await send()
  }

  if (!signedIn) return <PageGate signedIn={false} />

  return (
    <PageShell className='rp-new'>
      <Card title='问题类别'>
        {cats.loading ? (
          <LoadingState />
        ) : cats.error ? (
          <ErrorState error={cats.error} onRetry={cats.reload} />
        ) : (
          <View className='rp-new__cats'>
            {(cats.data ?? []).map((c) => (
              <View key={c.code} className={`rp-new__cat ${category?.code === c.code ? 'rp-new__cat--on' : ''}`} onClick={() => setCategory(c)}>
                <View className='rp-new__cat-icon'>{categoryIcon(c.icon)}</View>
                <View className='rp-new__cat-name'>{c.name}</View>
              </View>
            ))}
          </View>
        )}
        {category ? <View className='cl-muted rp-new__sla'>{`${category.department}受理，一般 ${category.slaHours} 小时内办结`}</View> : null}
      </Card>

      <Card title='现场照片' extra='1–9 张'>
        <PhotoPicker photos={photos} setPhotos={setPhotos} />
      </Card>

      <Card title='问题位置'>
        <View className='rp-new__loc-actions'>
          <Button size='small' type='primary' fill='outline' loading={locating} onClick={onLocate}>
            当前位置
          </Button>
          {process.env.TARO_ENV === 'weapp' ? (
            <Button size='small' type='primary' fill='outline' onClick={onChooseOnMap}>
              地图选点
            </Button>
          ) : null}
        </View>
        {place ? (
          <View className='rp-new__place'>
            {place.name ? <View className='rp-new__place-name'>{place.name}</View> : null}
            <Input
              className='rp-new__address'
              value={place.address}
              placeholder='请填写详细地址，如 XX路XX号门口'
              maxLength={200}
              onChange={(v) => setPlace({ ...place, address: v })}
            />
            <View className='cl-muted'>{`经纬度 ${place.lng.toFixed(5)}, ${place.lat.toFixed(5)}`}</View>
          </View>
        ) : locationRefused ? (
          <View className='rp-new__refused'>
            {`${PRIVACY_REFUSED}，无法获取问题位置。随手拍需要问题位置才能派给所在网格处理；再次点「当前位置」或「地图选点」可重新查看并同意。`}
          </View>
        ) : (
          <View className='cl-muted rp-new__place-hint'>请使用当前位置或在地图上选点</View>
        )}
      </Card>

      <Card title='问题描述'>
        <TextArea value={description} placeholder='简要描述问题（选填），如：人行道上有车辆违停，影响通行' maxLength={500} showCount onChange={setDescription} />
      </Card>

      <CellGroup>
        <Cell title='对公众匿名' description='开启后，公开列表中不显示您的昵称；网格员处理时仍可联系您' extra={<Switch ariaLabel='对公众匿名' checked={anonymous} onChange={setAnonymous} />} />
      </CellGroup>

      <View className='rp-new__submit'>
        {sendProgress ? <View className='rp-new__progress'>{sendProgress}</View> : null}
        <Button type='primary' block size='large' loading={submitting} disabled={submitting} onClick={onSubmit}>
          提交
        </Button>
        {missing && !submitting ? <View className='cl-muted rp-new__missing'>{missing}</View> : null}
      </View>

      <Dialog
        visible={!!nearby}
        title='附近已有相同问题'
        footer={
          <View className='rp-new__dup-actions'>
            <Button type='primary' block loading={meTooing} onClick={onMeToo}>
              +1 我也遇到了
            </Button>
            <Button className='rp-new__dup-anyway' type='default' block onClick={onSubmitAnyway}>
              仍然提交新问题
            </Button>
          </View>
        }
        onClose={() => setNearby(undefined)}
        onCancel={() => setNearby(undefined)}
      >
        {nearby ? (
          <View className='rp-new__dup'>
            {nearby.thumbUrl ? <Image className='rp-new__dup-img' nativeProps={{ alt: '已有问题的照片' }} src={photoUrl(nearby.thumbUrl)} mode='aspectFill' /> : null}
            <View className='rp-new__dup-text'>
              <View>{`${nearby.stateLabel} · 距此约 ${nearby.distanceM} 米 · ${fromNow(nearby.createdAt)}`}</View>
              <View className='rp-new__dup-addr'>{nearby.address}</View>
              {nearby.description ? <View className='rp-new__dup-desc'>{nearby.description}</View> : null}
              {nearby.coReporters > 0 ? <View className='cl-muted'>{`已有 ${nearby.coReporters} 人也遇到了`}</View> : null}
            </View>
          </View>
        ) : null}
      </Dialog>
    </PageShell>
  )
}
