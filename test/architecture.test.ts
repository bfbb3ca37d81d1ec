/**
 * The dependency directions and ownerships described in docs/architecture.md, checked on the
 * source (type-only imports count too):
 * - the Teams bot (bots/) and the WhatsApp channel (channels/whatsapp/) never import each other;
 *   the bot reaches the domain only through the door, services/staff-services.ts, whose public
 *   type is intents with plain data (checked with the TypeScript compiler);
 * - every folder under services/ is declared below with the folders it may import, and the
 *   folders import each other in one direction only (no cycle);
 * - the domain imports no channel, no Teams SDK and no simulation; Meta's simulation (local/)
 *   is loaded only in local mode, by a dynamic import;
 * - services/ledger/delivery-ledger.ts is the only writer of the delivery table;
 * - privacy/ is the only place that deletes subscriber data or asks the ledger to unlink it.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { SEAMS, SERVICE_FOLDERS } from './architecture-rules';
import { loadConfig, tabSettings, teamsSettings } from '../src/config';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'tab' || name === 'page' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

interface Import {
  spec: string;
  dynamic: boolean;
}

/** Module ids relative to src/ without extension ('services/registry/customers'), or package names. */
function importsWithKind(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  // from '...' and from "...", require(), import(), and bare side-effect imports.
  for (const match of text.matchAll(/(?:import|export)[^'"]*from\s+(['"])([^'"]+)\1|require\((['"])([^'"]+)\3\)|import\((['"])([^'"]+)\5\)|^import\s+(['"])([^'"]+)\7/gm)) {
    const spec = match[2] ?? match[4] ?? match[6] ?? match[8];
    found.push({ spec: spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec, dynamic: match[6] !== undefined });
  }
  return found;
}

function importsOf(file: string): string[] {
  return importsWithKind(file).map((i) => i.spec);
}

function moduleId(file: string): string {
  return path.relative(SRC, file).replace(/\.ts$/, '');
}

function fileOf(id: string): string | undefined {
  for (const candidate of [path.join(SRC, `${id}.ts`), path.join(SRC, id, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function violations(fromDir: string, forbidden: (spec: string) => boolean): string[] {
  return sourceFiles(path.join(SRC, fromDir)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((spec) => `${path.relative(SRC, file)} imports ${spec}`),
  );
}

/** Every module of ours reachable from the files of a folder, with the chain that reaches it. */
function reachableFrom(fromDir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = sourceFiles(path.join(SRC, fromDir)).map((file) => [moduleId(file)]);
  while (queue.length > 0) {
    const chain = queue.shift()!;
    const id = chain[chain.length - 1];
    if (seen.has(id)) continue;
    seen.set(id, chain);
    const file = fileOf(id);
    if (!file) continue;
    for (const spec of importsOf(file)) if (fileOf(spec) && !seen.has(spec)) queue.push([...chain, spec]);
  }
  return seen;
}

/** The node of services/ a module belongs to: its folder, or a top-level file by its name. */
function serviceFolderOf(spec: string): string | undefined {
  return (/^services\/([^/]+)\//.exec(spec) ?? /^services\/([^/]+)$/.exec(spec))?.[1];
}

/** The imports between the folders (and top-level files) of services/ as they are in the source. */
function serviceGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const name of readdirSync(path.join(SRC, 'services'))) {
    const full = path.join(SRC, 'services', name);
    const node = name.replace(/\.ts$/, '');
    const files = statSync(full).isDirectory() ? sourceFiles(full) : [full];
    graph.set(node, new Set(files.flatMap(importsOf).map(serviceFolderOf).filter((f): f is string => f !== undefined && f !== node)));
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]): string[] | undefined => {
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...trail, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** SQL or repository calls that delete subscriber data or unlink a delivery from its recipient. */
const DELETES_SUBSCRIBER_DATA = [
  /DELETE\s+FROM\s+"?(subscriber|contact_throttle)\b/i,
  /\b(subscriber_id|phone)\s*=\s*NULL\b/i,
  /getRepository\((Subscriber|ContactThrottle)\)\s*\.\s*(delete|remove|softDelete|clear)\(/,
  /\.(delete|remove)\(\s*(Subscriber|ContactThrottle)\b/,
];

/** Writes to the delivery table in SQL (schema-qualified or quoted too). */
const WRITES_DELIVERY = [/\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+("?public"?\.)?"?delivery"?\b/i];
/** The Delivery entity in an import: the way to any TypeORM write of the table. */
const IMPORTS_DELIVERY = /import\s*\{[^}]*\bDelivery\b[^}]*\}\s*from\s*['"][./]*entities['"]/;
/** Who may hold the entity: the ledger, and the right of access, which reads a subscriber's rows. */
const DELIVERY_ENTITY_USERS = ['services/ledger/delivery-ledger.ts', 'services/privacy/subscriber-requests.ts'];

const LEDGER = path.join(SRC, 'services', 'ledger', 'delivery-ledger.ts');

/** A write of a notice's status: SQL that sets it, or a repository write of OutageMessage that names it. */
const WRITES_NOTICE_STATUS = [
  /\bUPDATE\s+("?public"?\.)?"?outage_message"?\s+((AS\s+)?\w+\s+)?SET\b[^;`]*\b"?status"?\s*=/i,
  /\bINSERT\s+INTO\s+("?public"?\.)?"?outage_message"?\s*(\([^)]*\bstatus\b|SELECT\b)/i,
  // A repository or manager write of the entity (save, update, insert, upsert, a query builder's set) that names a status.
  /\bOutageMessage\b[^;]*\.\s*(update|save|insert|upsert|set)\([^;]*\bstatus\b/,
  /\.(save|update|insert|upsert)\(\s*OutageMessage\b[^;]*\bstatus\b/,
];
const LIFECYCLE = path.join(SRC, 'services', 'notices', 'notice-lifecycle.ts');
const DOOR = path.join(SRC, 'services', 'staff-services.ts');

function filesMatching(patterns: RegExp[], except: (file: string) => boolean): string[] {
  return sourceFiles(SRC)
    .filter((file) => !except(file) && !file.includes(`${path.sep}migrations${path.sep}`))
    .filter((file) => patterns.some((pattern) => pattern.test(readFileSync(file, 'utf8'))))
    .map((file) => path.relative(SRC, file));
}

/**
 * Why a type the door hands over is not plain data (functions, classes, anything declared
 * outside the door file other than the language's own types); empty when it is.
 */
function notPlainData(checker: ts.TypeChecker, type: ts.Type, where: string, seen = new Set<ts.Type>()): string[] {
  if (seen.has(type)) return [];
  seen.add(type);
  if (type.isUnion() || type.isIntersection()) return type.types.flatMap((t) => notPlainData(checker, t, where, seen));
  if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return [];
  // Untyped data is a way around the check; the conversation reference, Bot Framework's own
  // opaque JSON, is the one place it is the truth.
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive)) return /(conversationReference|reference)\[key\]$/.test(where) ? [] : [`${where} is untyped (${checker.typeToString(type)})`];
  if (checker.isArrayType(type)) return notPlainData(checker, checker.getTypeArguments(type as ts.TypeReference)[0], `${where}[]`, seen);
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return [`${where} is a function`];
  const declarations = type.getSymbol()?.getDeclarations() ?? [];
  if (declarations.some((d) => ts.isClassDeclaration(d))) return [`${where} is a class (${checker.typeToString(type)})`];
  const foreign = declarations.filter((d) => path.resolve(d.getSourceFile().fileName) !== DOOR && !d.getSourceFile().fileName.includes('/typescript/lib/'));
  if (foreign.length > 0) return [`${where} is declared outside the door (${checker.typeToString(type)})`];
  const index = type.getStringIndexType();
  return [
    ...(index ? notPlainData(checker, index, `${where}[key]`, seen) : []),
    ...type.getProperties().flatMap((p) => notPlainData(checker, checker.getTypeOfSymbol(p), `${where}.${p.name}`, seen)),
  ];
}

describe('architecture', () => {
  it('keeps the Teams bot and the WhatsApp channel apart', () => {
    expect(violations('bots', (s) => s.startsWith('channels/'))).to.deep.equal([]);
    expect(violations('channels', (s) => s.startsWith('bots'))).to.deep.equal([]);
  });

  it('gives the bot no way to a channel, the simulation, the composition root or any domain module but the door, even by type', () => {
    const reached = [...reachableFrom('bots')].filter(([id]) => /^(channels|local|playground)\//.test(id) || id === 'app' || id === 'index' || (id.startsWith('services/') && id !== 'services/staff-services'));
    expect(reached.map(([, chain]) => chain.join(' -> '))).to.deep.equal([]);
  });

  it('lets bots/ use neither entities nor TypeORM nor the database', () => {
    expect(violations('bots', (s) => s.startsWith('entities') || s === 'typeorm' || s.startsWith('db/'))).to.deep.equal([]);
  });

  it('makes the door a list of intents with plain data: no imports, no domain objects, no functions handed out', () => {
    const program = ts.createProgram([DOOR], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [], noEmit: true });
    const source = program.getSourceFile(DOOR)!;
    expect(source.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)).length, 'imports in the door').to.equal(0);
    expect(source.statements.filter(ts.isClassDeclaration).map((c) => c.name?.text)).to.deep.equal([]);
    const checker = program.getTypeChecker();
    const door = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'StaffServices');
    expect(door, 'interface StaffServices').to.not.equal(undefined);
    const problems: string[] = [];
    const members = checker.getTypeAtLocation(door!).getProperties();
    expect(members.map((m) => m.name)).to.include.members(['preview', 'send', 'approve', 'resume', 'cancel', 'statusOf', 'invite', 'exportSubscriber', 'erase']);
    for (const member of members) {
      const signatures = checker.getTypeOfSymbol(member).getCallSignatures();
      if (signatures.length === 0) problems.push(`${member.name} is not a method`);
      for (const signature of signatures) {
        for (const parameter of signature.getParameters()) problems.push(...notPlainData(checker, checker.getTypeOfSymbol(parameter), `${member.name}(${parameter.name})`));
        const returned = signature.getReturnType();
        const awaited = returned.getSymbol()?.getName() === 'Promise' ? checker.getTypeArguments(returned as ts.TypeReference)[0] : returned;
        problems.push(...notPlainData(checker, awaited, `${member.name}()`));
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('gives the Teams side only its settings: the bot TeamsSettings, the tab TabSettings (not even the bot\'s secret), never a WhatsApp, mail or key credential', () => {
    // No file there names the whole configuration.
    const whole = ['bots', 'management'].flatMap((dir) => sourceFiles(path.join(SRC, dir)).filter((file) => /import[^;]*\bConfig\b[^;]*from '\.\.\/config'/.test(readFileSync(file, 'utf8'))).map((file) => path.relative(SRC, file)));
    expect(whole).to.deep.equal([]);
    // Each slice's type, all the way down: the bot's identity and the public origin, nothing else.
    const file = path.join(SRC, 'config.ts');
    const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [], noEmit: true, experimentalDecorators: true });
    const checker = program.getTypeChecker();
    const names = (type: ts.Type, prefix: string): string[] =>
      type.getProperties().flatMap((p) => {
        const inner = checker.getTypeOfSymbol(p);
        const nested = inner.getCallSignatures().length === 0 && inner.getProperties().length > 0 && !(inner.flags & ts.TypeFlags.StringLike) && !checker.isArrayType(inner) ? names(inner, `${prefix}${p.name}.`) : [];
        return [`${prefix}${p.name}`, ...nested];
      });
    const slice = (name: string) => {
      const declaration = program.getSourceFile(file)!.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
      return names(checker.getTypeAtLocation(declaration!), '');
    };
    const credentials = /whatsapp|smtp|mail|pseudonym|database|secret|metrics|password|token/i;
    for (const [name, allowed] of [['TeamsSettings', ['bot.appPassword']], ['TabSettings', []]] as const) {
      const all = slice(name);
      expect(all.filter((n) => !n.includes('.')), name).to.deep.equal(['bot', 'publicBaseUrl']);
      expect(all.filter((n) => credentials.test(n) && !(allowed as readonly string[]).includes(n)), name).to.deep.equal([]);
    }
    // What the composition root hands over is each slice as its own object, not the whole configuration.
    const config = loadConfig({ MicrosoftAppId: '6f1d2c3b-1111-4aaa-8bbb-0123456789ab', MicrosoftAppPassword: 'bot-pass-1', MicrosoftAppTenantId: 't', WHATSAPP_ACCESS_TOKEN: 'wa-token-1', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 'wa-secret-1', WHATSAPP_VERIFY_TOKEN: 'v', SMTP_URL: 'smtp://u:mail-pass-1@mail.local:587' }, { purpose: 'tool' });
    for (const secret of ['wa-token-1', 'wa-secret-1', 'mail-pass-1']) expect(JSON.stringify(teamsSettings(config))).to.not.include(secret);
    for (const secret of ['wa-token-1', 'wa-secret-1', 'mail-pass-1', 'bot-pass-1']) expect(JSON.stringify(tabSettings(config))).to.not.include(secret);
    const app = readFileSync(path.join(SRC, 'app.ts'), 'utf8');
    expect(app).to.match(/teamsBotFeature\(\{ config: teamsSettings\(config\)/).and.to.match(/managementFeature\(\{\s+config: tabSettings\(config\)/);
  });

  it('declares every folder under services/ with the folders it may import, and keeps to it', () => {
    const graph = serviceGraph();
    expect([...graph.keys()].sort()).to.deep.equal(Object.keys(SERVICE_FOLDERS).sort());
    const extra = [...graph].flatMap(([from, targets]) => [...targets].filter((to) => !SERVICE_FOLDERS[from]?.includes(to)).map((to) => `${from} -> ${to}`));
    expect(extra).to.deep.equal([]);
  });

  it('has no cycle between the folders under services/', () => {
    expect(findCycle(serviceGraph())).to.equal(undefined);
    // The check itself finds a cycle when there is one.
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]))).to.deep.equal(['a', 'b', 'c', 'a']);
  });

  it('keeps the domain folders to their named seams, and names only seams in use', () => {
    const found: string[] = [];
    for (const [pair, allowed] of Object.entries(SEAMS)) {
      const [from, to] = pair.split('->');
      found.push(...violations(`services/${from}`, (s) => s.startsWith(`services/${to}/`) && !allowed.includes(s)));
      const used = new Set(sourceFiles(path.join(SRC, 'services', from)).flatMap(importsOf));
      for (const target of allowed) expect(used.has(target), `${pair}: ${target}`).to.equal(true);
    }
    expect(found).to.deep.equal([]);
  });

  it('lets the domain import no channel, Teams SDK, simulation or composition root', () => {
    const forbidden = (s: string) => /^(bots|channels|local|playground|management|cli|doctor)\//.test(s) || s === 'app' || s === 'index' || s.startsWith('botbuilder') || s.startsWith('botframework');
    expect(violations('services', forbidden)).to.deep.equal([]);
  });

  it('lets only bots/ import the Bot Framework SDK', () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !file.startsWith(path.join(SRC, 'bots') + path.sep))
      .flatMap((file) => importsOf(file).filter((s) => s.startsWith('botbuilder') || s.startsWith('botframework')).map((s) => `${path.relative(SRC, file)} imports ${s}`));
    expect(offenders).to.deep.equal([]);
  });

  it('loads the simulation of Meta (local/) only in local mode: imported dynamically, outside the local tools', () => {
    const localTools = (file: string) => /^(local|playground)\//.test(path.relative(SRC, file)) || path.relative(SRC, file) === 'cli/playground.ts';
    const imports = sourceFiles(SRC)
      .filter((file) => !localTools(file))
      .flatMap((file) => importsWithKind(file).filter((i) => /^(local|playground)\//.test(i.spec)).map((i) => ({ ...i, file: path.relative(SRC, file) })));
    expect(imports.filter((i) => !i.dynamic).map((i) => `${i.file} imports ${i.spec}`)).to.deep.equal([]);
    expect(imports.filter((i) => i.dynamic).map((i) => i.file)).to.include('app.ts');
  });

  it('lets only the domain services and the data layer use repositories and queries', () => {
    for (const dir of ['bots', 'management', 'channels', 'local', 'playground']) {
      expect(violations(dir, (s) => s.startsWith('db/') || s.startsWith('entities'))).to.deep.equal([]);
    }
    const queries = filesMatching([/\.query\(/, /getRepository\(/, /createQueryBuilder\(/], (file) => /^(services|db|migrations|entities)\//.test(path.relative(SRC, file)));
    // The health check's SELECT 1 and the doctor's read of the server version and migrations.
    expect(queries.sort()).to.deep.equal(['doctor/database-check.ts', 'server.ts']);
  });

  it('lets only services/ledger/delivery-ledger.ts write the delivery table', () => {
    expect(filesMatching(WRITES_DELIVERY, (file) => file === LEDGER)).to.deep.equal([]);
    const holders = sourceFiles(SRC)
      .filter((file) => !file.includes(`${path.sep}entities${path.sep}`) && IMPORTS_DELIVERY.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(holders.filter((file) => !DELIVERY_ENTITY_USERS.includes(file))).to.deep.equal([]);
    // The checks themselves: they must see what the ledger does, and what the right of access reads.
    expect(WRITES_DELIVERY.some((pattern) => pattern.test(readFileSync(LEDGER, 'utf8')))).to.equal(true);
    expect(WRITES_DELIVERY.some((pattern) => pattern.test('INSERT INTO public.delivery (id)'))).to.equal(true);
    expect(holders).to.include('services/privacy/subscriber-requests.ts');
  });

  it("lets only services/notices/notice-lifecycle.ts write a notice's status", () => {
    expect(filesMatching(WRITES_NOTICE_STATUS, (file) => file === LIFECYCLE)).to.deep.equal([]);
    // The check itself: it sees each kind of write the lifecycle makes.
    const lifecycle = readFileSync(LIFECYCLE, 'utf8');
    expect(WRITES_NOTICE_STATUS.map((pattern) => pattern.test(lifecycle))).to.deep.equal([true, false, true, false]);
    const seen = (text: string) => WRITES_NOTICE_STATUS.some((pattern) => pattern.test(text));
    for (const write of [
      'INSERT INTO outage_message (id, outage_id, status) VALUES',
      'UPDATE outage_message AS m SET "status" = $1',
      "manager.save(OutageMessage, { id, status: 'done' })",
      "dataSource.createQueryBuilder().update(OutageMessage).set({ status: 'done' })",
    ]) {
      expect(seen(write), write).to.equal(true);
    }
  });

  it('deletes subscriber data only in services/privacy/, and only privacy/ asks the ledger to unlink a recipient', () => {
    const privacy = path.join(SRC, 'services', 'privacy');
    const inPrivacy = (file: string) => file.startsWith(privacy + path.sep);
    expect(filesMatching(DELETES_SUBSCRIBER_DATA, (file) => inPrivacy(file) || file === LEDGER)).to.deep.equal([]);
    expect(filesMatching([/\b(unlinkSubscriber|forgetOldRecipients)\(/], (file) => inPrivacy(file) || file === LEDGER)).to.deep.equal([]);
    // The check itself: it must see what privacy/ does.
    const privacyFiles = sourceFiles(privacy).filter((file) => [...DELETES_SUBSCRIBER_DATA, /\b(unlinkSubscriber|forgetOldRecipients)\(/].some((pattern) => pattern.test(readFileSync(file, 'utf8'))));
    expect(privacyFiles.map((file) => path.basename(file)).sort()).to.deep.equal(['contact-counters.ts', 'erasure.ts', 'feature.ts', 'person-merge.ts', 'retention.ts']);
  });
});
