export default definePageConfig({ navigationBarTitleText: '现场答题' })
