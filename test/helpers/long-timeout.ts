// API tests: a test app (database from a template, migrations checked, demo city) takes 1–2 s, more on a busy
// machine. Component tests: a page journey of many taps under miniprogram-simulate takes seconds when the API tests
// run beside it on two cores. The default 5 s fails them for the machine's load, not for what they test.
jest.setTimeout(30_000)
