import { execFile } from 'node:child_process';

/** @param {string} cwd @param {string} name @param {'esm'|'cjs'} mode */
export function importBuiltPackage(cwd, name, mode) {
  const spec = JSON.stringify(name);
  const script =
    mode === 'esm'
      ? `const m = await import(${spec}); console.log(JSON.stringify(Object.keys(m).sort()));`
      : `const m = require(${spec}); console.log(JSON.stringify(Object.keys(m).sort()));`;
  const args = mode === 'esm' ? ['--input-type=module', '-e', script] : ['--input-type=commonjs', '-e', script];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${mode} import of ${name} failed in ${cwd}:\n${stderr || err.message}`));
        return;
      }
      const lines = stdout.trim().split('\n');
      resolve({ keys: JSON.parse(lines[lines.length - 1] ?? '[]') });
    });
  });
}
