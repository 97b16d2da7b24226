/** The stylesheet inlined into the HTML report (allowed by the page's CSP through its SHA-256 hash). @internal */
export const REPORT_CSS = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header { background: var(--bg); border-bottom: 1px solid var(--line); padding: 20px 32px 12px; }
h1 { margin: 0 0 8px; font-size: 26px; }
h2 { margin: 32px 0 12px; font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
main { padding: 0 32px 32px; max-width: 1400px; }
footer { padding: 16px 32px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
.meta { display: flex; flex-wrap: wrap; gap: 6px 32px; margin: 0; }
.meta div { display: flex; gap: 8px; }
.meta dt { font-weight: 600; color: var(--muted); }
.meta dd { margin: 0; }
.warnings { margin: 14px 0 6px; padding: 10px 16px; background: #fff4e5; border: 2px solid #d97706; border-left-width: 8px; border-radius: 4px; color: #7c2d12; }
.warnings strong { text-transform: uppercase; letter-spacing: 0.05em; }
.warnings ul { margin: 4px 0 0; padding-left: 20px; }
.warnings li { font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }
nav { margin-top: 12px; display: flex; gap: 16px; flex-wrap: wrap; }
nav a { color: var(--accent); text-decoration: none; font-size: 14px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 700; color: #fff; }
.badge.ok { background: #2e8b57; }
.badge.bad { background: #c0392b; }
.badge.tie { background: #7f8c8d; }
#findings { border-left: 4px solid #c0392b; padding-left: 12px; }
#findings .triage { background: #fdf2e9; padding: 4px 12px; border-radius: 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--bg); position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { background: #dcfce7; font-weight: 700; }
.question { white-space: pre-wrap; overflow-wrap: anywhere; }
.qid { font-family: ui-monospace, monospace; color: var(--muted); }
.causes { margin: 0; padding-left: 18px; }
.cause { font-family: ui-monospace, monospace; font-weight: 700; color: #9a3412; }
.muted { color: var(--muted); }
code { font-family: ui-monospace, monospace; font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
.chart { position: relative; width: 100%; min-height: 120px; }
figure.hist { margin: 0; }
figcaption { font-size: 13px; color: var(--muted); text-align: center; }
`;
