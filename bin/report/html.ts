import type { Evidence } from '../../steps/support/evidence';
import type { Summary } from '../summary';
import { VERDICTS, verdictLabel, type ScenarioResult, type Verdict } from '../verdicts';

function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const AREA_TITLES: Record<string, string> = {
  wire: '§2 Wire conventions',
  discovery: '§3.1 Discovery',
  'sign-in': '§3.2 Sign-in and authentication',
  application: '§4 Application',
  startMessaging: '§5 startMessaging',
  invitation: '§6 The messagingInvitation resource',
  accept: '§7.1 accept',
  decline: '§7.2 decline',
  cancel: '§7.3 cancel',
  addMessaging: '§7.4 addMessaging',
  events: '§8 Event channel',
  lifecycle: '§9 Lifecycle',
  errors: '§10 Errors',
  security: '§11.1 Security',
  optional: '§11.2 Optional capabilities',
  'taa-discovery': '§15.2 TAA discovery',
  'taa-sign-in': '§15.3 TAA token and authorization',
  'taa-application': '§15.4 TAA applications by endpointId',
  'taa-startMessaging': '§15.5 TAA startMessaging inputs',
  callbacks: '§15.6 TAA callback delivery',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{padding:16px 24px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
h1{font-size:20px;margin:0 0 6px} h2{font-size:17px;margin:24px 0 8px} h3{font-size:15px;margin:16px 0 6px}
main{padding:8px 24px 40px} table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #e4e8eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600} #matrix td:first-child{white-space:nowrap} code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:8px;border-radius:6px;margin:4px 0}
.v{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26}.v-warning{background:#fff8c5;color:#7d4e00}
.v-inconclusive{background:#fbefff;color:#6e40c9}.v-not-applicable{background:#eaeef2;color:#57606a}.v-expected-fail{background:#ddf4ff;color:#0550ae}.v-blocked{background:#fff1e5;color:#953800}.v-not-run{background:#fff;color:#8c959f;border:1px solid #d0d7de}
.verdict{font-size:18px;font-weight:700;padding:6px 12px;border-radius:6px;display:inline-block;margin:6px 0}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}.unknown{background:#fbefff;color:#6e40c9}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0} dt{font-weight:600;color:#57606a}
.filters{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #d0d7de;z-index:1}
.filters label{margin-right:12px;white-space:nowrap} .hidden{display:none}
details{margin:4px 0} summary{cursor:pointer} .who{font-weight:600} .muted{color:#57606a}
.timeline td{font-size:12px} .ev{color:#0550ae}
.combos{margin-top:4px;font-size:12px} .combo{display:block;white-space:nowrap}`;

const SCRIPT = `
(function(){
  function apply(){
    var on=function(name){var b=document.querySelector('input[data-filter="'+name+'"]');return !b||b.checked;};
    document.querySelectorAll('[data-verdict]').forEach(function(el){
      var show=on('verdict:'+el.getAttribute('data-verdict'))&&on('level:'+el.getAttribute('data-level'));
      el.classList.toggle('hidden',!show);
    });
    document.querySelectorAll('tbody[data-area]').forEach(function(tb){
      var any=tb.querySelector('tr[data-verdict]:not(.hidden)');
      var h=document.getElementById('area-'+tb.getAttribute('data-area'));
      if(h)h.classList.toggle('hidden',!any);tb.classList.toggle('hidden',!any);
    });
  }
  document.querySelectorAll('input[data-filter]').forEach(function(b){b.addEventListener('change',apply);});
  apply();
})();`;

/** The line of a failure message that says what went wrong (expected / actual), else its first line. */
function gist(detail: string): string {
  const lines = detail.split('\n').map((l) => l.trim());
  const expected = lines.find((l) => l.startsWith('expected:'));
  const actual = lines.find((l) => l.startsWith('actual:'));
  return expected && actual ? `${expected} — ${actual}` : (lines[0] ?? '');
}

function badge(verdict: string): string {
  return `<span class="v v-${verdict.replace(/ /g, '-')}">${esc(verdictLabel(verdict as Verdict))}</span>`;
}

function exchangeBlock(x: Evidence['exchanges'][number]): string {
  const head = `${esc(x.who)} · ${esc(x.method)} ${esc(x.url)} → ${x.error ? `<b>${esc(x.error)}</b>` : esc(x.status)} <span class="muted">(+${x.sentMs} ms, ${x.receivedMs - x.sentMs} ms)</span>`;
  const hdr = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `<details><summary>${head}</summary><pre>${esc(`> ${x.method} ${x.url}\n${hdr(x.requestHeaders)}${x.requestBody ? `\n\n${x.requestBody}` : ''}`)}</pre>${
    x.error ? '' : `<pre>${esc(`< ${x.status}\n${hdr(x.responseHeaders)}${x.responseBody ? `\n\n${x.responseBody}` : ''}`)}</pre>`
  }</details>`;
}

function timeline(e: Evidence): string {
  // a user's P-GETs and the callbacks its endpoint received share the user's column
  const whos = [...new Set([...e.exchanges.map((x) => x.who.replace(/ \((events|callbacks)\)$/, '')), ...e.events.map((v) => v.who)])];
  const rows: { t: number; who: string; html: string }[] = [
    ...e.exchanges.map((x) => ({ t: x.sentMs, who: x.who.replace(/ \((events|callbacks)\)$/, ''), html: `${esc(x.method)} ${esc(new URL(x.url).pathname)} → ${x.error ? esc(x.error) : esc(x.status)}${/\(events\)/.test(x.who) ? ' <span class="muted">(P-GET)</span>' : /\(callbacks\)/.test(x.who) ? ' <span class="muted">(callback received, answered)</span>' : ''}` })),
    ...e.events.map((v) => ({
      t: v.receivedMs,
      who: v.who,
      html: `<span class="ev">event ${esc(v.type)}${v.status !== undefined ? ` ${esc(JSON.stringify(v.status))}` : ''}${v.reason !== undefined ? ` ${esc(JSON.stringify(v.reason))}` : ''}</span>`,
    })),
  ].sort((a, b) => a.t - b.t);
  return `<table class="timeline"><thead><tr><th>ms</th>${whos.map((w) => `<th>${esc(w)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr><td>${r.t}</td>${whos.map((w) => `<td>${w === r.who ? r.html : ''}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A requirement's verdict per transport combination (`LC-3 [taa→ucwa]`), under its overall verdict. */
function combos(c: Summary['requirements'][string]['combinations']): string {
  if (!c) return '';
  return `<div class="combos">${Object.entries(c)
    .map(([label, x]) => `<span class="combo" data-combination="${esc(label)}" data-combination-verdict="${esc(x.verdict)}"${x.detail ? ` title="${esc(gist(x.detail))}"` : ''}>${esc(label)} ${badge(x.verdict)}</span>`)
    .join('')}</div>`;
}

/** The conformance report: one self-contained HTML file that opens offline. */
export function conformanceHtml(s: Summary, scenarios: readonly ScenarioResult[]): string {
  const g = s.gate;
  const overall = s.stopped
    ? ['unknown', `${s.stopped.cause.toUpperCase()} — ${s.stopped.reason}${s.stopped.stage === 'run' ? ': the verdicts cover only what ran' : ': no scenario ran'}`]
    : !s.complete
    ? ['unknown', `INTERRUPTED — ${s.interruption ?? ''}: the verdicts cover only what ran`]
    : g.conforming === true
      ? ['ok', 'CONFORMING for the declared capabilities']
      : g.conforming === false
        ? ['bad', 'NOT CONFORMING']
        : ['unknown', 'NOT ESTABLISHED (inconclusive)'];
  const t = s.target;
  const caps = Object.entries(t.capabilities).map(([k, v]) => `${k}: ${v ? 'declared' : 'not declared'}`).join(', ');
  const rt = s.totals.requirements;
  const st = s.totals.scenarios;
  const header = `<header>
<h1>UCWA messagingInvitation conformance report</h1>
<div class="verdict ${overall[0]}" id="overall">${esc(overall[1])}</div>${
    s.stopped?.problems?.length ? `<ul id="problems">${s.stopped.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''
  }
<dl>
<dt>Target</dt><dd id="target-name">${esc(t.name)} <span class="muted">(${esc(t.source)})</span></dd>
<dt>Discovery URL</dt><dd><code>${esc(t.discoveryUrl)}</code>${t.tls ? ` — TLS ${esc(t.tls)}` : ''}</dd>${t.taaDiscoverUrl ? `\n<dt>TAA discover URL</dt><dd id="taa-discover"><code>${esc(t.taaDiscoverUrl)}</code></dd>` : ''}
<dt>Trusted origins</dt><dd id="trusted-origins">${t.trustedOrigins?.length ? t.trustedOrigins.map((x) => `<code>${esc(x)}</code>`).join(', ') : 'none'} <span class="muted">(credentials go only there)</span></dd>
<dt>Dialect</dt><dd><code>${esc(JSON.stringify(t.relPrefix))}</code></dd>
<dt>Capabilities</dt><dd>${esc(caps)}</dd>
<dt>Fixtures</dt><dd>${esc(t.fixtures.join(', ') || 'none')}</dd>
<dt>Accounts</dt><dd>${t.users.map((u) => `${esc(u.role)} <code>${esc(u.uri)}</code> (${u.transport ? `${esc(u.transport)}, ` : ''}${esc(u.signIn)})`).join('; ')}</dd>${
  t.combinations ? `\n<dt>Transport combinations</dt><dd id="combinations">${Object.entries(t.combinations).map(([c, n]) => `${esc(c)} (${n} pair${n === 1 ? '' : 's'})`).join(', ')} <span class="muted">(two-sided requirements are checked and reported per combination)</span></dd>` : ''
}
<dt>Timing</dt><dd>no-answer timeout ${t.timing.noAnswerTimeoutSeconds} s, window ${t.timing.windowSeconds[0]}–${t.timing.windowSeconds[1]} s</dd>
<dt>Declared deviations</dt><dd>${t.declaredDeviations.length ? t.declaredDeviations.map(esc).join('<br>') : 'none'}</dd>
<dt>Deviation ledger</dt><dd>${s.deviations.length ? s.deviations.map((d) => `${esc(d.requirement)}: ${esc(d.reason)}${d.link ? ` (<a href="${esc(d.link)}">${esc(d.link)}</a>)` : ''}${d.until ? ` until ${esc(d.until)}` : ''}`).join('<br>') : 'none'}</dd>
<dt>Gate</dt><dd>level ${esc(g.level)}, exit status ${g.exitCode}${g.reasons.length ? `<br>${g.reasons.map(esc).join('<br>')}` : ''}</dd>
<dt>Suite</dt><dd>ucwa-messaging-conformance ${esc(s.suite.version)}, profile ${esc(s.suite.profileVersion)}</dd>
<dt>Run</dt><dd>${esc(s.startedAt)} – ${esc(s.finishedAt)}</dd>
<dt>Requirements</dt><dd id="requirement-counts">${VERDICTS.map((v) => `<span data-count="${esc(v)}">${badge(v)} ${rt[v]}</span>`).join(' ')}</dd>
<dt>Scenarios</dt><dd id="scenario-counts">${VERDICTS.filter((v) => v !== 'not run').map((v) => `${badge(v)} ${st[v]}`).join(' ')}</dd>
</dl></header>`;

  const filters = `<div class="filters">Show: ${VERDICTS.map((v) => `<label><input type="checkbox" data-filter="verdict:${esc(v)}" checked> ${badge(v)}</label>`).join('')}
 · ${['MUST', 'SHOULD', 'MAY'].map((l) => `<label><input type="checkbox" data-filter="level:${l}" checked> ${l}</label>`).join('')}</div>`;

  const areas = [...new Set(Object.values(s.requirements).map((r) => r.area))];
  const matrix = `<h2>Requirements</h2><table id="matrix"><thead><tr><th>ID</th><th>Level</th><th>Requirement</th><th>Verdict</th><th>Scenarios · detail</th></tr></thead>${areas
    .map(
      (a) =>
        `<tbody id="area-${esc(a)}"><tr><th colspan="5">${esc(AREA_TITLES[a] ?? a)}</th></tr></tbody><tbody data-area="${esc(a)}">${Object.entries(s.requirements)
          .filter(([, r]) => r.area === a)
          .map(
            ([id, r]) =>
              `<tr data-verdict="${esc(r.verdict)}" data-level="${esc(r.level)}" id="req-${esc(id)}"><td><a href="#req-${esc(id)}">${esc(id)}</a></td><td>${esc(r.level)}</td><td>${esc(r.title)}</td><td>${badge(r.verdict)}${combos(r.combinations)}</td><td>${r.scenarios.map(esc).join('<br>')}${
                r.detail ? `<div class="muted">${esc(gist(r.detail))}${r.enabledBy ? ` — enable with <code>${esc(r.enabledBy)}</code>` : ''}</div>` : ''
              }${r.blockedBy ? `<div class="muted">blocked by the ledgered deviation <a href="#req-${esc(r.blockedBy)}">${esc(r.blockedBy)}</a>: not gating, not passed</div>` : ''}${r.deviation ? `<div class="muted">deviation: ${esc(r.deviation.reason)}</div>` : ''}</td></tr>`,
          )
          .join('')}</tbody>`,
    )
    .join('')}</table>`;

  const notPassing = scenarios.filter((x) => ['fail', 'inconclusive', 'blocked', 'warning', 'expected fail'].includes(x.verdict));
  const failures = `<h2>Failures, inconclusive and blocked scenarios (${notPassing.length})</h2>${
    notPassing.length === 0
      ? '<p class="muted">None.</p>'
      : notPassing
          .map(
            (x) => `<section class="failure" data-verdict="${esc(x.verdict)}" data-level="${esc(x.level)}">
<h3>${badge(x.verdict)} [${x.requirements.map(esc).join(' ')}] ${esc(x.name)} <span class="muted">${esc(x.uri)}${x.line ? `:${x.line}` : ''}</span></h3>
<pre>${esc(x.detail ?? '')}</pre>
${x.evidence ? `<details><summary>Timeline per user (${x.evidence.exchanges.length} requests, ${x.evidence.events.length} events)</summary>${timeline(x.evidence)}</details>
<details><summary>Recorded exchanges</summary>${x.evidence.exchanges.map(exchangeBlock).join('')}</details>` : ''}
</section>`,
          )
          .join('')
  }`;

  const na = scenarios.filter((x) => x.verdict === 'not applicable');
  const naSection = `<h2>Not applicable (${na.length})</h2>${
    na.length ? `<table><tbody>${na.map((x) => `<tr data-verdict="not applicable" data-level="${esc(x.level)}"><td>[${x.requirements.map(esc).join(' ')}]</td><td>${esc(x.name)}</td><td>${esc(x.detail)}</td></tr>`).join('')}</tbody></table>` : '<p class="muted">None.</p>'
  }`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report — ${esc(t.name)}</title><style>${CSS}</style></head>
<body>${header}<main>${filters}${matrix}${failures}${naSection}
<p class="muted">Cucumber's own report of the same run: <a href="cucumber.html">cucumber.html</a>. Machine-readable: summary.json, junit.xml, messages.ndjson.</p>
</main><script>${SCRIPT}</script></body></html>
`;
}
