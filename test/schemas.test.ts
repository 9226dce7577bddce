import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEMA_DIR, schemaIds, schemas, validate } from '../steps/support/schemas';
import { canonicalize, type RelPrefix } from '../steps/support/dialect';

const EXAMPLES_DIR = path.join(SCHEMA_DIR, 'examples');
const SPEC_DIR = path.resolve(__dirname, '..', '..', 'shared', 'spec');
const PROFILE_MD = path.join(SPEC_DIR, 'PROFILE.md');
const DOC_EXAMPLES_DIR = path.join(SPEC_DIR, 'doc-examples');

/**
 * Schemas of the project's own files rather than protocol messages: the target description (verbatim from
 * TARGET.md §7) and the requirement catalogue. They are closed (unknown members are errors) and cite no
 * requirement, so the protocol-schema lints do not apply; they still need examples.
 */
const VERBATIM = new Set(['target-description', 'requirements', 'deviations', 'summary']);

/** The `$id` a schema file declares (`urn:ucwa-conformance:<name>:<version>`; the target description is at version 2). */
const idOf = (name: string): string => (JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as { $id: string }).$id;
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
const schemaNames = (): string[] =>
  fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => f.replace(/\.schema\.json$/, ''))
    .sort();

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every (path, key, value) in a JSON tree. */
function* walk(v: unknown, at = ''): Generator<[string, string, unknown]> {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* walk(x, `${at}/${i}`);
  else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      yield [at, k, x];
      yield* walk(x, `${at}/${k}`);
    }
}

/** A document to validate: the whole document, or a part of it (an invitation event, an embedded resource). */
interface Part {
  what: string;
  schema: string;
  doc: unknown;
}

const EMBEDDED_SCHEMAS: Record<string, string> = {
  participant: 'participant',
  conversation: 'conversation',
  messaging: 'messaging',
  communication: 'communication',
  me: 'me',
};

function invitationSchemaFor(inv: unknown): string {
  const direction = isObject(inv) ? inv.direction : undefined;
  return direction === 'Outgoing'
    ? 'messaging-invitation-outgoing'
    : direction === 'Incoming'
      ? 'messaging-invitation-incoming'
      : 'messaging-invitation';
}

function eventParts(ev: unknown, at: string): Part[] {
  if (!isObject(ev)) return [];
  const out: Part[] = [];
  if (isObject(ev.link) && ev.link.rel === 'messagingInvitation') out.push({ what: at, schema: 'invitation-event', doc: ev });
  for (const [key, value] of Object.entries(isObject(ev._embedded) ? ev._embedded : {})) {
    const schema = key === 'messagingInvitation' ? invitationSchemaFor(value) : EMBEDDED_SCHEMAS[key];
    if (schema) out.push({ what: `${at}._embedded.${key}`, schema, doc: value });
  }
  return out;
}

/**
 * The document against its schema, plus the parts that have a schema of their own: in an event batch every invitation
 * event (invitation-event) and every embedded copy of a known resource (an invitation by its direction); for an
 * invitation, its direction-specific schema.
 */
function partsOf(schema: string, doc: unknown): Part[] {
  const parts: Part[] = [{ what: 'document', schema, doc }];
  if (schema === 'messaging-invitation') parts.push({ what: 'document', schema: invitationSchemaFor(doc), doc });
  if (schema === 'invitation-event') parts.push(...eventParts(doc, 'event').filter((p) => p.schema !== 'invitation-event'));
  if (schema === 'event-batch' && isObject(doc) && Array.isArray(doc.sender))
    for (const [i, block] of doc.sender.entries())
      if (isObject(block) && Array.isArray(block.events))
        for (const [j, ev] of block.events.entries()) parts.push(...eventParts(ev, `sender[${i}].events[${j}]`));
  return parts;
}

const show = (errors: string[]): string => errors.join('\n  ');

describe('schema files', () => {
  test('the strict ajv instance loads every schemas/*.schema.json by its $id', () => {
    assert.deepEqual([...schemaIds()].sort(), schemaNames().map(idOf).sort());
  });

  for (const name of schemaNames()) {
    test(`${name}.schema.json compiles in strict mode, $id ${idOf(name)}`, () => {
      const schema = readJson(path.join(SCHEMA_DIR, `${name}.schema.json`)) as Json;
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.equal(schema.$id, idOf(name));
      assert.ok(schemas().getSchema(idOf(name)), `no compiled schema for ${idOf(name)}`);
      if (VERBATIM.has(name)) return;
      assert.equal(typeof schema.title, 'string', 'title');
      assert.match(String(schema.description), /\b[A-Z]{2,5}-\d+\b/, 'description cites requirement IDs');
    });

    if (VERBATIM.has(name)) continue;
    test(`${name}.schema.json allows extra members and states every length in UTF-16 units too`, () => {
      const schema = readJson(path.join(SCHEMA_DIR, `${name}.schema.json`));
      for (const [at, key, value] of walk(schema)) {
        assert.ok(!(key === 'additionalProperties' && value === false), `${at}: additionalProperties false (WIRE-7, §13)`);
        const owner = walkValue(schema, at) as Json;
        if (key === 'maxLength') assert.equal(owner.maxUtf16Length, value, `${at}: maxLength without maxUtf16Length`);
        if (key === 'maxUtf16Length') assert.equal(owner.maxLength, value, `${at}: maxUtf16Length without maxLength`);
      }
    });
  }
});

/** The value at a JSON pointer made by `walk`. */
function walkValue(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (Array.isArray(v) ? v[Number(k)] : isObject(v) ? v[k] : undefined), root);
}

describe('minimal examples (schemas/examples/<schema>/valid-*.json, invalid-*.json)', () => {
  const names = schemaNames();
  test('every example folder names a schema', () => {
    for (const dir of fs.readdirSync(EXAMPLES_DIR)) assert.ok(names.includes(dir), `schemas/examples/${dir} has no schema`);
  });

  for (const name of names) {
    const dir = path.join(EXAMPLES_DIR, name);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    test(`${name}: at least one valid and one invalid example, named valid-*/invalid-*`, () => {
      for (const f of files) assert.match(f, /^(valid|invalid)-[A-Za-z0-9-]+\.json$/, `schemas/examples/${name}/${f}`);
      assert.ok(files.some((f) => f.startsWith('valid-')), 'no valid example');
      assert.ok(files.some((f) => f.startsWith('invalid-')), 'no invalid example');
    });
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      test(`${name}/${f}`, () => {
        const errors = validate(idOf(name), readJson(path.join(dir, f)));
        if (f.startsWith('valid-')) assert.deepEqual(errors, [], `expected valid:\n  ${show(errors)}`);
        else assert.notDeepEqual(errors, [], 'expected invalid, but it validates');
      });
    }
  }
});

/** The JSON bodies of PROFILE.md §14: ```json blocks, and the response bodies of ```http blocks. */
function wireExamples(md: string): { label: string; doc: unknown }[] {
  const start = md.indexOf('\n## 14.');
  assert.ok(start >= 0, 'PROFILE.md has no §14');
  const end = md.indexOf('\n## ', start + 1);
  const section = md.slice(start, end < 0 ? undefined : end);
  const out: { label: string; doc: unknown }[] = [];
  for (const [i, m] of [...section.matchAll(/```(http|json)\n([\s\S]*?)```/g)].entries()) {
    const [, kind, text] = m as unknown as [string, string, string];
    if (kind === 'json') {
      out.push({ label: `§14 block ${i + 1} (json)`, doc: JSON.parse(text) });
      continue;
    }
    const lines = text.split('\n');
    const status = lines.findIndex((l) => /^HTTP\/1\.1 \d{3}/.test(l));
    if (status < 0) continue;
    const blank = lines.findIndex((l, k) => k > status && l.trim() === '');
    const body = blank < 0 ? '' : lines.slice(blank + 1).join('\n').trim();
    if (body) out.push({ label: `§14 block ${i + 1} (${lines[status]?.trim()})`, doc: JSON.parse(body) });
  }
  return out;
}

/** Documents spelled the same in every dialect (WIRE-3: discovery uses bare names; sign-in and errors have no rels). */
const DIALECT_FREE = new Set(['discovery-root', 'discovery-user', 'token-response', 'token-error', 'error']);

/** Which schema a §14 document is an instance of, from its shape (canonical form). */
function classify(doc: unknown): string | undefined {
  if (!isObject(doc)) return undefined;
  const links = isObject(doc._links) ? doc._links : {};
  if ('access_token' in doc) return 'token-response';
  if ('code' in doc) return 'error';
  if ('sender' in doc || 'next' in links) return 'event-batch';
  if ('link' in doc && 'type' in doc) return 'invitation-event';
  if (doc.rel === 'application') return 'application';
  if ('applications' in links) return 'discovery-user';
  if ('user' in links || 'redirect' in links) return 'discovery-root';
  return undefined;
}

describe('PROFILE.md §14 wire examples (dialect ms:rtc:saas:, canonicalized)', () => {
  if (!fs.existsSync(PROFILE_MD)) {
    test('§14 wire examples', (t) => t.skip(`${PROFILE_MD} is absent: the profile's wire examples cannot be checked`));
    return;
  }
  const examples = wireExamples(fs.readFileSync(PROFILE_MD, 'utf8'));
  const counts: Record<string, number> = {};
  for (const { label, doc } of examples) {
    const dialectFree = DIALECT_FREE.has(classify(doc) ?? '');
    const canonical = dialectFree ? doc : canonicalize(doc, 'ms:rtc:saas:');
    const schema = classify(canonical);
    counts[schema ?? '?'] = (counts[schema ?? '?'] ?? 0) + 1;
    for (const part of partsOf(schema ?? '?', canonical)) {
      test(`${label}: ${part.what} is valid per ${part.schema}`, () => {
        assert.ok(schema, `cannot tell which schema applies to ${JSON.stringify(doc).slice(0, 120)}`);
        const errors = validate(idOf(part.schema), part.doc);
        assert.deepEqual(errors, [], show(errors));
      });
    }
  }
  test('§14 holds every document kind the schemas cover', () => {
    assert.deepEqual(counts, {
      'discovery-root': 1,
      'token-response': 1,
      'discovery-user': 1,
      application: 1,
      'event-batch': 4,
      'invitation-event': 1,
      error: 1,
    });
  });
});

interface InProfile {
  schema: string;
  /** Parts the profile says are wrong: schema → why, and a pattern one of the reported errors must match. */
  rejected?: Record<string, { because: string; match: RegExp }>;
}

/** Valid-JSON documentation examples inside the profile, by file; `taa-sdkfixture-*` use `ms:rtc:saas:`, the others bare rels. */
const DOC_EXAMPLES: Record<string, InProfile> = {
  'autodiscover-root-response.json': { schema: 'discovery-root' },
  'autodiscover-root-response-2.json': { schema: 'discovery-root' },
  'autodiscover-redirect-response.json': { schema: 'discovery-root' },
  'autodiscover-user-response.json': { schema: 'discovery-user' },
  'oauth-token-response.json': { schema: 'token-response' },
  'oauth-token-response-password-grant.json': { schema: 'token-response' },
  'oauth-error-passive-grant.json': { schema: 'token-error' },
  'oauth-error-unsupported-grant.json': { schema: 'token-error' },
  'applications-create-response.json': { schema: 'application' },
  'applications-create-response-ref.json': { schema: 'application' },
  'application-get-response-ref.json': { schema: 'application' },
  'communication-get-response.json': { schema: 'communication' },
  'conversation-get-response.json': { schema: 'conversation' },
  'messaging-get-response.json': { schema: 'messaging' },
  'receiveAnIM-participant-get-response.json': { schema: 'participant' },
  'error-404-applicationnotfound.json': { schema: 'error' },
  'error-409-conflict-alreadyexists.json': { schema: 'error' },
  'messagingInvitation-get-response.json': {
    schema: 'messaging-invitation',
    rejected: {
      'messaging-invitation-incoming': {
        because: 'Incoming in state Connected with accept, decline and cancel: an impossible state (MI-12, MI-13; SOURCES.md)',
        match: /\/_links\/(accept|decline|cancel) must be absent/,
      },
    },
  },
  'messagingInvitation-get-response-rev1.json': {
    schema: 'messaging-invitation',
    rejected: {
      'messaging-invitation-incoming': {
        because: 'same impossible state as the current page: Incoming, Connected, accept + decline + cancel (MI-12, MI-13)',
        match: /\/_links\/(accept|decline|cancel) must be absent/,
      },
    },
  },
  'messagingInvitation-event-started.json': { schema: 'event-batch' },
  'messagingInvitation-event-updated.json': { schema: 'event-batch' },
  'messagingInvitation-event-completed.json': {
    schema: 'event-batch',
    rejected: {
      'invitation-event': { because: 'completed without status (EV-8)', match: /required property 'status'/ },
    },
  },
  'communication-event-updated.json': { schema: 'event-batch' },
  'conversation-event-added.json': { schema: 'event-batch' },
  'conversation-event-updated.json': { schema: 'event-batch' },
  'conversation-event-deleted.json': { schema: 'event-batch' },
  'messaging-event-updated.json': { schema: 'event-batch' },
  'events-sample-communication-and-me.json': { schema: 'event-batch' },
  'events-onlineMeetingInvitation-started-operationId.json': { schema: 'event-batch' },
  'receiveAnIM-events-communication-updated.json': { schema: 'event-batch' },
  'receiveAnIM-events-participant-added.json': { schema: 'event-batch' },
  'receiveAnIM-events-invitation-updated-incoming.json': { schema: 'event-batch' },
  'receiveAnIM-events-message-completed-incoming.json': { schema: 'event-batch' },
  'sendAnIM-events-message-completed.json': { schema: 'event-batch' },
  'taa-sdkfixture-application-response.json': {
    schema: 'application',
    rejected: {
      application: {
        because: 'a TAA (webhook) application: no events link and no embedded me, both required by APP-1',
        match: /required property '(events|me)'/,
      },
    },
  },
  'taa-sdkfixture-communication-response.json': { schema: 'communication' },
  'taa-sdkfixture-messaging-get-response.json': { schema: 'messaging' },
  'taa-sdkfixture-events-conversation-added.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-conversation-updated-connected.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-conversation-deleted.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-participant-added.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-messaging-updated-connected.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-messaging-updated-disconnected.json': { schema: 'event-batch' },
  'taa-sdkfixture-events-empty.json': {
    schema: 'event-batch',
    rejected: {
      'event-batch': {
        because: 'a webhook heartbeat with only self: EV-1 needs exactly one of next/resume/resync (webhooks: §12.2)',
        match: /must match exactly one schema in oneOf/,
      },
    },
  },
  'taa-sdkfixture-events-invitation-started-outgoing.json': {
    schema: 'event-batch',
    rejected: {
      'invitation-event': { because: 'the embedded copy has no threadId (MI-6) and no messaging link (MI-10)', match: /'(threadId|messaging)'/ },
      'messaging-invitation-outgoing': { because: 'no threadId (MI-6), messaging link (MI-10) or to (MI-7)', match: /'(threadId|messaging|to)'/ },
    },
  },
  'taa-sdkfixture-events-invitation-completed-outgoing.json': {
    schema: 'event-batch',
    rejected: {
      'invitation-event': { because: 'completed without status (EV-8); embedded copy lacks threadId and messaging', match: /'status'/ },
      'messaging-invitation-outgoing': {
        because: 'Connected with cancel and without acceptedByParticipant (MI-13, MI-14); no threadId, messaging, to',
        match: /\/_links\/cancel must be absent/,
      },
    },
  },
  'taa-sdkfixture-events-invitation-started-incoming.json': {
    schema: 'event-batch',
    rejected: {
      'invitation-event': { because: 'the embedded copy has no messaging link (MI-10)', match: /'messaging'/ },
      'messaging-invitation-incoming': {
        because: 'decline without accept (MI-12); no messaging link (MI-10)',
        match: /must have property accept when property decline is present/,
      },
    },
  },
};

const RAW = 'not valid JSON as published';
/** Documentation examples not validated, each with the reason. */
const EXCLUDED: Record<string, string> = {
  'addMessaging-request.raw.txt': `${RAW}: &quot;-escaped`,
  'applications-create-request.raw.txt': `${RAW}: trailing comma`,
  'applications-create-request-ref.raw.txt': `${RAW}: &quot;-escaped`,
  'decline-request.raw.txt': `${RAW}: &quot;-escaped`,
  'events-sample-conversation-participant-messaging.raw.txt': `${RAW}: elided with "..." and a missing comma`,
  'receiveAnIM-application-get-response.raw.txt': `${RAW}: two links lack their opening "{"`,
  'receiveAnIM-events-invitation-completed-incoming.raw.txt': `${RAW}: "self"{ without a colon`,
  'receiveAnIM-events-invitation-started-incoming.raw.txt': `${RAW}: type":"added" lacks its opening quote`,
  'sendAnIM-conversation-get-response.raw.txt': `${RAW}: abbreviated with "." lines`,
  'sendAnIM-events-invitation-completed.raw.txt': `${RAW}: "." lines and a stray apostrophe`,
  'sendAnIM-events-invitation-started.raw.txt': `${RAW}: "." and "..." placeholder lines`,
  'startMessaging-request.raw.txt': `${RAW}: &quot;-escaped, values broken over lines`,
  'startMessaging2-request.raw.txt': `${RAW}: &quot;-escaped`,
  'taa-callback-event-headers-and-truncated-body.raw.txt': `${RAW}: headers and a truncated body (webhooks are out of scope, §12.2)`,
  'taa-callflow-callback-conversation-deleted-fragment.raw.txt': `${RAW}: a fragment of a webhook callback (§12.2)`,
  'taa-callflow-callback-invitation-started-fragment.raw.txt': `${RAW}: a fragment of a webhook callback (§12.2)`,
  'taa-callflow-capabilities-fragment.raw.txt': `${RAW}: a fragment (TAA discovery, §12.2)`,
  'taa-callflow-discover-fragment.raw.txt': `${RAW}: status text and a member on one line (TAA discovery, §12.2)`,
  'taa-discover-fragment.raw.txt': `${RAW}: a single member (TAA discovery, §12.2)`,
  'addMessaging-request-rev1.json': 'a request body: the schemas describe what a server emits',
  'decline-request-rev1.json': 'a request body: the schemas describe what a server emits',
  'startMessaging-request-rev1.json': 'a request body: the schemas describe what a server emits',
  'sendAnIM-startMessaging-request.json': 'a request body: the schemas describe what a server emits',
  'receiveAnIM-makeMeAvailable-request.json': 'a request body (PascalCase SupportedModalities): the schemas describe what a server emits',
  'operationResource-request.json': 'a request body of an onlineMeeting invitation: another resource (§12.2)',
  'taa-startMessaging-request-callflow.json': 'a TAA request body with callbackUrl: webhooks are out of scope (§12.2)',
  'taa-startMessaging-request-webhooks-doc.json': 'a TAA request body with callbackUrl: webhooks are out of scope (§12.2)',
  'taa-callback-response-callbackContext.json': "a service application's answer to a webhook callback (§12.2)",
  'taa-sdkfixture-discover-response.json': 'TAA discovery (platformservice/discover) is out of scope (§12.2)',
  'taa-sdkfixture-applications-response.json': 'the TAA applications?endpointId listing: TAA discovery, out of scope (§12.2)',
};

describe('documentation examples (../shared/spec/doc-examples, read in place)', () => {
  if (!fs.existsSync(DOC_EXAMPLES_DIR)) {
    test('documentation examples', (t) =>
      t.skip(`${DOC_EXAMPLES_DIR} is absent: the published examples are evidence kept outside the project, so they are not checked`));
    return;
  }
  const files = fs.readdirSync(DOC_EXAMPLES_DIR).filter((f) => f !== 'SOURCES.md').sort();

  test('every example file is either validated or excluded with a reason', () => {
    for (const f of files) assert.ok((f in DOC_EXAMPLES) !== (f in EXCLUDED), `${f}: validated and excluded, or neither`);
    for (const f of [...Object.keys(DOC_EXAMPLES), ...Object.keys(EXCLUDED)]) assert.ok(files.includes(f), `${f} no longer exists`);
  });

  test('the excluded .raw.txt files are indeed not JSON', () => {
    for (const f of Object.keys(EXCLUDED).filter((x) => x.endsWith('.raw.txt')))
      assert.throws(() => JSON.parse(fs.readFileSync(path.join(DOC_EXAMPLES_DIR, f), 'utf8')), `${f} parses`);
  });

  for (const [file, { schema, rejected = {} }] of Object.entries(DOC_EXAMPLES)) {
    if (!files.includes(file)) continue;
    const prefix: RelPrefix = file.startsWith('taa-sdkfixture-') ? 'ms:rtc:saas:' : '';
    const doc = canonicalize(readJson(path.join(DOC_EXAMPLES_DIR, file)), prefix);
    for (const part of partsOf(schema, doc)) {
      const reject = rejected[part.schema];
      const title = reject
        ? `${file}: ${part.what} is rejected by ${part.schema}: ${reject.because}`
        : `${file}: ${part.what} is valid per ${part.schema}`;
      test(title, () => {
        const errors = validate(idOf(part.schema), part.doc);
        if (!reject) assert.deepEqual(errors, [], show(errors));
        else
          assert.ok(
          errors.some((e) => reject.match.test(e)),
          `expected an error matching ${reject.match}, got:\n  ${show(errors)}`,
        );
      });
    }
  }
});
