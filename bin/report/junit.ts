import type { Summary } from '../summary';

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JUnit XML, one testsuite per feature file: fail → <failure>, inconclusive → <error>, not applicable and expected
 * fail → <skipped> with the reason, warning → passed with the warning in <system-out>.
 */
export function junitXml(s: Summary): string {
  const byFile = new Map<string, Summary['scenarios']>();
  for (const sc of s.scenarios) byFile.set(sc.uri, [...(byFile.get(sc.uri) ?? []), sc]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const t = s.totals.scenarios;
  const stop = s.stopped;
  const extra = stop ? 1 : 0;
  const seconds = ((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(3);
  out.push(
    `<testsuites name="ucwa-messaging-conformance ${esc(s.suite.version)}" tests="${s.scenarios.length + extra}" failures="${t.fail}" errors="${t.inconclusive + extra}" skipped="${t['not applicable'] + t['expected fail']}" time="${seconds}">`,
  );
  if (stop) {
    // A run that ended early (configuration error, unreachable target, target stopped answering) shows as one
    // errored test case naming the reason, so that CI dashboards show why, also when no scenario ran.
    const name = stop.stage === 'run' ? 'the run (target stopped answering)' : stop.stage === 'configuration' ? 'the configuration' : 'the start-up check';
    out.push(
      `  <testsuite name="ucwa-conformance" tests="1" failures="0" errors="1" skipped="0" time="${seconds}" timestamp="${esc(s.startedAt)}">`,
      `    <testcase classname="ucwa-conformance" name="${esc(name)}" time="${seconds}">`,
      `      <error message="${esc(`${stop.cause}: ${stop.reason}`)}" type="${esc(stop.cause)}">${esc([stop.reason, ...(stop.problems ?? [])].join('\n'))}</error>`,
      '    </testcase>',
      '  </testsuite>',
    );
  }
  for (const [file, scenarios] of byFile) {
    const c = (v: string) => scenarios.filter((x) => x.verdict === v).length;
    out.push(
      `  <testsuite name="${esc(file)}" tests="${scenarios.length}" failures="${c('fail')}" errors="${c('inconclusive')}" skipped="${c('not applicable') + c('expected fail')}" time="${(scenarios.reduce((a, x) => a + x.durationMs, 0) / 1000).toFixed(3)}" timestamp="${esc(s.startedAt)}">`,
    );
    for (const sc of scenarios) {
      const name = `[${sc.requirements.join(' ')}] ${sc.name}`;
      const open = `    <testcase classname="${esc(file.replace(/\.feature$/, '').replace(/\//g, '.'))}" name="${esc(name)}" time="${(sc.durationMs / 1000).toFixed(3)}"`;
      const d = sc.detail ?? '';
      const first = d.split('\n')[0] ?? '';
      switch (sc.verdict) {
        case 'fail':
          out.push(`${open}>`, `      <failure message="${esc(first)}" type="${sc.level}">${esc(d)}</failure>`, '    </testcase>');
          break;
        case 'inconclusive':
          out.push(`${open}>`, `      <error message="inconclusive: ${esc(first)}" type="inconclusive">${esc(d)}</error>`, '    </testcase>');
          break;
        case 'not applicable':
          out.push(`${open}>`, `      <skipped message="not applicable: ${esc(d)}"/>`, '    </testcase>');
          break;
        case 'expected fail':
          out.push(`${open}>`, `      <skipped message="expected fail (deviation ledger): ${esc(first)}"/>`, '    </testcase>');
          break;
        case 'warning':
          out.push(`${open}>`, `      <system-out>WARNING (${sc.level} requirement failed): ${esc(d)}</system-out>`, '    </testcase>');
          break;
        default:
          out.push(`${open}/>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
