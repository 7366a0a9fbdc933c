import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
function walk(d, out, ext, max) { for (const f of readdirSync(d)) { const p = join(d, f); let s; try { s = statSync(p);} catch {continue;} if (s.isDirectory()) { if (out.length<max) walk(p, out, ext, max);} else if (p.endsWith(ext) && s.size > 3000 && out.length < max) out.push(p);} }
const srcs = [];
for (const [ext, n] of [['.d.ts', 40], ['.js', 40], ['.md', 40], ['.json', 25], ['.ts', 30]]) { const o=[]; walk('node_modules', o, ext, n*5); srcs.push(...o.filter((_, i) => i % 5 === 0).slice(0, n)); }
const chunks = [];
for (const f of srcs) { const t = readFileSync(f, 'utf8'); for (let i = 0; i < Math.min(t.length, 40000); i += 4000) chunks.push({ f, t: t.slice(i, i + 4000) }); }
function feat(t) {
  let L=0,D=0,P=0,S=0,N=0,W=0,C=0,O=0, prev=0, DR=0, PR=0, SR=0;
  for (let i=0;i<t.length;i++){ const c=t.charCodeAt(i);
    let cls;
    if ((c>=97&&c<=122)||(c>=65&&c<=90)) { L++; cls=1; if (prev!==1) W++; }
    else if (c>=48&&c<=57) { D++; cls=2; if (prev!==2) DR++; }
    else if (c===32) { S++; cls=3; if (prev===3) SR++; }
    else if (c===10||c===9||c===13) { N++; cls=4; }
    else if (c<128) { P++; cls=5; if (prev!==5) PR++; }
    else if ((c>=0x3040&&c<=0x30ff)||(c>=0x3400&&c<=0x9fff)||(c>=0xac00&&c<=0xd7af)) { C++; cls=6; }
    else { O++; cls=7; }
    prev=cls; }
  return [L,D,P,S,N,W,C,O,PR,SR];
}
const X=[], y=[];
for (const c of chunks) { X.push(feat(c.t)); y.push(countTokens(c.t)); }
console.log('chunks', chunks.length);
// least squares via normal equations
const k = X[0].length; const A = Array.from({length:k},()=>Array(k).fill(0)); const b=Array(k).fill(0);
for (let i=0;i<X.length;i++){ for(let p=0;p<k;p++){ b[p]+=X[i][p]*y[i]; for(let q=0;q<k;q++) A[p][q]+=X[i][p]*X[i][q]; } }
for (let p=0;p<k;p++) A[p][p]+=1e-3;
// gaussian elim
const M=A.map((r,i)=>[...r,b[i]]);
for(let i=0;i<k;i++){ let m=i; for(let r=i+1;r<k;r++) if(Math.abs(M[r][i])>Math.abs(M[m][i])) m=r; [M[i],M[m]]=[M[m],M[i]]; for(let r=0;r<k;r++){ if(r===i) continue; const f=M[r][i]/M[i][i]; for(let c=i;c<=k;c++) M[r][c]-=f*M[i][c]; } }
const w = M.map((r,i)=>r[k]/r[i]);
console.log('weights L,D,P,S,N,W,C,O,PR,SR', w.map(x=>x.toFixed(4)).join(' '));
let errs=[]; for (let i=0;i<X.length;i++){ const e = X[i].reduce((a,v,j)=>a+v*w[j],0); errs.push((e-y[i])/y[i]); }
errs.sort((a,b)=>a-b); console.log('p5', errs[Math.floor(errs.length*0.05)].toFixed(3), 'p50', errs[Math.floor(errs.length/2)].toFixed(3), 'p95', errs[Math.floor(errs.length*0.95)].toFixed(3), 'min', errs[0].toFixed(3), 'max', errs.at(-1).toFixed(3));
// baseline chars/4
let e2=[]; for (let i=0;i<X.length;i++){ e2.push((chunks[i].t.length/4 - y[i])/y[i]); } e2.sort((a,b)=>a-b); console.log('chars/4 p5', e2[Math.floor(e2.length*0.05)].toFixed(3), 'p95', e2[Math.floor(e2.length*0.95)].toFixed(3));
