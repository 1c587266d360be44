import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { ImportResult, QuestionBankItem } from '@contract/quizzes'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { exportQuestionBank, importQuestionBank, listMyCampaigns, listQuestions, listTags } from '@/services/quizzes'
import { formatDateTime } from '@/utils/time'
import QuestionEditor from '../../components/QuestionEditor'
import { DIFFICULTY_LABEL, KIND_LABEL, LETTERS, PAGES } from '../../utils/clock'
import './index.scss'
import PageGate from '@/components/PageGate'

const STATUS_TEXT = { open: '进行中', upcoming: '未开始', ended: '已结束', cancelled: '已取消' } as const

const answerText = (q: QuestionBankItem) => q.answer.map((i) => (q.kind === 'judge' ? q.options[i] : LETTERS[i])).join('')

/**
 * 组织答题 (workers): my campaigns (tap for participation and pass figures), new campaign, live quiz, and the
 * question bank — counts by tag, Excel export/import, and the questions themselves (in use or retired), each
 * opened in place to edit, retire or restore.
 */
export default function QuizAdminPage() {
  const signedIn = useRequireSignIn()
  const list = useRemote(listMyCampaigns, [], signedIn)
  const tags = useRemote(listTags, [], signedIn)
  const [busy, setBusy] = useState<'' | 'export' | 'import'>('')
  const [tag, setTag] = useState<string | undefined>(undefined)
  const [status, setStatus] = useState<'active' | 'retired'>('active')
  const questions = usePagedRemote((cursor) => listQuestions(tag, status, cursor), [tag, status], signedIn)
  // edits made here, shown at once without reloading the pages already loaded
  const [changed, setChanged] = useState<Record<number, QuestionBankItem>>({})
  const [openId, setOpenId] = useState<number | null>(null)
  // the last import's duplicates, row by row, until the next import
  const [lastImport, setLastImport] = useState<ImportResult | null>(null)
  useReloadOnShow(list.reload, signedIn)
  usePullDownRefresh(async () => {
    setChanged({})
    await Promise.all([list.reload(), tags.reload(), questions.reload()])
    Taro.stopPullDownRefresh()
  })

  const filter = (next: { tag?: string; status?: 'active' | 'retired' }) => {
    setChanged({})
    setOpenId(null)
    if ('tag' in next) setTag(next.tag)
    if (next.status) setStatus(next.status)
  }
  const onQuestionChanged = (q: QuestionBankItem) => {
    setChanged((c) => ({ ...c, [q.id]: q }))
    setOpenId(null)
    void tags.reload()
  }
  const shown = (questions.items ?? [])
    .map((q) => changed[q.id] ?? q)
    // retired or restored here: it has left this list
    .filter((q) => q.active === (status === 'active'))

  const onExport = async () => {
    setBusy('export')
    try {
      await exportQuestionBank()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '导出失败，请稍后重试')
    } finally {
      setBusy('')
    }
  }
  const onImport = async () => {
    setBusy('import')
    try {
      const res = await importQuestionBank()
      if (res) {
        setLastImport(res)
        if (res.skipped.length) {
          await Taro.showModal({
            title: '导入完成',
            content: `新增 ${res.imported} 道题；${res.skipped.length} 道题库中已有或文件中重复，已跳过（行号见页面“上次导入”）。`,
            showCancel: false,
          })
        } else {
          toast(`已导入 ${res.imported} 道题`)
        }
        void tags.reload()
        if (res.imported) void questions.reload()
      }
    } catch (e) {
      const msg = e instanceof ApiError ? e.message : '导入失败'
      await Taro.showModal({ title: '导入失败，题库未改动', content: msg, showCancel: false })
    } finally {
      setBusy('')
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />
  return (
    <PageShell className='qz-admin'>
      <View style={{ display: 'flex', gap: '12px' }}>
        <Button type='primary' style={{ flex: 1 }} onClick={() => Taro.navigateTo({ url: PAGES.create })}>
          新建答题活动
        </Button>
        <Button type='primary' fill='outline' style={{ flex: 1 }} onClick={() => Taro.navigateTo({ url: PAGES.liveHost })}>
          发起现场答题
        </Button>
      </View>

      <View className='cl-section-title'>我的答题活动</View>
      {list.loading ? (
        <LoadingState />
      ) : list.error || !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title='还没有答题活动' description='新建一个答题活动，社区居民就能在“答题”里参与。' />
      ) : (
        <CellGroup>
          {list.data.items.map((c) => (
            <Cell
              key={c.id}
              title={
                <View style={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: '8px' }}>
                  <View>{c.title}</View>
                  <Tag type={c.status === 'open' ? 'success' : 'default'}>{STATUS_TEXT[c.status]}</Tag>
                </View>
              }
              description={`${c.regionName} · ${formatDateTime(c.startsAt, 'M月D日')}–${formatDateTime(c.endsAt, 'M月D日')} · ${c.questionCount} 题 · ${c.passScore} 分及格`}
              extra='参与情况 ›'
              clickable
              onClick={() => Taro.navigateTo({ url: `${PAGES.stats}?id=${c.id}&title=${encodeURIComponent(c.title)}` })}
            />
          ))}
        </CellGroup>
      )}

      <View className='cl-section-title'>题库</View>
      <CellGroup>
        {tags.data?.items.map((t) => (
          <Cell
            key={t.tag}
            className={tag === t.tag ? 'qz-admin__tag--on' : ''}
            title={t.tag}
            description={`易 ${t.byDifficulty['1'] ?? 0} · 中 ${t.byDifficulty['2'] ?? 0} · 难 ${t.byDifficulty['3'] ?? 0}`}
            extra={`${t.total} 题 ›`}
            clickable
            onClick={() => filter({ tag: tag === t.tag ? undefined : t.tag })}
          />
        ))}
        {tags.error ? <Cell title='题库加载失败' description={tags.error.message} extra='重试' clickable onClick={tags.reload} /> : null}
        <Cell title='导出题库（Excel）' description={process.env.TARO_ENV === 'h5' ? '下载 .xlsx 文件' : '下载后用手机打开，可转发到电脑'} extra={busy === 'export' ? '导出中…' : '导出'} clickable onClick={onExport} />
        <Cell
          title='导入题目（Excel）'
          description={`${process.env.TARO_ENV === 'h5' ? '选择 .xlsx 文件' : '从微信聊天中选择 .xlsx 文件'}；任何一行有错则整批不导入；题库中已有的题跳过`}
          extra={busy === 'import' ? '导入中…' : '导入'}
          clickable
          onClick={onImport}
        />
      </CellGroup>
      {lastImport && lastImport.skipped.length ? (
        <View className='qz-admin__skipped'>
          <View className='cl-section-title'>上次导入：新增 {lastImport.imported} 道，跳过重复 {lastImport.skipped.length} 道</View>
          <CellGroup>
            {lastImport.skipped.map((s) => (
              <Cell key={s.row} title={`第 ${s.row} 行`} description={s.message.replace(/^第 \d+ 行：/, '')} />
            ))}
          </CellGroup>
        </View>
      ) : null}

      <View className='cl-section-title'>题目{tag ? `：${tag}` : ''}</View>
      <View className='qz-admin__filters'>
        <Button size='small' type={status === 'active' ? 'primary' : 'default'} onClick={() => filter({ status: 'active' })}>在用的题</Button>
        <Button size='small' type={status === 'retired' ? 'primary' : 'default'} onClick={() => filter({ status: 'retired' })}>已停用的题</Button>
        {tag ? <Button size='small' fill='none' onClick={() => filter({ tag: undefined })}>全部标签</Button> : null}
      </View>
      {questions.loading ? (
        <LoadingState />
      ) : questions.error || !questions.data ? (
        <ErrorState error={questions.error} onRetry={questions.reload} />
      ) : shown.length === 0 ? (
        <EmptyState title={status === 'active' ? '没有题目' : '没有停用的题'} description={status === 'active' ? '导入题目后在这里查看和修改。' : '停用的题不会再被抽到，可在这里恢复。'} />
      ) : (
        <View className='qz-admin__questions'>
          {shown.map((q) => (
            <View key={q.id}>
              <Cell
                title={q.stem}
                description={`${KIND_LABEL[q.kind]} · ${DIFFICULTY_LABEL[q.difficulty]} · 答案 ${answerText(q)} · ${q.tags.join('、')}${q.regionCode === null ? ' · 市级题库' : ''}`}
                extra={openId === q.id ? '收起' : q.editable ? '修改 ›' : '查看 ›'}
                clickable
                onClick={() => setOpenId(openId === q.id ? null : q.id)}
              />
              {openId === q.id ? <QuestionEditor key={q.id} question={q} onChanged={onQuestionChanged} onClose={() => setOpenId(null)} /> : null}
            </View>
          ))}
          {questions.hasMore ? (
            <Button block fill='none' loading={questions.loadingMore} onClick={questions.loadMore}>加载更多</Button>
          ) : (
            <View className='cl-muted qz-admin__end'>没有更多了</View>
          )}
        </View>
      )}
    </PageShell>
  )
}
