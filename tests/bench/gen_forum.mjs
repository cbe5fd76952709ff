// Deterministic generator of a long Spanish forum thread for the highlighting
// benchmark: 10,000 posts, about 4 MB of text in about 110k text nodes, with
// natural mentions of brand terms (accents, accentless and upper-case
// variants, punctuation around them, "Zaragoza" next to "Zara").
//
// It is generated at run time into a temporary directory, never committed.
//
//   node tests/bench/gen_forum.mjs [outDir] [posts]
//
// Exports generateForum({posts, seed}) → {html, stats} and the term lists
// TERMS_10 and TERMS_300.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** mulberry32: small, fast, deterministic. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 10 brands that occur throughout the thread. */
export const TERMS_10 = [
  'Telefónica', 'Movistar', 'Vodafone', 'Orange', 'Iberdrola',
  'Santander', 'BBVA', 'Mercadona', 'Zara', 'El Corte Inglés',
];

// How each real brand appears in posts (weights by repetition).
const SURFACES = {
  'Telefónica': ['Telefónica', 'Telefónica', 'Telefonica', 'Telefonica', 'TELEFÓNICA', 'telefónica'],
  Movistar: ['Movistar', 'Movistar', 'Movistar', 'movistar', 'MOVISTAR'],
  Vodafone: ['Vodafone', 'Vodafone', 'vodafone'],
  Orange: ['Orange', 'Orange', 'orange'],
  Iberdrola: ['Iberdrola', 'Iberdrola', 'iberdrola'],
  Santander: ['Santander', 'Santander', 'el Santander'],
  BBVA: ['BBVA', 'BBVA', 'bbva'],
  Mercadona: ['Mercadona', 'Mercadona', 'mercadona', 'MERCADONA'],
  Zara: ['Zara', 'Zara', 'ZARA'],
  'El Corte Inglés': ['El Corte Inglés', 'el Corte Inglés', 'El Corte Ingles', 'el corte ingles'],
};

const REAL_OTHERS = [
  'Jazztel', 'Pepephone', 'Digi', 'Simyo', 'Yoigo', 'Lowi', 'Masmovil', 'Euskaltel', 'Adamo', 'Avatel',
  'Endesa', 'Naturgy', 'Holaluz', 'Repsol', 'Cepsa', 'Galp', 'Totalenergies', 'Octopus', 'Factorenergia', 'Podo',
  'CaixaBank', 'Sabadell', 'Bankinter', 'Unicaja', 'Kutxabank', 'Abanca', 'Ibercaja', 'Openbank', 'Revolut', 'Bizum',
  'Carrefour', 'Lidl', 'Aldi', 'Eroski', 'Alcampo', 'Consum', 'Dia', 'Hipercor', 'Caprabo', 'Ahorramas',
  'Mango', 'Bershka', 'Pull&Bear', 'Stradivarius', 'Massimo Dutti', 'Oysho', 'Primark', 'Desigual', 'Springfield', 'Cortefiel',
  'Seat', 'Cupra', 'Renault', 'Peugeot', 'Citroën', 'Toyota', 'Hyundai', 'Dacia', 'Skoda', 'Volkswagen',
  'Iberia', 'Vueling', 'Ryanair', 'Renfe', 'Ouigo', 'Iryo', 'Alsa', 'Cabify', 'Glovo', 'Wallapop',
  'Amazon', 'Netflix', 'Spotify', 'Filmin', 'Atresmedia', 'Mediaset', 'Securitas', 'Prosegur', 'Mapfre', 'Mutua Madrileña',
  'Sanitas', 'Adeslas', 'Asisa', 'DKV', 'Decathlon', 'Leroy Merlin', 'Ikea', 'MediaMarkt', 'PcComponentes', 'Fnac',
];

// Syllables for invented but plausible brand names (none is a Spanish word
// the generator writes, so they only occur where planted).
const SYL_A = ['Val', 'Tec', 'Nor', 'Bri', 'Cal', 'Mar', 'Ser', 'Lum', 'Ver', 'Sol', 'Alt', 'Cor', 'Dal', 'Fen', 'Gal', 'Kor', 'Lex', 'Mir', 'Nex', 'Orb'];
const SYL_B = ['tex', 'nova', 'mira', 'dora', 'quia', 'zeta', 'vant', 'lux', 'tika', 'rion', 'sana', 'bel', 'gest', 'plia', 'tron', 'vela', 'xia', 'mundi', 'teca', 'zar'];
const SYL_C = ['', '', '', ' Group', ' Energía', ' Móvil', ' Seguros', ' Hogar', ' Logística', 'net'];

function invented(n) {
  const r = rng(4242);
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const name = SYL_A[Math.floor(r() * SYL_A.length)] + SYL_B[Math.floor(r() * SYL_B.length)] + SYL_C[Math.floor(r() * SYL_C.length)];
    if (!seen.has(name)) { seen.add(name); out.push(name); }
  }
  return out;
}

/** 10 real brands that occur throughout + 290 others, of which RARE occur a few times. */
export const TERMS_300 = [...TERMS_10, ...REAL_OTHERS, ...invented(300 - TERMS_10.length - REAL_OTHERS.length)];
const RARE = TERMS_300.slice(10).filter((_, i) => i % 9 === 0); // ~32 of the others show up rarely

const NAMES = ['Lucía', 'Martín', 'Sofía', 'Hugo', 'Valentina', 'Mateo', 'Carmen', 'Álvaro', 'Paula', 'Daniel', 'Noelia', 'Íñigo',
  'Begoña', 'Javier', 'Rocío', 'Sergio', 'Ainhoa', 'Raúl', 'Marta', 'Adrián', 'Nuria', 'Óscar', 'Elena', 'Pablo'];
const NICK = ['_bcn', '87', '_mad', 'xx', '_sev', '2000', '_vlc', '', '', '_zgz', '_93', '_bilbao'];
const CITIES = ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Zaragoza', 'Bilbao', 'Málaga', 'Murcia', 'Palma', 'Valladolid', 'Córdoba', 'Alicante', 'Vigo', 'Gijón', 'A Coruña'];
const MONTHS = ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'];

// Sentence templates; {B} is a brand mention, {C} a city, {N} a number.
const WITH_BRAND = [
  'Yo llevo años con {B} y la verdad es que no me puedo quejar del servicio',
  'Ayer llamé a {B}, me tuvieron media hora esperando y al final no me solucionaron nada',
  '¿Alguien sabe si {B} tiene ofertas para clientes nuevos este mes?',
  'Pues a mí {B} me subió la cuota {N} euros sin avisar, así que me estoy planteando cambiarme',
  'En {C} la fibra de {B} va bastante bien, por lo menos en mi barrio',
  'Lo de {B} es de traca: te cobran la permanencia aunque el fallo sea suyo',
  '¡Ojo con {B}! Revisad bien la factura antes de firmar nada',
  'Mi cuñado trabaja en {B} y dice que el mes que viene cambian las tarifas',
  'Si comparas con {B}, la diferencia de precio no compensa',
  'Al final me quedé con {B} porque era lo único que llegaba a mi pueblo',
  'He visto en la tienda de {B} del centro de {C} que ya tienen el nuevo catálogo',
  'Con {B} tuve una experiencia bastante mala, aunque reconozco que el comercial fue amable',
];
const PLAIN = [
  'Estoy de acuerdo con lo que dices, aunque creo que depende mucho de la zona',
  'No sé, a mí me parece que exageráis un poco con este tema',
  'Gracias por la información, me ha servido de mucho para decidirme',
  'Eso mismo me pasó a mí el año pasado y tardaron casi tres semanas en arreglarlo',
  'La atención al cliente es lo peor, te pasan de un departamento a otro sin parar',
  '¿Y no os ha pasado que el router se reinicia solo por las noches?',
  'Yo vivo en {C} y aquí la cobertura es bastante irregular según la calle',
  'Al final lo importante es leer la letra pequeña, que siempre hay sorpresas',
  'Menuda odisea, llevo {N} días sin conexión y nadie me da una fecha',
  'Os dejo el enlace a la comparativa que hicieron en otro hilo, está muy completa',
  'El precio ha subido casi un {N} por ciento desde que empezó el contrato',
  'Desde que me mudé a {C} no he vuelto a tener problemas, la verdad',
  'Lo que no entiendo es por qué nadie responde a las reclamaciones por escrito',
  'Tampoco es para tanto, hay compañías mucho peores en ese sentido',
  'Me lo apunto para cuando termine la permanencia en septiembre',
  '¡Qué paciencia hay que tener con estas cosas!',
  'Según el técnico, el problema estaba en la caja de la calle y no en mi casa',
  'Alguien comentó en la página anterior que en verano suele ir más lento',
];
const INLINE = [
  ['b', 'muy importante'], ['b', 'no firméis nada'], ['i', 'sin comentarios'], ['i', 'en teoría'],
  ['a', 'este enlace'], ['a', 'la página oficial'], ['b', 'actualización'], ['i', 'spoiler'],
];
const END = ['.', '.', '.', '!', '...', '.'];

/**
 * Generate the thread. Returns {html, terms10, terms300, stats}.
 * stats: posts, textChars (sum of text-node lengths in <body>), textNodes,
 * planted (brand mentions written, by term, all surface forms).
 */
export function generateForum({ posts = 10000, seed = 20240611 } = {}) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const planted = Object.fromEntries(TERMS_300.map((t) => [t, 0]));
  let textChars = 0;
  let textNodes = 0;
  const out = [];
  const text = (s) => { if (s.length) { textChars += s.length; textNodes += 1; } return esc(s); };

  const brand = () => {
    // Mostly the 10 real brands; now and then a rare one from the long list.
    if (r() < 0.012) { const t = pick(RARE); planted[t] += 1; return t; }
    const t = pick(TERMS_10); planted[t] += 1; return pick(SURFACES[t]);
  };
  const fill = (tpl) => tpl
    .replace('{B}', () => brand())
    .replace('{C}', () => pick(CITIES))
    .replace('{N}', () => String(2 + Math.floor(r() * 40)));
  const sentence = () => {
    const s = fill(r() < 0.18 ? pick(WITH_BRAND) : pick(PLAIN));
    return /[?!]$/.test(s) ? s : s + pick(END);
  };

  // One paragraph: 1–3 sentences with 0–2 inline elements between them.
  const paragraph = () => {
    const n = 1 + Math.floor(r() * 3);
    const ss = Array.from({ length: n }, sentence);
    const x = r();
    const inlines = x < 0.3 ? 0 : x < 0.75 ? 1 : 2;
    if (inlines === 0) return `<p>${text(ss.join(' '))}</p>`;
    const parts = [];
    // Cut the sentence list at `inlines` points (a cut may fall mid-list or at an end).
    const cuts = Array.from({ length: inlines }, () => Math.floor(r() * (n + 1))).sort((a, b) => a - b);
    let from = 0;
    let first = true;
    for (const at of cuts) {
      parts.push(text((first ? '' : ' ') + ss.slice(from, at).join(' ') + ' '));
      first = false;
      const [tag, words] = pick(INLINE);
      const inner = r() < 0.12 ? brand() : words; // sometimes the mention is the bold/link text
      const attr = tag === 'a' ? ` href="/t/${Math.floor(r() * 99999)}"` : '';
      parts.push(`<${tag}${attr}>${text(inner)}</${tag}>`);
      from = at;
    }
    parts.push(text(' ' + ss.slice(from).join(' ')));
    return `<p>${parts.join('')}</p>`;
  };

  out.push('<!doctype html><html lang="es"><head><meta charset="utf-8"><title>¿Qué compañía de fibra me recomendáis? — Foro Hogar y Tecnología</title>',
    '<style>body{font:15px/1.5 sans-serif;max-width:60em;margin:auto}.post{border-bottom:1px solid #ddd;padding:.5em 0}.meta{color:#666;font-size:.9em}blockquote{border-left:3px solid #ccc;margin:.5em 0;padding-left:.5em;color:#444}</style>',
    '</head><body>');
  out.push(`<h1>${text('¿Qué compañía de fibra me recomendáis? (hilo oficial)')}</h1>`);
  out.push(`<nav>${text('Foro')}<span> › </span>${text('Hogar y Tecnología')}</nav><main id="thread">`);
  textNodes += 1; textChars += 3;
  const authors = Array.from({ length: 400 }, () => pick(NAMES) + pick(NICK));
  for (let i = 1; i <= posts; i++) {
    const author = pick(authors);
    const day = 1 + Math.floor(r() * 28);
    const mon = Math.floor(r() * 12);
    const year = 2019 + Math.floor(i / 2000);
    const hh = String(Math.floor(r() * 24)).padStart(2, '0');
    const mm = String(Math.floor(r() * 60)).padStart(2, '0');
    const iso = `${year}-${String(mon + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}T${hh}:${mm}`;
    out.push(`<article class="post" id="p${i}"><header class="meta"><a class="author" href="/u/${encodeURIComponent(author)}">${text(author)}</a>`,
      `<time datetime="${iso}">${text(` ${day} ${MONTHS[mon]} ${year}, ${hh}:${mm}`)}</time></header><div class="body">`);
    if (r() < 0.2) {
      const quoted = pick(authors);
      out.push(`<blockquote><cite>${text(`${quoted} escribió:`)}</cite>${text(' ' + sentence())}</blockquote>`);
    }
    const np = 1 + Math.floor(r() * 3);
    for (let p = 0; p < np; p++) out.push(paragraph());
    const likes = Math.floor(r() * 12);
    out.push(`</div><footer><span class="likes">${text(String(likes))}</span>${text(likes === 1 ? ' me gusta' : ' me gusta · Responder · Citar')}</footer></article>\n`);
    textNodes += 1; textChars += 1; // the newline between posts is a text node too
  }
  out.push('</main></body></html>\n');
  return { html: out.join(''), stats: { posts, textChars, textNodes, planted } };
}

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Write thread.html and the two term lists into `dir`; returns paths and stats. */
export function writeForum(dir, opts = {}) {
  mkdirSync(dir, { recursive: true });
  const { html, stats } = generateForum(opts);
  const files = {
    html: join(dir, 'thread.html'),
    terms10: join(dir, 'terms-10.json'),
    terms300: join(dir, 'terms-300.json'),
  };
  writeFileSync(files.html, html);
  writeFileSync(files.terms10, JSON.stringify(TERMS_10, null, 1));
  writeFileSync(files.terms300, JSON.stringify(TERMS_300, null, 1));
  return { files, stats, htmlBytes: Buffer.byteLength(html) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] || join(process.env.TMPDIR || '/tmp', 'escucha-bench-forum');
  const posts = Number(process.argv[3] || 10000);
  const { files, stats, htmlBytes } = writeForum(dir, { posts });
  const planted = Object.entries(stats.planted).filter(([, n]) => n > 0);
  console.log(`${files.html}: ${stats.posts} posts, ${(htmlBytes / 1e6).toFixed(2)} MB html, ` +
    `${(stats.textChars / 1e6).toFixed(2)} M chars of text in ${stats.textNodes} text nodes`);
  console.log(`planted mentions: ${planted.reduce((a, [, n]) => a + n, 0)} (${planted.length} distinct terms)`);
}
