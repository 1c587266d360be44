import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Input, Radio, TextArea } from '@nutui/nutui-react-taro'
import type { ReportDetail, TransitionAction, TransitionBody } from '@contract/reports'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { getReport, handlingOptions, transition } from '@/services/reports'
import PhotoPicker from '../../components/PhotoPicker'
import type { PickedPhoto } from '../../components/photos'
import ReportHead from '../../components/ReportHead'
import Timeline from '../../components/Timeline'
import './index.scss'
import PageGate from '@/components/PageGate'

interface ActionSpec {
  label: string
  done: string
  notePlaceholder: string
  noteRequired?: boolean
  danger?: boolean
}

const ACTIONS: Record<TransitionAction, ActionSpec> = {
  release: { label: '审核通过', done: '已审核通过', notePlaceholder: '备注（选填）' },
  accept: { label: '受理', done: '已受理', notePlaceholder: '受理意见（选填）' },
  reject: { label: '不予受理', done: '已不予受理', notePlaceholder: '请填写不予受理的原因（必填）', noteRequired: true, danger: true },
  merge: { label: '合并到其他问题', done: '已合并', notePlaceholder: '备注（选填）' },
  dispatch: { label: '派遣', done: '已派遣', notePlaceholder: '派遣说明（选填）' },
  rectify: { label: '整改完成', done: '已提交整改结果', notePlaceholder: '整改情况说明（选填）' },
  close: { label: '核查销号', done: '已核查销号', notePlaceholder: '核查意见（选填）' },
  close_not_fixed: { label: '关闭（未解决）', done: '已关闭（未解决）', notePlaceholder: '请填写未能解决的原因（必填）', noteRequired: true, danger: true },
  reopen: { label: '重新打开', done: '已重新打开', notePlaceholder: '重新打开的原因（选填）' },
}

/** 处理工单: the actions the server allows now (detail.actions), each with its note and extras. */
export default function HandleReportPage() {
  const signedIn = useRequireSignIn()
  const { params } = useRouter()
  const id = params.id ?? ''
  const remote = useRemote(() => getReport(id), [id], signedIn && !!id)
  const [override, setOverride] = useState<ReportDetail>()
  const r = override ?? remote.data

  const [action, setAction] = useState<TransitionAction>()
  const [note, setNote] = useState('')
  const [target, setTarget] = useState('')
  const [department, setDepartment] = useState('')
  const [assignee, setAssignee] = useState('')
  const [photos, setPhotos] = useState<PickedPhoto[]>([])
  const [busy, setBusy] = useState(false)
  // people to dispatch to and duplicates to merge into, loaded when one of those actions is chosen
  const picking = action === 'dispatch' || action === 'merge'
  const options = useRemote(() => handlingOptions(id), [id, picking], signedIn && !!id && picking)

  const choose = (a: TransitionAction) => {
    // from the latest state: a tap that lands before the re-render after a confirm must open the form, not toggle it shut
    setAction((current) => (a === current ? undefined : a))
    setNote('')
    setTarget('')
    setAssignee('')
    setDepartment(a === 'dispatch' && r ? r.department : '')
    setPhotos([])
  }

  const onConfirm = async () => {
    if (!r || !action) return
    const spec = ACTIONS[action]
    const body: TransitionBody = { action }
    if (note.trim()) body.note = note.trim()
    if (spec.noteRequired && !body.note) return toast('请填写原因')
    if (action === 'merge') {
      const n = Number(target.replace(/^\D+/, ''))
      if (!Number.isInteger(n) || n < 1) return toast('请选择或填写要合并到的问题编号')
      body.targetReportId = n
    }
    if (action === 'dispatch') {
      if (department.trim()) body.department = department.trim()
      if (assignee) body.assigneeId = Number(assignee)
      if (!body.department && !body.assigneeId) return toast('请填写责任部门或选择处置人')
    }
    if (action === 'rectify') {
      if (photos.length === 0) return toast('请上传整改后的照片')
      if (photos.some((p) => p.status !== 'done')) return toast('照片尚未全部上传，请稍候或重试')
      body.photoIds = photos.map((p) => p.photoId!)
    }
    setBusy(true)
    try {
      const next = await transition(r.id, body)
      setOverride(next)
      setAction(undefined)
      Taro.showToast({ title: spec.done, icon: 'success' }).catch(() => undefined)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
      // someone else may have changed it: show what it is now
      setOverride(undefined)
      setAction(undefined)
      await remote.reload()
    } finally {
      setBusy(false)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />
  if (!id) return <PageShell><ErrorState error={new Error('缺少工单编号')} /></PageShell>
  if (remote.loading && !r) return <PageShell><LoadingState /></PageShell>
  if (!r) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  const spec = action ? ACTIONS[action] : undefined
  return (
    <PageShell className='rp-handle'>
      <ReportHead r={r} />

      <Card title='处理操作'>
        {r.actions.length === 0 ? (
          <View className='cl-muted'>当前状态下没有可执行的操作</View>
        ) : (
          <View className='rp-handle__actions'>
            {r.actions.map((a) => (
              <Button
                key={a}
                className='rp-handle__action'
                size='small'
                type={ACTIONS[a]?.danger ? 'danger' : 'primary'}
                fill={action === a ? 'solid' : 'outline'}
                onClick={() => choose(a)}
              >
                {ACTIONS[a]?.label ?? a}
              </Button>
            ))}
          </View>
        )}
        {action && spec ? (
          <View className='rp-handle__form'>
            <View className='rp-handle__form-title'>{spec.label}</View>
            {action === 'merge' ? (
              <View>
                {options.loading ? <View className='cl-muted'>正在查找附近的同类问题…</View> : null}
                {options.data?.mergeCandidates.length ? (
                  <Radio.Group className='rp-handle__choices' value={target} onChange={(v: string | number | boolean) => setTarget(String(v))}>
                    {options.data.mergeCandidates.map((c) => (
                      <Radio key={c.id} value={String(c.id)}>
                        {`${c.number} · ${c.stateLabel} · 相距 ${c.distanceM} 米${c.description ? ` · ${c.description}` : ''}`}
                      </Radio>
                    ))}
                  </Radio.Group>
                ) : options.data ? <View className='cl-muted'>附近 7 天内没有同类的未办结问题</View> : null}
                <Input className='rp-handle__input' type='number' value={target} placeholder='或填写要合并到的问题编号' onChange={setTarget} />
              </View>
            ) : null}
            {action === 'dispatch' ? (
              <View>
                <Input className='rp-handle__input' value={department} placeholder='责任部门' onChange={setDepartment} />
                <View className='cl-muted'>处置人（选填）</View>
                {options.loading ? <View className='cl-muted'>正在加载本区域的网格员…</View> : null}
                {options.error ? <View className='cl-muted'>处置人名单加载失败，可只填写责任部门</View> : null}
                {options.data ? (
                  <Radio.Group className='rp-handle__choices' value={assignee} onChange={(v: string | number | boolean) => setAssignee(String(v))}>
                    <Radio value=''>不指定处置人</Radio>
                    {options.data.assignees.map((a) => (
                      <Radio key={a.id} value={String(a.id)}>
                        {`${a.name} · ${a.region.name}${a.phoneMasked ? ` · ${a.phoneMasked}` : ''}`}
                      </Radio>
                    ))}
                  </Radio.Group>
                ) : null}
              </View>
            ) : null}
            {action === 'rectify' ? (
              <View className='rp-handle__photos'>
                <View className='cl-muted'>整改后照片（必传，1–9 张）</View>
                <PhotoPicker photos={photos} setPhotos={setPhotos} addText='整改照片' />
              </View>
            ) : null}
            <TextArea value={note} placeholder={spec.notePlaceholder} maxLength={500} showCount onChange={setNote} />
            <Button className='rp-handle__confirm' type={spec.danger ? 'danger' : 'primary'} block loading={busy} onClick={onConfirm}>
              {`确认${spec.label}`}
            </Button>
          </View>
        ) : null}
      </Card>

      <Card title='处理台账'>
        <Timeline events={r.timeline} />
      </Card>
    </PageShell>
  )
}
