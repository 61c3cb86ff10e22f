// Builds Quire's web app: src/main.js and the CSS it imports, bundled and
// minified into app.js and app.css (committed under http/static, embedded in
// the binary), and the licences of every bundled package into
// THIRD_PARTY_LICENSES.txt beside this file.
//
//   node build.mjs                     writes ../http/static and ./THIRD_PARTY_LICENSES.txt
//   node build.mjs --out DIR           writes all three files into DIR instead
//
// The output depends only on the sources and the locked packages: no source
// maps, no timestamps, no absolute paths, files and licences in sorted order.

import { build } from 'esbuild';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = { out: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) {
      args.out = resolve(argv[++i]);
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: node build.mjs [--out DIR]`);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const staticDir = args.out || resolve(here, '../http/static');
const licenceFile = args.out ? join(args.out, 'THIRD_PARTY_LICENSES.txt') : join(here, 'THIRD_PARTY_LICENSES.txt');

const result = await build({
  absWorkingDir: here,
  entryPoints: ['src/main.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  platform: 'browser',
  sourcemap: false,
  // Licence comments go to a separate file (not served), gathered below
  // with each package's licence text.
  legalComments: 'external',
  charset: 'utf8',
  outfile: 'out/app.js',
  write: false,
  metafile: true,
  logLevel: 'warning',
});

const outputs = new Map();
for (const f of result.outputFiles) {
  outputs.set(relative(join(here, 'out'), f.path), f.text);
}
for (const name of ['app.js', 'app.css']) {
  if (!outputs.has(name)) throw new Error(`esbuild wrote no ${name}`);
}

await mkdir(staticDir, { recursive: true });
await writeFile(join(staticDir, 'app.js'), outputs.get('app.js'));
await writeFile(join(staticDir, 'app.css'), outputs.get('app.css'));
await writeFile(licenceFile, await licences(result.metafile, outputs));

// licences lists every package whose code is in the bundle, with its
// version, licence and licence text, and then the legal comments esbuild
// lifted out of the code.
async function licences(metafile, outputs) {
  const pkgs = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.match(/^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (!m) continue;
    const dir = input.slice(0, input.indexOf(m[0]) + m[0].length);
    pkgs.set(m[1] + '\0' + dir, dir);
  }
  const seen = new Set();
  const parts = [
    "Quire's web app (app.js, app.css) bundles these packages. Their licences follow.\n",
  ];
  for (const key of [...pkgs.keys()].sort()) {
    const dir = join(here, pkgs.get(key));
    const meta = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const id = `${meta.name}@${meta.version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const files = (await readdir(dir)).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort();
    let text = '';
    for (const f of files) text += (await readFile(join(dir, f), 'utf8')).trim() + '\n';
    if (!text) text = `(no licence file in the package; package.json says: ${meta.license || 'unknown'})\n`;
    parts.push(`${'='.repeat(72)}\n${id} (${meta.license || 'unknown'})\n${'='.repeat(72)}\n${text}`);
  }
  const legal = [...outputs.keys()].filter((n) => n.endsWith('.LEGAL.txt')).sort();
  for (const n of legal) {
    const body = outputs.get(n).trim();
    if (body) parts.push(`${'='.repeat(72)}\nLicence comments kept from the code (${n.replace('.LEGAL.txt', '')})\n${'='.repeat(72)}\n${body}\n`);
  }
  return parts.join('\n');
}
