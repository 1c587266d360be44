// A test app (database from a template, migrations checked, demo city) takes 1–2 s, more on a busy machine.
jest.setTimeout(30_000)
