#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { readdir } from 'node:fs/promises';
import { readManifest } from './cache';
import type { CacheManifest } from './cache-format';
import { download, OFFICIAL_URL } from './download';
import { TinyImageNetError } from './errors';
import { inspectTinyImageNet } from './inspect';
import { cacheManifestPath, loadTinyImageNet } from './load';
import { ProgressBar } from './progress-bar';
import type { Progress } from './split';
import { writeSyntheticTinyImageNet } from './synthetic';

const USAGE = `regstudy-tinyimagenet <command> [options]

Commands:
  synth <dir>       write a synthetic Tiny-ImageNet to <dir>/tiny-imagenet-200[.zip]
      --classes N (10) --train-per-class N (100) --val-per-class N (20) --test N (0)
      --seed N (0) --grayscale F (0.02) --zip --no-folder --overwrite
  prepare <source>  decode a folder or zip once into a cache (uint8 NHWC + int32 labels + JSON)
      --cache DIR (required) --split train,val --classes N|wnid,wnid --per-class N
      --skip-bad-images --force
  info <source>     list classes and image counts of a folder or zip (no decoding),
                    or the prepared splits of a cache folder
      --json
  download [dest]   fetch the archive (default dest ./tiny-imagenet-200.zip) with resume
      --url URL (${OFFICIAL_URL}) --sha256 HEX
`;

/** The valid cache manifests in a folder (empty for anything else). */
async function listCacheManifests(dir: string): Promise<CacheManifest[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: CacheManifest[] = [];
  for (const n of names.filter((f) => f.endsWith('.json')).sort()) {
    const m = await readManifest(dir, n.slice(0, -5));
    if (typeof m === 'object') out.push(m);
  }
  return out;
}

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: '${v}' is not a number`);
  return n;
}

function bars(): { onProgress: (p: Progress) => void; end: () => void } {
  const map = new Map<string, ProgressBar>();
  let current: ProgressBar | undefined;
  return {
    onProgress: (p) => {
      if (p.phase === 'scan') return;
      let bar = map.get(p.phase);
      if (!bar) {
        current?.end();
        bar = new ProgressBar(process.stderr, p.phase.padEnd(8), p.phase === 'write' || p.phase === 'download' || p.phase === 'verify' ? 'B' : '');
        map.set(p.phase, bar);
      }
      current = bar;
      bar.update(p.done, p.total);
    },
    end: () => current?.end(),
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      classes: { type: 'string' },
      'train-per-class': { type: 'string' },
      'val-per-class': { type: 'string' },
      test: { type: 'string' },
      seed: { type: 'string' },
      grayscale: { type: 'string' },
      zip: { type: 'boolean' },
      'no-folder': { type: 'boolean' },
      overwrite: { type: 'boolean' },
      cache: { type: 'string' },
      split: { type: 'string' },
      'per-class': { type: 'string' },
      'skip-bad-images': { type: 'boolean' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      sha256: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, arg] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(USAGE);
    return cmd || values.help ? 0 : 1;
  }
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const signal = ac.signal;
  switch (cmd) {
    case 'synth': {
      if (!arg) throw new Error('synth: missing <dir>');
      const bar = new ProgressBar(process.stderr, 'synth   ', ' files');
      const ds = await writeSyntheticTinyImageNet(arg, {
        classes: num(values.classes, 'classes', 10),
        trainPerClass: num(values['train-per-class'], 'train-per-class', 100),
        valPerClass: num(values['val-per-class'], 'val-per-class', 20),
        testCount: num(values.test, 'test', 0),
        seed: num(values.seed, 'seed', 0),
        grayscaleFraction: num(values.grayscale, 'grayscale', 0.02),
        zip: values.zip ?? false,
        folder: !values['no-folder'],
        overwrite: values.overwrite ?? false,
        signal,
        onProgress: (p) => bar.update(p.done, p.total),
      });
      bar.end();
      console.log(JSON.stringify({ root: ds.root, zip: ds.zipPath, counts: ds.counts, grayscale: ds.grayscale }, null, 2));
      return 0;
    }
    case 'prepare': {
      if (!arg) throw new Error('prepare: missing <source>');
      if (!values.cache) throw new Error('prepare: --cache DIR is required');
      const splits = (values.split ?? 'train,val').split(',').map((s) => s.trim());
      let classes: number | string[] | undefined;
      if (values.classes !== undefined) classes = /^\d+$/.test(values.classes) ? Number(values.classes) : values.classes.split(',');
      const perClass = values['per-class'] === undefined ? undefined : num(values['per-class'], 'per-class', 0);
      for (const split of splits) {
        if (split !== 'train' && split !== 'val') throw new Error(`--split: '${split}' is not train or val`);
        const t0 = Date.now();
        const b = bars();
        const warnings: string[] = [];
        const data = await loadTinyImageNet({
          source: arg,
          split,
          cacheDir: values.cache,
          ...(classes !== undefined ? { classes } : {}),
          ...(perClass !== undefined ? { perClass } : {}),
          skipBadImages: values['skip-bad-images'] ?? false,
          force: values.force ?? false,
          signal,
          onProgress: b.onProgress,
          onWarning: (w) => warnings.push(w.message),
        }).catch((e: unknown) => {
          // The API's advice names `skipBadImages: true`; here it is a flag.
          if (e instanceof TinyImageNetError && e.code === 'ERR_BAD_IMAGE') {
            const why = e.cause instanceof Error ? e.cause.message : String(e.cause);
            throw new Error(`${e.file ?? 'an image'}: cannot decode image (${why}); pass --skip-bad-images to leave undecodable images out`, { cause: e });
          }
          throw e;
        });
        b.end();
        for (const w of warnings.splice(0)) process.stderr.write(`warning: ${w}\n`);
        const s = (Date.now() - t0) / 1000;
        console.log(
          `${split}: ${data.count} images, ${data.classes.length} classes${data.skipped ? `, ${data.skipped} bad images skipped` : ''} in ${s.toFixed(1)} s -> ${cacheManifestPath(values.cache, split, classes, perClass)}`,
        );
      }
      return 0;
    }
    case 'info': {
      if (!arg) throw new Error('info: missing <source>');
      const manifests = await listCacheManifests(arg);
      if (manifests.length > 0) {
        if (values.json) console.log(JSON.stringify(manifests, null, 2));
        else
          for (const m of manifests)
            console.log(`${m.name}: ${m.split}, ${m.count} images, ${m.classes.length} classes, ${(m.files.images.bytes / 2 ** 20).toFixed(1)} MiB, from ${m.source.kind} ${m.source.location} (${m.createdAt})`);
        return 0;
      }
      const info = await inspectTinyImageNet(arg);
      if (values.json) console.log(JSON.stringify(info, null, 2));
      else {
        console.log(`${info.kind} ${info.location}`);
        console.log(`classes ${info.classes.length}, train ${info.counts.train}, val ${info.counts.val}, test ${info.counts.test}`);
        for (const c of info.classes.slice(0, 10)) console.log(`  ${c.wnid}  train ${c.train}  val ${c.val}  ${c.words}`);
        if (info.classes.length > 10) console.log(`  ... ${info.classes.length - 10} more`);
      }
      return 0;
    }
    case 'download': {
      const dest = arg ?? 'tiny-imagenet-200.zip';
      const bar = new ProgressBar(process.stderr, 'download', 'B');
      const r = await download(dest, {
        url: values.url ?? OFFICIAL_URL,
        ...(values.sha256 ? { sha256: values.sha256 } : {}),
        signal,
        onProgress: (p) => p.phase === 'download' && bar.update(p.done, p.total),
        onRetry: (x) => process.stderr.write(`\n${x.error.message}; retry ${x.attempt}/${x.retries} in ${x.delayMs} ms\n`),
      });
      bar.end();
      console.log(`${r.path}: ${r.bytes} bytes, sha256 ${r.sha256}${r.resumedFrom ? ` (resumed from ${r.resumedFrom})` : ''}`);
      if (!values.sha256) console.log(`no --sha256 given (none is published): recorded in ${r.sha256File} and checked on later downloads`);
      return 0;
    }
    default:
      process.stderr.write(`unknown command '${cmd}'\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`\nregstudy-tinyimagenet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
