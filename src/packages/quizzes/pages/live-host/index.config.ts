export default definePageConfig({ navigationBarTitleText: '现场答题主持', pageOrientation: 'auto' })
