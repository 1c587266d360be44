import { useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Input } from '@nutui/nutui-react-taro'
import { ERASURE_PHRASE } from '@contract/privacy-constants'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getMe } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { eraseAccount, sendErasureCode } from '@/services/personal-data'
import './index.scss'
import { ROUTES } from '@/routes'
import PageGate, { ready } from '@/components/PageGate'

const DELETED = [
  '手机号、微信身份标识（openid / unionid）、昵称、所在社区',
  '全部登录状态（所有设备立即退出）',
  '验证码记录及请求时的 IP 地址',
  '发给您的订阅消息、尚未使用的照片草稿',
  '您举报时写的补充说明，现场答题排行榜上的昵称',
]
const KEPT = [
  '您上报的随手拍、现场照片和处理记录：属于城市问题台账，按规定保存，显示为「已注销用户」',
  '答题记录和积分、“我也遇到了”、评价：已计入的统计数字不变，但不再与任何人关联',
]

/**
 * 注销账号. A fresh SMS code to the account's phone, plus the typed phrase: the code proves the phone's holder asks
 * (not whoever picks up an unlocked phone), the phrase that they mean it. A WeChat-only account has no phone to
 * send to, so the phrase alone confirms it.
 */
export default function ErasePage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMe, [], signedIn)
  const [code, setCode] = useState('')
  const [phrase, setPhrase] = useState('')
  const [wait, setWait] = useState(0)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (wait <= 0) return
    const t = setTimeout(() => setWait(wait - 1), 1000)
    return () => clearTimeout(t)
  }, [wait])

  const onSend = async () => {
    try {
      const sent = await sendErasureCode()
      setWait(sent.resendAfterSeconds)
      toast(sent.demoCode ? `演示验证码：${sent.demoCode}` : '验证码已发送')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '发送失败，请稍后重试')
    }
  }

  const needsCode = Boolean(me.data?.phoneMasked)
  const onErase = async () => {
    if (needsCode && !/^\d{6}$/.test(code)) return toast('请输入 6 位验证码')
    if (phrase.trim() !== ERASURE_PHRASE) return toast(`请输入「${ERASURE_PHRASE}」`)
    const { confirm } = await Taro.showModal({ title: '最后确认', content: '注销后无法恢复，确定注销吗？', confirmText: '注销', cancelText: '再想想' })
    if (!confirm) return
    setBusy(true)
    try {
      await eraseAccount(needsCode ? { confirm: phrase.trim(), code } : { confirm: phrase.trim() })
      await Taro.showModal({ title: '账号已注销', content: '您的个人信息已删除。感谢您参与文明城市共建。', showCancel: false, confirmText: '好的' })
      Taro.reLaunch({ url: ROUTES.home })
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '注销失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }

  if (!signedIn || !ready(me)) return <PageGate signedIn={signedIn} remote={me} />

  return (
    <PageShell className='ac-erase'>
      <Card title='注销后将删除'>
        {DELETED.map((t) => <View key={t} className='ac-erase__item'>{`· ${t}`}</View>)}
      </Card>
      <Card title='注销后仍将保留'>
        {KEPT.map((t) => <View key={t} className='ac-erase__item'>{`· ${t}`}</View>)}
      </Card>
      <Button className='ac-erase__export' type='default' block onClick={() => Taro.navigateTo({ url: ROUTES.accounts.export })}>
        注销前先导出我的数据
      </Button>

      <Card title='确认注销'>
        <View className='ac-erase__warn'>注销不可恢复：同一手机号再次登录将是一个全新的账号，看不到以前的记录。</View>
        {needsCode ? (
          <View className='ac-erase__row'>
            <Input className='ac-erase__input' type='number' maxLength={6} value={code} placeholder={`发送到 ${me.data.phoneMasked} 的验证码`} onChange={setCode} />
            <Button size='small' type='default' disabled={wait > 0} onClick={onSend}>
              {wait > 0 ? `${wait} 秒后重发` : '获取验证码'}
            </Button>
          </View>
        ) : null}
        <Input className='ac-erase__input ac-erase__phrase' value={phrase} placeholder={`请输入「${ERASURE_PHRASE}」`} maxLength={10} onChange={setPhrase} />
        <Button className='ac-erase__submit' type='primary' block loading={busy} onClick={onErase}>
          注销账号
        </Button>
      </Card>
    </PageShell>
  )
}
