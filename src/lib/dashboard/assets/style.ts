/** The Dashboard's one stylesheet: served from /dashboard/assets (the CSP allows no inline style). */
export const STYLE = `
:root{--fg:#1d2230;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--card:#fff;--accent:#5a3fc0;--accent-fg:#fff;--danger:#b3261e;--ok:#1b7f3b;--warn:#9a6700;--radius:8px;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaf0;--muted:#a3abbd;--line:#363c4a;--bg:#15181f;--card:#1d212b;--accent:#9b87f5;--accent-fg:#15181f;--danger:#ff8a80;--ok:#7bd88f;--warn:#f2cc60}}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.75rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg);margin-right:auto}
header.top .who{color:var(--muted);overflow-wrap:anywhere}
nav.orgs,nav.tabs{display:flex;flex-wrap:wrap;gap:.25rem;padding:0 1rem;background:var(--card);border-bottom:1px solid var(--line)}
nav.tabs a,nav.orgs a{padding:.6rem .8rem;text-decoration:none;color:var(--muted);border-bottom:3px solid transparent}
nav.tabs a[aria-current=page],nav.orgs a[aria-current=page]{color:var(--fg);border-bottom-color:var(--accent);font-weight:600}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
section.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem;margin:0 0 1rem}
section.card>h2:first-child{margin-top:0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:middle;overflow-wrap:anywhere}
th{font-size:.85rem;color:var(--muted);font-weight:600}
th[scope=row]{font-size:1rem;color:var(--fg);font-weight:500}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0}
form.stack{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end}
form.stack label,.field{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem}
input[type=text],input[type=email],input[type=password],input[type=search],select{font:inherit;padding:.4rem .55rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);min-width:0;max-width:100%}
button{font:inherit;padding:.4rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
button.danger{background:transparent;color:var(--danger);border-color:var(--danger)}
.badge{display:inline-block;font-size:.75rem;padding:.05rem .5rem;border-radius:999px;border:1px solid var(--line);color:var(--muted);white-space:nowrap}
.badge.locked{color:var(--warn);border-color:var(--warn)}
.badge.admin{color:var(--accent);border-color:var(--accent)}
.error{color:var(--danger);margin:.5rem 0;font-weight:600}
.notice{color:var(--ok);margin:0 0 1rem;font-weight:600}
.muted{color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.pager{display:flex;gap:1rem;align-items:center;margin-top:.75rem}
table.audit td{overflow-wrap:break-word}table.audit time{white-space:nowrap}
.results li.ok{color:var(--ok)}.results li.failed{color:var(--danger)}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{padding:.3rem 0}
fieldset{border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;margin:0}
fieldset label,form.stack fieldset label,form.stack label:has(>input[type=checkbox]){display:inline-flex;flex-direction:row;gap:.25rem;align-items:center;margin-right:.6rem;font-size:.9rem}
.usage-row{display:grid;grid-template-columns:minmax(6rem,10rem) 1fr auto;gap:.75rem;align-items:center;margin:.5rem 0}
meter{width:100%;height:1.2rem}
svg.chart{width:100%;height:auto;max-height:18rem}
svg.chart .axis{stroke:var(--line)}svg.chart text{fill:var(--muted);font-size:11px}
svg.chart .tick{stroke:var(--line);stroke-dasharray:2 3}svg.chart .limit{stroke:var(--danger)}svg.chart circle{fill:var(--card);stroke-width:1.5}
figure.chart{margin:0 0 1rem}.key::before{content:"";display:inline-block;width:1.4em;border-top:3px solid;vertical-align:middle;margin-right:.3em}.key.limit{color:var(--danger)}.key.limit::before{border-top-style:dashed}
details summary{cursor:pointer;color:var(--accent)}tfoot th,tfoot td{font-weight:700;border-top:2px solid var(--line)}
svg.chart .line-apps{stroke:#5a3fc0}svg.chart .line-members{stroke:#1b7f3b}svg.chart .line-dyno-units{stroke:#c2410c}
.legend span{margin-right:1rem}.legend .apps{color:#5a3fc0}.legend .members{color:#1b7f3b}.legend .dyno-units{color:#c2410c}
@media (prefers-color-scheme:dark){svg.chart .line-apps{stroke:#9b87f5}svg.chart .line-members{stroke:#7bd88f}svg.chart .line-dyno-units{stroke:#fb923c}.legend .apps{color:#9b87f5}.legend .members{color:#7bd88f}.legend .dyno-units{color:#fb923c}}
.sign-in{max-width:26rem;margin:3rem auto}
.sign-in form{display:flex;flex-direction:column;gap:.75rem}
.sign-in label{display:flex;flex-direction:column;gap:.25rem}
@media (max-width:40rem){main{padding:.75rem}th.optional,td.optional{display:none}table,tbody,tr{display:block}thead{display:none}tr{border-bottom:1px solid var(--line);padding:.4rem 0}td{display:block;border:0;padding:.2rem .25rem}td.num{text-align:left}.usage-row{grid-template-columns:1fr auto}.usage-row meter{grid-column:1/-1}}
@media (max-width:40rem){svg.chart text{font-size:20px}svg.chart .minor{display:none}tfoot{display:block}tfoot th,tfoot td{border:0}td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
`
