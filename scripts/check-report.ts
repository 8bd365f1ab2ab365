/**
 * Opens the report pages (scripts/lib/report) in headless Chromium, as a
 * reviewer's browser would, and fails unless each page
 * - loads with no console error: no `console.error`, no uncaught exception,
 *   no failed load and no Content-Security-Policy violation (the page forbids
 *   loading anything, so a reference to the network is an error here);
 * - draws every diagram: each `<figure data-view>` holds an SVG with a
 *   laid-out `<g>` (non-empty bounding box) for every group of the view's
 *   model (`data-groups`), and at least one node;
 * - has its sections: summary, architecture, deploy critical path, one per
 *   environment with a row per stack, validators.
 * A full-page screenshot is written next to each page (`report.png`).
 *
 * Chromium is driven through the DevTools protocol over a WebSocket (Node's
 * own client: global in Node 22, behind --experimental-websocket in Node 20,
 * with which this script re-runs itself); its stderr is not read, as
 * Chromium logs errors of its own there (D-Bus, GPU) on a headless machine.
 *
 *   check-report.ts [--self-test] [page.html...]   default: cdk.out/report.html cdk.out/phase2/report.html
 *
 * --self-test first checks deliberately broken copies of the first page (a
 * console.error, an uncaught exception, a failed load, a network reference
 * blocked by the policy, a diagram group missing) and fails unless each one
 * fails the check and the page itself passes.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './lib/assembly';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** What the browser saw. */
export interface PageCheck {
  readonly consoleErrors: string[];
  /** Failed assertions on the DOM. */
  readonly problems: string[];
  readonly diagrams: number;
  readonly stackRows: number;
  readonly screenshot?: Buffer;
}

/** A DevTools protocol session on one page target. */
class Cdp {
  static connect(url: string): Promise<Cdp> {
    const ws = new (globalThis as any).WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(new Cdp(ws)));
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
    });
  }

  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(method: string, params: any) => void> = [];

  private constructor(private readonly ws: any) {
    ws.addEventListener('message', (event: any) => {
      const msg = JSON.parse(String(event.data));
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else p?.resolve(msg.result);
      } else {
        for (const l of this.listeners) l(msg.method, msg.params);
      }
    });
  }

  send(method: string, params: object = {}): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  on(listener: (method: string, params: any) => void): void {
    this.listeners.push(listener);
  }

  once(method: string, timeoutMs: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.on((m, params) => {
        if (m === method) {
          clearTimeout(timer);
          resolve(params);
        }
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** A headless Chromium with a DevTools endpoint, and its profile directory. */
async function launch(): Promise<{ browser: ChildProcess; port: number; profile: string }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'check-report-chromium-'));
  const browser = spawn(CHROMIUM, [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--hide-scrollbars',
    '--force-device-scale-factor=1', '--window-size=1400,1000', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${CHROMIUM} printed no DevTools endpoint in 30 s:\n${seen.slice(-2000)}`)), 30_000);
    browser.on('error', (error) => reject(new Error(`cannot start ${CHROMIUM} (apt-get install -y chromium): ${error.message}`)));
    browser.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { browser, port, profile };
}

/** The DOM assertions, evaluated in the page. */
const IN_PAGE = `(() => {
  const problems = [];
  const figures = [...document.querySelectorAll('figure[data-view]')];
  for (const f of figures) {
    const view = f.dataset.view;
    const svg = f.querySelector('svg');
    if (!svg || !(svg instanceof SVGSVGElement)) { problems.push(view + ': no inline SVG element'); continue; }
    const box = svg.getBoundingClientRect();
    if (box.width < 10 || box.height < 10) problems.push(view + ': the SVG is not drawn (' + box.width + 'x' + box.height + ')');
    for (const g of (f.dataset.groups || '').split(' ').filter((x) => x)) {
      const el = document.getElementById(view + '--group_' + g);
      if (!el || !(el instanceof SVGGElement)) { problems.push(view + ': group ' + g + ' is not an SVG <g> in the DOM'); continue; }
      const b = el.getBBox();
      if (!(b.width > 0 && b.height > 0)) problems.push(view + ': group ' + g + ' has an empty box');
    }
    if (svg.querySelectorAll('g.node').length === 0) problems.push(view + ': no node drawn');
  }
  const need = ['summary', 'architecture', 'deploy', 'validators'];
  for (const id of need) if (!document.getElementById(id)) problems.push('no section #' + id);
  const envs = [...document.querySelectorAll('section.environment')];
  if (envs.length === 0) problems.push('no environment section');
  for (const s of envs) if (s.querySelectorAll('tr.stack-row').length === 0) problems.push(s.id + ': no stack row');
  if (!document.querySelector('#deploy ol.critical-path li')) problems.push('no deploy critical path');
  if (figures.length === 0) problems.push('no diagram');
  return { problems, diagrams: figures.length, stackRows: document.querySelectorAll('tr.stack-row').length,
    width: Math.ceil(document.documentElement.scrollWidth), height: Math.ceil(document.documentElement.scrollHeight) };
})()`;

/** Opens `file` in a new tab of the browser on `port`, collecting console errors; checks its DOM; takes a screenshot. */
async function checkPage(port: number, file: string, screenshot: boolean): Promise<PageCheck> {
  const target = await (await fetch(`http://127.0.0.1:${port}/json/new?about:blank`, { method: 'PUT' })).json() as any;
  const cdp = await Cdp.connect(target.webSocketDebuggerUrl);
  const consoleErrors: string[] = [];
  cdp.on((method, params) => {
    if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
      consoleErrors.push(`console.${params.type}: ${params.args.map((a: any) => a.value ?? a.description ?? '').join(' ')}`);
    } else if (method === 'Runtime.exceptionThrown') {
      const d = params.exceptionDetails;
      consoleErrors.push(`uncaught: ${d.exception?.description ?? d.text}`);
    } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
      consoleErrors.push(`${params.entry.source}: ${params.entry.text}${params.entry.url ? ` (${params.entry.url})` : ''}`);
    }
  });
  try {
    await Promise.all([cdp.send('Runtime.enable'), cdp.send('Log.enable'), cdp.send('Page.enable')]);
    const loaded = cdp.once('Page.loadEventFired', 60_000);
    await cdp.send('Page.navigate', { url: `file://${path.resolve(file)}` });
    await loaded;
    // Late errors (a failed load reported after the load event) arrive within a moment.
    await new Promise((r) => setTimeout(r, 500));
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: IN_PAGE, returnByValue: true });
    if (exceptionDetails) throw new Error(`the DOM check threw: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    const dom = result.value;
    let png: Buffer | undefined;
    if (screenshot) {
      const height = Math.min(dom.height, 16_000);
      await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1400, height, deviceScaleFactor: 1, mobile: false });
      const shot = await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1400, height, scale: 1 } });
      png = Buffer.from(shot.data, 'base64');
    }
    return { consoleErrors, problems: dom.problems, diagrams: dom.diagrams, stackRows: dom.stackRows, screenshot: png };
  } finally {
    cdp.close();
    await fetch(`http://127.0.0.1:${port}/json/close/${target.id}`).catch(() => undefined);
  }
}

const failures = (c: PageCheck) => [...c.consoleErrors.map((e) => `console error: ${e}`), ...c.problems];

/** Broken copies of a good page, each of which must fail. */
function brokenPages(page: string, dir: string): Array<[string, string]> {
  const html = fs.readFileSync(page, 'utf-8');
  const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>\n/;
  if (!csp.test(html)) throw new Error(`${page}: no Content-Security-Policy meta tag`);
  const open = html.replace(csp, '');
  const firstGroup = /data-view="([^"]+)" data-groups="([^" ]+)/.exec(html);
  if (!firstGroup) throw new Error(`${page}: no diagram with a group`);
  const cases: Array<[string, string]> = [
    ['console.error', open.replace('</body>', '<script>console.error("deliberate console error")</script>\n</body>')],
    ['uncaught exception', open.replace('</body>', '<script>throw new Error("deliberate exception")</script>\n</body>')],
    ['failed load', open.replace('</body>', '<img src="does-not-exist.png" alt="">\n</body>')],
    ['network reference under the policy', html.replace('</body>', '<img src="https://example.invalid/x.png" alt="">\n</body>')],
    ['diagram group missing', html.replace(`id="${firstGroup[1]}--group_${firstGroup[2]}"`, `id="${firstGroup[1]}--renamed"`)],
  ];
  return cases.map(([name, text], i) => {
    const file = path.join(dir, `broken-${i}.html`);
    fs.writeFileSync(file, text);
    return [name, file];
  });
}

async function main(): Promise<boolean> {
  const args = process.argv.slice(2);
  const selfTest = args.includes('--self-test');
  const pages = args.filter((a) => a !== '--self-test');
  if (pages.length === 0) pages.push(path.join(REPO_ROOT, 'cdk.out', 'report.html'), path.join(REPO_ROOT, 'cdk.out', 'phase2', 'report.html'));
  for (const page of pages) {
    if (!fs.existsSync(page)) throw new Error(`${page} does not exist: run npm run reference first`);
  }
  const { browser, port, profile } = await launch();
  let ok = true;
  try {
    if (selfTest) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-report-self-test-'));
      try {
        for (const [name, file] of brokenPages(pages[0], dir)) {
          const found = failures(await checkPage(port, file, false));
          console.log(`self-test: ${name}: ${found.length > 0 ? `caught (${found[0].split('\n')[0].slice(0, 140)})` : 'NOT CAUGHT'}`);
          if (found.length === 0) ok = false;
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      console.log(`self-test: ${ok ? 'every broken page fails the check' : 'a broken page passed the check'}`);
    }
    for (const page of pages) {
      const check = await checkPage(port, page, true);
      const png = path.join(path.dirname(page), `${path.basename(page, '.html')}.png`);
      fs.writeFileSync(png, check.screenshot!);
      const where = path.relative(REPO_ROOT, path.resolve(page));
      const found = failures(check);
      console.log(`${where}: ${check.diagrams} diagrams drawn, ${check.stackRows} stack rows, ${check.consoleErrors.length} console errors; `
        + `screenshot ${path.relative(REPO_ROOT, png)}`);
      for (const f of found) console.log(`  ${f}`);
      if (found.length > 0) ok = false;
    }
  } finally {
    browser.kill();
    await new Promise((r) => browser.once('exit', r));
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return ok;
}

if (require.main === module) {
  if (typeof (globalThis as any).WebSocket !== 'function') {
    // Node 20: the WebSocket client is there behind a flag; run again with it.
    const rerun = spawnSync(process.execPath, [
      '--experimental-websocket', '--disable-warning=ExperimentalWarning', '-r', 'ts-node/register/transpile-only', __filename, ...process.argv.slice(2),
    ], { stdio: 'inherit', cwd: REPO_ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.dev.json') } });
    process.exit(rerun.status ?? 1);
  }
  main().then((ok) => process.exit(ok ? 0 : 1), (error) => {
    console.error(error);
    process.exit(1);
  });
}
