import { useState } from 'react'
import { View } from '@tarojs/components'
import { Button, Cell, CellGroup } from '@nutui/nutui-react-taro'
import type { PersonalDataExport } from '@contract/privacy'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { exportFileName, exportMyData, saveExport } from '@/services/personal-data'
import { formatDateTime } from '@/utils/time'
import './index.scss'
import PageGate from '@/components/PageGate'

const len = (v: unknown) => (Array.isArray(v) ? v.length : 0)

/** What the export holds, in words a person checks at a glance before saving the file. */
function summary(x: PersonalDataExport): Array<[string, string]> {
  const s = x.sections as Record<string, Record<string, unknown>>
  return [
    ['账号资料与角色', `${len(s.account?.roles)} 个角色，${len(s.account?.sessions)} 次登录`],
    ['随手拍', `${len(s.reports?.reports)} 条上报，${len(s.reports?.photos)} 张照片，${len(s.reports?.meTooOnOthers)} 次“我也遇到了”`],
    ['答题', `${len(s.quizzes?.attempts)} 次答题，${len(s.quizzes?.liveQuizzes)} 场现场答题`],
    ['举报', `${len(s.moderation?.flagsMade)} 次举报`],
  ]
}

/** 导出我的数据: everything the server links to the person, as one JSON file (H5: a download; weapp: sent to a chat). */
export default function ExportPage() {
  const signedIn = useRequireSignIn()
  const [data, setData] = useState<PersonalDataExport>()
  const [busy, setBusy] = useState(false)

  const onExport = async () => {
    setBusy(true)
    try {
      const x = data ?? (await exportMyData())
      setData(x)
      const how = await saveExport(x)
      toast(how === 'downloaded' ? '已开始下载' : '已发送')
    } catch (e) {
      // cancelling WeChat's share sheet is not an error worth a word
      if (e instanceof ApiError) toast(e.message)
      else if (!/cancel/i.test(String((e as { errMsg?: string })?.errMsg ?? ''))) toast('导出失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />
  return (
    <PageShell className='ac-export'>
      <Card title='导出我的数据'>
        <View className='ac-export__text'>
          按《个人信息保护法》，您可以获取我们保存的与您有关的全部个人信息：账号资料、角色、登录记录、随手拍及其处理记录、照片、答题记录与积分、举报记录等，导出为一个 JSON 文件。
        </View>
        <View className='ac-export__note'>
          {process.env.TARO_ENV === 'h5' ? '文件将下载到本设备。' : '文件将通过微信发送，可发给“文件传输助手”后在电脑上打开。'}
        </View>
        <Button className='ac-export__btn' type='primary' block loading={busy} onClick={onExport}>
          {process.env.TARO_ENV === 'h5' ? '导出并下载' : '导出并发送到聊天'}
        </Button>
      </Card>
      {data ? (
        <CellGroup title={`已导出 · ${formatDateTime(data.exportedAt)}`}>
          {summary(data).map(([k, v]) => <Cell key={k} title={k} description={v} />)}
          <Cell title='文件名' description={exportFileName(data.exportedAt)} />
        </CellGroup>
      ) : null}
    </PageShell>
  )
}
