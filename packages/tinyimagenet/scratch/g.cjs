const sharp=require('sharp');
(async()=>{const px=Buffer.alloc(64*64,128);
const a=await sharp(px,{raw:{width:64,height:64,channels:1}}).jpeg().toBuffer(); console.log((await sharp(a).metadata()).channels);
const b=await sharp(px,{raw:{width:64,height:64,channels:1}}).toColourspace('b-w').jpeg().toBuffer(); console.log((await sharp(b).metadata()).channels);
const r = await sharp(b).toColourspace('srgb').raw().toBuffer({resolveWithObject:true}); console.log('toColourspace', r.info);
const r2 = await sharp(b).raw().toBuffer({resolveWithObject:true}); console.log('plain', r2.info);
})();
