const sharp = require('sharp'); const fs = require('fs'); const path=require('path');
const dir='/tmp/tin/s1/tiny-imagenet-200/val/images';
const files = fs.readdirSync(dir).map(f=>fs.readFileSync(path.join(dir,f)));
(async()=>{
  let gray=0;
  for (const b of files) { const m = await sharp(b).metadata(); if (m.channels===1) gray++; }
  console.log('gray', gray, files.length);
  const g = files.find(()=>true);
  for (const b of files) { const m = await sharp(b).metadata(); if (m.channels===1) { const r = await sharp(b).toColourspace('srgb').raw().toBuffer({resolveWithObject:true}); console.log('toColourspace', r.info); const r2 = await sharp(b).raw().toBuffer({resolveWithObject:true}); console.log('plain', r2.info); break; } }
  for (const conc of [0,1]) { if (conc) sharp.concurrency(1);
  for (let rep=0;rep<2;rep++){
  let t=Date.now(); const all=[]; for (let k=0;k<20;k++) all.push(...files);
  let i=0; const worker=async()=>{ while(i<all.length){ const b=all[i++]; await sharp(b).raw().toBuffer({resolveWithObject:true}); } };
  await Promise.all(Array.from({length:8},worker)); console.log('conc',sharp.concurrency(),'img/s', Math.round(all.length/((Date.now()-t)/1000)));
  }}
  const bad = files[0].subarray(0, 400);
  try { await sharp(bad).raw().toBuffer(); console.log('no error on truncated'); } catch(e) { console.log('trunc err:', e.message); }
  try { await sharp(Buffer.from('garbage')).raw().toBuffer(); } catch(e) { console.log('garbage err:', e.message); }
})();
