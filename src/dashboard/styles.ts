// The dashboard's one stylesheet, served from /assets (same origin, so CSP `default-src 'self'`
// covers it with no inline styles). Colours are chosen for WCAG AA contrast on their backgrounds;
// every interactive element has a visible focus ring; the layout collapses to one column below 900px.
export const STYLESHEET = `
:root {
  --text: #1a1d21; --muted: #4a5160; --border: #c9ced8; --bg: #f4f5f8; --panel: #ffffff;
  --accent: #2743c5; --accent-dark: #1c318f; --danger: #b42318; --danger-bg: #fdecea;
  --ok: #05603a; --ok-bg: #e3f5ea; --warn-bg: #fff4d6; --warn-border: #c98a00; --focus: #f5a700;
  --header: #141a33;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.5; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:hover { color: var(--accent-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; line-height: 1.25; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
p { margin: 0 0 .75rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.skip-link { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: .5rem; top: .5rem; }
.site-header { background: var(--header); color: #fff; display: flex; flex-wrap: wrap; align-items: center;
  gap: .5rem 1rem; padding: .6rem 1.25rem; }
.site-header a { color: #fff; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; letter-spacing: .02em; margin-right: auto; }
.who { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .9rem; font-size: .92rem; }
.who .org { font-weight: 600; }
.who form { margin: 0; }
.link-button { background: none; border: 1px solid rgba(255,255,255,.55); color: #fff; border-radius: 4px;
  padding: .2rem .6rem; font: inherit; cursor: pointer; }
.link-button:hover { background: rgba(255,255,255,.12); }
.shell { display: grid; grid-template-columns: 15rem minmax(0, 1fr); min-height: calc(100vh - 3.25rem); }
.sidebar { background: var(--panel); border-right: 1px solid var(--border); padding: 1rem .75rem; }
.sidebar ul { list-style: none; margin: 0; padding: 0; }
.sidebar li a { display: block; padding: .45rem .7rem; border-radius: 5px; text-decoration: none; color: var(--text); }
.sidebar li a:hover { background: var(--bg); }
.sidebar li a[aria-current="page"] { background: #e6eafb; color: var(--accent-dark); font-weight: 600; }
.nav-heading { font-size: .78rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 1rem .7rem .3rem; }
main { padding: 1.5rem 2rem 3rem; max-width: 78rem; min-width: 0; }
.page-plain main { margin: 3rem auto; max-width: 30rem; background: var(--panel); border: 1px solid var(--border);
  border-radius: 8px; padding: 2rem; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
.panel > :first-child, .warning > :first-child, .panel > input[type=hidden] + h2 { margin-top: 0; }
.panel > :last-child, .warning > :last-child { margin-bottom: 0; }
.lead { color: var(--muted); max-width: 48rem; }
.muted { color: var(--muted); }
label { display: block; font-weight: 600; margin: .9rem 0 .25rem; }
.hint { display: block; font-weight: 400; color: var(--muted); font-size: .9rem; }
input[type=text], input[type=email], input[type=password], input[type=date], input[type=search], select {
  font: inherit; color: var(--text); background: #fff; border: 1px solid #8a92a3; border-radius: 5px;
  padding: .45rem .6rem; width: 100%; max-width: 28rem; min-height: 2.6rem; }
input[readonly] { background: var(--bg); }
textarea { font: .85rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--text); background: #fff;
  border: 1px solid #8a92a3; border-radius: 5px; padding: .45rem .6rem; width: 100%; max-width: 40rem; min-height: 6rem; }
label.choice { display: flex; gap: .5rem; align-items: baseline; font-weight: 400; margin: .5rem 0; }
label.choice input { flex: none; }
.button, button { font: inherit; cursor: pointer; border-radius: 5px; padding: .5rem 1rem; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; text-decoration: none; display: inline-block; line-height: 1.3; }
.button:hover, button:hover { background: var(--accent-dark); color: #fff; }
.button-secondary { background: #fff; color: var(--accent); }
.button-secondary:hover { background: #eef1fc; color: var(--accent-dark); }
.button-danger { background: var(--danger); border-color: var(--danger); }
.button-danger:hover { background: #8c1b12; }
.button-small { padding: .25rem .65rem; font-size: .9rem; }
.actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin-top: 1.1rem; }
.inline-form { display: inline; margin: 0; }
.filters { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
.filters label { margin-top: 0; }
.filters > div { flex: 1 1 11rem; max-width: 22rem; }
.filters .grow { flex: 2 1 16rem; }
.filters .filter-actions { flex: 0 0 auto; display: flex; gap: .5rem; padding-bottom: 1px; }
.table-wrap { position: relative; overflow-x: auto; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; margin-bottom: 1.25rem; }
table { border-collapse: collapse; width: 100%; font-size: .94rem; }
caption { text-align: left; padding: .6rem .9rem; color: var(--muted); caption-side: top; }
th, td { text-align: left; padding: .55rem .9rem; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
th { background: #f0f2f6; font-weight: 600; white-space: nowrap; }
tbody tr:last-child td { border-bottom: 0; }
td.nowrap, .nowrap, td time { white-space: nowrap; }
.wrap-anywhere { overflow-wrap: anywhere; }
.detail-error { color: var(--danger); font-size: .9rem; }
.detail-notice { color: #6b4a00; font-size: .9rem; }
code.action { font-weight: 600; }
.event-line { display: block; }
@media (min-width: 641px) {
  table.audit-table td:nth-child(1) { width: 11.5rem; }
  table.audit-table td:nth-child(2) { width: 40%; min-width: 16rem; }
}
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.badge-active { background: var(--ok-bg); color: var(--ok); border-color: #9fd8b4; }
.badge-deactivated { background: #eceef2; color: #3d4350; border-color: #c3c8d1; }
.badge-admin { background: #e6eafb; color: var(--accent-dark); border-color: #b5c1f2; }
.badge-member { background: #f2f3f5; color: #3d4350; border-color: #d0d4db; }
.badge-error { background: var(--danger-bg); color: var(--danger); border-color: #f2b8b2; }
.badge-idp { background: #fff4d6; color: #6b4a00; border-color: #e6c16b; }
.notice, .error-box, .warning { border-radius: 6px; padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.notice { background: var(--ok-bg); border-color: #9fd8b4; }
.error-box { background: var(--danger-bg); border-color: #f2b8b2; color: #7a1810; }
.warning { background: var(--warn-bg); border-color: var(--warn-border); }
.secret { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.secret input { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-width: 40rem; flex: 1 1 16rem; }
.copy-status { font-size: .9rem; color: var(--ok); min-width: 4rem; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .35rem 1.25rem; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.steps li { margin-bottom: .45rem; }
.features { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.features ul { margin: .25rem 0 0; padding-left: 1.2rem; }
.pagination { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin-top: 1rem; }
details.changes summary { cursor: pointer; color: var(--accent); }
table.diff { margin-top: .4rem; font-size: .85rem; }
table.diff td, table.diff th { padding: .25rem .5rem; overflow-wrap: anywhere; }
table.diff { table-layout: fixed; }
table.diff th:first-child { width: 30%; }
.diff .before { background: #fdecea; }
.diff .after { background: #e3f5ea; }
.diff .before:empty, .diff .after:empty { background: none; }
pre.json { background: var(--bg); padding: .5rem; border-radius: 4px; overflow-x: auto; font-size: .82rem; margin: .3rem 0; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 640px) {
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { padding: .6rem .9rem; border-bottom: 1px solid #e3e6ec; }
  table.stack tbody tr:last-child { border-bottom: 0; }
  table.stack td { border: 0; padding: .15rem 0; display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: .5rem; }
  table.stack td > div { min-width: 0; overflow-wrap: anywhere; }
  table.stack td::before { content: attr(data-label); font-weight: 600; color: var(--muted); font-size: .85rem; }
  table.stack td[data-label=""]::before { content: none; }
  .table-wrap { overflow-x: visible; }
}
@media (max-width: 900px) {
  .shell { display: block; }
  .sidebar { border-right: 0; border-bottom: 1px solid var(--border); padding: .5rem .75rem; }
  .sidebar ul { display: flex; flex-wrap: wrap; gap: .15rem .25rem; }
  .sidebar li a { padding: .3rem .55rem; }
  .nav-heading { display: none; }
  main { padding: 1rem; }
  .page-plain main { margin: 1rem; padding: 1.25rem; }
  h1 { font-size: 1.35rem; }
  .filters > div, .filters .grow { flex-basis: 100%; max-width: none; }
  .who { width: 100%; }
}
`;
