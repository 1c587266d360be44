import type { SurveyDefinition } from '../../../types/surveys'

export interface SurveyTemplate {
  key: string
  title: string
  description: string
  definition: SurveyDefinition
}

const SATISFIED = ['5', '4'] // 很满意、满意: the top two of five

/**
 * The standard 创文 survey. Wording is neutral and option order fixed (positive to negative on every scale, never
 * reordered and never with a "recommended" answer); the markings say which answers the rates count, as data.
 * Eligibility: aged 18 or over and lived here at least half a year — both must be eligible for a respondent to count.
 */
const CHUANGWEN: SurveyTemplate = {
  key: 'chuangwen_standard',
  title: '创建全国文明城市市民问卷',
  description: '了解市民对创建全国文明城市工作的知晓、支持和满意程度。问卷约需 3 分钟，回答没有对错之分，请按实际想法填写。',
  definition: {
    sections: [
      {
        key: 'basic',
        title: '基本情况',
        questions: [
          {
            key: 'age', type: 'single', required: true, title: '您的年龄段',
            options: [
              { value: 'under18', label: '18岁以下' },
              { value: 'a18_29', label: '18–29岁' },
              { value: 'a30_44', label: '30–44岁' },
              { value: 'a45_59', label: '45–59岁' },
              { value: 'a60plus', label: '60岁及以上' },
            ],
            figure: 'eligibility', favourable: ['a18_29', 'a30_44', 'a45_59', 'a60plus'],
          },
          {
            key: 'residence', type: 'single', required: true, title: '您在本市居住（含工作、学习）了多长时间？',
            options: [
              { value: 'lt6m', label: '不满半年' },
              { value: 'm6_3y', label: '半年至3年' },
              { value: 'gt3y', label: '3年以上' },
            ],
            figure: 'eligibility', favourable: ['m6_3y', 'gt3y'],
          },
        ],
      },
      {
        key: 'knowing',
        title: '知晓与支持',
        questions: [
          {
            key: 'aware', type: 'single', required: true, title: '您知道本市正在创建全国文明城市吗？',
            options: [{ value: 'yes', label: '知道' }, { value: 'no', label: '不知道' }],
            figure: 'awareness', favourable: ['yes'],
          },
          {
            key: 'support', type: 'single', required: true, title: '您支持本市创建全国文明城市吗？',
            options: [{ value: 'yes', label: '支持' }, { value: 'neutral', label: '无所谓' }, { value: 'no', label: '不支持' }],
            figure: 'support', favourable: ['yes'],
          },
        ],
      },
      {
        key: 'satisfaction',
        title: '满意度',
        questions: [
          {
            key: 'overall', type: 'scale5', required: true, title: '您对本市创建全国文明城市工作总体上满意吗？',
            figure: 'satisfaction', favourable: SATISFIED,
          },
          {
            key: 'areas', type: 'matrix', required: true, title: '您对以下各方面满意吗？',
            rows: [
              { key: 'sanitation', label: '环境卫生' },
              { key: 'traffic', label: '交通秩序' },
              { key: 'facilities', label: '公共设施' },
              { key: 'community', label: '社区服务' },
              { key: 'windows', label: '窗口服务' },
              { key: 'volunteering', label: '志愿服务' },
            ],
            figure: 'satisfaction', favourable: SATISFIED,
          },
          {
            key: 'reasons', type: 'multiple', required: true, title: '您不满意的主要原因是？',
            minChoices: 1, maxChoices: 3,
            showWhen: [{ question: 'overall', anyOf: ['2', '1'] }],
            options: [
              { value: 'sanitation', label: '环境卫生' },
              { value: 'traffic', label: '交通秩序' },
              { value: 'facilities', label: '公共设施' },
              { value: 'services', label: '办事和社区服务' },
              { value: 'formality', label: '工作流于形式' },
              { value: 'other', label: '其他（请注明）', other: true },
            ],
          },
        ],
      },
      {
        key: 'advice',
        title: '意见建议',
        questions: [
          { key: 'suggestion', type: 'long_text', required: false, title: '您对本市创建全国文明城市还有什么意见或建议？', maxLength: 500 },
        ],
      },
    ],
  },
}

export const TEMPLATES: SurveyTemplate[] = [CHUANGWEN]

export const templateByKey = (key: string) => TEMPLATES.find((t) => t.key === key)
