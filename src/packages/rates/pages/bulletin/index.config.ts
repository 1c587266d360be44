export default definePageConfig({ navigationBarTitleText: '创文每日通报', enablePullDownRefresh: true })
