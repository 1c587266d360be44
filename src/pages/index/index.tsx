import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Cell, CellGroup } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote, type Remote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { getHome } from '@/services/accounts'
import type { HomeOverview } from '@contract/home'
import { formatCount } from '@/utils/format'
import './index.scss'
import { ROUTES } from '@/routes'
import PageGate, { ready } from '@/components/PageGate'

const REGION_PICKER = ROUTES.accounts.region
const QUIZ_HOME = ROUTES.quizzes.home
const SURVEYS = ROUTES.surveys.index
const SURVEY_ANSWER = ROUTES.surveys.answer
const VOLUNTEERS_HOME = ROUTES.volunteers.index
const VOLUNTEER_ACTIVITY = ROUTES.volunteers.activity

/** The community card, or in its place (its height kept) the loading or the error with a retry. */
function CommunityCard({ home }: { home: Remote<HomeOverview> }) {
  if (!ready(home)) {
    return <Card className='home__pending'>{home.loading ? <LoadingState /> : <ErrorState error={home.error} onRetry={home.reload} />}</Card>
  }
  const { community } = home.data
  if (!community) {
    return (
      <Card className='home__no-community'>
        <EmptyState
          title='还没有选择您所在的社区'
          description='选择社区后，这里会显示社区的情况和身边的文明创建活动。'
          actionText='选择我的社区'
          onAction={() => Taro.navigateTo({ url: REGION_PICKER })}
        />
      </Card>
    )
  }
  return (
    <Card className='home__community'>
      <View className='home__path'>{community.path.map((p) => p.name).join(' / ')}</View>
      <View className='home__name'>{community.name}</View>
      <View className='home__stats'>
        <View className='home__stat'>
          <View className='home__stat-value'>{formatCount(community.population)}</View>
          <View className='home__stat-label'>常住人口</View>
        </View>
        <View className='home__stat'>
          <View className='home__stat-value'>{formatCount(community.registeredResidents)}</View>
          <View className='home__stat-label'>已注册居民</View>
        </View>
        <View className='home__stat'>
          <View className='home__stat-value'>{formatCount(community.workers)}</View>
          <View className='home__stat-label'>社区工作者</View>
        </View>
      </View>
      <View className='home__change' onClick={() => Taro.navigateTo({ url: REGION_PICKER })}>
        更换社区 ›
      </View>
    </Card>
  )
}

/** What the community publishes: activities, surveys, reports handled. */
function Sections({ home: { community, sections } }: { home: HomeOverview }) {
  if (sections.length === 0) {
    return community ? <EmptyState title='社区暂无动态' description='社区发布的活动、问卷和随手拍处理情况会显示在这里。' /> : null
  }
  return (
    <>
      {sections.map((s) => (
        <CellGroup key={s.key} title={s.title} className='home__section'>
          {s.items.length === 0 ? (
            <Cell title='暂无内容' />
          ) : (
            s.items.map((item) =>
              s.key === 'surveys' ? (
                <Cell key={item.id} title={item.title} description={item.subtitle} extra='去填写 ›' clickable onClick={() => Taro.navigateTo({ url: `${SURVEY_ANSWER}?id=${item.id}` })} />
              ) : s.key === 'volunteers' ? (
                <Cell key={item.id} title={item.title} description={item.subtitle} extra='去报名 ›' clickable onClick={() => Taro.navigateTo({ url: `${VOLUNTEER_ACTIVITY}?id=${item.id}` })} />
              ) : (
                <Cell key={item.id} title={item.title} description={item.subtitle} />
              ),
            )
          )}
        </CellGroup>
      ))}
    </>
  )
}

/**
 * 首页. The entries to 答题 / 问卷 / 志愿服务 need no data: they are drawn at once, with the community card loading
 * in its place, rather than after GET /home — on a slow phone that round trip is what the first screen waited for.
 */
export default function HomePage() {
  const signedIn = useRequireSignIn()
  const home = useRemote(getHome, [], signedIn)
  useReloadOnShow(home.reload, signedIn)

  usePullDownRefresh(async () => {
    await home.reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageGate signedIn={false} />

  return (
    <PageShell className='home'>
      <CommunityCard home={home} />

      <CellGroup className='home__quiz'>
        <Cell
          title='答题'
          description='文明知识答题活动、每日一练、错题本'
          extra='去答题 ›'
          clickable
          onClick={() => Taro.navigateTo({ url: QUIZ_HOME })}
        />
        <Cell title='问卷' description='社区问卷、满意度调查' extra='去填写 ›' clickable onClick={() => Taro.navigateTo({ url: SURVEYS })} />
        <Cell
          className='home__volunteers'
          title='志愿服务'
          description='文明交通劝导、垃圾分类督导等活动报名，签到签退，累计时长'
          extra='去报名 ›'
          clickable
          onClick={() => Taro.navigateTo({ url: VOLUNTEERS_HOME })}
        />
      </CellGroup>

      {ready(home) ? <Sections home={home.data} /> : null}
      {home.refreshing ? <View className='cl-muted home__refreshing'>正在刷新…</View> : null}
    </PageShell>
  )
}
