import { useEffect, useRef, useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import { ApiError, toast } from '@/services/api'
import { CODE_PATTERN, DEMO_ACCOUNTS, PHONE_PATTERN, loginWithWechat, sendSmsCode, verifySmsCode } from '@/services/auth'
import { leaveLogin } from '@/services/session'
import './index.scss'
import { ROUTES } from '@/routes'

const IS_WEAPP = process.env.TARO_ENV === 'weapp'
const PRIVACY_PAGE = ROUTES.accounts.privacy

export default function LoginPage() {
  const { params } = useRouter()
  const [phone, setPhone] = useState('')
  const [code, setCode] = useState('')
  const [sending, setSending] = useState(false)
  const [verifying, setVerifying] = useState(false)
  const [wechatBusy, setWechatBusy] = useState(false)
  const [countdown, setCountdown] = useState(0)
  const [sentTo, setSentTo] = useState('')
  const [demoCode, setDemoCode] = useState('')
  /** Set once the server has answered with a demo code: only then are the demo accounts offered. */
  const [demoMode, setDemoMode] = useState(false)
  const timer = useRef<ReturnType<typeof setInterval>>()

  useEffect(() => () => clearInterval(timer.current), [])

  const startCountdown = (seconds: number) => {
    clearInterval(timer.current)
    setCountdown(seconds)
    timer.current = setInterval(() => {
      setCountdown((s) => {
        if (s <= 1) {
          clearInterval(timer.current)
          return 0
        }
        return s - 1
      })
    }, 1000)
  }

  const phoneValid = PHONE_PATTERN.test(phone)
  const codeValid = CODE_PATTERN.test(code)

  const onSend = async () => {
    if (!phoneValid) {
      toast('请输入正确的11位手机号')
      return
    }
    setSending(true)
    try {
      const res = await sendSmsCode(phone)
      setSentTo(phone)
      setDemoCode(res.demoCode ?? '')
      if (res.demoCode) setDemoMode(true)
      startCountdown(res.resendAfterSeconds || 60)
      if (!res.demoCode) toast('验证码已发送')
    } catch (e) {
      // ApiError is already shown by the API client (e.g. 发送太频繁)
      if (e instanceof ApiError && e.status === 429) startCountdown(60)
    } finally {
      setSending(false)
    }
  }

  const onVerify = async () => {
    if (!phoneValid) return toast('请输入正确的11位手机号')
    if (!codeValid) return toast('请输入6位验证码')
    setVerifying(true)
    try {
      const result = await verifySmsCode(phone, code)
      Taro.showToast({ title: result.isNew ? '注册成功' : '登录成功', icon: 'success' })
      leaveLogin(params.redirect)
    } catch {
      // shown by the API client
    } finally {
      setVerifying(false)
    }
  }

  const onWechat = async () => {
    setWechatBusy(true)
    try {
      const result = await loginWithWechat()
      Taro.showToast({ title: result.isNew ? '注册成功' : '登录成功', icon: 'success' })
      leaveLogin(params.redirect)
    } catch (e) {
      if (!(e instanceof ApiError)) toast(e instanceof Error && e.message ? e.message : '微信登录失败，请稍后重试')
    } finally {
      setWechatBusy(false)
    }
  }

  const pickDemo = (p: string) => {
    setPhone(p)
    setCode('')
    setDemoCode('')
  }

  return (
    <PageShell className='login'>
      <View className='login__brand'>
        <View className='login__title'>文明共建</View>
        <View className='login__subtitle'>共建文明城市，从身边做起</View>
      </View>

      <View className='login__form'>
        <View className='login__row'>
          <Input
            className='login__input'
            type='number'
            name='phone'
            maxLength={11}
            placeholder='请输入手机号'
            value={phone}
            clearable
            onChange={(v) => setPhone(v.replace(/\D/g, ''))}
          />
        </View>
        <View className='login__row login__row--code'>
          <Input
            className='login__input'
            type='number'
            name='code'
            maxLength={6}
            placeholder='6位验证码'
            value={code}
            onChange={(v) => setCode(v.replace(/\D/g, ''))}
          />
          <Button className='login__send' size='small' type='primary' fill='outline' loading={sending} disabled={sending || countdown > 0} onClick={onSend}>
            {countdown > 0 ? `${countdown}秒后重发` : sentTo ? '重新获取' : '获取验证码'}
          </Button>
        </View>

        {demoCode && sentTo === phone ? (
          <View className='login__demo-code'>
            <Text className='login__demo-label'>演示模式验证码</Text>
            <Text className='login__demo-value'>{demoCode}</Text>
            <Button size='mini' type='primary' onClick={() => setCode(demoCode)}>
              填入
            </Button>
            <View className='cl-muted login__demo-note'>当前服务器运行在演示模式，不会发送真实短信。</View>
          </View>
        ) : null}

        <Button className='login__submit' type='primary' size='large' block loading={verifying} disabled={verifying || !phoneValid || !codeValid} onClick={onVerify}>
          登录 / 注册
        </Button>

        {IS_WEAPP ? (
          <Button className='login__wechat' size='large' block fill='outline' loading={wechatBusy} disabled={wechatBusy} onClick={onWechat}>
            微信一键登录
          </Button>
        ) : null}
      </View>

      {demoMode ? (
        <View className='login__demo-accounts'>
          <View className='login__demo-accounts-title'>演示账号（演示模式下可用，点选后获取验证码）</View>
          <View className='login__chips'>
            {DEMO_ACCOUNTS.map((a) => (
              <Tag key={a.phone} className='login__chip' type={phone === a.phone ? 'primary' : 'default'} plain={phone !== a.phone} round onClick={() => pickDemo(a.phone)}>
                {`${a.label} ${a.phone}`}
              </Tag>
            ))}
          </View>
        </View>
      ) : null}

      <View className='cl-muted login__terms'>
        未注册的手机号验证后将自动创建账号。我们只用手机号识别您的身份，不会公开展示。
        <Text className='login__privacy' onClick={() => Taro.navigateTo({ url: PRIVACY_PAGE })}>
          查看《隐私政策》
        </Text>
      </View>
    </PageShell>
  )
}
