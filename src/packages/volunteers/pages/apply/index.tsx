import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup, Checkbox, Input, TextArea } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { getMe } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { apply, PAGES } from '@/services/volunteers'
import '../../styles.scss'
import { ROUTES } from '@/routes'

const SKILLS = ['交通劝导', '垃圾分类', '急救', '外语', '摄影', '文艺', '法律咨询', '心理疏导', '驾驶', '电脑']
const PLEDGE = '我自愿成为一名志愿者，遵守志愿服务相关法规和社区安排，按时到岗，文明劝导，不收取任何报酬，不以志愿服务名义从事营利活动，保护服务对象的隐私。'

/** 申请成为志愿者: real name, the account's verified phone, skills, availability, service community, the pledge. */
export default function ApplyPage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMe, [], signedIn)
  useReloadOnShow(me.reload, signedIn) // back from the community picker
  const [realName, setRealName] = useState('')
  const [skills, setSkills] = useState<string[]>([])
  const [availability, setAvailability] = useState('')
  const [pledge, setPledge] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading && !me.data) return <PageShell><LoadingState /></PageShell>
  if (me.error || !me.data) return <PageShell><ErrorState error={me.error} onRetry={me.reload} /></PageShell>
  const m = me.data

  const submit = async () => {
    setError('')
    if (!/^[\u4e00-\u9fa5·A-Za-z ]{2,20}$/.test(realName.trim())) return setError('请填写真实姓名（2–20 个字）')
    if (!m.community) return setError('请先选择服务社区')
    if (!pledge) return setError('请阅读并同意志愿者承诺')
    setSaving(true)
    try {
      await apply({ realName: realName.trim(), skills, availability: availability.trim(), communityCode: m.community.code, pledgeAgreed: true })
      toast('申请已提交，请等待社区审核')
      setTimeout(() => Taro.redirectTo({ url: PAGES.index }).catch(() => undefined), 600)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '提交失败，请稍后重试')
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageShell className='vl'>
      <CellGroup title='实名信息'>
        <Cell title='真实姓名'>
          <Input nativeProps={{ 'aria-label': '真实姓名' }} placeholder='与身份证一致' maxLength={20} value={realName} onChange={setRealName} />
        </Cell>
        <Cell title='手机号' description='使用登录时验证过的手机号' extra={m.phoneMasked ?? '未绑定（请用手机号登录）'} />
        <Cell
          title='服务社区'
          description={m.community ? m.community.path.map((p) => p.name).join(' / ') : '请选择'}
          extra={m.community ? `${m.community.name} ›` : '去选择 ›'}
          clickable
          onClick={() => Taro.navigateTo({ url: ROUTES.accounts.region })}
        />
      </CellGroup>
      <CellGroup title='特长（可多选）'>
        <View className='vl__skills'>
          <Checkbox.Group direction='horizontal' value={skills} onChange={(v: string[]) => setSkills(v)}>
            {SKILLS.map((s) => <Checkbox key={s} value={s} label={s} />)}
          </Checkbox.Group>
        </View>
      </CellGroup>
      <CellGroup title='可服务时间'>
        <TextArea nativeProps={{ 'aria-label': '可服务时间' }} placeholder='如：工作日晚上、周末全天' maxLength={200} value={availability} onChange={setAvailability} />
      </CellGroup>
      <CellGroup title='志愿者承诺'>
        <View className='vl__pledge'>{PLEDGE}</View>
        <Checkbox checked={pledge} onChange={setPledge} label='我已阅读并同意以上承诺' />
      </CellGroup>
      {error ? <View className='vl__error' role='alert'>{error}</View> : null}
      <Button type='primary' block loading={saving} disabled={saving || !m.phoneMasked} onClick={submit}>提交申请</Button>
    </PageShell>
  )
}
