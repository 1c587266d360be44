import { useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { CertificateCheck } from '@contract/volunteers'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { LoadingState } from '@/components/StateView'
import { ApiError } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import { checkCertificate } from '../../api'
import '../../styles.scss'

const NUMBER = /^ZY[0-9]{6}[0-9A-HJKMNP-TV-Z]{10}$/

/**
 * 证书查验 — public, no sign-in: what a certificate's QR code opens. Shows only what the server shows anyone with the
 * number (the family name's first character, hours, issuer, date); a number can also be typed from the paper.
 */
export default function VerifyPage() {
  const initial = (useRouter().params.no ?? '').toUpperCase()
  const [no, setNo] = useState(initial)
  const [state, setState] = useState<{ busy: boolean; result?: CertificateCheck; error?: string; asked?: string }>({ busy: false })

  const check = async (value: string) => {
    const n = value.trim().toUpperCase()
    if (!NUMBER.test(n)) return setState({ busy: false, error: '证书编号格式不对：ZY 开头，共 18 位', asked: n })
    setState({ busy: true, asked: n })
    try {
      setState({ busy: false, result: await checkCertificate(n), asked: n })
    } catch (e) {
      setState({ busy: false, error: e instanceof ApiError ? e.message : '查验失败，请稍后再试', asked: n })
    }
  }
  // the QR code's link carries the number: check it at once
  useEffect(() => {
    if (initial) void check(initial)
  }, [initial])

  const r = state.result
  return (
    <PageShell className='vl'>
      <Card title='志愿服务证书查验'>
        <View className='vl__text'>输入证书上的编号，或扫描证书上的二维码。为保护志愿者隐私，只显示姓氏。</View>
        <Input className='vl__input' nativeProps={{ 'aria-label': '证书编号' }} placeholder='证书编号，如 ZY202611XXXXXXXXXX' maxLength={18} value={no} onChange={setNo} />
        <Button type='primary' block loading={state.busy} disabled={state.busy} onClick={() => check(no)}>查验</Button>
      </Card>
      {state.busy ? <LoadingState text='正在查验…' /> : null}
      {state.error ? (
        <Card title='未通过查验'>
          <View className='vl__error' role='alert'>{state.error}</View>
        </Card>
      ) : null}
      {r ? (
        <Card title='证书有效' extra={<Tag type='success'>真实有效</Tag>}>
          <View className='vl__kv'><View className='vl__meta'>持证人</View><View className='vl__title'>{r.maskedName ?? '（持证人已注销账号）'}</View></View>
          <View className='vl__kv'><View className='vl__meta'>累计服务时长</View><View className='vl__title'>{r.totalHours} 小时</View></View>
          <View className='vl__kv'><View className='vl__meta'>颁发单位</View><View className='vl__text'>{r.issuer}</View></View>
          <View className='vl__kv'><View className='vl__meta'>颁发日期</View><View className='vl__text'>{formatDateTime(r.issuedAt, 'YYYY年M月D日')}</View></View>
          <View className='vl__kv'><View className='vl__meta'>证书编号</View><View className='vl__text'>{r.number}</View></View>
        </Card>
      ) : null}
    </PageShell>
  )
}
