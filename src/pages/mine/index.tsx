import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup, Switch, Tag } from '@nutui/nutui-react-taro'
import type { Me } from '@contract/accounts'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useElderMode } from '@/hooks/useElderMode'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { getMe, updateMe } from '@/services/accounts'
import { logout } from '@/services/auth'
import { setElderMode } from '@/services/elder'
import { chooseCommunityByLocation } from '@/services/location'
import { getTokenExpiresAt, goToLogin } from '@/services/session'
import { formatDateTime } from '@/utils/time'
import { roleLabel } from '@/utils/format'
import './index.scss'
import PageGate from '@/components/PageGate'
import { ROUTES } from '@/routes'

const REGION_PICKER = ROUTES.accounts.region

export default function MinePage() {
  const signedIn = useRequireSignIn()
  const remote = useRemote(getMe, [], signedIn)
  const [override, setOverride] = useState<Me>()
  const elder = useElderMode()
  const [savingElder, setSavingElder] = useState(false)
  // coming back from the region picker: show the new community
  useReloadOnShow(() => {
    setOverride(undefined)
    return remote.reload()
  }, signedIn)

  const me = override ?? remote.data

  const onElder = async (on: boolean) => {
    setElderMode(on) // applies at once, and persists for the next start
    setSavingElder(true)
    try {
      setOverride(await updateMe({ elderMode: on }))
    } catch {
      // kept on this phone; the error was shown
    } finally {
      setSavingElder(false)
    }
  }

  const onLocate = async () => {
    const updated = await chooseCommunityByLocation()
    if (updated) setOverride(updated)
  }

  const onLogout = async () => {
    const { confirm } = await Taro.showModal({ title: '退出登录', content: '确定要退出当前账号吗？', confirmText: '退出', cancelText: '取消' })
    if (!confirm) return
    await logout()
    goToLogin('/pages/mine/index')
  }

  if (!signedIn) return <PageGate signedIn={false} />
  if (remote.loading && !me) return <PageShell><LoadingState /></PageShell>
  if (!me) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  const expiresAt = getTokenExpiresAt()
  return (
    <PageShell className='mine'>
      <Card className='mine__profile'>
        <View className='mine__avatar'>{me.nickname.slice(0, 1)}</View>
        <View className='mine__who'>
          <View className='mine__nickname'>{me.nickname}</View>
          <View className='mine__phone'>{me.phoneMasked ?? (me.hasWechat ? '微信登录用户' : '未绑定手机号')}</View>
          <View className='mine__roles'>
            {me.roles.length === 0 ? <Tag type='default' plain>居民</Tag> : null}
            {me.roles.map((r) => (
              <Tag key={`${r.role}-${r.regionCode ?? ''}`} className='mine__role' type={r.role === 'resident' ? 'default' : r.role === 'volunteer' ? 'success' : 'primary'} plain={r.role === 'resident'}>
                {roleLabel(r)}
              </Tag>
            ))}
          </View>
        </View>
      </Card>

      <CellGroup title='我的社区'>
        <Cell
          className='mine__community'
          title={me.community ? me.community.name : '未选择社区'}
          description={me.community ? me.community.path.map((p) => p.name).join(' / ') : '选择社区后可参与社区活动、查看社区动态'}
          extra={me.community ? '更换' : '去选择'}
          clickable
          onClick={() => Taro.navigateTo({ url: REGION_PICKER })}
        />
        <Cell title='使用我的位置' description='按当前位置自动确定所在社区' extra='定位' clickable onClick={onLocate} />
        <Cell title='问卷' description='社区问卷、满意度调查（已填写的有标记）' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.surveys.index })} />
      </CellGroup>

      <CellGroup title='志愿服务'>
        <Cell className='mine__volunteer' title='我的志愿' description='报名的班次、服务记录、时长与星级' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.volunteers.mine })} />
      </CellGroup>

      {me.roles.some((r) => r.role === 'worker' || r.role === 'office') ? (
        <CellGroup title='工作'>
          <Cell className='mine__rates' title='比率看板' description='知晓率、支持率、满意率、参与率：地图、排名、趋势与导出' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.rates.dashboard })} />
          <Cell className='mine__surveys' title='问卷管理' description='新建、发布问卷，查看结果与导出' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.surveys.admin })} />
          <Cell title='组织答题' description='答题活动、题库、现场答题' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.quizzes.admin })} />
          <Cell className='mine__work' title='随手拍工单' description='受理、派遣、整改、销号' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.reports.work })} />
          <Cell className='mine__volunteers-admin' title='志愿者管理' description='审核申请、发布活动、签到码与名单' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.volunteers.admin })} />
          <Cell className='mine__moderation' title='内容审核' description='居民举报的随手拍' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.reports.moderation })} />
          <Cell className='mine__bulletin' title='创文每日通报' description='昨日各项比率、排名、超期与参与；可订阅消息' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.rates.bulletin })} />
        </CellGroup>
      ) : null}

      <CellGroup title='设置'>
        <Cell
          className='mine__elder'
          title='长辈模式'
          description='字号更大，更易阅读'
          extra={<Switch ariaLabel='长辈模式' checked={elder} loading={savingElder} disabled={savingElder} onChange={onElder} />}
        />
        <Cell className='mine__privacy' title='隐私政策' description='收集哪些信息、保存多久、谁能看到' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.accounts.privacy })} />
      </CellGroup>

      <CellGroup title='个人信息'>
        <Cell className='mine__export' title='导出我的数据' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.accounts.export })} />
        <Cell className='mine__erase' title='注销账号' extra='›' clickable onClick={() => Taro.navigateTo({ url: ROUTES.accounts.erase })} />
      </CellGroup>

      {expiresAt ? <View className='cl-muted mine__expires'>登录有效期至 {formatDateTime(expiresAt)}</View> : null}

      <Button className='mine__logout' block type='default' onClick={onLogout}>
        退出登录
      </Button>
    </PageShell>
  )
}
