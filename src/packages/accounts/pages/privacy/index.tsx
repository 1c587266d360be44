import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { toast } from '@/services/api'
import { openPrivacyGuide } from '@/services/privacy'
import './index.scss'
import { ROUTES } from '@/routes'

/** Changed whenever what the app collects changes (the migrations and the privacy APIs are the source of truth). */
const UPDATED = '2026 年 11 月 29 日'
/** Set at build time by the operator (TARO_APP_PRIVACY_CONTACT), e.g. 「市文明办 0000-0000000，privacy@example.cn」. */
const CONTACT = (process.env.TARO_APP_PRIVACY_CONTACT ?? '').trim()

interface Row {
  what: string
  why: string
}

/** What the app really stores (server/db/migrations) or asks WeChat for, and why. */
const COLLECTED: Row[] = [
  { what: '手机号', why: '短信验证码登录、识别你的身份；网格员处理你的随手拍时可以联系你（对网格员只显示中间四位被隐去的号码）' },
  { what: '微信标识（openid、unionid）', why: '微信一键登录，以及向你发送你同意接收的订阅消息' },
  { what: '昵称', why: '在随手拍、现场答题排行中称呼你；注册时自动生成（短信登录为「居民」加手机号后四位，微信登录为「微信用户」）' },
  { what: '所在社区', why: '为你显示本社区的问题和活动，并计入本社区的答题与参与统计；由你选择，或按你同意提供的位置确定' },
  { what: '随手拍内容', why: '问题类别、文字描述、1–9 张照片、位置（经纬度和地址）、是否对公众匿名，以及办结后的评价；用于把问题派给所在网格处理并跟踪到销号。照片上传时即去除拍摄地点、设备等附加信息（EXIF）' },
  { what: '“+1 我也遇到了”的记录', why: '把你加入该问题的关注人，问题有进展时通知你' },
  { what: '答题记录', why: '每次作答的答案、成绩、用时、积分和错题；用于成绩页、错题本、排行以及社区知晓率统计' },
  { what: '订阅消息', why: '你在微信弹窗中同意接收的随手拍进度提醒，以及我们发出每条提醒的记录' },
  { what: '登录会话和验证码记录', why: '登录状态（有效期 30 天，退出登录立即失效）；验证码只保存不可还原的摘要，连同发送时的 IP 地址用于限制发送频率、防止滥用' },
  { what: '服务器日志', why: '每个请求的 IP 地址、时间和访问的接口，用于限流等安全防护和排查故障' },
  { what: '操作记录', why: '网格员、创文办对问题和题库的每一步处理都记入台账，便于追溯' },
]

const KEPT: Row[] = [
  { what: '账号资料（手机号、微信标识、昵称、社区）', why: '保存到你注销账号为止；注销后删除或不可逆地匿名化' },
  { what: '随手拍', why: '属于城市管理的问题台账，注销账号后问题仍保留，但不再与你关联，显示为「已注销用户」' },
  { what: '照片', why: '上传后 24 小时内未用于任何问题的照片会被自动删除；用于问题的照片随问题保存' },
  { what: '答题记录和积分', why: '保存到你注销账号为止；已经计入的统计数字不会因注销而改变' },
  { what: '服务器日志', why: '由运营方按网络安全相关规定保存，不用于其他目的' },
]

const SEEN_BY: Row[] = [
  { what: '其他居民', why: '随手拍的类别、描述、照片、地址和处理进度；你的昵称在选择「对公众匿名」时不显示。现场答题的排行显示参与者昵称' },
  { what: '网格员（社区工作人员）', why: '所负责网格内的随手拍，包括上报人昵称和隐去中间四位的手机号' },
  { what: '创文办', why: '全市的问题台账（与网格员看到的内容相同）和统计数字；统计只显示人数和比例，不显示个人' },
  { what: '微信', why: '微信登录、订阅消息的发送，以及对随手拍文字和照片的内容安全检查' },
  { what: '短信服务商', why: '你的手机号和验证码，仅用于发送登录验证码' },
]

const RIGHTS: Row[] = [
  { what: '查阅', why: '在「我的」中查看账号资料、我的随手拍和答题记录' },
  { what: '更正', why: '在「我的」中更换所在社区；其他信息有误可以联系我们更正' },
  { what: '导出', why: '在「我的」中导出你的个人数据' },
  { what: '注销', why: '在「我的」中注销账号，按上文「保存多久」处理你的信息' },
  { what: '撤回授权', why: '位置等权限可以在小程序右上角「…」→「设置」中关闭；订阅消息可以在同一处关闭' },
]

function Rows({ rows }: { rows: Row[] }) {
  return (
    <View className='privacy__rows'>
      {rows.map((r) => (
        <View key={r.what} className='privacy__row'>
          <View className='privacy__what'>{r.what}</View>
          <View className='privacy__why'>{r.why}</View>
        </View>
      ))}
    </View>
  )
}

export default function PrivacyPolicyPage() {
  const onGuide = () => openPrivacyGuide().catch(() => toast('暂时无法打开，请稍后再试'))
  return (
    <PageShell className='privacy'>
      <View className='privacy__intro'>
        <View className='privacy__title'>文明共建隐私政策</View>
        <View className='privacy__meta'>{`更新日期：${UPDATED}`}</View>
        <View className='privacy__text'>
          「文明共建」由本市创建文明城市工作机构（下称“我们”）运营。本政策说明我们收集哪些个人信息、为什么收集、保存多久、谁能看到，以及你享有的权利。只有在你使用相应功能时才会收集对应信息；我们不出售你的信息，也不用于广告。
        </View>
      </View>

      <Card title='我们收集什么、为什么'>
        <Rows rows={COLLECTED} />
        <View className='privacy__text privacy__note'>
          位置、照片和文件只在你点「当前位置」「地图选点」「拍照/相册」或导入题库时，经你同意《用户隐私保护指引》后才读取；不同意也可以使用其他功能。
        </View>
      </Card>

      <Card title='保存多久'>
        <Rows rows={KEPT} />
      </Card>

      <Card title='谁能看到'>
        <Rows rows={SEEN_BY} />
        <View className='privacy__text privacy__note'>除上述情形和法律法规要求外，我们不会向其他任何组织或个人提供你的个人信息。</View>
      </Card>

      <Card title='你的权利'>
        <Rows rows={RIGHTS} />
      </Card>

      <Card title='即将上线的功能'>
        <View className='privacy__text'>
          满意度调查（问卷）和志愿服务（实名、手机号、技能、服务时长）尚未上线。上线前我们会更新本政策，写明需要收集的信息和用途，并在你使用前告知。
        </View>
      </Card>

      <Card title='联系我们'>
        <View className='privacy__text'>
          {CONTACT
            ? `对本政策或你的个人信息有任何疑问、意见或请求，请联系：${CONTACT}。我们会在 15 个工作日内答复。`
            : '对本政策或你的个人信息有任何疑问、意见或请求，请通过《用户隐私保护指引》中登记的联系方式联系运营方，或向所在社区反映。'}
        </View>
        {process.env.TARO_ENV === 'weapp' ? (
          <View className='privacy__link' onClick={onGuide}>
            查看《用户隐私保护指引》
          </View>
        ) : null}
      </Card>

      <View className='privacy__back' onClick={() => Taro.navigateBack().catch(() => Taro.switchTab({ url: ROUTES.mine }))}>
        返回
      </View>
    </PageShell>
  )
}
