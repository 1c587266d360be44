// For every jest project (jest.config.js). Opening PGlite takes 0.5–7 s and a test app (database from a template,
// migrations checked, demo city) 1–2 s, several times that when another suite or a browser shares the two cores; a
// page journey under miniprogram-simulate takes seconds likewise. The default 5 s fails such tests for the machine's
// load, not for what they test; a hang still fails, after 30 s.
jest.setTimeout(30_000)
