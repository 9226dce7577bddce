import * as fs from 'node:fs';
import * as path from 'node:path';
import { validate } from '../steps/support/schemas';
import type { Summary } from './summary';
import type { Verdict } from './verdicts';

function esc(s: unknown): string {
  return String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Reads DIR/summary.json (or a summary.json path) and validates it against schemas/summary.schema.json. */
export function readSummary(where: string): Summary {
  const file = fs.existsSync(where) && fs.statSync(where).isDirectory() ? path.join(where, 'summary.json') : where;
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const problems = validate('urn:ucwa-conformance:summary:1', doc);
  if (problems.length) throw new Error(`${file} is not a summary.json of this suite: ${problems.slice(0, 5).join('; ')}`);
  return doc as Summary;
}

/**
 * A static HTML table requirement × run, verdicts coloured, rows whose verdicts differ highlighted. A run with TAA
 * accounts adds a row per transport combination under the requirement (`LC-3 [taa→ucwa]`).
 */
export function matrixHtml(runs: { label: string; summary: Summary }[]): string {
  const ids: string[] = [];
  const info = new Map<string, { level: string; title: string }>();
  const combos = new Map<string, string[]>();
  for (const r of runs)
    for (const [id, req] of Object.entries(r.summary.requirements)) {
      if (!info.has(id)) {
        ids.push(id);
        info.set(id, { level: req.level, title: req.title });
      }
      const known = combos.get(id) ?? [];
      for (const c of Object.keys(req.combinations ?? {})) if (!known.includes(c)) known.push(c);
      combos.set(id, known);
    }
  const keys = ids.flatMap((id): { id: string; row: string; combination?: string }[] => [{ id, row: id }, ...(combos.get(id) ?? []).map((c) => ({ id, row: `${id} [${c}]`, combination: c }))]);
  const cell = (v: Verdict | undefined) => (v ? `<td class="v v-${v.replace(/ /g, '-')}">${esc(v)}</td>` : '<td class="v">—</td>');
  const rows = keys.map(({ id, row, combination }) => {
    const vs = runs.map((r) => (combination ? r.summary.requirements[id]?.combinations?.[combination]?.verdict : r.summary.requirements[id]?.verdict));
    const differs = new Set(vs.map((v) => v ?? '—')).size > 1;
    const i = info.get(id)!;
    return `<tr class="${differs ? 'differs' : ''}" data-differs="${differs}"><th>${esc(row)}</th><td>${esc(i.level)}</td><td>${esc(i.title)}</td>${vs.map(cell).join('')}</tr>`;
  });
  const head = runs
    .map((r) => {
      const s = r.summary;
      const g = s.gate.conforming === true ? 'conforming' : s.gate.conforming === false ? 'not conforming' : 'not established';
      return `<th>${esc(r.label)}<br><span class="muted">${esc(s.target.name)}<br>suite ${esc(s.suite.version)} · ${esc(s.finishedAt.slice(0, 16))}<br>${esc(g)}${s.complete ? '' : ' (interrupted)'}</span></th>`;
    })
    .join('');
  const differing = rows.filter((r) => r.includes('data-differs="true"')).length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance matrix</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1f24} table{border-collapse:collapse} th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f6f8fa} .muted{color:#57606a;font-weight:400;font-size:12px} tr.differs>th,tr.differs>td:nth-child(2),tr.differs>td:nth-child(3){background:#fff8c5}
.v-pass{background:#dafbe1}.v-fail{background:#ffebe9}.v-warning{background:#fff8c5}.v-inconclusive{background:#fbefff}.v-not-applicable{background:#eaeef2}.v-expected-fail{background:#ddf4ff}.v-not-run{color:#8c959f}
</style></head><body><h1>Conformance matrix</h1><p>${runs.length} runs, ${ids.length} requirements, <span id="differing">${differing}</span> with differing verdicts (highlighted).</p>
<table><thead><tr><th>ID</th><th>Level</th><th>Requirement</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></body></html>
`;
}
