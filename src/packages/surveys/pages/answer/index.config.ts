export default definePageConfig({ navigationBarTitleText: '填写问卷' })
