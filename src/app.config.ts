export default defineAppConfig({
  pages: ['pages/index/index', 'pages/report/index', 'pages/mine/index', 'pages/login/index'],
  // Features live in subpackages (src/packages/<feature>/), so the main package stays small.
  subPackages: [
    { root: 'packages/accounts', pages: ['pages/region/index', 'pages/privacy/index', 'pages/erase/index', 'pages/export/index'] },
    { root: 'packages/quizzes', pages: ['pages/index/index', 'pages/answer/index', 'pages/result/index', 'pages/wrong/index', 'pages/board/index', 'pages/admin/index', 'pages/create/index', 'pages/stats/index', 'pages/live-host/index', 'pages/live-join/index'] },
    { root: 'packages/reports', pages: ['pages/new/index', 'pages/detail/index', 'pages/work/index', 'pages/handle/index', 'pages/stats/index', 'pages/moderation/index'] },
    { root: 'packages/surveys', pages: ['pages/index/index', 'pages/answer/index', 'pages/admin/index', 'pages/edit/index', 'pages/manage/index', 'pages/results/index', 'pages/outcome/index'] },
    { root: 'packages/volunteers', pages: ['pages/index/index', 'pages/apply/index', 'pages/activity/index', 'pages/mine/index', 'pages/admin/index', 'pages/create/index', 'pages/shift/index', 'pages/certificate/index', 'pages/verify/index'] },
    { root: 'packages/rates', pages: ['pages/dashboard/index', 'pages/bulletin/index'] },
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#cc2c21',
    navigationBarTitleText: '文明共建',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
  tabBar: {
    // both read at 4.5:1 on white (WCAG AA): the H5 tab bar is checked by axe with the pages
    color: '#697079',
    selectedColor: '#cc2c21',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/index/index', text: '首页', iconPath: 'assets/tabbar/home.png', selectedIconPath: 'assets/tabbar/home-active.png' },
      { pagePath: 'pages/report/index', text: '随手拍', iconPath: 'assets/tabbar/report.png', selectedIconPath: 'assets/tabbar/report-active.png' },
      { pagePath: 'pages/mine/index', text: '我的', iconPath: 'assets/tabbar/mine.png', selectedIconPath: 'assets/tabbar/mine-active.png' },
    ],
  },
  permission: {
    'scope.userLocation': { desc: '用于确定您所在的社区，以及随手拍的问题位置' },
  },
  // Every location API the code calls must be declared, or WeChat refuses it (test/components/privacy-declarations).
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
})
