// For every jest project (jest.config.js). Opening PGlite takes 0.5–7 s and a test app (database from a template,
// migrations checked, demo city) 1–2 s — but over 30 s was seen on a two-core machine running a browser suite, a
// webpack build and other suites beside it; a page journey under miniprogram-simulate or chromium likewise. A default
// that fails such tests for the machine's load, not for what they test, is no use: a real hang still fails, after 2 min.
jest.setTimeout(120_000)
