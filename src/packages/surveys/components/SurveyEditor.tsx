import { useState } from 'react'
import { Picker, View } from '@tarojs/components'
import { Button, Checkbox, Input, Radio, Switch, Tag, TextArea } from '@nutui/nutui-react-taro'
import type { Figure, ShowWhen, SurveyDefinition, SurveyQuestion, SurveySection } from '@contract/surveys'
import NumberInput from '@/components/NumberInput'
import {
  FIGURE_LABELS, FIGURES, TYPE_LABELS, TYPES, allQuestions, blankQuestion, domainOf, freshKey, optionsFromLines, retype, rowsFromLines,
} from '../staff'
import './SurveyEditor.scss'

interface Props {
  value: SurveyDefinition
  onChange: (def: SurveyDefinition) => void
  /** answered already: only wording may change (the server refuses the rest) */
  wordingOnly?: boolean
}

/**
 * The question editor: groups (sections) of questions; each question opens in place to set its type, words, options
 * (a line each), required, display conditions on earlier questions (all or any), and the figure it feeds with the answers that
 * count as favourable. Option values stay with their line, so wording edits keep the stored answers' meaning.
 */
export default function SurveyEditor({ value, onChange, wordingOnly = false }: Props) {
  // a question still without words (a blank survey's first) opens ready to write
  const [open, setOpen] = useState<string | null>(() => allQuestions(value).find((q) => !q.title)?.key ?? null)
  const keys = () => allQuestions(value).map((q) => q.key)
  const setSection = (si: number, s: SurveySection) => onChange({ sections: value.sections.map((x, i) => (i === si ? s : x)) })
  const setQuestion = (si: number, qi: number, q: SurveyQuestion) =>
    setSection(si, { ...value.sections[si], questions: value.sections[si].questions.map((x, i) => (i === qi ? q : x)) })
  const move = (si: number, qi: number, by: number) => {
    const qs = [...value.sections[si].questions]
    const [q] = qs.splice(qi, 1)
    qs.splice(Math.max(0, Math.min(qs.length, qi + by)), 0, q)
    setSection(si, { ...value.sections[si], questions: qs })
  }
  const remove = (si: number, qi: number) => {
    const gone = value.sections[si].questions[qi].key
    // conditions on the removed question would point at nothing
    const clean = (w: SurveyQuestion['showWhen']) => w?.filter((c) => c.question !== gone)
    onChange({
      sections: value.sections.map((s, i) => ({
        ...s,
        questions: (i === si ? s.questions.filter((_, j) => j !== qi) : s.questions).map((q) => {
          return withConditions(q, clean(q.showWhen) ?? [], q.showMatch)
        }),
      })),
    })
  }
  const addQuestion = (si: number) => {
    const key = freshKey('q', keys())
    setSection(si, { ...value.sections[si], questions: [...value.sections[si].questions, blankQuestion(key, 'single')] })
    setOpen(key)
  }
  const addSection = () => {
    const key = freshKey('s', value.sections.map((s) => s.key))
    const q = freshKey('q', keys())
    onChange({ sections: [...value.sections, { key, title: `第 ${value.sections.length + 1} 部分`, questions: [blankQuestion(q, 'single')] }] })
    setOpen(q)
  }

  let number = 0
  return (
    <View className='sv-editor'>
      {value.sections.map((s, si) => (
        <View key={s.key} className='sv-editor__section'>
          <View className='sv-editor__row'>
            <View className='sv-editor__label'>分组标题</View>
            <Input className='sv-editor__input' nativeProps={{ 'aria-label': `第 ${si + 1} 组标题` }} value={s.title} maxLength={100} onChange={(v) => setSection(si, { ...s, title: v })} />
          </View>
          {s.questions.map((q, qi) => {
            number++
            const earlier = allQuestions({ sections: value.sections.slice(0, si + 1) }).slice(0, number - 1).filter((x) => x.type !== 'matrix' && domainOf(x).length > 0)
            return (
              <QuestionEditor
                key={q.key}
                no={number}
                question={q}
                earlier={earlier}
                open={open === q.key}
                wordingOnly={wordingOnly}
                onToggle={() => setOpen(open === q.key ? null : q.key)}
                onChange={(next) => setQuestion(si, qi, next)}
                onMove={(by) => move(si, qi, by)}
                onRemove={() => remove(si, qi)}
              />
            )
          })}
          {!wordingOnly ? <Button size='small' fill='outline' className='sv-editor__add' onClick={() => addQuestion(si)}>在本组添加题目</Button> : null}
        </View>
      ))}
      {!wordingOnly ? <Button block fill='dashed' onClick={addSection}>添加分组</Button> : null}
    </View>
  )
}

const MAX_CLAUSES = 5

/** The question with these clauses (none: always shown); the match is kept only where it means something. */
function withConditions(q: SurveyQuestion, when: ShowWhen, match: SurveyQuestion['showMatch']): SurveyQuestion {
  const { showWhen: _w, showMatch: _m, ...rest } = q
  if (when.length === 0) return rest
  return { ...rest, showWhen: when, ...(match === 'any' && when.length > 1 ? { showMatch: 'any' as const } : {}) }
}

/**
 * The display condition: clauses on earlier questions ("当「…」的回答为 …"), all of which must hold, or — chosen once
 * there are two — any one of them. The server evaluates the same (conditions.ts).
 */
function ConditionEditor({ no, q, earlier, onChange }: { no: number; q: SurveyQuestion; earlier: SurveyQuestion[]; onChange: (q: SurveyQuestion) => void }) {
  const when = q.showWhen ?? []
  const set = (next: ShowWhen, match = q.showMatch) => onChange(withConditions(q, next, match))
  const unused = earlier.filter((x) => !when.some((c) => c.question === x.key))
  return (
    <View className='sv-editor__cond'>
      <View className='sv-editor__row'>
        <View className='sv-editor__label'>显示条件</View>
        <View className='sv-editor__cond-sum'>{when.length === 0 ? '无条件（总是显示）' : when.length === 1 ? '满足下面的条件时显示' : q.showMatch === 'any' ? '满足任一条件时显示' : '同时满足全部条件时显示'}</View>
      </View>
      {when.length > 1 ? (
        <Radio.Group className='sv-editor__match' direction='horizontal' value={q.showMatch ?? 'all'} onChange={(v) => set(when, v as 'all' | 'any')}>
          <Radio value='all'>全部满足</Radio>
          <Radio value='any'>任一满足</Radio>
        </Radio.Group>
      ) : null}
      {when.map((c, ci) => {
        const ref = earlier.find((x) => x.key === c.question)
        const choices = earlier.filter((x) => x.key === c.question || !when.some((o) => o.question === x.key))
        return (
          <View key={`${c.question}-${ci}`} className='sv-editor__clause'>
            <Picker
              mode='selector'
              range={choices.map((x) => x.title.slice(0, 24) || x.key)}
              value={Math.max(0, choices.findIndex((x) => x.key === c.question))}
              onChange={(e) => set(when.map((o, i) => (i === ci ? { question: choices[Number(e.detail.value)].key, anyOf: [] } : o)))}
            >
              <View className='sv-editor__row sv-editor__pick'>
                <View className='sv-editor__label'>条件 {ci + 1}</View>
                <View>当「{ref ? ref.title.slice(0, 16) : c.question}」的回答为 ›</View>
              </View>
            </Picker>
            <Checkbox.Group
              className='sv-editor__checks'
              value={c.anyOf}
              onChange={(v: string[]) => set(when.map((o, i) => (i === ci ? { ...o, anyOf: v } : o)))}
            >
              {(ref ? domainOf(ref) : []).map((d) => <Checkbox key={d.value} value={d.value} label={d.label} />)}
            </Checkbox.Group>
            <Button size='small' fill='none' className='sv-editor__unclause' onClick={() => set(when.filter((_, i) => i !== ci))} ariaLabel={`删除第 ${no} 题的条件 ${ci + 1}`}>
              删除条件 {ci + 1}
            </Button>
          </View>
        )
      })}
      {unused.length > 0 && when.length < MAX_CLAUSES ? (
        <Button size='small' fill='outline' className='sv-editor__add' onClick={() => set([...when, { question: unused[unused.length - 1].key, anyOf: [] }])}>
          {when.length === 0 ? '添加显示条件' : '再添加一个条件'}
        </Button>
      ) : null}
    </View>
  )
}

interface QuestionProps {
  no: number
  question: SurveyQuestion
  earlier: SurveyQuestion[]
  open: boolean
  wordingOnly: boolean
  onToggle: () => void
  onChange: (q: SurveyQuestion) => void
  onMove: (by: number) => void
  onRemove: () => void
}

function QuestionEditor({ no, question: q, earlier, open, wordingOnly, onToggle, onChange, onMove, onRemove }: QuestionProps) {
  const domain = domainOf(q)
  const figureChoices = ['不计入比率', ...FIGURES.map((f) => `计入${FIGURE_LABELS[f]}`)]
  const setFigure = (f: Figure | null) => {
    const { figure: _f, favourable: _v, ...rest } = q
    onChange(f ? { ...rest, figure: f, favourable: [] } : rest)
  }
  return (
    <View className={`sv-editor__q ${open ? 'sv-editor__q--open' : ''}`}>
      <View className='sv-editor__qhead' onClick={onToggle} role='button' aria-expanded={open} aria-label={`第 ${no} 题：${q.title || '未填写'}，${open ? '收起' : '展开编辑'}`}>
        <View className='sv-editor__qtitle'>{no}. {q.title || '（未填写题干）'}</View>
        <View className='sv-editor__tags'>
          <Tag type='primary' plain>{TYPE_LABELS[q.type]}</Tag>
          {q.required ? <Tag plain>必答</Tag> : null}
          {q.showWhen?.length ? <Tag type='warning' plain>{q.showWhen.length > 1 ? `${q.showWhen.length} 个条件${q.showMatch === 'any' ? '（任一）' : ''}` : '有条件'}</Tag> : null}
          {q.figure ? <Tag type='success' plain>{FIGURE_LABELS[q.figure]}</Tag> : null}
        </View>
      </View>
      {open ? (
        <View className='sv-editor__body'>
          {!wordingOnly ? (
            <Picker mode='selector' range={TYPES.map((t) => TYPE_LABELS[t])} value={TYPES.indexOf(q.type)} onChange={(e) => onChange(retype(q, TYPES[Number(e.detail.value)]))}>
              <View className='sv-editor__row sv-editor__pick'><View className='sv-editor__label'>题型</View><View>{TYPE_LABELS[q.type]} ›</View></View>
            </Picker>
          ) : null}
          <View className='sv-editor__row'>
            <View className='sv-editor__label'>题干</View>
            <TextArea className='sv-editor__input' nativeProps={{ 'aria-label': `第 ${no} 题题干` }} placeholder='请输入题干' value={q.title} maxLength={300} autoSize onChange={(v) => onChange({ ...q, title: v })} />
          </View>
          {!wordingOnly ? (
            <View className='sv-editor__row'>
              <View className='sv-editor__label'>必答</View>
              <Switch ariaLabel={`第 ${no} 题必答`} checked={q.required} onChange={(v) => onChange({ ...q, required: v })} />
            </View>
          ) : null}
          {q.options ? (
            <View className='sv-editor__row'>
              <View className='sv-editor__label'>选项</View>
              <TextArea
                className='sv-editor__input'
                nativeProps={{ 'aria-label': `第 ${no} 题选项，每行一个` }}
                placeholder='每行一个选项；以“其他”开头的一行可让居民注明'
                value={q.options.map((o) => o.label).join('\n')}
                autoSize
                onChange={(v) => onChange({ ...q, options: optionsFromLines(v, q.options) })}
              />
            </View>
          ) : null}
          {q.type === 'multiple' && !wordingOnly ? (
            <View className='sv-editor__row'>
              <View className='sv-editor__label'>最少/最多选</View>
              <NumberInput label={`第 ${no} 题最少选几项`} value={q.minChoices ?? 0} min={0} max={q.options?.length ?? 1} onChange={(v) => onChange({ ...q, minChoices: Number(v) || 0 })} />
              <NumberInput label={`第 ${no} 题最多选几项`} value={q.maxChoices ?? q.options?.length ?? 1} min={1} max={q.options?.length ?? 1} onChange={(v) => onChange({ ...q, maxChoices: Number(v) || 1 })} />
            </View>
          ) : null}
          {q.rows ? (
            <View className='sv-editor__row'>
              <View className='sv-editor__label'>矩阵的行</View>
              <TextArea className='sv-editor__input' nativeProps={{ 'aria-label': `第 ${no} 题的行，每行一个` }} value={q.rows.map((r) => r.label).join('\n')} autoSize onChange={(v) => onChange({ ...q, rows: rowsFromLines(v, q.rows) })} />
            </View>
          ) : null}
          {(q.type === 'short_text' || q.type === 'long_text') && !wordingOnly ? (
            <View className='sv-editor__row'>
              <View className='sv-editor__label'>字数上限</View>
              <NumberInput label={`第 ${no} 题字数上限`} value={q.maxLength ?? (q.type === 'long_text' ? 1000 : 100)} min={1} max={2000} step={50} onChange={(v) => onChange({ ...q, maxLength: Number(v) || 1 })} />
            </View>
          ) : null}
          {!wordingOnly && earlier.length ? <ConditionEditor no={no} q={q} earlier={earlier} onChange={onChange} /> : null}
          {!wordingOnly && domain.length ? (
            <>
              <Picker mode='selector' range={figureChoices} value={q.figure ? FIGURES.indexOf(q.figure) + 1 : 0} onChange={(e) => setFigure(Number(e.detail.value) === 0 ? null : FIGURES[Number(e.detail.value) - 1])}>
                <View className='sv-editor__row sv-editor__pick'><View className='sv-editor__label'>统计口径</View><View>{figureChoices[q.figure ? FIGURES.indexOf(q.figure) + 1 : 0]} ›</View></View>
              </Picker>
              {q.figure ? (
                <View className='sv-editor__row'>
                  <View className='sv-editor__label'>计为肯定</View>
                  <Checkbox.Group className='sv-editor__checks' value={q.favourable ?? []} onChange={(v: string[]) => onChange({ ...q, favourable: v })}>
                    {domain.map((d) => <Checkbox key={d.value} value={d.value} label={d.label} />)}
                  </Checkbox.Group>
                </View>
              ) : null}
            </>
          ) : null}
          {!wordingOnly ? (
            <View className='sv-editor__ops'>
              <Button size='small' onClick={() => onMove(-1)}>上移</Button>
              <Button size='small' onClick={() => onMove(1)}>下移</Button>
              <Button size='small' type='danger' fill='outline' onClick={onRemove}>删除本题</Button>
            </View>
          ) : null}
        </View>
      ) : null}
    </View>
  )
}
